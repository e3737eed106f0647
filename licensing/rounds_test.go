package licensing

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func quotaOf(r Round, region string) Quota {
	for _, q := range r.Quotas {
		if q.Region == region {
			return q
		}
	}
	return Quota{Region: region}
}

func sumQuotas(r Round) int {
	n := 0
	for _, q := range r.Quotas {
		n += q.Quota
	}
	return n
}

// TestRoundQuotas: quotas follow the shortage by largest remainder and sum
// to the total; an override pins one city, with a reason, and the rest is
// apportioned again; bad input is refused naming the field.
func TestRoundQuotas(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		ctx := e.ministry
		for _, c := range []struct {
			in    NewRound
			field string
		}{
			{NewRound{Name: "", TotalLicences: 5}, "name"},
			{NewRound{Name: "دور", TotalLicences: 0}, "total_licences"},
			{NewRound{Name: "دور", TotalLicences: 5, Policy: Policy{TargetPopulationPerOffice: ptrTo(10.0)}}, "policy.target_population_per_office"},
			{NewRound{Name: "دور", TotalLicences: 5, Policy: Policy{MinDistanceM: ptrTo(-1.0)}}, "policy.min_distance_m"},
			{NewRound{Name: "دور", TotalLicences: 5, Policy: Policy{ExamYear: 1300}}, "policy.exam_year"},
			{NewRound{Name: "دور", TotalLicences: 5, Policy: Policy{ExamProvinces: []string{"tehran"}}}, "policy.exam_provinces[0]"},
			{NewRound{Name: "دور", TotalLicences: 5, Policy: Policy{WaitTargetMin: ptrTo(0.0)}}, "policy.wait_target_min"},
		} {
			_, err := e.rounds.Create(ctx, c.in)
			de, _ := daftar.AsError(err)
			if de == nil || de.Kind != daftar.KindUnprocessable || !slices.ContainsFunc(de.Fields, func(f daftar.FieldError) bool { return f.Field == c.field }) {
				t.Errorf("%+v: %v, want 422 naming %s", c.in, err, c.field)
			}
		}

		pol := Policy{TargetPopulationPerOffice: ptrTo(1_000_000.0)}
		r, err := e.rounds.Create(ctx, NewRound{Name: "دور ۱۴۰۵", TotalLicences: 50, Policy: pol})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != RoundOpen || r.TotalLicences != 50 || sumQuotas(r) != 50 || *r.Policy.MinDistanceM != 500 || r.Policy.ExamYear != 1405 ||
			r.Demand.TargetPopulationPerOffice != 1_000_000 || r.Demand.TargetSource != "requested" {
			t.Fatalf("round %+v", r)
		}
		// The quotas are LargestRemainder over the shortages, by city code.
		res, _ := e.demand.Compute(context.Background(), DemandQuery{TargetPopulationPerOffice: 1_000_000})
		var cities []RegionDemand
		for _, x := range res.Regions {
			if x.Level == geo.LevelCity {
				cities = append(cities, x)
			}
		}
		slices.SortFunc(cities, func(a, b RegionDemand) int { return strings.Compare(a.Region, b.Region) })
		w := make([]float64, len(cities))
		for i, c := range cities {
			w[i] = float64(c.Shortage)
		}
		want := LargestRemainder(50, w)
		for i, c := range cities {
			q := quotaOf(r, c.Region)
			if q.Quota != want[i] || q.ComputedQuota != want[i] || q.Shortage != c.Shortage || q.Needed != c.Needed {
				t.Fatalf("%s: %+v, want quota %d shortage %d", c.Region, q, want[i], c.Shortage)
			}
		}
		if q := quotaOf(r, "tehran"); q.Shortage != 9 || q.NameEn != "Tehran" {
			t.Fatalf("tehran %+v", q)
		}

		// Overrides.
		if _, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(20), ""); errCode(err) != "invalid_override" {
			t.Fatalf("override without a reason: %v", err)
		}
		if _, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(51), "بیش از کل"); errCode(err) != "quotas_exceed_total" {
			t.Fatalf("override over the total: %v", err)
		}
		if _, err := e.rounds.OverrideQuota(ctx, r.ID, "atlantis", ptrTo(1), "شهر ناموجود"); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("override of no city: %v", err)
		}
		r2, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(20), "کمبود شدید پایتخت")
		if err != nil {
			t.Fatal(err)
		}
		q := quotaOf(r2, "tehran")
		if q.Quota != 20 || !q.Overridden || *q.OverrideReason != "کمبود شدید پایتخت" || *q.OverriddenBy != "ministry-user" || q.ComputedQuota != want[slices.IndexFunc(cities, func(c RegionDemand) bool { return c.Region == "tehran" })] {
			t.Fatalf("overridden %+v", q)
		}
		if sumQuotas(r2) != 50 {
			t.Fatalf("quotas sum to %d after the override", sumQuotas(r2))
		}
		var ow []float64
		var others []string
		for _, c := range cities {
			if c.Region != "tehran" {
				ow = append(ow, float64(c.Shortage))
				others = append(others, c.Region)
			}
		}
		for i, n := range LargestRemainder(30, ow) {
			if got := quotaOf(r2, others[i]).Quota; got != n {
				t.Fatalf("%s: %d after the override, want %d", others[i], got, n)
			}
		}
		// Unpinning returns to the computed quotas.
		r3, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", nil, "بازگشت به سهمیه محاسبه‌شده")
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cities {
			if got := quotaOf(r3, c.Region); got.Quota != want[i] || got.Overridden {
				t.Fatalf("%s after the reset: %+v", c.Region, got)
			}
		}
		events, _, _ := audit.List(context.Background(), d, audit.Query{Entity: "licensing_round", Limit: 10})
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev.Action)
		}
		if !slices.Equal(actions, []string{"licensing_round.quota_override", "licensing_round.quota_override", "licensing_round.create"}) {
			t.Fatalf("audit %v", actions)
		}
		list, total, err := e.rounds.List(context.Background(), RoundFilter{Limit: 10})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("list %v %d", err, total)
		}
	})
}

// TestAllocation: deferred acceptance over the approved candidates, with
// reasons, states moved through the candidates' register, stable; again
// until the round is closed.
func TestAllocation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		ctx := e.ministry
		ids := e.approve(t, 100,
			candSpec{90, "تهران، مشهد"}, // A
			candSpec{85, "تهران"},       // B
			candSpec{80, "مشهد، تهران"}, // C
			candSpec{75, "تهران، مشهد"}, // D
			candSpec{70, "اصفهان"},      // E
			candSpec{95, "مشهد"},        // F
		)
		a, b, c, dd, ee, f := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
		r := e.pinnedRound(t, 3, "tehran", Policy{})
		if _, err := e.rounds.Close(ctx, r.ID, ""); errCode(err) != "round_not_allocated" {
			t.Fatalf("closing an open round: %v", err)
		}
		r, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(2), "دو مجوز برای تهران")
		if err != nil {
			t.Fatal(err)
		}
		r, err = e.rounds.OverrideQuota(ctx, r.ID, "mashhad", ptrTo(1), "یک مجوز برای مشهد")
		if err != nil {
			t.Fatal(err)
		}
		r, err = e.rounds.Allocate(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != RoundAllocated || r.Placed != 3 || r.Unplaced != 3 || r.Unfilled != 0 || r.Proposals == 0 {
			t.Fatalf("allocated %+v", r)
		}
		items, total, err := e.rounds.Allocations(context.Background(), r.ID, AllocationFilter{Limit: 100})
		if err != nil || total != 6 {
			t.Fatal(err, total)
		}
		got := map[int64]AllocationItem{}
		for _, it := range items {
			got[it.CandidateID] = it
		}
		if items[0].CandidateID != f || items[len(items)-1].CandidateID != ee {
			t.Fatalf("order: %d first, %d last", items[0].CandidateID, items[len(items)-1].CandidateID)
		}
		for _, w := range []struct {
			id     int64
			region string
			rank   int
			reason string
			state  string
		}{
			{a, "tehran", 1, "placed at preference 1 (Tehran)", StateAllocated},
			{b, "tehran", 1, "placed at preference 1 (Tehran)", StateAllocated},
			{f, "mashhad", 1, "placed at preference 1 (Mashhad)", StateAllocated},
			{c, "", 0, "every preferred city with licences was filled by higher-ranked candidates: Mashhad (lowest placed score 95.00), Tehran (lowest placed score 85.00)", StateApproved},
			{dd, "", 0, "every preferred city with licences was filled by higher-ranked candidates: Tehran (lowest placed score 85.00), Mashhad (lowest placed score 95.00)", StateApproved},
			{ee, "", 0, "no licences in this round for Isfahan", StateApproved},
		} {
			it := got[w.id]
			region, rank := "", 0
			if it.Region != nil {
				region, rank = *it.Region, *it.PreferenceRank
			}
			if region != w.region || rank != w.rank || it.Reason != w.reason || it.ReasonFa == "" || it.CandidateState != w.state {
				t.Errorf("candidate %d: %+v, want %+v", w.id, it, w)
			}
			cand, _ := e.cands.Get(context.Background(), w.id)
			if cand.State != w.state || (w.region != "" && *cand.AllocatedRegion != w.region) {
				t.Errorf("candidate %d is %s", w.id, cand.State)
			}
		}
		if q := quotaOf(r, "tehran"); q.Filled != 2 || q.Unfilled != 0 {
			t.Fatalf("tehran %+v", q)
		}
		placedOnly, n, _ := e.rounds.Allocations(context.Background(), r.ID, AllocationFilter{Placed: ptrTo(false), Limit: 100})
		if n != 3 || len(placedOnly) != 3 {
			t.Fatalf("unplaced filter: %d", n)
		}
		assertStable(t, e, r.ID)

		// A better candidate approved later: allocating again places them,
		// and B goes back to approved.
		g := e.approve(t, 200, candSpec{99, "تهران"})[0]
		r, err = e.rounds.Allocate(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Placed != 3 || r.Unplaced != 4 {
			t.Fatalf("again %+v", r)
		}
		for id, state := range map[int64]string{g: StateAllocated, a: StateAllocated, b: StateApproved, f: StateAllocated} {
			if cand, _ := e.cands.Get(context.Background(), id); cand.State != state {
				t.Errorf("candidate %d is %s after the second allocation, want %s", id, cand.State, state)
			}
		}
		assertStable(t, e, r.ID)
		// An override undoes the allocation.
		r, err = e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(1), "کاهش")
		if err != nil {
			t.Fatal(err)
		}
		if r.State != RoundOpen || r.Placed != 0 {
			t.Fatalf("after an override %+v", r)
		}
		if cand, _ := e.cands.Get(context.Background(), g); cand.State != StateApproved {
			t.Fatalf("g is %s after the allocation was undone", cand.State)
		}
		if _, err := e.rounds.Allocate(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		r, err = e.rounds.Close(ctx, r.ID, "تأیید نهایی")
		if err != nil || r.State != RoundClosed || r.ClosedAt == nil {
			t.Fatal(err, r.State)
		}
		if _, err := e.rounds.Allocate(ctx, r.ID); errCode(err) != "round_closed" {
			t.Fatalf("allocate after close: %v", err)
		}
		if _, err := e.rounds.OverrideQuota(ctx, r.ID, "tehran", ptrTo(2), "دیر"); errCode(err) != "round_closed" {
			t.Fatalf("override after close: %v", err)
		}
		if _, err := e.rounds.Close(ctx, r.ID, ""); errCode(err) != "round_closed" {
			t.Fatalf("close twice: %v", err)
		}
		if _, err := e.rounds.Get(context.Background(), 9999); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("no such round: %v", err)
		}
	})
}

// assertStable rebuilds the round's instance from the database and checks
// that no candidate and city would both rather have each other.
func assertStable(t *testing.T, e *licEnv, roundID int64) {
	t.Helper()
	r, _ := e.rounds.Get(context.Background(), roundID)
	seats := map[string]int{}
	for _, q := range r.Quotas {
		seats[q.Region] = q.Quota
	}
	items, _, _ := e.rounds.Allocations(context.Background(), roundID, AllocationFilter{Limit: 10000})
	var apps []Applicant
	var alloc Allocation
	for _, it := range items {
		c, _ := e.cands.Get(context.Background(), it.CandidateID)
		apps = append(apps, Applicant{ID: c.ID, Score: c.Score, Preferences: c.Preferences})
		p := Placement{ApplicantID: c.ID}
		if it.Region != nil {
			p.Region = *it.Region
			if seats[p.Region]--; seats[p.Region] < 0 {
				t.Fatalf("%s over its quota", p.Region)
			}
			seats[p.Region]++
		}
		alloc.Placements = append(alloc.Placements, p)
	}
	if id, region, ok := BlockingPair(apps, seats, alloc); ok {
		t.Fatalf("candidate %d and %s block the allocation", id, region)
	}
}

// TestAllocationPolicy: the policy decides who qualifies.
func TestAllocationPolicy(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		ids := e.approve(t, 300, candSpec{90, "تهران"}, candSpec{60, "تهران"}, candSpec{80, "تهران"})
		r := e.pinnedRound(t, 3, "tehran", Policy{MinScore: ptrTo(70.0)})
		r, err := e.rounds.Allocate(e.ministry, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		items, total, _ := e.rounds.Allocations(context.Background(), r.ID, AllocationFilter{Limit: 10})
		if total != 2 || r.Placed != 2 || r.Unfilled != 1 || items[0].CandidateID != ids[0] || items[1].CandidateID != ids[2] {
			t.Fatalf("min score: %d items, round %+v", total, r)
		}
		// Candidates who sat the exam elsewhere do not qualify.
		r2, err := e.rounds.Create(e.ministry, NewRound{Name: "دور استانی", TotalLicences: 2,
			Policy: Policy{TargetPopulationPerOffice: ptrTo(1_000_000.0), ExamProvinces: []string{"ISF"}}})
		if err != nil {
			t.Fatal(err)
		}
		r2, err = e.rounds.Allocate(e.ministry, r2.ID)
		if err != nil || r2.Placed != 0 || r2.Unplaced != 0 {
			t.Fatalf("province rule: %v %+v", err, r2)
		}
		if r2.Policy.ExamProvinces[0] != "ISF" {
			t.Fatalf("policy %+v", r2.Policy)
		}
	})
}
