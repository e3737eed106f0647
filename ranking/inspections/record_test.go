package inspections_test

import (
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

func TestRecordAgainstChecklist(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 2)
		a := e.offices[0].ID
		// Answers in any order come back in the checklist's order, with the
		// item's severity; notes are normalised as all text (digits to ASCII).
		res := answers(map[string]string{"fees_match": inspections.ResultFail, "staff_identified": inspections.ResultFail, "queue_order": inspections.ResultNotApplicable})
		res[0], res[5] = res[5], res[0]
		res[1].Note = "  ۲۰۰٬۰۰۰ ریال بیش از تعرفه  "
		in, err := e.svc.RecordInspection(e.inspector, a, inspections.NewInspection{InspectedOn: "1405/08/20", Results: res, Notes: "بازرسی"})
		if err != nil {
			t.Fatal(err)
		}
		if in.InspectedOn != "2026-11-11" || in.ChecklistVersion == nil || *in.ChecklistVersion != 1 || len(in.Results) != 6 ||
			in.Results[0].Item != "tariff_posted" || in.Results[1].Severity != "critical" || in.Results[1].Note != "200000 ریال بیش از تعرفه" {
			t.Fatalf("recorded %+v", in)
		}
		if in.Minor != 1 || in.Major != 0 || in.Critical != 1 || in.Inspector != "insp" || in.InspectorID == nil || *in.InspectorID != e.inspectorID {
			t.Fatalf("counts or inspector: %+v", in)
		}
		if len(in.Actions.Opened) != 2 || len(in.Actions.Confirmed) != 0 {
			t.Fatalf("actions: %+v", in.Actions)
		}
		// Free-text findings, the shape from before checklists, still work
		// and open actions too.
		legacy, err := e.svc.RecordInspection(e.inspector, a, inspections.NewInspection{InspectedOn: "2026-11-20",
			Violations: []inspections.Violation{{Code: "SIGN-02", Severity: "major", Description: "تابلو ندارد"}}})
		if err != nil || legacy.ChecklistVersion != nil || legacy.Major != 1 || len(legacy.Actions.Opened) != 1 {
			t.Fatalf("legacy: %+v %v", legacy, err)
		}
		list, total, err := e.svc.Inspections(e.admin, a, 10, 0)
		if err != nil || total != 2 || list[0].ID != legacy.ID || len(list[1].Results) != 6 || list[1].Results[1].Item != "fees_match" || list[1].Minor != 1 {
			t.Fatalf("list: %d %+v %v", total, list, err)
		}
		// What the ranking reads: the failed items and free-text findings by
		// severity, over Tehran days [from, to).
		f, err := e.svc.FindingsBetween(e.admin, time.Date(2026, 11, 11, 0, 0, 0, 0, daftar.Tehran()), time.Date(2026, 11, 20, 0, 0, 0, 0, daftar.Tehran()))
		if err != nil || f[a] != (inspections.Findings{Minor: 1, Critical: 1}) {
			t.Fatalf("findings: %+v %v", f, err)
		}
		if n := e.auditCount("inspection.record"); n != 2 {
			t.Fatalf("audited %d inspections", n)
		}

		missing := answers(nil)[:5]
		dup := append(answers(nil), inspections.ResultInput{Item: "fees_match", Result: "pass"})
		unknown := append(answers(nil), inspections.ResultInput{Item: "nope", Result: "pass"})
		bad := answers(map[string]string{"queue_order": "maybe"})
		for _, c := range []struct {
			name  string
			in    inspections.NewInspection
			field string
		}{
			{"no date", inspections.NewInspection{Results: answers(nil)}, "inspected_on"},
			{"future", inspections.NewInspection{InspectedOn: "2026-11-26", Results: answers(nil)}, "inspected_on"},
			{"an item missing", inspections.NewInspection{InspectedOn: "2026-11-20", Results: missing}, "results"},
			{"an item twice", inspections.NewInspection{InspectedOn: "2026-11-20", Results: dup}, "results[6].item"},
			{"an unknown item", inspections.NewInspection{InspectedOn: "2026-11-20", Results: unknown}, "results[6].item"},
			{"a bad result", inspections.NewInspection{InspectedOn: "2026-11-20", Results: bad}, "results[2].result"},
			{"an unknown version", inspections.NewInspection{InspectedOn: "2026-11-20", ChecklistVersion: 7, Results: answers(nil)}, "checklist_version"},
			{"a version without answers", inspections.NewInspection{InspectedOn: "2026-11-20", ChecklistVersion: 1}, "results"},
			{"a finding under an item's code", inspections.NewInspection{InspectedOn: "2026-11-20", Results: answers(nil),
				Violations: []inspections.Violation{{Code: "fees_match", Severity: "major"}}}, "violations[0].code"},
			{"a bad severity", inspections.NewInspection{InspectedOn: "2026-11-20", Violations: []inspections.Violation{{Code: "X", Severity: "awful"}}}, "violations[0].severity"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.RecordInspection(e.inspector, a, c.in)
				if !daftar.IsKind(err, daftar.KindUnprocessable) || fieldOf(err) != c.field {
					t.Fatalf("%v, want a problem with %s", err, c.field)
				}
			})
		}
		if _, total, _ := e.svc.Inspections(e.admin, a, 10, 0); total != 2 {
			t.Fatalf("refused inspections stored: %d", total)
		}
	})
}
