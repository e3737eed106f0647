package ranking

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Peer groups: who an office is compared with under a peer normalisation.
// "peers" compares it with every ranked office; "peers_city" with the
// ranked offices of its city, or, in a city with fewer ranked offices than
// PeerRules.MinCityOffices, with those of the small cities of its province
// pooled; "peers_size" with the ranked offices in its band of counters.

// Peer group kinds.
const (
	GroupCity     = "city"     // the office's own city
	GroupProvince = "province" // the small cities of the office's province, pooled
	GroupCounters = "counters" // offices with a similar number of counters
)

// PeerGroup is the group an office was compared with for one criterion,
// and where it stood in it: the offices it did better than, was level
// with and was behind (itself left out), so that an owner can check the
// score by hand: 100 · (better + ½ · level) / (better + level + behind).
type PeerGroup struct {
	Kind string `json:"kind"`
	// Region is the city (kind city) or province (kind province) code;
	// Counters the band (kind counters), like "3-4" or "7+".
	Region   string `json:"region,omitempty"`
	Counters string `json:"counters,omitempty"`
	// Offices is the number of ranked offices of the group with a figure.
	Offices int `json:"offices"`
	Better  int `json:"better"`
	Level   int `json:"level"`
	Behind  int `json:"behind"`
}

type groupKey struct{ kind, region, band string }

var everyone = groupKey{kind: "all"}

// groupsOf assigns each office its group under each normalisation.
type groupsOf struct {
	city  []groupKey // peers_city
	size  []groupKey // peers_size
	rules *PeerRules
}

func (g groupsOf) of(c Criterion, i int) groupKey {
	switch {
	case c.Normalisation == NormPeersCity && g.city != nil:
		return g.city[i]
	case c.Normalisation == NormPeersSize && g.size != nil:
		return g.size[i]
	}
	return everyone
}

// peerGroups places every office (in, sorted by id) in its city and size
// groups; a city's size is its number of eligible (ranked) offices.
func (d Directive) peerGroups(in []Input, eligible []bool) groupsOf {
	g := groupsOf{rules: d.Peers}
	if d.Peers == nil {
		return g
	}
	ranked := map[string]int{}
	for i, x := range in {
		if eligible[i] {
			ranked[x.City]++
		}
	}
	g.city = make([]groupKey, len(in))
	g.size = make([]groupKey, len(in))
	for i, x := range in {
		if ranked[x.City] >= d.Peers.MinCityOffices {
			g.city[i] = groupKey{kind: GroupCity, region: x.City}
		} else {
			g.city[i] = groupKey{kind: GroupProvince, region: x.Province}
		}
		g.size[i] = groupKey{kind: GroupCounters, band: bandOf(d.Peers.CounterBands, x.Counters)}
	}
	return g
}

// bandOf names the band of counters n falls in: "1-2", "3-4", "7+".
func bandOf(bands []int, n int) string {
	lo := 1
	for _, hi := range bands {
		if n <= hi {
			if lo == hi {
				return fmt.Sprint(hi)
			}
			return fmt.Sprintf("%d-%d", lo, hi)
		}
		lo = hi + 1
	}
	return fmt.Sprintf("%d+", lo)
}

// standing is where v stands among the group's sorted figures.
func standing(k groupKey, sorted []float64, v *float64, higherBetter, inPeers bool) *PeerGroup {
	g := &PeerGroup{Kind: k.kind, Offices: len(sorted)}
	if k.kind == GroupCounters {
		g.Counters = k.band
	} else {
		g.Region = k.region
	}
	if v == nil {
		return g
	}
	below := sort.SearchFloat64s(sorted, *v)
	equal := sort.SearchFloat64s(sorted, math.Nextafter(*v, math.Inf(1))) - below
	above := len(sorted) - below - equal
	if inPeers && equal > 0 {
		equal--
	}
	g.Better, g.Behind = below, above
	if !higherBetter {
		g.Better, g.Behind = above, below
	}
	g.Level = equal
	return g
}

// readsComplaints says whether the directive's compliance reads upheld
// complaints and overdue corrective actions (version 2 on).
func (d Directive) readsComplaints() bool {
	return d.Penalties.UpheldComplaintPer1000 > 0 || d.Penalties.OverdueCorrectiveAction > 0
}

// complianceNote spells out the deductions, and names the sources this
// deployment could not read (they count as zero).
func (d Directive) complianceNote(x Input, missing []string) string {
	p := d.Penalties
	var b strings.Builder
	b.WriteString("100")
	deducted := false
	minus := func() {
		b.WriteString(" − ")
		deducted = true
	}
	add := func(n int, each float64, what string) {
		if n > 0 && each > 0 {
			minus()
			b.WriteString(trimFloat(each))
			b.WriteString(" × ")
			b.WriteString(strconv.Itoa(n))
			b.WriteString(what)
		}
	}
	add(x.Minor, p.Minor, " minor findings")
	add(x.Major, p.Major, " major findings")
	add(x.Critical, p.Critical, " critical findings")
	if x.LicenceSuspended {
		minus()
		b.WriteString(trimFloat(p.LicenceSuspended))
		b.WriteString(" for the licence suspended in the period")
	}
	if x.UpheldComplaints > 0 {
		minus()
		fmt.Fprintf(&b, "%s × %s upheld complaints per 1,000 visits (%d upheld over %d visits, counted at least %d)",
			trimFloat(p.UpheldComplaintPer1000), trimFloat(round(d.complaintsPer1000(x), 4)), x.UpheldComplaints, x.Arrivals, p.ComplaintVisitsFloor)
	}
	add(x.OverdueActions, p.OverdueCorrectiveAction, " corrective actions overdue at the period's end")
	if !deducted {
		b.WriteString(", nothing deducted")
	}
	for _, m := range missing {
		switch m {
		case SourceComplaints:
			b.WriteString("; upheld complaints not available: read as zero")
		case SourceCorrectiveActions:
			b.WriteString("; corrective actions not available: read as zero")
		}
	}
	return b.String()
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
