package finder

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/paulmach/orb"
)

// offset returns the point north and east of (lat, lon) by metres.
func offset(lat, lon, north, east float64) (float64, float64) {
	return lat + north/metresPerDeg, lon + east/(metresPerDeg*math.Cos(lat*math.Pi/180))
}

// TestFinderOrderAndDistances: on a small known map the finder keeps only
// active offices offering the service inside the radius, measures true
// distances, and orders by travel time plus predicted wait.
func TestFinderOrderAndDistances(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const lat0, lon0 = 35.70, 51.40
		mk := func(code string, north, east float64, svc ...string) offices.Office {
			lat, lon := offset(lat0, lon0, north, east)
			return e.Office(code, "tehran", lat, lon, 2, svc, nil)
		}
		o1 := mk("THR-0501", 1000, 0, "criminal_record")
		o2 := mk("THR-0502", 0, 2000, "criminal_record", "petition")
		o3 := mk("THR-0503", -3000, 0, "criminal_record")
		mk("THR-0504", 0, -500, "petition") // does not offer it
		o5 := mk("THR-0505", 1500, 0, "criminal_record")
		if _, err := e.Offices.Update(e.Ctx, o5.ID, offices.Input{Status: vptr(offices.Suspended)}, 0); err != nil {
			t.Fatal(err)
		}
		grades := &fakeGrades{}
		f, err := New(e.Ctx, e.Offices, e.Changes, e.crowd, grades, e.Clock, nil, Config{})
		if err != nil {
			t.Fatal(err)
		}
		karaj, _ := e.Gaz.Get("karaj") // created after: indexed through the register's changes, but too far
		far := e.Office("ALB-0506", "karaj", karaj.Latitude, karaj.Longitude, 2, []string{"criminal_record"}, nil)
		if d := geo.Distance(orb.Point{lon0, lat0}, far.Point()); d < 35_000 {
			t.Fatalf("karaj is %.0f m away", d)
		}
		if f.Len() != 5 {
			t.Fatalf("%d offices indexed, want 5 active", f.Len())
		}
		find := func(limit int) []Result {
			t.Helper()
			q := Query{Lat: lat0, Lon: lon0, Service: "criminal_record", Limit: limit}
			if fe := f.Validate(&q); len(fe) > 0 {
				t.Fatal(fe)
			}
			res, err := f.Find(e.Ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		ids := func(res []Result) []int64 {
			var out []int64
			for _, r := range res {
				out = append(out, r.Office.ID)
			}
			return out
		}
		res := find(10)
		if got := ids(res); !slices.Equal(got, []int64{o1.ID, o2.ID, o3.ID}) {
			t.Fatalf("order %v, want %v", got, []int64{o1.ID, o2.ID, o3.ID})
		}
		for i, want := range []float64{1000, 2000, 3000} {
			if math.Abs(res[i].DistanceM-want) > 2 {
				t.Errorf("office %d at %.1f m, want %.0f", i, res[i].DistanceM, want)
			}
			if res[i].PredictedWaitMin != nil || !res[i].OpenNow || res[i].Grade != nil {
				t.Errorf("office %d: %+v", i, res[i])
			}
			if want := res[i].DistanceM/250 + 15; math.Abs(res[i].Score-want) > 1e-9 {
				t.Errorf("score %v, want %v", res[i].Score, want)
			}
		}
		if got := find(2); len(got) != 2 || got[0].Office.ID != o1.ID {
			t.Fatalf("limit 2: %v", ids(got))
		}
		// History: the nearest is slow at this hour of this weekday (Sunday
		// noon), the others quick; the order follows the waits.
		record := func(off offices.Office, wait time.Duration) {
			var batch []visits.Input
			for i := 0; i < 6; i++ {
				arr := time.Date(2026, 11, 15, 12, 5*i, 0, 0, daftar.Tehran()) // a Sunday
				batch = append(batch, visits.Input{Ticket: fmt.Sprintf("F-%d", i), Service: "criminal_record",
					ArrivedAt: arr.Format(time.RFC3339), CalledAt: arr.Add(wait).Format(time.RFC3339),
					FinishedAt: arr.Add(wait + 10*time.Minute).Format(time.RFC3339), Outcome: "served", Counter: "1"})
			}
			if res, err := e.visits.Record(e.Ctx, off.ID, batch); err != nil || res.Accepted != 6 {
				t.Fatalf("%+v %v", res, err)
			}
		}
		record(o1, 60*time.Minute)
		record(o2, 5*time.Minute)
		record(o3, 4*time.Minute)
		if err := f.RefreshProfiles(e.Ctx); err != nil {
			t.Fatal(err)
		}
		res = find(10)
		if got := ids(res); !slices.Equal(got, []int64{o2.ID, o3.ID, o1.ID}) {
			t.Fatalf("with waits: order %v", got)
		}
		if w := res[0].PredictedWaitMin; w == nil || *w != 5 {
			t.Fatalf("predicted wait %v", deref(w))
		}
		// On Friday every office is closed: they open on Saturday at 07:30
		// and the predicted wait there is the office's overall mean.
		e.Clock.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, daftar.Tehran()))
		res = find(10)
		sat := time.Date(2026, 11, 21, 7, 30, 0, 0, daftar.Tehran())
		if len(res) != 3 || res[0].OpenNow || res[0].NextOpen == nil || !res[0].NextOpen.Equal(sat) || *res[0].PredictedWaitMin != 5 || res[0].Office.ID != o2.ID {
			t.Fatalf("friday: %+v", res[0])
		}
		e.Clock.Set(vNow)
		// Changes reach the index: o3 moves next door, o2 is suspended.
		lat, lon := offset(lat0, lon0, 100, 0)
		if _, err := e.Offices.Update(e.Ctx, o3.ID, offices.Input{Latitude: &lat, Longitude: &lon}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Offices.Update(e.Ctx, o2.ID, offices.Input{Status: vptr(offices.Suspended)}, 0); err != nil {
			t.Fatal(err)
		}
		res = find(10)
		if got := ids(res); !slices.Equal(got, []int64{o3.ID, o1.ID}) || math.Abs(res[0].DistanceM-100) > 1 {
			t.Fatalf("after changes: %v", got)
		}
		grades.set("A")
		if res = find(1); res[0].Grade == nil || *res[0].Grade != "A" {
			t.Fatal("grade hook")
		}
		// Bad queries.
		for _, q := range []Query{{Lat: 10, Lon: 51, Service: "criminal_record"}, {Lat: 35, Lon: 80, Service: "criminal_record"},
			{Lat: 35, Lon: 51, Service: "teleport"}, {Lat: 35, Lon: 51}, {Lat: 35, Lon: 51, Service: "criminal_record", Limit: 51}, {Lat: math.NaN(), Lon: 51, Service: "criminal_record"}} {
			if fe := f.Validate(&q); len(fe) == 0 {
				t.Errorf("accepted %+v", q)
			}
		}
	})
}

// TestFinderMatchesBruteForce: on random offices with random predicted
// waits the finder returns what a brute force over every office gives: the
// pool of nearest offices (by projected distance, inside the radius),
// ordered by score.
func TestFinderMatchesBruteForce(t *testing.T) {
	clock := daftar.NewManualClock(vNow)
	f := &Finder{clock: clock, grades: &fakeGrades{}, cfg: Config{}.withDefaults(), bits: map[string]int{"a": 0, "b": 1}}
	f.profiles = map[int64]*waitProfile{}
	f.resetIndex()
	r := rand.New(rand.NewPCG(11, 12))
	at := clockOf(vNow)
	var all []offices.Office
	for i := 1; i <= 2000; i++ {
		// Dense around Tehran and Mashhad, sparse elsewhere.
		lat, lon := 25+r.Float64()*15, 44+r.Float64()*19
		switch r.IntN(3) {
		case 0:
			lat, lon = offset(35.7, 51.4, r.NormFloat64()*8000, r.NormFloat64()*8000)
		case 1:
			lat, lon = offset(36.3, 59.6, r.NormFloat64()*6000, r.NormFloat64()*6000)
		}
		svc := []string{"a"}
		if r.IntN(4) == 0 {
			svc = []string{"b"}
		}
		hours := geo.DefaultOpeningHours()
		if r.IntN(6) == 0 {
			hours[at.weekday] = nil // closed today
		}
		o := offices.Office{ID: int64(i), Latitude: lat, Longitude: lon, Status: offices.Active, Services: svc, Hours: hours}
		if r.IntN(5) > 0 {
			p := &waitProfile{overall: float32(r.Float64() * 30)}
			for d := range p.slot {
				for h := range p.slot[d] {
					p.slot[d][h] = float32(math.NaN())
					if r.IntN(2) == 0 {
						p.slot[d][h] = float32(r.Float64() * 90)
					}
				}
			}
			f.profiles[o.ID] = p
		}
		all = append(all, o)
		f.Update(o)
	}
	for trial := 0; trial < 300; trial++ {
		lat, lon := offset(35.7, 51.4, r.NormFloat64()*15000, r.NormFloat64()*15000)
		if trial%3 == 1 {
			lat, lon = 25+r.Float64()*15, 44+r.Float64()*19
		}
		if trial%5 == 0 {
			clock.Set(vNow.Add(time.Duration(r.IntN(7*24)) * time.Hour))
		}
		limit := 1 + r.IntN(20)
		got, err := f.Find(t.Context(), Query{Lat: lat, Lon: lon, Service: "a", Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		// Brute force.
		pp := project(lat, lon)
		type near struct {
			e    *finderEntry
			proj float64
		}
		var nearest []near
		for i := range all {
			e := f.byID[all[i].ID]
			if !e.offers(0) {
				continue
			}
			d := math.Hypot(e.p[0]-pp[0], e.p[1]-pp[1])
			nearest = append(nearest, near{e, d})
		}
		slices.SortFunc(nearest, func(a, b near) int { return cmp.Compare(a.proj, b.proj) })
		nearest = nearest[:min(len(nearest), limit+max(5, limit/2))]
		var want []candidate
		for _, n := range nearest {
			dist := geo.Distance(orb.Point{lon, lat}, n.e.office.Point())
			if dist > f.cfg.RadiusM {
				continue
			}
			c := f.predict(n.e, clockOf(clock.Now()))
			c.e, c.dist, c.score = n.e, dist, dist/f.cfg.SpeedMPerMin+float64(c.wait)
			want = append(want, c)
		}
		slices.SortFunc(want, byScore)
		want = want[:min(limit, len(want))]
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d results, brute force %d", trial, len(got), len(want))
		}
		for i := range want {
			if got[i].Office.ID != want[i].e.id || math.Abs(got[i].DistanceM-want[i].dist) > 1e-6 {
				t.Fatalf("trial %d #%d: office %d (%.3f), brute force %d (%.3f)", trial, i, got[i].Office.ID, got[i].Score, want[i].e.id, want[i].score)
			}
			// The prediction follows the slot the office is next open at.
			w := want[i]
			if w.open != got[i].OpenNow || (w.known != (got[i].PredictedWaitMin != nil)) {
				t.Fatalf("trial %d #%d: open %v known %v", trial, i, got[i].OpenNow, got[i].PredictedWaitMin != nil)
			}
			if !got[i].OpenNow && got[i].NextOpen != nil {
				local := got[i].NextOpen.In(daftar.Tehran())
				if !w.e.office.Hours.IsOpen(*got[i].NextOpen) || w.e.office.Hours.IsOpen(got[i].NextOpen.Add(-time.Minute)) && local.Hour()*60+local.Minute() != 0 {
					t.Fatalf("trial %d: next opening %v is not an opening", trial, local)
				}
			}
		}
	}
}

// TestFinderConcurrentUse: searches run while offices change (-race).
func TestFinderConcurrentUse(t *testing.T) {
	f := &Finder{clock: daftar.NewManualClock(vNow), grades: &fakeGrades{}, cfg: Config{}.withDefaults(), bits: map[string]int{"a": 0},
		profiles: map[int64]*waitProfile{}}
	f.resetIndex()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < 500; i++ {
				if w%2 == 0 {
					lat, lon := offset(35.7, 51.4, r.NormFloat64()*5000, r.NormFloat64()*5000)
					status := offices.Active
					if r.IntN(4) == 0 {
						status = offices.Suspended
					}
					f.Update(offices.Office{ID: int64(1 + r.IntN(200)), Latitude: lat, Longitude: lon, Status: status, Services: []string{"a"}, Hours: geo.DefaultOpeningHours()})
				} else if _, err := f.Find(t.Context(), Query{Lat: 35.7, Lon: 51.4, Service: "a", Limit: 5}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := len(f.trees[0].InBound(nil, projBound))
	if n != len(f.byID) {
		t.Fatalf("tree holds %d, index %d", n, len(f.byID))
	}
}

func byScore(a, b candidate) int {
	switch {
	case before(&a, &b):
		return -1
	case before(&b, &a):
		return 1
	}
	return 0
}
