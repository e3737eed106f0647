package demo

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/surveys"
)

type noCrowding struct{}

func (noCrowding) RankingFigures(context.Context, time.Time, time.Time) (map[int64]ranking.CrowdingFigures, error) {
	return nil, nil
}

func (noCrowding) RankingArrivals(context.Context, time.Time, time.Time) (map[int64]int64, error) {
	return nil, nil
}

// Rankings: inspections for some active offices, every month of the
// history that has ended published, the running month left a draft; the
// same for the same seed.
func TestRankings(t *testing.T) {
	run := func(t *testing.T, d *db.DB) (RankingsReport, []ranking.Run) {
		e := newEnv(t, d)
		reg, err := offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 40; i++ {
			code, name, city, counters := fmt.Sprintf("YAZ-%04d", i+1), "دفتر یزد", "yazd", 2
			lat, lon := 31.89+float64(i)*0.001, 54.36
			if _, err := reg.Create(e.ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon,
				Counters: &counters}); err != nil {
				t.Fatal(err)
			}
		}
		sv, err := surveys.New(d, e.clock, e.audit, reg, nil, []byte("k"), surveys.Config{})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := ranking.New(d, e.clock, e.audit, reg, nil, ranking.Sources{DB: d, Offices: reg, Surveys: sv, Crowding: noCrowding{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.EnsureDefaultDirective(e.ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := Rankings(e.ctx, svc, reg, e.clock.Now(), 1405)
		if err != nil {
			t.Fatal(err)
		}
		runs, _, err := svc.Runs(e.ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		return rep, runs
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		rep, runs := run(t, d)
		now := testNow
		var want []string
		for p := daftar.MonthOf(now.AddDate(0, 0, -60)); p != daftar.MonthOf(now); p = p.Next() {
			want = append(want, p.String())
		}
		if rep.Inspections == 0 || !slices.Equal(rep.Published, want) || rep.Draft != daftar.MonthOf(now).String() {
			t.Fatalf("report %+v, want published %v", rep, want)
		}
		states := map[string]string{}
		for _, r := range runs {
			states[r.Period] = r.State
		}
		for _, p := range want {
			if states[p] != ranking.StatePublished {
				t.Errorf("run of %s is %q", p, states[p])
			}
		}
		if states[rep.Draft] != ranking.StateDraft {
			t.Errorf("run of %s is %q", rep.Draft, states[rep.Draft])
		}
		if again, _ := run(t, dbtest.Open(t, d.Dialect)); again.Inspections != rep.Inspections {
			t.Errorf("not deterministic: %d inspections, then %d", rep.Inspections, again.Inspections)
		}
	})
}
