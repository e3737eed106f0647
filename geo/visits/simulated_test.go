package visits_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestCrowdingAgainstExactOnSimulatedVisits loads 75 days of two busy
// offices (one through the API batches, one through the CSV import) and
// checks every figure by hour, weekday and day, over a range that takes
// whole Jalali months from crowding_months and the days around them from
// crowding_days, against an exact computation on the raw visits.
func TestCrowdingAgainstExactOnSimulatedVisits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := visits.NewEnv(t, d)
		all := []string{"criminal_record", "e_notification", "case_information", "petition", "sana_registration"}
		a := e.Office("THR-0201", "tehran", 35.72, 51.41, 3, all, nil)
		b := e.Office("THR-0202", "tehran", 35.69, 51.39, 2, all, nil)
		va := simulate(e, a, 0.8, 75, 7)
		vb := simulate(e, b, 0.5, 75, 8)
		for start := 0; start < len(va); start += 1000 {
			res, err := e.Visits.Record(e.Ctx, a.ID, visits.VisitInputs(va[start:min(len(va), start+1000)]))
			if err != nil || res.Refused+res.Duplicates > 0 {
				t.Fatalf("batch: %+v %v", res.Items[0], err)
			}
		}
		rep, err := e.Visits.Import(e.Ctx, bytes.NewReader(visits.VisitsCSV(b.Code, vb)), visits.ImportOptions{ChunkRows: 3000})
		if err != nil || rep.Accepted != len(vb) || rep.Refused+rep.Duplicates != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		// Range: 1405/07/10 .. 1405/08/30 (the 1st of Aban to its end is a
		// whole month; Mehr's days are edges).
		first, _ := daftar.FromJalali(1405, 7, 10)
		last, _ := daftar.FromJalali(1405, 8, 30)
		r, err := visits.NewCrowdingRange(first, last, 0)
		if err != nil {
			t.Fatal(err)
		}
		if whole, edges := visits.WholeMonths(r); !whole || edges != 1 {
			t.Fatalf("plan: whole months %v, %d edges", whole, edges)
		}
		target := int64(1800)
		for _, tc := range []struct {
			off offices.Office
			vs  []visits.Visit
		}{{a, va}, {b, vb}} {
			byHour, byWeekday, byDay := map[int]*visits.Exact{}, map[int]*visits.Exact{}, map[int64]*visits.Exact{}
			var total visits.Exact
			for _, v := range tc.vs {
				if v.Arrived < r.From || v.Arrived >= r.To {
					continue
				}
				for _, m := range []*visits.Exact{visits.Get(byHour, daftar.HourOf(v.Arrived)), visits.Get(byWeekday, daftar.WeekdayIndex(v.Arrived)), visits.Get(byDay, daftar.DayStart(v.Arrived)), &total} {
					m.Add(v)
				}
			}
			if total.Arrivals < 1000 {
				t.Fatalf("only %d visits in range", total.Arrivals)
			}
			oc, err := e.Crowd.Office(e.Ctx, tc.off.ID, r, visits.ByHour)
			if err != nil {
				t.Fatal(err)
			}
			total.Check(t, "total by hour", oc.Total, target)
			seen := 0
			for _, g := range oc.Groups {
				if x := byHour[*g.Hour]; x != nil {
					x.Check(t, fmt.Sprintf("hour %d", *g.Hour), g.Figures, target)
					seen++
				} else if g.Figures.Arrivals != 0 {
					t.Fatalf("hour %d has arrivals", *g.Hour)
				}
			}
			if seen != len(byHour) {
				t.Fatalf("%d of %d hours", seen, len(byHour))
			}
			oc, err = e.Crowd.Office(e.Ctx, tc.off.ID, r, visits.ByWeekday)
			if err != nil || len(oc.Groups) != len(byWeekday) {
				t.Fatalf("weekdays: %d groups, want %d; %v", len(oc.Groups), len(byWeekday), err)
			}
			total.Check(t, "total by weekday", oc.Total, target)
			for _, g := range oc.Groups {
				byWeekday[*g.Weekday].Check(t, fmt.Sprintf("weekday %d", *g.Weekday), g.Figures, target)
				if *g.Weekday == 6 {
					t.Fatal("a Friday with visits")
				}
			}
			oc, err = e.Crowd.Office(e.Ctx, tc.off.ID, r, visits.ByDay)
			if err != nil || len(oc.Groups) != len(byDay) {
				t.Fatalf("days: %d groups, want %d; %v", len(oc.Groups), len(byDay), err)
			}
			for _, g := range oc.Groups {
				byDay[*g.Day].Check(t, time.Unix(*g.Day, 0).String(), g.Figures, target)
			}
		}
		// Rebuilding from the raw visits gives the same rows, byte for byte.
		before := visits.RollupSnapshot(t, d)
		if _, err := e.Visits.RebuildRollups(e.Ctx, r.From-40*86400, visits.VNow.Unix()); err != nil {
			t.Fatal(err)
		}
		if after := visits.RollupSnapshot(t, d); !slices.Equal(before, after) {
			t.Fatalf("rebuild changed the rollups: %d rows before, %d after", len(before), len(after))
		}
	})
}

func TestRegionsOrderAndMerge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := visits.NewEnv(t, d)
		svc := []string{"criminal_record", "e_notification", "case_information"}
		busy := e.Office("THR-0301", "tehran", 35.70, 51.40, 2, svc, nil)
		busy2 := e.Office("THR-0302", "tehran", 35.75, 51.45, 2, svc, nil)
		calm := e.Office("FAR-0301", "shiraz", 29.61, 52.53, 4, svc, nil)
		mid := e.Office("ISF-0301", "isfahan", 32.65, 51.67, 3, svc, nil)
		for i, c := range []struct {
			off  offices.Office
			load float64
		}{{busy, 0.95}, {busy2, 0.9}, {calm, 0.1}, {mid, 0.5}} {
			vs := simulate(e, c.off, c.load, 20, uint64(i))
			if _, err := e.Visits.Import(e.Ctx, bytes.NewReader(visits.VisitsCSV(c.off.Code, vs)), visits.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := visits.NewCrowdingRange(visits.VNow.AddDate(0, 0, -30), visits.VNow, 0)
		cities, err := e.Crowd.Regions(e.Ctx, geo.LevelCity, r)
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
		for _, o := range []offices.Office{busy, busy2} {
			oc, _ := e.Crowd.Office(e.Ctx, o.ID, r, visits.ByDay)
			sum += oc.Total.Arrivals
		}
		if cities[0].Figures.Arrivals != sum || cities[0].Offices != 2 || cities[0].Level != geo.LevelCity {
			t.Fatalf("tehran %+v, offices' arrivals %d", cities[0], sum)
		}
		all, err := e.Crowd.Regions(e.Ctx, visits.LevelAll, r)
		if err != nil || len(all) != 6 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		provs, _ := e.Crowd.Regions(e.Ctx, geo.LevelProvince, r)
		if len(provs) != 3 || provs[0].Region.Code != "THR" || provs[0].Figures.Arrivals != sum {
			t.Fatalf("provinces %+v", provs)
		}
		if _, err := e.Crowd.Regions(e.Ctx, "district", r); !daftar.IsKind(err, daftar.KindInvalid) {
			t.Fatalf("bad level: %v", err)
		}
	})
}
