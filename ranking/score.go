package ranking

import (
	"math"
	"sort"
)

// Input is everything one office's rank is computed from, for one period.
// It is stored with the run (its checksum proves a recomputation read the
// same inputs).
type Input struct {
	OfficeID int64  `json:"office_id"`
	Code     string `json:"code"`
	Province string `json:"province"`
	// City and Counters (the register's) place the office among its
	// peers under directive v2; empty in runs stored before it.
	City     string `json:"city,omitempty"`
	Counters int    `json:"counters,omitempty"`
	// Survey: counted responses, the sum of overall scores (1-5), extra-fee
	// reports.
	Responses       int64 `json:"responses"`
	OverallSum      int64 `json:"overall_sum"`
	ExtraFeeReports int64 `json:"extra_fee_reports"`
	// Waiting: from the crowding rollups; nil when the office had no visits.
	WaitP90Min      *float64 `json:"wait_p90_min"`
	OverTargetShare *float64 `json:"over_target_share"`
	// Productivity: visits served and counter-hours open.
	Served       int64   `json:"served"`
	CounterHours float64 `json:"counter_hours"`
	// Arrivals are the visits recorded for the period, every outcome: the
	// denominator of complaints per 1,000 visits, and where late visits
	// show in a run's drift.
	Arrivals int64 `json:"arrivals,omitempty"`
	// Compliance: findings in the lookback window by severity, and whether
	// the licence was suspended in the period.
	Minor            int  `json:"minor"`
	Major            int  `json:"major"`
	Critical         int  `json:"critical"`
	LicenceSuspended bool `json:"licence_suspended"`
	// Upheld complaints of the period and corrective actions overdue at
	// its end (directive v2's compliance).
	UpheldComplaints int `json:"upheld_complaints,omitempty"`
	OverdueActions   int `json:"overdue_corrective_actions,omitempty"`
}

// Component is one criterion of one office's score, explained.
type Component struct {
	Criterion     string   `json:"criterion"`
	Raw           *float64 `json:"raw"`
	Score         float64  `json:"score"`
	Weight        float64  `json:"weight"`
	Contribution  float64  `json:"contribution"`
	Normalisation string   `json:"normalisation"`
	PeerMedian    *float64 `json:"peer_median"`
	PeerBest      *float64 `json:"peer_best"`
	// PeerGroup says who the office was compared with under the city and
	// size normalisations, and how it stood among them.
	PeerGroup *PeerGroup `json:"peer_group,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// Result is one office's result of a run.
type Result struct {
	OfficeID         int64       `json:"office_id"`
	Code             string      `json:"code"`
	Province         string      `json:"province"`
	Score            *float64    `json:"score"`
	RankNational     *int        `json:"rank_national"`
	RankProvince     *int        `json:"rank_province"`
	Grade            *string     `json:"grade"`
	InsufficientData bool        `json:"insufficient_data"`
	Responses        int64       `json:"responses"`
	Components       []Component `json:"components"`
	// Change against the previous published run (nil when none or not
	// ranked in it).
	ScoreChange *float64 `json:"score_change"`
	RankChange  *int     `json:"rank_change" doc:"positive: moved up"`
}

// national is what the small-sample adjustments lean on.
type national struct {
	meanOverall  float64
	extraFeeRate float64
}

func nationalOf(in []Input) national {
	var n, sum, extra int64
	for _, x := range in {
		n += x.Responses
		sum += x.OverallSum
		extra += x.ExtraFeeReports
	}
	if n == 0 {
		return national{}
	}
	return national{meanOverall: float64(sum) / float64(n), extraFeeRate: float64(extra) / float64(n)}
}

// raw returns an office's raw figure for a criterion (nil: no data, which
// scores as the worst end, said in the note).
func (d Directive) raw(c string, x Input, nat national) *float64 {
	f := func(v float64) *float64 { return &v }
	w := d.PriorWeight
	switch c {
	case CritSatisfaction:
		return f((w*nat.meanOverall + float64(x.OverallSum)) / (w + float64(x.Responses)))
	case CritExtraFee:
		return f((w*nat.extraFeeRate + float64(x.ExtraFeeReports)) / (w + float64(x.Responses)))
	case CritWaitP90:
		return x.WaitP90Min
	case CritOverTarget:
		return x.OverTargetShare
	case CritProductivity:
		if x.CounterHours <= 0 {
			return nil
		}
		return f(float64(x.Served) / x.CounterHours)
	case CritCompliance:
		p := d.Penalties
		pen := float64(x.Minor)*p.Minor + float64(x.Major)*p.Major + float64(x.Critical)*p.Critical
		if x.LicenceSuspended {
			pen += p.LicenceSuspended
		}
		pen += p.UpheldComplaintPer1000*d.complaintsPer1000(x) + p.OverdueCorrectiveAction*float64(x.OverdueActions)
		return f(math.Max(0, 100-pen))
	}
	return nil
}

// complaintsPer1000 is an office's upheld complaints per 1,000 visits,
// its visits counted at least the directive's floor.
func (d Directive) complaintsPer1000(x Input) float64 {
	if x.UpheldComplaints == 0 {
		return 0
	}
	visits := max(float64(x.Arrivals), float64(d.Penalties.ComplaintVisitsFloor), 1)
	return 1000 * float64(x.UpheldComplaints) / visits
}

// higherIsBetter says which way a criterion points for peers and "best".
func higherIsBetter(c Criterion) bool {
	if c.Normalisation == NormFixed {
		return c.Best > c.Worst
	}
	// peers, peers_city, peers_size
	switch c.Criterion {
	case CritWaitP90, CritOverTarget, CritExtraFee:
		return false
	}
	return true
}

var tens = [...]float64{1, 10, 100, 1000, 10000}

func round(v float64, places int) float64 {
	p := tens[places]
	return math.Round(v*p) / p
}

// Compute ranks the offices. Offices with fewer counted responses than the
// directive's minimum are listed as insufficient data and not ranked; peer
// normalisations and the national adjustments are over the ranked offices.
// Ties: offices whose scores are equal to two decimals share a rank, and
// the next rank skips (1, 2, 2, 4); the list order within a tie is by code.
// The result is the same whatever the order of in.
func (d Directive) Compute(in []Input) []Result { return d.compute(in, nil) }

// compute is Compute with the sources the gatherer could not read
// (missing), which the explanations name.
func (d Directive) compute(in []Input, missing []string) []Result {
	in = append([]Input(nil), in...)
	sort.Slice(in, func(i, j int) bool { return in[i].OfficeID < in[j].OfficeID })
	nat := nationalOf(in)
	eligible := make([]bool, len(in))
	for i, x := range in {
		eligible[i] = x.Responses >= int64(d.MinResponses)
	}
	// Raw figures per criterion, then each criterion's peer groups over
	// the eligible offices with a figure.
	raws := make([][]*float64, len(in)) // by office, then criterion
	for i, x := range in {
		raws[i] = make([]*float64, len(d.Criteria))
		for k, c := range d.Criteria {
			raws[i][k] = d.raw(c.Criterion, x, nat)
		}
	}
	groups := d.peerGroups(in, eligible)
	grades := d.sortedGrades()
	peers := make([]map[groupKey][]float64, len(d.Criteria))
	for k, c := range d.Criteria {
		byGroup := map[groupKey][]float64{}
		for i := range in {
			if v := raws[i][k]; v != nil && eligible[i] {
				g := groups.of(c, i)
				byGroup[g] = append(byGroup[g], *v)
			}
		}
		for _, vals := range byGroup {
			sort.Float64s(vals)
		}
		peers[k] = byGroup
	}
	results := make([]Result, len(in))
	for i, x := range in {
		r := Result{OfficeID: x.OfficeID, Code: x.Code, Province: x.Province, Responses: x.Responses, Components: []Component{}}
		ok := eligible[i]
		r.InsufficientData = !ok
		total := 0.0
		r.Components = make([]Component, 0, len(d.Criteria))
		for k, c := range d.Criteria {
			comp := Component{Criterion: c.Criterion, Raw: roundPtr(raws[i][k], 4), Weight: c.Weight, Normalisation: c.Normalisation}
			key := groups.of(c, i)
			vals := peers[k][key]
			if len(vals) > 0 {
				med := median(vals)
				best := vals[len(vals)-1]
				if !higherIsBetter(c) {
					best = vals[0]
				}
				comp.PeerMedian, comp.PeerBest = roundPtr(&med, 4), roundPtr(&best, 4)
			}
			v := raws[i][k]
			switch {
			case v == nil:
				comp.Score, comp.Note = 0, "no data for the period: scored as the worst"
			case c.Normalisation == NormFixed:
				comp.Score = 100 * clamp((*v-c.Worst)/(c.Best-c.Worst), 0, 1)
			default:
				comp.Score = percentileRank(vals, *v, higherIsBetter(c), ok)
			}
			if c.Normalisation == NormPeersCity || c.Normalisation == NormPeersSize {
				// Who the office was compared with and where it stood: the
				// explanation an owner redoes by hand (docs/ranking.md).
				comp.PeerGroup = standing(key, vals, v, higherIsBetter(c), ok)
			}
			if c.Criterion == CritCompliance && d.readsComplaints() {
				comp.Note = joinNotes(comp.Note, d.complianceNote(x, missing))
			}
			comp.Score = round(comp.Score, 4)
			comp.Contribution = round(comp.Score*c.Weight, 4)
			total += comp.Score * c.Weight
			r.Components = append(r.Components, comp)
		}
		if ok {
			s := round(total, 2)
			r.Score = &s
			g := gradeIn(grades, s)
			r.Grade = &g
		}
		results[i] = r
	}
	rankWithin(results, func(r *Result) string { return "" }, func(r *Result, k int) { r.RankNational = &k })
	rankWithin(results, func(r *Result) string { return r.Province }, func(r *Result, k int) { r.RankProvince = &k })
	sort.SliceStable(results, func(i, j int) bool { return lessResult(&results[i], &results[j]) })
	return results
}

// lessResult orders ranked offices by score, then code; unranked last.
func lessResult(a, b *Result) bool {
	switch {
	case a.Score == nil && b.Score == nil:
		return a.Code < b.Code
	case a.Score == nil:
		return false
	case b.Score == nil:
		return true
	case *a.Score != *b.Score:
		return *a.Score > *b.Score
	}
	return a.Code < b.Code
}

// rankWithin gives competition ranks (1, 2, 2, 4) within each group.
func rankWithin(rs []Result, group func(*Result) string, set func(*Result, int)) {
	byGroup := map[string][]*Result{}
	for i := range rs {
		if rs[i].Score != nil {
			g := group(&rs[i])
			byGroup[g] = append(byGroup[g], &rs[i])
		}
	}
	for _, list := range byGroup {
		sort.SliceStable(list, func(i, j int) bool { return lessResult(list[i], list[j]) })
		for k, r := range list {
			rank := k + 1
			if k > 0 && *list[k-1].Score == *r.Score {
				// the same rank as the office before
				prev := list[k-1]
				if group(r) == "" {
					rank = *prev.RankNational
				} else {
					rank = *prev.RankProvince
				}
			}
			set(r, rank)
		}
	}
}

// percentileRank is the share of peers an office does better than, ties
// counting half, on 0-100; an office alone scores 50. For an office outside
// the peers (not ranked) the same formula is applied against all of them.
func percentileRank(sorted []float64, v float64, higherBetter, inPeers bool) float64 {
	n := len(sorted)
	below := sort.SearchFloat64s(sorted, v)
	equal := sort.SearchFloat64s(sorted, math.Nextafter(v, math.Inf(1))) - below
	above := n - below - equal
	others := n
	if inPeers {
		equal-- // not against itself
		others = n - 1
	}
	if others <= 0 {
		return 50
	}
	better := below
	if !higherBetter {
		better = above
	}
	return 100 * (float64(better) + 0.5*float64(max(equal, 0))) / float64(others)
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func roundPtr(v *float64, places int) *float64 {
	if v == nil {
		return nil
	}
	r := round(*v, places)
	return &r
}
