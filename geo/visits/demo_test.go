package visits_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// demoRegister inserts n demo offices.
func demoRegister(e *visits.Env, n int) []offices.Office {
	e.T.Helper()
	list := geodemo.Offices(e.Gaz, e.Cat, rand.New(rand.NewPCG(1405, 1405)), n)
	if err := e.D.InTx(e.Ctx, func(tx *db.Tx) error { return e.Offices.InsertBatch(e.Ctx, tx, list) }); err != nil {
		e.T.Fatal(err)
	}
	return list
}

// simulate makes days of demo visits for an office at a given load.
func simulate(e *visits.Env, off offices.Office, load float64, days int, seed uint64) []visits.Visit {
	g := geodemo.NewSimulator(e.Cat, e.Gaz, []offices.Office{off}, geodemo.SimOptions{Seed: seed, Loads: map[int64]float64{off.ID: load}})
	return g.Visits(&off, geodemo.HistoryDays(visits.VNow, days), nil)
}

// TestDemoVisits: the demo history is deterministic, has the shape the
// issue asks for (no Fridays, Thursday's short day, a morning peak, the thin
// big cities more crowded than the towns), and its rollups are exactly
// those rebuilt from its raw visits. 40 offices and four weeks keep it quick; the whole
// demo is timed by BenchmarkDemoVisits.
func TestDemoVisits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := visits.NewEnv(t, d)
		all := demoRegister(e, 1200)
		// Keep the first offices of Tehran and of a few towns.
		keep := map[int64]bool{}
		perCity := map[string]int{}
		for _, o := range all {
			if perCity[o.CityCode] < 8 && (o.CityCode == "tehran" || o.CityCode == "mashhad" || o.CityCode == "yazd" || o.CityCode == "zanjan" || o.CityCode == "sari") {
				perCity[o.CityCode]++
				keep[o.ID] = true
			}
		}
		var drop []int64
		for _, o := range all {
			if !keep[o.ID] {
				drop = append(drop, o.ID)
			}
		}
		if err := d.Gorm.Exec("DELETE FROM office_services WHERE office_id IN ?", drop).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Exec("DELETE FROM offices WHERE id IN ?", drop).Error; err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		rep, err := geodemo.SeedVisits(e.Ctx, e.Visits, e.Offices, visits.VNow, geodemo.VisitOptions{Days: 28, Seed: 1405})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v in %v", rep, time.Since(start))
		if rep.Offices != len(keep) || rep.Visits < 5000 {
			t.Fatalf("%+v", rep)
		}
		// The visit indexes are back.
		var idx []string
		if d.Dialect == db.SQLite {
			d.Gorm.Raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('visits', 'visit_keys') AND name NOT LIKE 'sqlite_%' ORDER BY name").Scan(&idx)
		} else {
			d.Gorm.Raw("SELECT indexname FROM pg_indexes WHERE tablename IN ('visits', 'visit_keys') AND indexname LIKE 'visit%office%' ORDER BY indexname").Scan(&idx)
		}
		if !slices.Equal(idx, []string{"visit_keys_office_ticket", "visits_office_arrived"}) {
			t.Fatalf("indexes %v", idx)
		}
		// Rollups equal those rebuilt from the raw visits.
		before := visits.RollupSnapshot(t, d)
		if _, err := e.Visits.RebuildRollups(e.Ctx, visits.VNow.Unix()-29*86400, visits.VNow.Unix()); err != nil {
			t.Fatal(err)
		}
		if after := visits.RollupSnapshot(t, d); !slices.Equal(before, after) {
			t.Fatalf("the demo's rollups differ from the rebuilt ones (%d and %d rows)", len(before), len(after))
		}
		// Arrivals alone (the ranking's late visits) equal the full
		// figures' counts, over a whole month and an edge day.
		wide, _ := visits.NewCrowdingRange(visits.VNow.AddDate(0, 0, -31), visits.VNow.AddDate(0, 0, -1), 0)
		stats, err := e.Crowd.OfficesStats(e.Ctx, wide)
		if err != nil {
			t.Fatal(err)
		}
		arrivals, err := e.Crowd.OfficesArrivals(e.Ctx, wide)
		if err != nil || len(arrivals) != len(stats) || len(stats) == 0 {
			t.Fatalf("arrivals of %d offices, stats of %d: %v", len(arrivals), len(stats), err)
		}
		for id, st := range stats {
			if arrivals[id] != st.Counts.Arrivals {
				t.Fatalf("office %d: %d arrivals, stats %d", id, arrivals[id], st.Counts.Arrivals)
			}
		}
		// Shape.
		r, _ := visits.NewCrowdingRange(visits.VNow.AddDate(0, 0, -28), visits.VNow.AddDate(0, 0, -1), 0)
		for _, o := range all {
			if !keep[o.ID] {
				continue
			}
			oc, err := e.Crowd.Office(e.Ctx, o.ID, r, visits.ByWeekday)
			if err != nil {
				t.Fatal(err)
			}
			byWd := map[int]visits.Figures{}
			for _, g := range oc.Groups {
				byWd[*g.Weekday] = g.Figures
			}
			if _, friday := byWd[6]; friday {
				t.Fatalf("office %s has Friday visits", o.Code)
			}
			if byWd[5].OpenHours >= byWd[0].OpenHours {
				t.Fatalf("office %s: Thursday open %.1f h, Saturday %.1f h", o.Code, byWd[5].OpenHours, byWd[0].OpenHours)
			}
			if oc.Total.WaitP90 == nil {
				continue
			}
			hours, _ := e.Crowd.Office(e.Ctx, o.ID, r, visits.ByHour)
			var peak, afternoon int64
			for _, g := range hours.Groups {
				switch *g.Hour {
				case 9, 10:
					peak += g.Figures.Arrivals
				case 15, 16:
					afternoon += g.Figures.Arrivals
				}
			}
			if peak <= afternoon {
				t.Fatalf("office %s: no morning peak (%d vs %d)", o.Code, peak, afternoon)
			}
		}
		// Demand per resident is the same everywhere, so with the whole
		// register Tehran, short of offices, is far busier than the towns.
		var active []offices.Office
		for _, o := range all {
			if o.Status == offices.Active {
				active = append(active, o)
			}
		}
		g := geodemo.NewSimulator(e.Cat, e.Gaz, active, geodemo.SimOptions{Seed: 1405})
		var tehran, towns []float64
		for i := range active {
			o := &active[i]
			if !keep[o.ID] || o.CityCode == "mashhad" {
				continue
			}
			var busy float64
			for _, v := range g.Visits(o, geodemo.HistoryDays(visits.VNow, 28), nil) {
				if v.Outcome == visits.OutcomeServed || v.Outcome == visits.OutcomeReferred {
					busy += float64(v.Finished - v.Called)
				}
			}
			load := busy / float64(o.Counters)
			if o.CityCode == "tehran" {
				tehran = append(tehran, load)
			} else {
				towns = append(towns, load)
			}
		}
		slices.Sort(tehran)
		slices.Sort(towns)
		if len(tehran) == 0 || len(towns) == 0 || tehran[len(tehran)/2] < 1.5*towns[len(towns)/2] {
			t.Fatalf("median busy time per counter: Tehran %v, towns %v", tehran, towns)
		}
	})
}
