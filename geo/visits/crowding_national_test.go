package visits_test

import (
	"bytes"
	"testing"

	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestNationalByDay: the country's day is every office's day merged: the
// counts add up, the days come in order, and a day's p90 lies between its
// offices' own (the sketches are merged, not averaged).
func TestNationalByDay(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := visits.NewEnv(t, d)
		svc := []string{"criminal_record", "e_notification"}
		busy := e.Office("THR-0401", "tehran", 35.70, 51.40, 2, svc, nil)
		calm := e.Office("FAR-0401", "shiraz", 29.61, 52.53, 4, svc, nil)
		for i, c := range []struct {
			off  offices.Office
			load float64
		}{{busy, 0.9}, {calm, 0.2}} {
			if _, err := e.Visits.Import(e.Ctx, bytes.NewReader(visits.VisitsCSV(c.off.Code, simulate(e, c.off, c.load, 10, uint64(i)))), visits.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := visits.NewCrowdingRange(visits.VNow.AddDate(0, 0, -30), visits.VNow, 0)
		days, err := e.Crowd.NationalByDay(e.Ctx, r)
		if err != nil || len(days) == 0 {
			t.Fatalf("%d days: %v", len(days), err)
		}
		type day struct {
			arrivals int64
			lo, hi   float64
		}
		perDay := map[int64]*day{}
		for _, o := range []offices.Office{busy, calm} {
			oc, err := e.Crowd.Office(e.Ctx, o.ID, r, visits.ByDay)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range oc.Groups {
				x := perDay[*g.Day]
				if x == nil {
					x = &day{lo: 1e18, hi: -1}
					perDay[*g.Day] = x
				}
				x.arrivals += g.Figures.Arrivals
				if p := g.Figures.WaitP90; p != nil {
					x.lo, x.hi = min(x.lo, *p), max(x.hi, *p)
				}
			}
		}
		if len(days) != len(perDay) {
			t.Fatalf("%d national days, %d office days", len(days), len(perDay))
		}
		for i, g := range days {
			x := perDay[*g.Day]
			if i > 0 && *g.Day <= *days[i-1].Day {
				t.Fatalf("days out of order at %d", i)
			}
			if x == nil || g.Figures.Arrivals != x.arrivals {
				t.Fatalf("day %d: %d arrivals, the offices' %+v", *g.Day, g.Figures.Arrivals, x)
			}
			if p := g.Figures.WaitP90; p != nil && x.hi >= 0 && (*p < x.lo-0.5 || *p > x.hi+0.5) {
				t.Errorf("day %d: p90 %.2f outside the offices' %.2f..%.2f", *g.Day, *p, x.lo, x.hi)
			}
		}
	})
}
