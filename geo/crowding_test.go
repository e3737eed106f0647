package geo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// visitInputs turns simulated visits into batch items.
func visitInputs(vs []Visit) []VisitInput {
	out := make([]VisitInput, len(vs))
	f := func(u int64) string {
		if u == 0 {
			return ""
		}
		return time.Unix(u, 0).UTC().Format(time.RFC3339)
	}
	for i, v := range vs {
		out[i] = VisitInput{Ticket: v.Ticket, Service: v.Service, ArrivedAt: f(v.Arrived), CalledAt: f(v.Called),
			FinishedAt: f(v.Finished), Outcome: v.Outcome, Channel: v.Channel}
		if v.Counter > 0 {
			out[i].Counter = strconv.Itoa(v.Counter)
		}
	}
	return out
}

// visitsCSV writes visits as an import file.
func visitsCSV(code string, vs []Visit) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"office", "ticket", "service", "arrived_at", "called_at", "finished_at", "outcome", "counter", "channel"})
	for _, in := range visitInputs(vs) {
		w.Write([]string{code, in.Ticket, in.Service, in.ArrivedAt, in.CalledAt, in.FinishedAt, in.Outcome, in.Counter, in.Channel})
	}
	w.Flush()
	return b.Bytes()
}

// simulate makes days of demo visits for an office at a given load.
func (e *vEnv) simulate(off Office, load float64, days int, seed uint64) []Visit {
	g := newDemoGen(e.cat, []Office{off}, e.gaz, seed, 1)
	g.loads[off.ID] = load
	return g.officeVisits(&off, demoDays(vNow, days), nil)
}

// exact holds the raw values of one group.
type exact struct {
	arrivals, served, noShows, cancelled, referred int64
	waits, services                                []int64
}

func (x *exact) add(v Visit) {
	x.arrivals++
	switch v.Outcome {
	case OutcomeServed:
		x.served++
	case OutcomeNoShow:
		x.noShows++
	case OutcomeCancelled:
		x.cancelled++
	case OutcomeReferred:
		x.referred++
	}
	if (v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred) && v.Called > 0 {
		x.waits = append(x.waits, v.Called-v.Arrived)
		if v.Finished > 0 {
			x.services = append(x.services, v.Finished-v.Called)
		}
	}
}

// check compares figures read from the rollups with the exact values.
func (x *exact) check(t *testing.T, what string, f Figures, target int64) {
	t.Helper()
	if f.Arrivals != x.arrivals || f.Served != x.served || f.NoShows != x.noShows || f.Cancelled != x.cancelled || f.Referred != x.referred {
		t.Fatalf("%s: counts %d/%d/%d/%d/%d, exact %d/%d/%d/%d/%d", what, f.Arrivals, f.Served, f.NoShows, f.Cancelled, f.Referred,
			x.arrivals, x.served, x.noShows, x.cancelled, x.referred)
	}
	if len(x.waits) == 0 {
		if f.WaitP90 != nil {
			t.Fatalf("%s: a p90 without waits", what)
		}
		return
	}
	w := slices.Clone(x.waits)
	slices.Sort(w)
	for _, c := range []struct {
		name string
		got  *float64
		q    float64
	}{{"p50", f.WaitP50, 0.5}, {"p90", f.WaitP90, 0.9}, {"p95", f.WaitP95, 0.95}} {
		want := exactPercentile(w, c.q) / 60
		if c.got == nil || relErr(*c.got, want) > SketchRelativeError+1e-12 {
			t.Fatalf("%s: wait %s %v, exact %v", what, c.name, deref(c.got), want)
		}
	}
	if *f.WaitMax != float64(w[len(w)-1])/60 {
		t.Fatalf("%s: wait max %v, exact %v", what, *f.WaitMax, float64(w[len(w)-1])/60)
	}
	var sum int64
	over, near := 0, 0
	for _, v := range w {
		sum += v
		if v > target {
			over++
		}
		if sketchBin(v) == sketchBin(target) {
			near++
		}
	}
	if math.Abs(*f.WaitMean-float64(sum)/float64(len(w))/60) > 1e-9 {
		t.Fatalf("%s: wait mean %v", what, *f.WaitMean)
	}
	if math.Abs(*f.OverTargetShare*float64(len(w))-float64(over)) > float64(near)+1e-9 {
		t.Fatalf("%s: over target %v of %d, exact %d", what, *f.OverTargetShare, len(w), over)
	}
	if len(x.services) > 0 {
		s := slices.Clone(x.services)
		slices.Sort(s)
		if want := exactPercentile(s, 0.9) / 60; relErr(*f.ServiceP90, want) > SketchRelativeError+1e-12 {
			t.Fatalf("%s: service p90 %v, exact %v", what, *f.ServiceP90, want)
		}
	}
}

// TestCrowdingAgainstExactOnSimulatedVisits loads 75 days of two busy
// offices (one through the API batches, one through the CSV import) and
// checks every figure by hour, weekday and day, over a range that takes
// whole Jalali months from crowding_months and the days around them from
// crowding_days, against an exact computation on the raw visits.
func TestCrowdingAgainstExactOnSimulatedVisits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		all := []string{"criminal_record", "e_notification", "case_information", "petition", "sana_registration"}
		a := e.office("THR-0201", "tehran", 35.72, 51.41, 3, all, nil)
		b := e.office("THR-0202", "tehran", 35.69, 51.39, 2, all, nil)
		va := e.simulate(a, 0.8, 75, 7)
		vb := e.simulate(b, 0.5, 75, 8)
		for start := 0; start < len(va); start += 1000 {
			res, err := e.visits.Record(e.ctx, a.ID, visitInputs(va[start:min(len(va), start+1000)]))
			if err != nil || res.Refused+res.Duplicates > 0 {
				t.Fatalf("batch: %+v %v", res.Items[0], err)
			}
		}
		rep, err := e.visits.Import(e.ctx, bytes.NewReader(visitsCSV(b.Code, vb)), ImportOptions{ChunkRows: 3000})
		if err != nil || rep.Accepted != len(vb) || rep.Refused+rep.Duplicates != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		// Range: 1405/07/10 .. 1405/08/30 (the 1st of Aban to its end is a
		// whole month; Mehr's days are edges).
		first, _ := daftar.FromJalali(1405, 7, 10)
		last, _ := daftar.FromJalali(1405, 8, 30)
		r, err := NewCrowdingRange(first, last, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p := planRange(r); p.monthTo == p.monthFrom || len(p.edges) != 1 {
			t.Fatalf("plan %+v", p)
		}
		target := int64(1800)
		for _, tc := range []struct {
			off Office
			vs  []Visit
		}{{a, va}, {b, vb}} {
			byHour, byWeekday, byDay := map[int]*exact{}, map[int]*exact{}, map[int64]*exact{}
			var total exact
			for _, v := range tc.vs {
				if v.Arrived < r.From || v.Arrived >= r.To {
					continue
				}
				for _, m := range []*exact{get(byHour, daftar.HourOf(v.Arrived)), get(byWeekday, daftar.WeekdayIndex(v.Arrived)), get(byDay, daftar.DayStart(v.Arrived)), &total} {
					m.add(v)
				}
			}
			if total.arrivals < 1000 {
				t.Fatalf("only %d visits in range", total.arrivals)
			}
			oc, err := e.crowd.Office(e.ctx, tc.off.ID, r, ByHour)
			if err != nil {
				t.Fatal(err)
			}
			total.check(t, "total by hour", oc.Total, target)
			seen := 0
			for _, g := range oc.Groups {
				if x := byHour[*g.Hour]; x != nil {
					x.check(t, fmt.Sprintf("hour %d", *g.Hour), g.Figures, target)
					seen++
				} else if g.Figures.Arrivals != 0 {
					t.Fatalf("hour %d has arrivals", *g.Hour)
				}
			}
			if seen != len(byHour) {
				t.Fatalf("%d of %d hours", seen, len(byHour))
			}
			oc, err = e.crowd.Office(e.ctx, tc.off.ID, r, ByWeekday)
			if err != nil || len(oc.Groups) != len(byWeekday) {
				t.Fatalf("weekdays: %d groups, want %d; %v", len(oc.Groups), len(byWeekday), err)
			}
			total.check(t, "total by weekday", oc.Total, target)
			for _, g := range oc.Groups {
				byWeekday[*g.Weekday].check(t, fmt.Sprintf("weekday %d", *g.Weekday), g.Figures, target)
				if *g.Weekday == 6 {
					t.Fatal("a Friday with visits")
				}
			}
			oc, err = e.crowd.Office(e.ctx, tc.off.ID, r, ByDay)
			if err != nil || len(oc.Groups) != len(byDay) {
				t.Fatalf("days: %d groups, want %d; %v", len(oc.Groups), len(byDay), err)
			}
			for _, g := range oc.Groups {
				byDay[*g.Day].check(t, time.Unix(*g.Day, 0).String(), g.Figures, target)
			}
		}
		// Rebuilding from the raw visits gives the same rows, byte for byte.
		before := rollupSnapshot(t, d)
		if _, err := RebuildRollups(e.ctx, d, r.From-40*86400, vNow.Unix()); err != nil {
			t.Fatal(err)
		}
		if after := rollupSnapshot(t, d); !slices.Equal(before, after) {
			t.Fatalf("rebuild changed the rollups: %d rows before, %d after", len(before), len(after))
		}
	})
}

func get[K comparable](m map[K]*exact, k K) *exact {
	x := m[k]
	if x == nil {
		x = &exact{}
		m[k] = x
	}
	return x
}

// rollupSnapshot renders every rollup row, for comparison.
func rollupSnapshot(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT office_id, day_at, weekday, " + statsSelect + " FROM crowding_days ORDER BY office_id, day_at",
		"SELECT office_id, month_at, -1, " + statsSelect + " FROM crowding_months ORDER BY office_id, month_at",
	} {
		err := newGormRunner(d.Gorm, d.Dialect).query(t.Context(), q, nil, func(scan func(...any) error) error {
			var r rollupRow
			if err := scan(append([]any{&r.OfficeID, &r.At, &r.Weekday}, r.scanTargets()...)...); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%+v", r))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestQueueSweepAgainstBruteForce: the queue length rebuilt by the sweep
// equals a second-by-second count on random days.
func TestQueueSweepAgainstBruteForce(t *testing.T) {
	off, day, _ := goldenDay()
	r := rand.New(rand.NewPCG(3, 4))
	var b dayBuilder
	for trial := 0; trial < 20; trial++ {
		var vs []rawVisit
		for i := 0; i < 1+r.IntN(60); i++ {
			a := day + 7*3600 + r.Int64N(4*3600)
			v := rawVisit{Arrived: a, Outcome: OutcomeServed}
			switch r.IntN(4) {
			case 0:
				v.Outcome, v.Finished = OutcomeCancelled, a+r.Int64N(3000)
			case 1:
				v.Outcome, v.Called = OutcomeNoShow, a+r.Int64N(3000)
			default:
				v.Called = a + r.Int64N(3000)
				v.Finished = v.Called + 60 + r.Int64N(1200)
			}
			vs = append(vs, v)
		}
		slices.SortFunc(vs, func(x, y rawVisit) int { return int(x.Arrived - y.Arrived) })
		row, _ := b.build(off, day, vs)
		var hours [24]*Stats
		mergeHours(row.Hours, &hours)
		var area [24]int64
		var peak [24]int64
		for s := day; s < day+86400; s++ {
			var n int64
			for _, v := range vs {
				if from, to := v.queueSpan(); s >= from && s < to {
					n++
				}
			}
			h := (s - day) / 3600
			area[h] += n
			peak[h] = max(peak[h], n)
		}
		for h := range hours {
			var ga, gp int64
			if hours[h] != nil {
				ga, gp = hours[h].QueueArea, hours[h].QueueMax
			}
			if ga != area[h] || gp != peak[h] {
				t.Fatalf("trial %d hour %d: area %d max %d, brute force %d %d", trial, h, ga, gp, area[h], peak[h])
			}
		}
	}
}

func TestRegionsOrderAndMerge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		svc := []string{"criminal_record", "e_notification", "case_information"}
		busy := e.office("THR-0301", "tehran", 35.70, 51.40, 2, svc, nil)
		busy2 := e.office("THR-0302", "tehran", 35.75, 51.45, 2, svc, nil)
		calm := e.office("FAR-0301", "shiraz", 29.61, 52.53, 4, svc, nil)
		mid := e.office("ISF-0301", "isfahan", 32.65, 51.67, 3, svc, nil)
		for i, c := range []struct {
			off  Office
			load float64
		}{{busy, 0.95}, {busy2, 0.9}, {calm, 0.1}, {mid, 0.5}} {
			vs := e.simulate(c.off, c.load, 20, uint64(i))
			if _, err := e.visits.Import(e.ctx, bytes.NewReader(visitsCSV(c.off.Code, vs)), ImportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := NewCrowdingRange(vNow.AddDate(0, 0, -30), vNow, 0)
		cities, err := e.crowd.Regions(e.ctx, LevelCity, r)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range cities {
			codes = append(codes, c.Region.Code)
		}
		if !slices.Equal(codes, []string{"tehran", "isfahan", "shiraz"}) {
			t.Fatalf("order %v", codes)
		}
		var sum int64
		for _, o := range []Office{busy, busy2} {
			oc, _ := e.crowd.Office(e.ctx, o.ID, r, ByDay)
			sum += oc.Total.Arrivals
		}
		if cities[0].Figures.Arrivals != sum || cities[0].Offices != 2 || cities[0].Level != LevelCity {
			t.Fatalf("tehran %+v, offices' arrivals %d", cities[0], sum)
		}
		all, err := e.crowd.Regions(e.ctx, LevelAll, r)
		if err != nil || len(all) != 6 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		provs, _ := e.crowd.Regions(e.ctx, LevelProvince, r)
		if len(provs) != 3 || provs[0].Region.Code != "THR" || provs[0].Figures.Arrivals != sum {
			t.Fatalf("provinces %+v", provs)
		}
		if _, err := e.crowd.Regions(e.ctx, "district", r); !daftar.IsKind(err, daftar.KindInvalid) {
			t.Fatalf("bad level: %v", err)
		}
	})
}

func TestCrowdingRange(t *testing.T) {
	a := time.Date(2026, 11, 1, 15, 0, 0, 0, daftar.Tehran())
	r, err := NewCrowdingRange(a, a, 0)
	if err != nil || r.Days() != 1 || r.From != daftar.DayStart(a.Unix()) {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := NewCrowdingRange(a, a.AddDate(0, 0, -1), 0); !daftar.IsKind(err, daftar.KindInvalid) {
		t.Fatalf("reversed: %v", err)
	}
	if _, err := NewCrowdingRange(a, a.AddDate(0, 0, 40), 31); !daftar.IsKind(err, daftar.KindInvalid) {
		t.Fatalf("too long: %v", err)
	}
	// A range inside one month has no whole month.
	if p := planRange(r); p.monthTo != p.monthFrom || len(p.edges) != 1 {
		t.Fatalf("%+v", p)
	}
	// Exactly one Jalali month: no edges.
	m1, _ := daftar.FromJalali(1405, 8, 1)
	m30, _ := daftar.FromJalali(1405, 8, 30)
	r, _ = NewCrowdingRange(m1, m30, 0)
	if p := planRange(r); p.monthFrom != m1.Unix() || p.monthTo != r.To || len(p.edges) != 0 {
		t.Fatalf("%+v", p)
	}
}
