package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/ranking/inspections/adapters"
	"github.com/daftar-ir/daftar/surveys"
)

type noCrowding struct{}

func (noCrowding) RankingFigures(context.Context, time.Time, time.Time) (map[int64]ranking.CrowdingFigures, error) {
	return nil, nil
}

func (noCrowding) RankingArrivals(context.Context, time.Time, time.Time) (map[int64]int64, error) {
	return nil, nil
}

// Inspections, then Rankings: corrective actions and assignments in every
// state; every month of the history that has ended published, the running
// month left a draft; the same for the same seed.
func TestInspectionsAndRankings(t *testing.T) {
	run := func(t *testing.T, d *db.DB) (InspectionsReport, RankingsReport, []ranking.Run) {
		e := newEnv(t, d)
		reg, err := offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices share a point: no distance rule
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
		acc, err := accounts.New(d, e.clock, e.audit, reg, nil, accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := acc.Create(e.ctx, accounts.NewUser{Username: "inspector", Password: "test-password-1", Role: daftar.RoleInspector})
		if err != nil {
			t.Fatal(err)
		}
		insp, err := inspections.New(d, e.clock, e.audit, daftar.OfficialWorkCalendar(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := insp.EnsureDefaultChecklist(e.ctx); err != nil {
			t.Fatal(err)
		}
		irep, err := Inspections(e.ctx, d, e.audit, inspections.Sources{Offices: adapters.Offices{Register: reg}, Surveys: adapters.Surveys{Service: sv},
			Complaints: adapters.NoComplaints{}, Accounts: acc}, u.Actor(), e.clock.Now(), 1405)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := ranking.New(d, e.clock, e.audit, reg, nil, ranking.Sources{DB: d, Offices: reg, Surveys: sv, Crowding: noCrowding{}, Inspections: insp})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.EnsureDefaultDirective(e.ctx); err != nil {
			t.Fatal(err)
		}
		rep, err := Rankings(e.ctx, svc, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		runs, _, err := svc.Runs(e.ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		return irep, rep, runs
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		irep, rep, runs := run(t, d)
		for _, st := range []string{"open", "done", "confirmed", "reopened"} {
			if irep.Actions[st] == 0 {
				t.Errorf("no %s corrective action: %+v", st, irep)
			}
		}
		for _, st := range []string{"assigned", "done", "cancelled"} {
			if irep.Assignments[st] == 0 {
				t.Errorf("no %s assignment: %+v", st, irep)
			}
		}
		now := testNow
		var want []string
		for p := daftar.MonthOf(now.AddDate(0, 0, -60)); p != daftar.MonthOf(now); p = p.Next() {
			want = append(want, p.String())
		}
		if irep.Inspections == 0 || !slices.Equal(rep.Published, want) || rep.Draft != daftar.MonthOf(now).String() {
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
		if again, _, _ := run(t, dbtest.Open(t, d.Dialect)); again.Inspections != irep.Inspections || !maps.Equal(again.Actions, irep.Actions) ||
			!maps.Equal(again.Assignments, irep.Assignments) {
			t.Errorf("not deterministic: %+v, then %+v", irep, again)
		}
	})
}
