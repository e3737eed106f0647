package inspections_test

import (
	"maps"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

// The demo leaves corrective actions and assignments in every state, and
// the same ones for the same seed and day.
func TestSeedDemo(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		var reports []inspections.DemoReport
		for run := 0; run < 2; run++ {
			dd := d
			if run == 1 {
				dd = dbtest.Open(t, d.Dialect)
			}
			e := setup(t, dd, 40)
			for i, o := range e.offices {
				if i%3 == 0 {
					e.survey[o.ID] = inspections.SurveyFigures{Responses: 50, ExtraFeeRate: 0.2, ExtraFeeLow: 0.11, ExtraFeeHigh: 0.33, Adjusted: 3.4}
				}
			}
			src := inspections.Sources{Offices: fakeOffices{e}, Surveys: e.survey, Complaints: e.compl, Accounts: e.accounts}
			me, _ := daftar.ActorFrom(e.inspector)
			rep, err := inspections.SeedDemo(e.admin, dd, audit.New(dd, e.clock), src, me, testNow, 1405)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []string{"open", "done", "confirmed", "reopened"} {
				if rep.Actions[st] == 0 {
					t.Errorf("no %s corrective action: %v", st, rep.Actions)
				}
			}
			for _, st := range []string{"assigned", "done", "cancelled"} {
				if rep.Assignments[st] == 0 {
					t.Errorf("no %s assignment: %v", st, rep.Assignments)
				}
			}
			if list, _ := e.svc.Checklists(e.admin); len(list) != 2 {
				t.Errorf("%d checklist versions", len(list))
			}
			reports = append(reports, rep)
		}
		if reports[0].Inspections != reports[1].Inspections || !maps.Equal(reports[0].Actions, reports[1].Actions) ||
			!maps.Equal(reports[0].Assignments, reports[1].Assignments) {
			t.Fatalf("not deterministic: %+v and %+v", reports[0], reports[1])
		}
		t.Logf("%+v", reports[0])
	})
}
