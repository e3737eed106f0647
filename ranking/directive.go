package ranking

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
)

// Criteria the directive can weigh.
const (
	CritSatisfaction = "satisfaction"        // survey overall satisfaction, adjusted for small samples (1-5)
	CritWaitP90      = "waiting_p90"         // 90th percentile wait, minutes
	CritOverTarget   = "waiting_over_target" // share who waited over the target
	CritExtraFee     = "extra_fee"           // rate of extra-fee reports, smoothed for small samples
	CritProductivity = "productivity"        // visits served per counter-hour open
	CritCompliance   = "compliance"          // 100 minus inspection and licence penalties
)

// Normalisations.
const (
	NormFixed = "fixed" // against fixed targets: Worst → 0, Best → 100, linear, clamped
	NormPeers = "peers" // against peers: the percentile rank among ranked offices (0-100)
	// NormPeersCity is the percentile rank among the ranked offices of the
	// office's own city; the offices of a city with fewer ranked offices
	// than PeerRules.MinCityOffices are pooled with the other such cities
	// of their province (directive v2's waiting criteria).
	NormPeersCity = "peers_city"
	// NormPeersSize is the percentile rank among the ranked offices with a
	// similar number of counters (PeerRules.CounterBands; directive v2's
	// productivity).
	NormPeersSize = "peers_size"
)

// PeerRules say who an office is compared with under the peer
// normalisations of a city or a size.
type PeerRules struct {
	// MinCityOffices: a city with at least this many ranked offices is a
	// peer group of its own; the offices of smaller cities are compared
	// with those of the other small cities of their province.
	MinCityOffices int `json:"min_city_offices"`
	// CounterBands are the upper ends of the counter bands, increasing:
	// [2, 4, 6] makes the bands 1-2, 3-4, 5-6 and 7 or more counters.
	CounterBands []int `json:"counter_bands"`
}

// Rule is one sentence of the directive that says, in words, how a
// criterion is read (Persian and English).
type Rule struct {
	Criterion string `json:"criterion"`
	Fa        string `json:"fa"`
	En        string `json:"en"`
}

// Criterion is one weighted criterion.
type Criterion struct {
	Criterion     string  `json:"criterion"`
	Weight        float64 `json:"weight"`
	Normalisation string  `json:"normalisation"`
	// Best and Worst are the fixed targets (Best may be below Worst, for
	// "less is better").
	Best  float64 `json:"best,omitempty"`
	Worst float64 `json:"worst,omitempty"`
}

// Grade is a cut point: a score at or above Min earns the grade.
type Grade struct {
	Grade string  `json:"grade"`
	Min   float64 `json:"min"`
}

// Penalties are the compliance points lost per finding.
type Penalties struct {
	Minor            float64 `json:"minor"`
	Major            float64 `json:"major"`
	Critical         float64 `json:"critical"`
	LicenceSuspended float64 `json:"licence_suspended"`
	// LookbackMonths is how far before the period's end inspections count.
	LookbackMonths int `json:"lookback_months"`
	// UpheldComplaintPer1000 is lost per upheld complaint per 1,000 visits
	// of the period (version 2 on); the visits are counted at least
	// ComplaintVisitsFloor, so one complaint at a nearly empty office costs
	// a bounded amount.
	UpheldComplaintPer1000 float64 `json:"upheld_complaint_per_1000_visits,omitempty"`
	ComplaintVisitsFloor   int     `json:"complaint_visits_floor,omitempty"`
	// OverdueCorrectiveAction is lost per corrective action overdue at the
	// period's end (version 2 on).
	OverdueCorrectiveAction float64 `json:"overdue_corrective_action,omitempty"`
}

// Directive is one version of the ranking directive.
type Directive struct {
	Version       int         `json:"version"`
	Name          string      `json:"name"`
	EffectiveFrom string      `json:"effective_from"` // YYYY-MM-DD (Tehran); in force until the next version's date
	Criteria      []Criterion `json:"criteria"`
	MinResponses  int         `json:"min_responses"`
	// PriorWeight is the weight, in responses, of the national figures in
	// the small-sample adjustments of satisfaction and extra-fee rate.
	PriorWeight float64   `json:"prior_weight"`
	Grades      []Grade   `json:"grades"`
	Penalties   Penalties `json:"penalties"`
	// Peers are the peer groups of the city and size normalisations
	// (version 2 on).
	Peers *PeerRules `json:"peers,omitempty"`
	// Rules state in words how each criterion is read (version 2 on).
	Rules []Rule `json:"rules,omitempty"`
}

// DefaultDirective is version 1: what the demo ships and tests read.
func DefaultDirective() Directive {
	return Directive{
		Version: 1, Name: "دستورالعمل رتبه‌بندی دفاتر خدمات الکترونیک قضائی — نسخه ۱", EffectiveFrom: "2026-03-21",
		Criteria: []Criterion{
			{Criterion: CritSatisfaction, Weight: 0.35, Normalisation: NormFixed, Best: 5, Worst: 2},
			{Criterion: CritWaitP90, Weight: 0.15, Normalisation: NormFixed, Best: 15, Worst: 90},
			{Criterion: CritOverTarget, Weight: 0.10, Normalisation: NormFixed, Best: 0, Worst: 0.5},
			{Criterion: CritExtraFee, Weight: 0.15, Normalisation: NormFixed, Best: 0, Worst: 0.2},
			{Criterion: CritProductivity, Weight: 0.10, Normalisation: NormPeers},
			{Criterion: CritCompliance, Weight: 0.15, Normalisation: NormFixed, Best: 100, Worst: 40},
		},
		MinResponses: 10,
		PriorWeight:  10,
		Grades:       []Grade{{"A", 85}, {"B", 70}, {"C", 55}, {"D", 0}},
		Penalties:    Penalties{Minor: 5, Major: 15, Critical: 40, LicenceSuspended: 50, LookbackMonths: 12},
	}
}

// Validate checks a directive before it is stored.
func (d Directive) Validate() error {
	fe := d.bounds()
	if strings.TrimSpace(d.Name) == "" {
		fe.Add("name", "required", "is required")
	}
	if _, err := time.Parse("2006-01-02", daftar.NormalizeDigits(d.EffectiveFrom)); err != nil {
		fe.Add("effective_from", "invalid", "must be a date like 2026-03-21")
	}
	known := map[string]bool{CritSatisfaction: true, CritWaitP90: true, CritOverTarget: true, CritExtraFee: true, CritProductivity: true, CritCompliance: true}
	seen := map[string]bool{}
	sum := 0.0
	needPeers := false
	for i, c := range d.Criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if !known[c.Criterion] {
			fe.Add(f+".criterion", "unknown", "one of satisfaction, waiting_p90, waiting_over_target, extra_fee, productivity, compliance")
		}
		if seen[c.Criterion] {
			fe.Add(f+".criterion", "duplicate", "each criterion once")
		}
		seen[c.Criterion] = true
		if c.Weight <= 0 || c.Weight > 1 || math.IsNaN(c.Weight) {
			fe.Add(f+".weight", "invalid", "a weight in (0, 1]")
		}
		sum += c.Weight
		switch c.Normalisation {
		case NormFixed:
			if c.Best == c.Worst {
				fe.Add(f+".best", "invalid", "best and worst must differ")
			}
		case NormPeers:
		case NormPeersCity, NormPeersSize:
			needPeers = true
		default:
			fe.Add(f+".normalisation", "invalid", "fixed, peers, peers_city or peers_size")
		}
	}
	if len(d.Criteria) == 0 {
		fe.Add("criteria", "required", "at least one criterion")
	} else if math.Abs(sum-1) > 1e-9 {
		fe.Add("criteria", "weights", fmt.Sprintf("weights must sum to 1, not %.4f", sum))
	}
	if d.MinResponses < 1 || d.MinResponses > 10000 {
		fe.Add("min_responses", "invalid", "from 1 to 10000")
	}
	if d.PriorWeight < 0 || d.PriorWeight > 10000 {
		fe.Add("prior_weight", "invalid", "from 0 to 10000")
	}
	if len(d.Grades) == 0 {
		fe.Add("grades", "required", "at least one grade")
	}
	gs := append([]Grade(nil), d.Grades...)
	sort.Slice(gs, func(i, j int) bool { return gs[i].Min > gs[j].Min })
	for i, g := range gs {
		if g.Grade == "" || g.Min < 0 || g.Min > 100 {
			fe.Add("grades", "invalid", "each grade has a name and a minimum score 0-100")
		}
		if i > 0 && g.Min == gs[i-1].Min {
			fe.Add("grades", "duplicate", "cut points must differ")
		}
	}
	if len(gs) > 0 && gs[len(gs)-1].Min != 0 {
		fe.Add("grades", "floor", "the lowest grade must start at 0, so every score has a grade")
	}
	p := d.Penalties
	if p.Minor < 0 || p.Major < 0 || p.Critical < 0 || p.LicenceSuspended < 0 || p.LookbackMonths < 0 || p.LookbackMonths > 60 ||
		p.UpheldComplaintPer1000 < 0 || p.OverdueCorrectiveAction < 0 || p.ComplaintVisitsFloor < 0 || math.IsNaN(p.UpheldComplaintPer1000+p.OverdueCorrectiveAction) {
		fe.Add("penalties", "invalid", "penalties are non-negative; lookback 0-60 months")
	}
	if needPeers || d.Peers != nil {
		validPeers(d.Peers, &fe)
	}
	for i, r := range d.Rules {
		if !known[r.Criterion] || strings.TrimSpace(r.Fa) == "" || len(r.Fa)+len(r.En) > 4000 {
			fe.Add(fmt.Sprintf("rules[%d]", i), "invalid", "each rule names a criterion and says it in Persian (at most 4000 characters)")
		}
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_directive", "the directive is not valid")
}

func validPeers(p *PeerRules, fe *daftar.FieldErrors) {
	if p == nil {
		fe.Add("peers", "required", "peers_city and peers_size need the peer rules (min_city_offices, counter_bands)")
		return
	}
	if p.MinCityOffices < 1 || p.MinCityOffices > 1000 {
		fe.Add("peers.min_city_offices", "invalid", "from 1 to 1000")
	}
	for i, b := range p.CounterBands {
		if b < 1 || b > 1000 || (i > 0 && b <= p.CounterBands[i-1]) {
			fe.Add("peers.counter_bands", "invalid", "increasing upper ends of the bands, 1 to 1000, like [2, 4, 6]")
			break
		}
	}
}

// gradeOf returns the grade of a score.
func (d Directive) gradeOf(score float64) string { return gradeIn(d.sortedGrades(), score) }

// sortedGrades are the grades, highest cut point first.
func (d Directive) sortedGrades() []Grade {
	gs := append([]Grade(nil), d.Grades...)
	sort.Slice(gs, func(i, j int) bool { return gs[i].Min > gs[j].Min })
	return gs
}

func gradeIn(gs []Grade, score float64) string {
	for _, g := range gs {
		if score >= g.Min {
			return g.Grade
		}
	}
	return gs[len(gs)-1].Grade
}
