package ranking

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// v2Inputs spreads n offices over two provinces: in each a big city (ten
// offices or so) and two small ones (one or two offices), every office
// ranked or not at random.
func v2Inputs(rng *rand.Rand, n int) []Input {
	cities := []struct{ city, province string }{{"bigx", "X"}, {"bigy", "Y"}, {"x1", "X"}, {"x2", "X"}, {"y1", "Y"}, {"y2", "Y"}}
	in := randomInputs(rng, n)
	for i := range in {
		c := cities[0]
		switch r := rng.IntN(10); {
		case r < 4:
		case r < 8:
			c = cities[1]
		default:
			c = cities[2+rng.IntN(4)]
		}
		in[i].City, in[i].Province, in[i].Counters = c.city, c.province, 1+rng.IntN(8)
		in[i].Arrivals = int64(rng.IntN(3000))
		in[i].UpheldComplaints, in[i].OverdueActions = rng.IntN(2), rng.IntN(2)
	}
	return in
}

// An office's score does not change when another city's waits change,
// however they change. (Offices of cities too small to be compared within
// are pooled with the other small cities of their province: for them
// "another city" is one outside that pool, which the explanation names.)
func TestOtherCitysWaitsNeverMoveAScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 18))
	d := DirectiveV2()
	checked, pooled := 0, 0
	for trial := 0; trial < 300; trial++ {
		in := v2Inputs(rng, 40)
		before := d.Compute(in)
		k := rng.IntN(len(in))
		me := find(before, in[k].OfficeID)
		if me.Score == nil {
			continue
		}
		group := me.Components[1].PeerGroup
		// Another city outside the office's peer group.
		var other string
		for _, x := range in {
			if x.City == in[k].City {
				continue
			}
			if group.Kind == GroupProvince && x.Province == in[k].Province && find(before, x.OfficeID).Components[1].PeerGroup.Kind == GroupProvince {
				continue // the same pool
			}
			other = x.City
			break
		}
		if other == "" {
			continue
		}
		if group.Kind == GroupProvince {
			pooled++
		}
		changed := append([]Input(nil), in...)
		for i := range changed {
			if changed[i].City == other {
				p90, share := rng.Float64()*200, rng.Float64()
				changed[i].WaitP90Min, changed[i].OverTargetShare = &p90, &share
				if rng.IntN(4) == 0 {
					changed[i].WaitP90Min, changed[i].OverTargetShare = nil, nil
				}
			}
		}
		after := find(d.Compute(changed), in[k].OfficeID)
		if *after.Score != *me.Score {
			t.Fatalf("trial %d: office %d of %s (%s group) went from %.2f to %.2f when the waits of %s changed",
				trial, in[k].OfficeID, in[k].City, group.Kind, *me.Score, *after.Score, other)
		}
		checked++
	}
	if checked < 100 || pooled < 5 {
		t.Fatalf("only %d offices checked (%d of them pooled)", checked, pooled)
	}
}

// The peer groups and the compliance of version 2, worked by hand.
func TestV2PeersAndComplianceByHand(t *testing.T) {
	d := DirectiveV2()
	d.Peers.MinCityOffices = 3
	w := func(v float64) *float64 { return &v }
	in := []Input{
		// Big: three ranked offices; waits 10, 20, 30.
		{OfficeID: 1, Code: "B1", City: "big", Province: "P", Counters: 2, Responses: 20, OverallSum: 80, WaitP90Min: w(10), OverTargetShare: w(0), Served: 400, CounterHours: 100, Arrivals: 500},
		{OfficeID: 2, Code: "B2", City: "big", Province: "P", Counters: 4, Responses: 20, OverallSum: 80, WaitP90Min: w(20), OverTargetShare: w(0.1), Served: 300, CounterHours: 100, Arrivals: 2000, UpheldComplaints: 3},
		{OfficeID: 3, Code: "B3", City: "big", Province: "P", Counters: 4, Responses: 20, OverallSum: 80, WaitP90Min: w(30), OverTargetShare: w(0.2), Served: 200, CounterHours: 100, Arrivals: 50, UpheldComplaints: 1, OverdueActions: 2},
		// Two small towns of P, pooled: waits 0 and 60.
		{OfficeID: 4, Code: "S1", City: "s1", Province: "P", Counters: 2, Responses: 20, OverallSum: 80, WaitP90Min: w(0), OverTargetShare: w(0), Served: 100, CounterHours: 100},
		{OfficeID: 5, Code: "S2", City: "s2", Province: "P", Counters: 7, Responses: 20, OverallSum: 80, WaitP90Min: w(60), OverTargetShare: w(0.5), Served: 100, CounterHours: 100},
	}
	byID := map[int64]Result{}
	for _, r := range d.compute(in, []string{SourceComplaints}) {
		byID[r.OfficeID] = r
	}
	comp := func(id int64, c string) Component {
		for _, x := range byID[id].Components {
			if x.Criterion == c {
				return x
			}
		}
		t.Fatalf("office %d has no %s", id, c)
		return Component{}
	}
	// B2's p90 of 20 is better than B3's 30 and behind B1's 10: 50; its
	// group is its city, the small towns are not in it.
	if c := comp(2, CritWaitP90); c.Score != 50 || c.PeerGroup.Kind != GroupCity || c.PeerGroup.Region != "big" || c.PeerGroup.Offices != 3 ||
		c.PeerGroup.Better != 1 || c.PeerGroup.Behind != 1 || *c.PeerMedian != 20 || *c.PeerBest != 10 {
		t.Errorf("B2 waiting: %+v %+v", c, c.PeerGroup)
	}
	// S1 (0 minutes) is compared with S2 (60) in the pool of province P.
	if c := comp(4, CritWaitP90); c.Score != 100 || c.PeerGroup.Kind != GroupProvince || c.PeerGroup.Region != "P" || c.PeerGroup.Offices != 2 {
		t.Errorf("S1 waiting: %+v %+v", c, c.PeerGroup)
	}
	// Productivity by counters: B2 (3.0) and B3 (2.0) in 3-4: B2 100, B3 0;
	// B1 (4.0) and S1 (1.0) in 1-2; S2 alone in 7+: 50.
	if comp(2, CritProductivity).Score != 100 || comp(3, CritProductivity).Score != 0 || comp(1, CritProductivity).Score != 100 ||
		comp(4, CritProductivity).Score != 0 || comp(5, CritProductivity).Score != 50 || comp(5, CritProductivity).PeerGroup.Counters != "7+" {
		t.Errorf("productivity: %+v", byID)
	}
	// Compliance: B2: 3 upheld over 2,000 visits = 1.5 per 1,000 → 100 − 15
	// = 85; B3: 1 upheld over 50 visits counted as 100 = 10 per 1,000 →
	// − 100, and 2 overdue actions − 20: 0.
	if c := comp(2, CritCompliance); *c.Raw != 85 || !strings.Contains(c.Note, "3 upheld over 2000 visits") || !strings.Contains(c.Note, "upheld complaints not available") {
		t.Errorf("B2 compliance: %+v", c)
	}
	if c := comp(3, CritCompliance); *c.Raw != 0 || c.Score != 0 {
		t.Errorf("B3 compliance: %+v", c)
	}
	if c := comp(1, CritCompliance); *c.Raw != 100 || c.Note != "100, nothing deducted; upheld complaints not available: read as zero" {
		t.Errorf("B1 compliance: %+v", c)
	}
}

func TestV2DirectiveValidates(t *testing.T) {
	if err := DirectiveV2().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Directive){
		"no peers":      func(d *Directive) { d.Peers = nil },
		"min offices":   func(d *Directive) { d.Peers.MinCityOffices = 0 },
		"bands":         func(d *Directive) { d.Peers.CounterBands = []int{4, 2} },
		"complaints":    func(d *Directive) { d.Penalties.UpheldComplaintPer1000 = -1 },
		"rule criteria": func(d *Directive) { d.Rules[0].Criterion = "charisma" },
		"rule text":     func(d *Directive) { d.Rules[0].Fa = " " },
	} {
		d := DirectiveV2()
		d.Peers = &PeerRules{MinCityOffices: 5, CounterBands: []int{2, 4, 6}}
		edit(&d)
		if err := d.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := []string{bandOf([]int{2, 4, 6}, 0), bandOf([]int{2, 4, 6}, 2), bandOf([]int{2, 4, 6}, 3), bandOf([]int{2, 4, 6}, 9), bandOf([]int{1, 3}, 1)}; strings.Join(got, " ") != "1-2 1-2 3-4 7+ 1" {
		t.Errorf("bands %v", got)
	}
}

// BenchmarkComputeV2: the scoring alone of 2,000 offices under version 2.
func BenchmarkComputeV2(b *testing.B) {
	in := v2Inputs(rand.New(rand.NewPCG(1, 2)), 2000)
	d := DirectiveV2()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Compute(in)
	}
}
