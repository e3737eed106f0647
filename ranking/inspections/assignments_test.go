package inspections_test

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

func TestAssignments(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 2)
		a, b := e.offices[0].ID, e.offices[1].ID
		ok := inspections.NewAssignment{OfficeID: a, InspectorID: e.inspectorID, DueOn: "1405/09/10", Reason: "شکایات تأییدشده"}
		first, err := e.planner.Assign(e.admin, ok)
		if err != nil || first.State != "assigned" || first.DueOn != "2026-12-01" || first.Inspector != "insp" || first.RiskScore == nil ||
			*first.RiskScore != 10 || first.CreatedBy != "admin" {
			t.Fatalf("assign: %+v %v", first, err)
		}
		if _, err := e.planner.Assign(e.inspector, ok); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("a second open assignment: %v", err)
		}
		with := func(f func(*inspections.NewAssignment)) inspections.NewAssignment {
			in := ok
			in.OfficeID = b
			f(&in)
			return in
		}
		for _, c := range []struct {
			name  string
			ctx   context.Context
			in    inspections.NewAssignment
			kind  daftar.Kind
			field string
		}{
			{"the ministry assigns", e.ministry, with(func(*inspections.NewAssignment) {}), daftar.KindForbidden, ""},
			{"an owner assigns", e.owner(a), with(func(*inspections.NewAssignment) {}), daftar.KindForbidden, ""},
			{"due yesterday", e.admin, with(func(in *inspections.NewAssignment) { in.DueOn = "2026-11-24" }), daftar.KindUnprocessable, "due_on"},
			{"due in two years", e.admin, with(func(in *inspections.NewAssignment) { in.DueOn = "2028-11-24" }), daftar.KindUnprocessable, "due_on"},
			{"not a date", e.admin, with(func(in *inspections.NewAssignment) { in.DueOn = "soon" }), daftar.KindUnprocessable, "due_on"},
			{"no reason", e.admin, with(func(in *inspections.NewAssignment) { in.Reason = " " }), daftar.KindUnprocessable, "reason"},
			{"no inspector", e.admin, with(func(in *inspections.NewAssignment) { in.InspectorID = 0 }), daftar.KindUnprocessable, "inspector_id"},
			{"an unknown account", e.admin, with(func(in *inspections.NewAssignment) { in.InspectorID = 9999 }), daftar.KindUnprocessable, "inspector_id"},
			{"an owner's account", e.admin, with(func(in *inspections.NewAssignment) { in.InspectorID = e.ownerID }), daftar.KindUnprocessable, "inspector_id"},
			{"a disabled inspector", e.admin, with(func(in *inspections.NewAssignment) { in.InspectorID = e.disabledID }), daftar.KindUnprocessable, "inspector_id"},
			{"an unknown office", e.admin, with(func(in *inspections.NewAssignment) { in.OfficeID = 9999 }), daftar.KindUnprocessable, "office_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.planner.Assign(c.ctx, c.in)
				if !daftar.IsKind(err, c.kind) || fieldOf(err) != c.field {
					t.Fatalf("%v, want %s %s", err, c.kind, c.field)
				}
			})
		}

		// Cancel: staff who plan, with a note, only while assigned.
		for _, c := range []struct {
			name       string
			ctx        context.Context
			id         int64
			verb, note string
			kind       daftar.Kind
		}{
			{"the ministry cancels", e.ministry, first.ID, "cancel", "x", daftar.KindForbidden},
			{"without a note", e.admin, first.ID, "cancel", "", daftar.KindUnprocessable},
			{"an unknown verb", e.admin, first.ID, "finish", "x", daftar.KindNotFound},
			{"an unknown assignment", e.admin, 9999, "cancel", "x", daftar.KindNotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				if _, err := e.planner.ActOnAssignment(c.ctx, c.id, c.verb, c.note); !daftar.IsKind(err, c.kind) {
					t.Fatalf("%v, want %s", err, c.kind)
				}
			})
		}
		got, err := e.planner.ActOnAssignment(e.inspector, first.ID, "cancel", "بازرس دیگری می‌رود")
		if err != nil || got.State != "cancelled" || got.Version != 2 {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		if _, err := e.planner.ActOnAssignment(e.inspector, first.ID, "cancel", "again"); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("cancel twice: %v", err)
		}
		// A new one; recording an inspection of the office does it.
		second, err := e.planner.Assign(e.admin, ok)
		if err != nil {
			t.Fatal(err)
		}
		insp := e.record(a, "2026-11-25", nil)
		if insp.AssignmentID == nil || *insp.AssignmentID != second.ID {
			t.Fatalf("inspection's assignment: %+v", insp.AssignmentID)
		}
		done, _ := e.planner.Assignment(e.admin, second.ID)
		if done.State != "done" || done.InspectionID == nil || *done.InspectionID != insp.ID {
			t.Fatalf("done: %+v", done)
		}
		if _, err := e.planner.ActOnAssignment(e.admin, second.ID, "cancel", "x"); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("cancel a done assignment: %v", err)
		}
		// Listing and overdue.
		late, err := e.planner.Assign(e.admin, inspections.NewAssignment{OfficeID: b, InspectorID: e.inspectorID, DueOn: "2026-11-26", Reason: "دوره‌ای"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * 24 * time.Hour)
		list, total, err := e.planner.Assignments(e.admin, inspections.AssignmentFilter{Overdue: true})
		if err != nil || total != 1 || list[0].ID != late.ID || !list[0].Overdue {
			t.Fatalf("overdue: %d %+v %v", total, list, err)
		}
		if _, total, _ := e.planner.Assignments(e.admin, inspections.AssignmentFilter{InspectorID: e.inspectorID}); total != 3 {
			t.Fatalf("the inspector's: %d", total)
		}
		if _, total, _ := e.planner.Assignments(e.admin, inspections.AssignmentFilter{OfficeID: a, State: "done"}); total != 1 {
			t.Fatalf("done at A: %d", total)
		}
		for action, want := range map[string]int{"inspection_assignment.create": 3, "inspection_assignment.cancel": 1, "inspection_assignment.done": 1} {
			if n := e.auditCount(action); n != want {
				t.Errorf("%s audited %d times, want %d", action, n, want)
			}
		}
	})
}
