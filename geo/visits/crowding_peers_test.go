package visits

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestCityPeers: the medians are over the other active offices of the
// office's city with visits in the range, read from whole months and the
// days around them alike; the office itself, other cities and suspended
// offices are left out.
func TestCityPeers(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		svc := []string{"criminal_record"}
		self := e.Office("THR-0801", "tehran", 35.70, 51.40, 2, svc, nil)
		p1 := e.Office("THR-0802", "tehran", 35.71, 51.40, 2, svc, nil)
		p2 := e.Office("THR-0803", "tehran", 35.72, 51.40, 2, svc, nil)
		p3 := e.Office("THR-0804", "tehran", 35.73, 51.40, 2, svc, nil)
		gone := e.Office("THR-0805", "tehran", 35.74, 51.40, 2, svc, nil)
		idle := e.Office("THR-0806", "tehran", 35.75, 51.40, 2, svc, nil) // no visits
		far := e.Office("KRZ-0801", "mashhad", 36.30, 59.60, 2, svc, nil)
		_ = idle
		n := 0
		// Days: one inside Aban 1405 (a whole month of the range, read from
		// the month rollups) and one in Azar (an edge day).
		aban, azar := time.Date(2026, 11, 10, 9, 0, 0, 0, daftar.Tehran()), time.Date(2026, 11, 21, 9, 0, 0, 0, daftar.Tehran())
		record := func(off offices.Office, wait time.Duration, days ...time.Time) {
			t.Helper()
			var batch []Input
			for i, day := range days {
				arr := day.Add(time.Duration(i) * 10 * time.Minute)
				n++
				batch = append(batch, Input{Ticket: fmt.Sprintf("P-%d", n), Service: "criminal_record", ArrivedAt: arr.Format(time.RFC3339),
					CalledAt: arr.Add(wait).Format(time.RFC3339), FinishedAt: arr.Add(wait + 5*time.Minute).Format(time.RFC3339), Outcome: "served", Counter: "1"})
			}
			if res, err := e.Visits.Record(e.Ctx, off.ID, batch); err != nil || res.Accepted != len(days) {
				t.Fatalf("%+v %v", res, err)
			}
		}
		record(self, 100*time.Minute, aban, azar)
		record(p1, 10*time.Minute, aban, aban, azar)
		record(p2, 20*time.Minute, aban, azar, azar)
		record(p3, 40*time.Minute, azar)
		record(gone, 90*time.Minute, aban, aban, aban, aban, aban)
		record(far, 500*time.Minute, aban, azar)
		if _, err := e.Offices.Update(e.Ctx, gone.ID, offices.Input{Status: vptr(offices.Suspended)}, 0); err != nil {
			t.Fatal(err)
		}
		r, err := NewCrowdingRange(time.Date(2026, 10, 20, 0, 0, 0, 0, daftar.Tehran()), time.Date(2026, 11, 22, 0, 0, 0, 0, daftar.Tehran()), 0)
		if err != nil {
			t.Fatal(err)
		}
		if p := planRange(r); p.monthTo <= p.monthFrom || len(p.edges) != 2 {
			t.Fatalf("the range should hold a whole month and two edges: %+v", p)
		}
		got, err := e.Crowd.CityPeers(e.Ctx, self.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) <= want*0.01 }
		if got.City != "tehran" || got.Offices != 3 || !near(got.Arrivals, 3) || !near(got.Served, 3) || !near(got.WaitP50, 20) ||
			!near(got.WaitP90, 20) || !near(got.WaitMean, 20) || got.OverTargetShare == nil || *got.OverTargetShare != 0 {
			t.Fatalf("peers: %+v (p50 %v)", got, deref(got.WaitP50))
		}
		// Only Azar: p1 has 1 visit, p2 2, p3 1; the waits as before.
		r2, _ := NewCrowdingRange(azar, azar, 0)
		got, err = e.Crowd.CityPeers(e.Ctx, self.ID, r2)
		if err != nil || got.Offices != 3 || !near(got.Arrivals, 1) || !near(got.WaitP50, 20) {
			t.Fatalf("one day: %+v %v", got, err)
		}
		// Mashhad has no other office: no peers, no medians.
		got, err = e.Crowd.CityPeers(e.Ctx, far.ID, r)
		if err != nil || got.Offices != 0 || got.WaitP50 != nil || got.Arrivals != nil {
			t.Fatalf("alone: %+v %v", got, err)
		}
		if _, err := e.Crowd.CityPeers(e.Ctx, 99999, r); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown office: %v", err)
		}
	})
}
