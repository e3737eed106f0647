package ranking

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func smallDirective() Directive {
	return Directive{Version: 9, Name: "test", EffectiveFrom: "2026-03-21", MinResponses: 10, PriorWeight: 10,
		Criteria: []Criterion{
			{Criterion: CritSatisfaction, Weight: 0.5, Normalisation: NormFixed, Best: 5, Worst: 1},
			{Criterion: CritProductivity, Weight: 0.3, Normalisation: NormPeers},
			{Criterion: CritCompliance, Weight: 0.2, Normalisation: NormFixed, Best: 100, Worst: 0},
		},
		Grades:    []Grade{{"A", 80}, {"B", 60}, {"C", 40}, {"D", 0}},
		Penalties: Penalties{Minor: 5, Major: 15, Critical: 40, LicenceSuspended: 50, LookbackMonths: 12},
	}
}

func smallInputs() []Input {
	return []Input{
		{OfficeID: 1, Code: "A1", Province: "X", Responses: 10, OverallSum: 45, Served: 100, CounterHours: 50, Minor: 1},
		{OfficeID: 2, Code: "A2", Province: "X", Responses: 30, OverallSum: 120, Served: 300, CounterHours: 100},
		{OfficeID: 3, Code: "B1", Province: "Y", Responses: 20, OverallSum: 60, Served: 80, CounterHours: 80, Major: 1},
		{OfficeID: 4, Code: "B2", Province: "Y", Responses: 5, OverallSum: 25, Served: 10, CounterHours: 10},
	}
}

// TestHandComputedExample checks a small example worked out by hand (the
// arithmetic is in docs/ranking.md) and keeps it as a golden file.
func TestHandComputedExample(t *testing.T) {
	got := smallDirective().Compute(smallInputs())
	byID := map[int64]Result{}
	for _, r := range got {
		byID[r.OfficeID] = r
	}
	want := []struct {
		id                 int64
		score              float64
		national, province int
		grade              string
	}{{2, 87.02, 1, 1, "A"}, {1, 73.66, 2, 2, "B"}, {3, 45.53, 3, 1, "C"}}
	for _, w := range want {
		r := byID[w.id]
		if r.Score == nil || *r.Score != w.score || *r.RankNational != w.national || *r.RankProvince != w.province || *r.Grade != w.grade {
			t.Errorf("office %d: %+v, want score %.2f rank %d/%d grade %s", w.id, r, w.score, w.national, w.province, w.grade)
		}
	}
	if r := byID[4]; !r.InsufficientData || r.Score != nil || r.RankNational != nil {
		t.Errorf("office 4 (5 responses) must not be ranked: %+v", r)
	}
	// Components of office 1, by hand.
	c := byID[1].Components
	if math.Abs(*c[0].Raw-4.1731) > 1e-4 || math.Abs(c[0].Score-79.3269) > 1e-4 || c[1].Score != 50 || c[2].Score != 95 ||
		math.Abs(c[0].Contribution-39.6635) > 1e-4 || *c[1].PeerMedian != 2 || *c[1].PeerBest != 3 {
		t.Errorf("office 1 components: %+v", c)
	}
	body, _ := json.MarshalIndent(got, "", "  ")
	const golden = "testdata/small-run.golden.json"
	if *update {
		os.WriteFile(golden, body, 0o644)
	}
	wantBody, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./ranking -run HandComputed -update once)", err)
	}
	if string(wantBody) != string(body) {
		t.Errorf("results differ from %s:\n%s", golden, body)
	}
}

func randomInputs(rng *rand.Rand, n int) []Input {
	in := make([]Input, n)
	for i := range in {
		resp := int64(rng.IntN(60))
		p90 := 5 + rng.Float64()*80
		share := rng.Float64() * 0.6
		in[i] = Input{OfficeID: int64(i + 1), Code: string(rune('A'+i%26)) + string(rune('a'+i/26)), Province: []string{"X", "Y", "Z"}[i%3],
			Responses: resp, OverallSum: resp + int64(rng.IntN(int(4*resp+1))), ExtraFeeReports: int64(rng.IntN(int(resp/5 + 1))),
			WaitP90Min: &p90, OverTargetShare: &share, Served: int64(rng.IntN(3000)), CounterHours: 50 + rng.Float64()*500,
			Minor: rng.IntN(3), Major: rng.IntN(2)}
	}
	return in
}

// Reordering the inputs changes nothing.
func TestOrderDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	d := DefaultDirective()
	for trial := 0; trial < 20; trial++ {
		in := randomInputs(rng, 50)
		a := d.Compute(in)
		rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		if b := d.Compute(in); !reflect.DeepEqual(a, b) {
			t.Fatal("shuffled inputs gave different results")
		}
	}
}

// Raising one office's satisfaction, all else equal, never lowers its
// rank (national or provincial) nor its score.
func TestMoreSatisfactionNeverLowersRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	d := DefaultDirective()
	for trial := 0; trial < 200; trial++ {
		in := randomInputs(rng, 40)
		k := rng.IntN(len(in))
		before := find(d.Compute(in), in[k].OfficeID)
		raise := int64(1 + rng.IntN(int(in[k].Responses*4-(in[k].OverallSum-in[k].Responses)+1)))
		if in[k].OverallSum+raise > 5*in[k].Responses {
			raise = 5*in[k].Responses - in[k].OverallSum
		}
		if raise <= 0 {
			continue
		}
		in[k].OverallSum += raise
		after := find(d.Compute(in), in[k].OfficeID)
		if before.Score == nil {
			continue
		}
		if *after.Score < *before.Score || *after.RankNational > *before.RankNational || *after.RankProvince > *before.RankProvince {
			t.Fatalf("trial %d: raising satisfaction by %d moved office from %.2f #%d/#%d to %.2f #%d/#%d", trial, raise,
				*before.Score, *before.RankNational, *before.RankProvince, *after.Score, *after.RankNational, *after.RankProvince)
		}
	}
}

func find(rs []Result, id int64) Result {
	for _, r := range rs {
		if r.OfficeID == id {
			return r
		}
	}
	return Result{}
}

// Offices under the minimum are never ranked, whatever their figures.
func TestUnderMinimumNeverRanked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	d := DefaultDirective()
	for trial := 0; trial < 20; trial++ {
		in := randomInputs(rng, 60)
		for _, r := range d.Compute(in) {
			if (r.Responses < int64(d.MinResponses)) != r.InsufficientData {
				t.Fatalf("office with %d responses: insufficient=%v", r.Responses, r.InsufficientData)
			}
			if r.InsufficientData && (r.Score != nil || r.RankNational != nil || r.RankProvince != nil || r.Grade != nil) {
				t.Fatalf("an office under the minimum was ranked: %+v", r)
			}
		}
	}
}

// Ties share a rank and the next rank skips; the order within a tie is by
// code.
func TestTies(t *testing.T) {
	d := smallDirective()
	in := []Input{
		{OfficeID: 1, Code: "C", Province: "X", Responses: 20, OverallSum: 80, Served: 100, CounterHours: 50},
		{OfficeID: 2, Code: "A", Province: "X", Responses: 20, OverallSum: 80, Served: 100, CounterHours: 50},
		{OfficeID: 3, Code: "B", Province: "X", Responses: 20, OverallSum: 100, Served: 100, CounterHours: 50},
		{OfficeID: 4, Code: "D", Province: "X", Responses: 20, OverallSum: 60, Served: 100, CounterHours: 50},
	}
	got := d.Compute(in)
	order := []string{got[0].Code, got[1].Code, got[2].Code, got[3].Code}
	ranks := []int{*got[0].RankNational, *got[1].RankNational, *got[2].RankNational, *got[3].RankNational}
	if !reflect.DeepEqual(order, []string{"B", "A", "C", "D"}) || !reflect.DeepEqual(ranks, []int{1, 2, 2, 4}) {
		t.Fatalf("order %v ranks %v", order, ranks)
	}
}

func TestDirectiveValidation(t *testing.T) {
	if err := DefaultDirective().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Directive){
		"weights":    func(d *Directive) { d.Criteria[0].Weight = 0.9 },
		"unknown":    func(d *Directive) { d.Criteria[0].Criterion = "charisma" },
		"duplicate":  func(d *Directive) { d.Criteria[1].Criterion = CritSatisfaction },
		"same ends":  func(d *Directive) { d.Criteria[0].Best = d.Criteria[0].Worst },
		"norm":       func(d *Directive) { d.Criteria[0].Normalisation = "vibes" },
		"no floor":   func(d *Directive) { d.Grades = []Grade{{"A", 80}, {"B", 50}} },
		"min":        func(d *Directive) { d.MinResponses = 0 },
		"date":       func(d *Directive) { d.EffectiveFrom = "soon" },
		"no name":    func(d *Directive) { d.Name = "" },
		"penalty":    func(d *Directive) { d.Penalties.Major = -1 },
		"same cut":   func(d *Directive) { d.Grades = []Grade{{"A", 50}, {"B", 50}, {"C", 0}} },
		"no crit":    func(d *Directive) { d.Criteria = nil },
		"bad weight": func(d *Directive) { d.Criteria[0].Weight = -0.35; d.Criteria[1].Weight = 0.85 },
	} {
		d := DefaultDirective()
		edit(&d)
		if err := d.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
