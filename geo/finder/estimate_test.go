package finder

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestFinderEstimatesAndBestHour: a new office with no history gets its
// city's pooled wait, marked as an estimate (an office of a city with no
// history gets none); the best hour to come is the quietest hour still
// ahead today while the office is open, from its own profile, or its
// city's when it has none.
func TestFinderEstimatesAndBestHour(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const lat0, lon0 = 35.70, 51.40
		mk := func(code, city string, lat, lon float64) offices.Office {
			return e.Office(code, city, lat, lon, 2, []string{"criminal_record"}, nil)
		}
		oldA := mk("THR-0601", "tehran", lat0+0.01, lon0)
		oldB := mk("THR-0602", "tehran", lat0-0.01, lon0)
		fresh := mk("THR-0603", "tehran", lat0, lon0+0.01)
		karaj, _ := e.Gaz.Get("karaj")
		lonely := mk("ALB-0604", "karaj", karaj.Latitude, karaj.Longitude)
		// Last Sunday (the tests' present is a Sunday, 12:00): six waits
		// in each of the hours given, so every slot counts.
		n := 0
		record := func(off offices.Office, waits map[int]time.Duration) {
			t.Helper()
			var batch []visits.Input
			for hour, wait := range waits {
				for i := 0; i < 6; i++ {
					arr := time.Date(2026, 11, 15, hour, 5*i, 0, 0, daftar.Tehran())
					n++
					batch = append(batch, visits.Input{Ticket: fmt.Sprintf("E-%d", n), Service: "criminal_record",
						ArrivedAt: arr.Format(time.RFC3339), CalledAt: arr.Add(wait).Format(time.RFC3339),
						FinishedAt: arr.Add(wait + 5*time.Minute).Format(time.RFC3339), Outcome: "served", Counter: "1"})
				}
			}
			if res, err := e.visits.Record(e.Ctx, off.ID, batch); err != nil || res.Refused+res.Duplicates > 0 {
				t.Fatalf("%+v %v", res, err)
			}
		}
		// A: 9 o'clock (past by now) 1 min, 12: 30, 13: 10, 15: 25.
		record(oldA, map[int]time.Duration{9: time.Minute, 12: 30 * time.Minute, 13: 10 * time.Minute, 15: 25 * time.Minute})
		// B: 12: 10, 13: 30, 16: 2 (pooled with A: 12 → 20, 13 → 20, 15 → 25, 16 → 2).
		record(oldB, map[int]time.Duration{12: 10 * time.Minute, 13: 30 * time.Minute, 16: 2 * time.Minute})
		f, err := New(e.Ctx, e.Offices, e.Changes, e.crowd, &fakeGrades{}, e.Clock, nil, Config{})
		if err != nil {
			t.Fatal(err)
		}
		byID := func(lat, lon float64) map[int64]Result {
			t.Helper()
			q := Query{Lat: lat, Lon: lon, Service: "criminal_record"}
			if fe := f.Validate(&q); len(fe) > 0 {
				t.Fatal(fe)
			}
			res, err := f.Find(e.Ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]Result{}
			for _, r := range res {
				out[r.Office.ID] = r
			}
			return out
		}
		near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-4 }
		hourIs := func(p *int, want int) bool { return p != nil && *p == want }
		res := byID(lat0, lon0)
		for _, c := range []struct {
			name      string
			id        int64
			wait      float64
			estimated bool
			bestHour  int
			bestWait  float64
		}{
			{"old A", oldA.ID, 30, false, 13, 10},
			{"old B", oldB.ID, 10, false, 16, 2},
			{"new", fresh.ID, 20, true, 16, 2},
		} {
			r, ok := res[c.id]
			if !ok {
				t.Fatalf("%s: not found", c.name)
			}
			if !near(r.PredictedWaitMin, c.wait) || r.WaitEstimated != c.estimated {
				t.Errorf("%s: wait %v estimated %v, want %v %v", c.name, deref(r.PredictedWaitMin), r.WaitEstimated, c.wait, c.estimated)
			}
			if !hourIs(r.BestHour, c.bestHour) || !near(r.BestHourWaitMin, c.bestWait) {
				t.Errorf("%s: best hour %v (%v), want %d (%v)", c.name, r.BestHour, deref(r.BestHourWaitMin), c.bestHour, c.bestWait)
			}
		}
		// The new office's score counts the estimate, not the default.
		if r := res[fresh.ID]; math.Abs(r.Score-(r.DistanceM/250+20)) > 1e-3 {
			t.Errorf("new office's score %v", r.Score)
		}
		// Karaj has no history: no estimate, no best hour.
		r, ok := byID(karaj.Latitude, karaj.Longitude)[lonely.ID]
		if !ok || r.PredictedWaitMin != nil || r.WaitEstimated || r.BestHour != nil {
			t.Fatalf("karaj: %+v", r)
		}
		// At 17:10 only the 17 o'clock hour is left, and nobody knows it.
		e.Clock.Set(time.Date(2026, 11, 22, 17, 10, 0, 0, daftar.Tehran()))
		if r := byID(lat0, lon0)[oldA.ID]; r.BestHour != nil {
			t.Errorf("at 17:10: best hour %d", *r.BestHour)
		}
		// On Friday the offices are closed all day: no best hour today.
		e.Clock.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, daftar.Tehran()))
		if r := byID(lat0, lon0)[oldB.ID]; r.BestHour != nil || r.OpenNow {
			t.Errorf("friday: %+v", r)
		}
	})
}
