package licensing

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// seedDemoRegister fills the register with the demo generator's offices
// (n of them) and days of their simulated visits.
func seedDemoRegister(t testing.TB, e *licEnv, n, days int) []offices.Office {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("demo"))
	offs := geodemo.Offices(e.gaz, e.cat, rand.New(rand.NewPCG(1405, 1405)), n)
	if err := e.d.InTx(ctx, func(tx *db.Tx) error { return e.offices.InsertBatch(ctx, tx, offs) }); err != nil {
		t.Fatal(err)
	}
	if _, err := geodemo.SeedVisits(ctx, e.visits, e.offices, e.clock.Now(), geodemo.VisitOptions{Days: days, Seed: 1405}); err != nil {
		t.Fatal(err)
	}
	return offs
}

// TestDemandOnDemoData: on the demo generator's register (at a small
// scale), Tehran, Mashhad and Isfahan come out on top, and every figure
// follows from the inputs shown beside it.
func TestDemandOnDemoData(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		seedDemoRegister(t, e, 500, 3)
		res, err := e.demand.Compute(context.Background(), DemandQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var top []string
		for _, r := range res.Regions[:3] {
			top = append(top, r.Region)
		}
		for i, r := range res.Regions[:8] {
			t.Logf("%d %s pop %d active %d needed %d (%s: pop %d, queue %v, access %d) shortage %d; p90 %v",
				i+1, r.Region, r.Population, r.ActiveOffices, r.Needed, r.Binding, r.PopulationNeed.OfficesNeeded,
				deref(r.Queueing.OfficesNeeded), r.Accessibility.OfficesNeeded, r.Shortage, derefF(r.Crowding.WaitP90Min))
		}
		slices.Sort(top)
		if !slices.Equal(top, []string{"isfahan", "mashhad", "tehran"}) {
			t.Fatalf("top three by shortage: %v", top)
		}
		m := res.Model
		if m.TargetSource != "national_average" || m.TargetPopulationPerOffice != m.NationalAverage || m.ActiveOffices == 0 {
			t.Fatalf("model %+v", m)
		}
		if want := round2(float64(m.Population) / float64(m.ActiveOffices)); m.NationalAverage != want {
			t.Fatalf("national average %v, want %v", m.NationalAverage, want)
		}
		shortage := 0
		for _, r := range res.Regions {
			if r.Level != geo.LevelCity {
				continue
			}
			shortage += r.Shortage
			pn := r.PopulationNeed
			if pn.OfficesNeeded != int(math.Ceil(float64(r.Population)/m.TargetPopulationPerOffice-1e-9)) ||
				pn.OfficesAtNotaryMin != int(math.Ceil(float64(r.Population)/15000)) || pn.OfficesAtNotaryMax != int(math.Ceil(float64(r.Population)/20000)) {
				t.Fatalf("%s population need %+v", r.Region, pn)
			}
			needed := max(pn.OfficesNeeded, r.Accessibility.OfficesNeeded)
			if r.Queueing.OfficesNeeded != nil {
				needed = max(needed, *r.Queueing.OfficesNeeded)
			}
			if r.Needed != needed || r.Shortage != max(0, r.Needed-r.ActiveOffices-r.LicensedNotOpen) {
				t.Fatalf("%s needed %d shortage %d", r.Region, r.Needed, r.Shortage)
			}
			if r.ActiveOffices > 0 && *r.PopulationPerOffice != round2(float64(r.Population)/float64(r.ActiveOffices)) {
				t.Fatalf("%s population per office %v", r.Region, *r.PopulationPerOffice)
			}
			if r.Explanation == "" || r.ExplanationFa == "" {
				t.Fatalf("%s has no explanation", r.Region)
			}
		}
		if shortage != m.Shortage {
			t.Fatalf("model shortage %d, cities %d", m.Shortage, shortage)
		}
		// Tehran's queues were read from its visits, and are short of
		// counters at the peak.
		thr, _ := res.Region("tehran")
		q := thr.Queueing
		if !q.Available || q.PeakHour == nil || *q.ArrivalsPerHour <= 0 || *q.ServiceMeanMin <= 0 || q.OfficesNeeded == nil ||
			*q.OfficesNeeded <= thr.ActiveOffices || thr.Crowding.WaitP90Min == nil || thr.Crowding.Arrivals == 0 {
			t.Fatalf("tehran queueing %+v crowding %+v", q, thr.Crowding)
		}
		// The accessibility target is the national level: the supply per
		// resident (every office reaches some residents).
		if want := float64(m.ActiveOffices) / float64(m.Population) * 1e5; math.Abs(m.AccessTarget-want) > 1e-3 {
			t.Fatalf("access target %v, want %v", m.AccessTarget, want)
		}

		// What if Tehran got its shortage: shorter waits, fewer residents per office.
		w, err := e.demand.WhatIf(context.Background(), "tehran", thr.Shortage, DemandQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if w.After.Offices != w.Before.Offices+thr.Shortage || w.After.Counters != w.Before.Counters+thr.Shortage*w.CountersEach ||
			*w.After.PopulationPerOffice >= *w.Before.PopulationPerOffice || !w.After.Stable ||
			(w.Before.Stable && *w.After.ExpectedWaitMin >= *w.Before.ExpectedWaitMin) || *w.After.Utilisation >= *w.Before.Utilisation {
			t.Fatalf("what-if %+v", w)
		}
		if _, err := e.demand.WhatIf(context.Background(), "THR", 1, DemandQuery{}); !daftar.IsKind(err, daftar.KindUnprocessable) {
			t.Fatalf("province what-if: %v", err)
		}
		if _, err := e.demand.WhatIf(context.Background(), "atlantis", 1, DemandQuery{}); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown what-if: %v", err)
		}
	})
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func derefF(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
