package visits

import (
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
)

// goldenDay is a hand-computed Saturday of an office with 2 counters open
// 08:00-10:00 (see TestDayRollupGolden).
func goldenDay() (offices.Shape, int64, []rawVisit) {
	var h geo.OpeningHours
	h[0] = []geo.Span{{Open: 8 * 60, Close: 10 * 60}}
	day := time.Date(2026, 11, 14, 0, 0, 0, 0, daftar.Tehran()).Unix() // Saturday 1405/08/23
	at := func(hh, mm int) int64 { return day + int64(hh*3600+mm*60) }
	visits := []rawVisit{
		{at(8, 0), at(8, 0), at(8, 10), OutcomeServed},       // wait 0, service 600
		{at(8, 5), at(8, 10), at(8, 30), OutcomeServed},      // wait 300, service 1200
		{at(8, 6), at(8, 6), at(8, 20), OutcomeServed},       // wait 0, service 840
		{at(8, 50), at(9, 10), at(9, 20), OutcomeServed},     // wait 1200, service 600
		{at(8, 55), 0, at(9, 5), OutcomeCancelled},           // left the queue at 09:05
		{at(9, 30), at(9, 40), 0, OutcomeNoShow},             // called, absent
		{at(9, 45), at(10, 20), at(10, 25), OutcomeReferred}, // wait 2100, service 300, after closing
	}
	return offices.Shape{ID: 1, Counters: 2, Hours: h}, day, visits
}

func TestDayRollupGolden(t *testing.T) {
	off, day, visits := goldenDay()
	if daftar.WeekdayIndex(day) != 0 {
		t.Fatal("the golden day must be a Saturday")
	}
	var b dayBuilder
	row, ok := b.build(off, day, visits)
	if !ok {
		t.Fatal("no row")
	}
	want := Counts{Arrivals: 7, Served: 4, NoShows: 1, Cancelled: 1, Referred: 1,
		Waits: 5, WaitSum: 3600, WaitMax: 2100, Services: 5, ServiceSum: 3540, ServiceMax: 1200,
		BusyS: 3540, OpenS: 7200, CounterS: 14400, QueueArea: 4800, QueueMax: 2}
	if row.Counts != want {
		t.Fatalf("day counts\n got %+v\nwant %+v", row.Counts, want)
	}
	var hours [24]*Stats
	if err := mergeHours(row.Hours, &hours); err != nil {
		t.Fatal(err)
	}
	wantHours := map[int]Counts{
		8:  {Arrivals: 5, Served: 4, Cancelled: 1, Waits: 4, WaitSum: 1500, WaitMax: 1200, Services: 4, ServiceSum: 3240, ServiceMax: 1200, BusyS: 2640, OpenS: 3600, CounterS: 7200, QueueArea: 1200, QueueMax: 2},
		9:  {Arrivals: 2, NoShows: 1, Referred: 1, Waits: 1, WaitSum: 2100, WaitMax: 2100, Services: 1, ServiceSum: 300, ServiceMax: 300, BusyS: 600, OpenS: 3600, CounterS: 7200, QueueArea: 2400, QueueMax: 2},
		10: {BusyS: 300, QueueArea: 1200, QueueMax: 1},
	}
	for h, st := range hours {
		w, expected := wantHours[h]
		switch {
		case st == nil && expected:
			t.Errorf("hour %d missing", h)
		case st != nil && !expected:
			t.Errorf("hour %d present: %+v", h, st.Counts)
		case st != nil && st.Counts != w:
			t.Errorf("hour %d\n got %+v\nwant %+v", h, st.Counts, w)
		}
	}

	st, err := row.stats()
	if err != nil {
		t.Fatal(err)
	}
	f := st.Figures(1800)
	near := func(name string, got *float64, want float64, tol float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", name, deref(got), want)
		}
	}
	// waits 0, 0, 300, 1200, 2100 s; services 300, 600, 600, 840, 1200 s
	near("wait_p50_min", f.WaitP50, 5, SketchRelativeError)
	near("wait_p90_min", f.WaitP90, 29, SketchRelativeError)         // 1200 + 0.6 * 900 = 1740 s
	near("wait_p95_min", f.WaitP95, 32, SketchRelativeError)         // 1200 + 0.8 * 900 = 1920 s
	near("wait_max_min", f.WaitMax, 35, 1e-12)                       // exact
	near("wait_mean_min", f.WaitMean, 12, 1e-12)                     // 3600 / 5 s
	near("service_mean_min", f.ServiceMean, 11.8, 1e-12)             // 3540 / 5 s
	near("service_p90_min", f.ServiceP90, 17.6, SketchRelativeError) // 840 + 0.6 * 360 = 1056 s
	near("over_target_share", f.OverTargetShare, 0.2, 1e-12)         // one wait of five over 30 min
	near("utilisation", f.Utilisation, 3540.0/14400, 1e-12)
	near("queue_mean", f.QueueMean, 4800.0/7200, 1e-12)
	near("counters", f.Counters, 2, 1e-12)
	near("arrivals_per_hour", f.ArrivalsPerHour, 3.5, 1e-12)
	if f.QueueMax == nil || *f.QueueMax != 2 {
		t.Errorf("queue_max = %v", f.QueueMax)
	}
	// Erlang C with lambda = 5 seen / 7200 s open, mean service 708 s, 2
	// counters: a = 0.4917, C = 0.0970, Wq = 45.5 s.
	near("erlang_c_wait_min", f.ErlangCWait, 45.54/60, 0.002)
	if f.ErlangCStable == nil || !*f.ErlangCStable {
		t.Error("the golden queue is stable")
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestQueueSweepEdges(t *testing.T) {
	off, day, _ := goldenDay()
	at := func(hh, mm, ss int) int64 { return day + int64(hh*3600+mm*60+ss) }
	var b dayBuilder
	// Three people arrive in the same second; one is called in that second,
	// another at once on leaving the first: the level never goes negative
	// and the max counts the instant.
	row, _ := b.build(off, day, []rawVisit{
		{at(8, 0, 0), at(8, 0, 0), at(8, 5, 0), OutcomeServed},
		{at(8, 0, 0), at(8, 5, 0), at(8, 9, 0), OutcomeServed},
		{at(8, 0, 0), at(8, 5, 0), at(8, 7, 0), OutcomeServed},
		{at(8, 59, 0), at(9, 1, 0), at(9, 2, 0), OutcomeServed},
	})
	if row.QueueMax != 2 || row.QueueArea != 2*300+120 {
		t.Fatalf("queue max %d area %d", row.QueueMax, row.QueueArea)
	}
	var hours [24]*Stats
	mergeHours(row.Hours, &hours)
	if hours[8].QueueArea != 600+60 || hours[9].QueueArea != 60 || hours[9].QueueMax != 1 {
		t.Fatalf("hour 8 %+v hour 9 %+v", hours[8].Counts, hours[9].Counts)
	}
}

func TestMergeRowsIsTheSumOfDays(t *testing.T) {
	off, day, visits := goldenDay()
	var b dayBuilder
	r1, _ := b.build(off, day, visits)
	next := day + 7*86400
	shifted := make([]rawVisit, len(visits))
	for i, v := range visits {
		shifted[i] = v
		shifted[i].Arrived += 7 * 86400
		if v.Called > 0 {
			shifted[i].Called += 7 * 86400
		}
		if v.Finished > 0 {
			shifted[i].Finished += 7 * 86400
		}
	}
	r2, _ := b.build(off, next, shifted)
	m, err := mergeRows(1, daftar.MonthStart(day), []rollupRow{r1, r2})
	if err != nil {
		t.Fatal(err)
	}
	var want Counts
	want.Add(&r1.Counts)
	want.Add(&r2.Counts)
	if m.Counts != want || m.Arrivals != 14 || m.QueueMax != 2 || m.WaitMax != 2100 {
		t.Fatalf("merged %+v", m.Counts)
	}
	var hours [24]*Stats
	if err := mergeHours(m.Hours, &hours); err != nil {
		t.Fatal(err)
	}
	if hours[8].Arrivals != 10 || hours[8].Wait.Count() != 8 || hours[9].Service.Count() != 2 {
		t.Fatalf("hour 8 %+v", hours[8].Counts)
	}
	if err := mergeHours([]byte{1, 1, 30}, &hours); err == nil {
		t.Fatal("a bad hour decoded")
	}
}
