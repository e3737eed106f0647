package licensing

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestLargestRemainder(t *testing.T) {
	for _, c := range []struct {
		total   int
		weights []float64
		want    []int
	}{
		{10, []float64{1, 1, 1}, []int{4, 3, 3}},              // ties go to the earlier
		{7, []float64{5, 3, 2}, []int{4, 2, 1}},               // 3.5, 2.1, 1.4 → 3,2,1 + 1 to the largest remainder
		{100, []float64{50.5, 30.2, 19.3}, []int{51, 30, 19}}, // 50.5, 30.2, 19.3
		{5, []float64{0, 2, 0, 2, 1}, []int{0, 2, 0, 2, 1}},   // zeros get nothing
		{3, []float64{1, 1, 1, 1}, []int{1, 1, 1, 0}},         // more parties than seats
		{0, []float64{1, 2}, []int{0, 0}},                     // nothing to share
		{4, []float64{0, 0}, []int{0, 0}},                     // no weight
		{6, []float64{-1, 3, 3}, []int{0, 3, 3}},              // negatives get nothing
		{25, []float64{2560, 3315, 995, 5012, 8706}, []int{3, 4, 1, 6, 11}},
	} {
		got := LargestRemainder(c.total, c.weights)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("LargestRemainder(%d, %v) = %v, want %v", c.total, c.weights, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 500; trial++ {
		n := 1 + rng.IntN(30)
		w := make([]float64, n)
		for i := range w {
			w[i] = rng.Float64() * 1000
		}
		total := rng.IntN(600)
		got := LargestRemainder(total, w)
		sum := 0
		wsum := 0.0
		for _, x := range w {
			wsum += x
		}
		for i, g := range got {
			sum += g
			exact := float64(total) * w[i] / wsum
			if float64(g) < exact-1 || float64(g) > exact+1 {
				t.Fatalf("seat %d got %d for an exact share of %.2f", i, g, exact)
			}
		}
		if sum != total {
			t.Fatalf("sum %d, want %d", sum, total)
		}
	}
}

// The textbook instance of Gale and Shapley's college admissions (1962):
// candidates propose; the result is the candidate-optimal stable matching.
func TestDeferredAcceptanceTextbook(t *testing.T) {
	// Four candidates, two regions of one seat and one of two. Scores rank
	// candidates the same way everywhere: c1 > c2 > c3 > c4.
	apps := []Applicant{
		{ID: 1, Score: 90, Preferences: []string{"isfahan", "tehran"}},
		{ID: 2, Score: 80, Preferences: []string{"tehran", "isfahan", "mashhad"}},
		{ID: 3, Score: 70, Preferences: []string{"tehran", "mashhad"}},
		{ID: 4, Score: 60, Preferences: []string{"tehran", "isfahan"}},
	}
	alloc := DeferredAcceptance(apps, map[string]int{"tehran": 1, "isfahan": 1, "mashhad": 2})
	want := map[int64]string{1: "isfahan", 2: "tehran", 3: "mashhad", 4: ""}
	for _, p := range alloc.Placements {
		if p.Region != want[p.ApplicantID] {
			t.Errorf("candidate %d → %q, want %q (%s)", p.ApplicantID, p.Region, want[p.ApplicantID], p.Reason)
		}
	}
	if p := alloc.Placements[2]; p.Preference != 2 || p.Reason != "placed at preference 2 (mashhad)" {
		t.Errorf("reason: %+v", p)
	}
	if p := alloc.Placements[3]; p.Reason != "every preferred region was filled by higher-ranked candidates: tehran (lowest placed score 80.00), isfahan (lowest placed score 90.00)" {
		t.Errorf("unplaced reason: %q", p.Reason)
	}
	if alloc.Filled["mashhad"] != 1 {
		t.Errorf("mashhad filled %d of 2", alloc.Filled["mashhad"])
	}
}

// Ties in score are broken by exam rank, then by candidate id, the same
// for every region.
func TestDeferredAcceptanceTieBreak(t *testing.T) {
	apps := []Applicant{
		{ID: 7, Score: 80, Rank: 12, Preferences: []string{"qom"}},
		{ID: 3, Score: 80, Rank: 11, Preferences: []string{"qom"}},
		{ID: 5, Score: 80, Rank: 0, Preferences: []string{"qom"}},
	}
	alloc := DeferredAcceptance(apps, map[string]int{"qom": 1})
	for _, p := range alloc.Placements {
		if (p.Region == "qom") != (p.ApplicantID == 3) {
			t.Fatalf("tie-break: %+v", alloc.Placements)
		}
	}
	apps[0].Rank, apps[1].Rank = 0, 0
	alloc = DeferredAcceptance(apps, map[string]int{"qom": 1})
	for _, p := range alloc.Placements {
		if (p.Region == "qom") != (p.ApplicantID == 3) {
			t.Fatalf("id tie-break: %+v", alloc.Placements)
		}
	}
}

func randomInstance(rng *rand.Rand, nApps, nRegions, maxSeats int, ties bool) ([]Applicant, map[string]int) {
	regions := make([]string, nRegions)
	seats := map[string]int{}
	for i := range regions {
		regions[i] = fmt.Sprintf("r%d", i)
		seats[regions[i]] = rng.IntN(maxSeats + 1)
	}
	apps := make([]Applicant, nApps)
	for i := range apps {
		score := float64(rng.IntN(1000)) / 10
		if ties {
			score = float64(rng.IntN(4))
		}
		perm := rng.Perm(nRegions)
		k := rng.IntN(nRegions + 1)
		var prefs []string
		for _, p := range perm[:k] {
			prefs = append(prefs, regions[p])
		}
		apps[i] = Applicant{ID: int64(i + 1), Score: score, Rank: rng.IntN(3), Preferences: prefs}
	}
	return apps, seats
}

// Property: on random instances the allocation is stable, respects every
// quota, places nobody outside their list, and does not depend on the
// order of the applicants.
func TestDeferredAcceptanceProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for trial := 0; trial < 400; trial++ {
		apps, seats := randomInstance(rng, 1+rng.IntN(60), 1+rng.IntN(8), 6, trial%2 == 0)
		alloc := DeferredAcceptance(apps, seats)
		if a, r, ok := BlockingPair(apps, seats, alloc); ok {
			t.Fatalf("trial %d: candidate %d and region %s block the allocation", trial, a, r)
		}
		count := map[string]int{}
		for i, p := range alloc.Placements {
			if p.Region == "" {
				continue
			}
			count[p.Region]++
			if apps[i].Preferences[p.Preference-1] != p.Region {
				t.Fatalf("trial %d: placed outside the list: %+v", trial, p)
			}
		}
		for r, n := range count {
			if n > seats[r] {
				t.Fatalf("trial %d: region %s over quota: %d > %d", trial, r, n, seats[r])
			}
		}
		shuffled := append([]Applicant(nil), apps...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again := DeferredAcceptance(shuffled, seats); !reflect.DeepEqual(again.Placements, alloc.Placements) {
			t.Fatalf("trial %d: the order of applicants changed the outcome", trial)
		}
	}
}

// Property: on small instances, brute force finds every stable matching,
// and every candidate likes the deferred-acceptance outcome at least as well
// as their place in any of them (candidate-optimality).
func TestDeferredAcceptanceIsCandidateOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 34))
	for trial := 0; trial < 300; trial++ {
		apps, seats := randomInstance(rng, 1+rng.IntN(6), 1+rng.IntN(3), 2, trial%3 == 0)
		alloc := DeferredAcceptance(apps, seats)
		rank := func(a Applicant, region string) int { // lower is better; unplaced is worst
			for k, r := range a.Preferences {
				if r == region {
					return k
				}
			}
			return len(a.Preferences) + 1
		}
		got := map[int64]string{}
		for _, p := range alloc.Placements {
			got[p.ApplicantID] = p.Region
		}
		stableSeen := 0
		enumerate(apps, seats, func(assign []string) {
			var pl []Placement
			for i, r := range assign {
				pl = append(pl, Placement{ApplicantID: apps[i].ID, Region: r})
			}
			if _, _, blocked := BlockingPair(apps, seats, Allocation{Placements: pl}); blocked {
				return
			}
			stableSeen++
			for i, r := range assign {
				if rank(apps[i], r) < rank(apps[i], got[apps[i].ID]) {
					t.Fatalf("trial %d: candidate %d prefers %q in another stable matching to %q", trial, apps[i].ID, r, got[apps[i].ID])
				}
			}
		})
		if stableSeen == 0 {
			t.Fatalf("trial %d: brute force found no stable matching", trial)
		}
	}
}

// enumerate calls fn with every assignment of applicants to a listed region
// or none, within the seats.
func enumerate(apps []Applicant, seats map[string]int, fn func([]string)) {
	assign := make([]string, len(apps))
	used := map[string]int{}
	var rec func(i int)
	rec = func(i int) {
		if i == len(apps) {
			fn(assign)
			return
		}
		assign[i] = ""
		rec(i + 1)
		for _, r := range apps[i].Preferences {
			if used[r] < seats[r] {
				used[r]++
				assign[i] = r
				rec(i + 1)
				used[r]--
			}
		}
		assign[i] = ""
	}
	rec(0)
}
