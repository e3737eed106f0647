package inspections_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

// openAction records a free-text finding under a fresh code and returns the
// action it opened.
func (e *env) openAction(office int64, code, severity, day string) int64 {
	e.t.Helper()
	in, err := e.svc.RecordInspection(e.inspector, office, inspections.NewInspection{InspectedOn: day,
		Violations: []inspections.Violation{{Code: code, Severity: severity, Description: "یافته"}}})
	if err != nil || len(in.Actions.Opened) != 1 {
		e.t.Fatalf("open %s: %+v %v", code, in, err)
	}
	return in.Actions.Opened[0]
}

// act runs a verb as the right role for it: the owner says done, an
// inspector confirms or reopens.
func (e *env) act(office, id int64, verb string) (inspections.CorrectiveAction, error) {
	ctx := e.inspector
	if verb == inspections.DoDone {
		ctx = e.owner(office)
	}
	return e.svc.Act(ctx, office, id, verb, "یادداشت")
}

func TestCorrectiveActionTransitions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 1)
		office := e.offices[0].ID
		// The path to each state from open.
		paths := map[string][]string{
			inspections.ActionOpen:      nil,
			inspections.ActionDone:      {inspections.DoDone},
			inspections.ActionConfirmed: {inspections.DoDone, inspections.DoConfirm},
			inspections.ActionReopened:  {inspections.DoDone, inspections.DoReopen},
		}
		allowed := map[string]map[string]string{ // state → verb → the state it leads to
			inspections.ActionOpen:      {inspections.DoDone: inspections.ActionDone},
			inspections.ActionDone:      {inspections.DoConfirm: inspections.ActionConfirmed, inspections.DoReopen: inspections.ActionReopened},
			inspections.ActionConfirmed: {},
			inspections.ActionReopened:  {inspections.DoDone: inspections.ActionDone},
		}
		n := 0
		for _, from := range []string{inspections.ActionOpen, inspections.ActionDone, inspections.ActionConfirmed, inspections.ActionReopened} {
			for _, verb := range inspections.Verbs {
				n++
				t.Run(from+"/"+verb, func(t *testing.T) {
					id := e.openAction(office, fmt.Sprintf("C-%02d", n), "major", "2026-11-20")
					for _, step := range paths[from] {
						if _, err := e.act(office, id, step); err != nil {
							t.Fatalf("to %s: %s: %v", from, step, err)
						}
					}
					before, _ := e.svc.CorrectiveAction(e.admin, office, id)
					got, err := e.act(office, id, verb)
					to, ok := allowed[from][verb]
					switch {
					case ok && (err != nil || got.State != to || got.Version != before.Version+1):
						t.Fatalf("%s from %s: %+v %v, want %s", verb, from, got, err, to)
					case !ok:
						de, _ := daftar.AsError(err)
						if !daftar.IsKind(err, daftar.KindConflict) || de.Code != "corrective_action_transition_forbidden" {
							t.Fatalf("%s from %s: %v, want a conflict", verb, from, err)
						}
						after, _ := e.svc.CorrectiveAction(e.admin, office, id)
						if after.State != from || after.Version != before.Version {
							t.Fatalf("a forbidden %s changed the action: %+v", verb, after)
						}
					}
				})
			}
		}
		if got := inspections.AllowedVerbs(inspections.ActionDone); !slices.Equal(got, []string{"confirm", "reopen"}) {
			t.Fatalf("allowed from done: %v", got)
		}
	})
}

func TestCorrectiveActionRolesAndInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 2)
		a, b := e.offices[0].ID, e.offices[1].ID
		id := e.openAction(a, "R-1", "critical", "2026-11-20")
		other := e.openAction(b, "R-2", "minor", "2026-11-20")
		for _, c := range []struct {
			name   string
			ctx    context.Context
			office int64
			id     int64
			verb   string
			note   string
			kind   daftar.Kind
			field  string
		}{
			{"an inspector says done", e.inspector, a, id, "done", "x", daftar.KindForbidden, ""},
			{"the ministry says done", e.ministry, a, id, "done", "x", daftar.KindForbidden, ""},
			{"the owner of another office", e.owner(b), a, id, "done", "x", daftar.KindNotFound, ""},
			{"an action of another office", e.owner(a), a, other, "done", "x", daftar.KindNotFound, ""},
			{"no such action", e.owner(a), a, 9999, "done", "x", daftar.KindNotFound, ""},
			{"no such verb", e.owner(a), a, id, "fix", "x", daftar.KindNotFound, ""},
			{"done without a note", e.owner(a), a, id, "done", "  ", daftar.KindUnprocessable, "note"},
			{"a note too long", e.owner(a), a, id, "done", string(make([]rune, 1001)), daftar.KindUnprocessable, "note"},
			{"the owner confirms", e.owner(a), a, id, "confirm", "", daftar.KindForbidden, ""},
			{"the owner reopens", e.owner(a), a, id, "reopen", "x", daftar.KindForbidden, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Act(c.ctx, c.office, c.id, c.verb, c.note)
				if !daftar.IsKind(err, c.kind) || fieldOf(err) != c.field {
					t.Fatalf("%v, want %s %s", err, c.kind, c.field)
				}
			})
		}
		// The whole cycle, each step in the history and the audit log: an
		// admin may say done for the owner; reopening needs a note,
		// confirming does not; the ministry is staff and may confirm.
		steps := []struct {
			ctx        context.Context
			verb, note string
			want       string
		}{
			{e.owner(a), "done", "تعرفه نصب شد", "done"},
			{e.inspector, "reopen", "", ""},
			{e.inspector, "reopen", "هنوز نصب نشده", "reopened"},
			{e.admin, "done", "نصب شد", "done"},
			{e.ministry, "confirm", "", "confirmed"},
		}
		for i, s := range steps {
			got, err := e.svc.Act(s.ctx, a, id, s.verb, s.note)
			if s.want == "" {
				if fieldOf(err) != "note" {
					t.Fatalf("step %d: %v, want a problem with note", i, err)
				}
				continue
			}
			if err != nil || got.State != s.want {
				t.Fatalf("step %d: %+v %v", i, got, err)
			}
		}
		got, err := e.svc.CorrectiveAction(e.owner(a), a, id)
		if err != nil || got.Reopened != 1 || got.ConfirmedAt == nil || *got.DoneNote != "نصب شد" || got.ReviewInspectionID != nil {
			t.Fatalf("action: %+v %v", got, err)
		}
		var events []string
		for _, h := range got.History {
			events = append(events, h.Event+":"+h.From+">"+h.To)
		}
		if want := []string{"open:>open", "done:open>done", "reopen:done>reopened", "done:reopened>done", "confirm:done>confirmed"}; !slices.Equal(events, want) {
			t.Fatalf("history %v, want %v", events, want)
		}
		for action, want := range map[string]int{"corrective_action.open": 2, "corrective_action.done": 2, "corrective_action.reopen": 1, "corrective_action.confirm": 1} {
			if n := e.auditCount(action); n != want {
				t.Errorf("%s audited %d times, want %d", action, n, want)
			}
		}
		// Listing: the office's own, the unconfirmed first; filters.
		list, total, err := e.svc.CorrectiveActions(e.admin, inspections.ActionFilter{OfficeID: a})
		if err != nil || total != 1 || list[0].ID != id {
			t.Fatalf("list: %d %+v %v", total, list, err)
		}
		if _, total, _ := e.svc.CorrectiveActions(e.admin, inspections.ActionFilter{State: "open"}); total != 1 {
			t.Fatalf("open everywhere: %d", total)
		}
	})
}

func TestFollowUpInspections(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 1)
		office := e.offices[0].ID
		fail := map[string]string{"fees_match": inspections.ResultFail}
		state := func(id int64) inspections.CorrectiveAction {
			t.Helper()
			a, err := e.svc.CorrectiveAction(e.admin, office, id)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		// A failure opens an action due a week (critical) after the day.
		first := e.record(office, "2026-11-01", fail)
		id := first.Actions.Opened[0]
		if a := state(id); a.State != "open" || a.DueOn != "2026-11-08" || a.Severity != "critical" || a.Item != "fees_match" || !a.Overdue {
			t.Fatalf("opened %+v", a)
		}
		// Failing again while it is open adds nothing.
		if again := e.record(office, "2026-11-05", fail); len(again.Actions.Opened)+len(again.Actions.Reopened) != 0 {
			t.Fatalf("second failure: %+v", again.Actions)
		}
		// The owner says done; the follow-up finds it again: reopened, the
		// due day unchanged.
		if _, err := e.svc.Act(e.owner(office), office, id, "done", "اصلاح شد"); err != nil {
			t.Fatal(err)
		}
		re := e.record(office, "2026-11-10", fail)
		if !slices.Equal(re.Actions.Reopened, []int64{id}) {
			t.Fatalf("follow-up: %+v", re.Actions)
		}
		if a := state(id); a.State != "reopened" || a.ReviewInspectionID == nil || *a.ReviewInspectionID != re.ID || a.DueOn != "2026-11-08" {
			t.Fatalf("reopened %+v", a)
		}
		// An older inspection recorded late does not confirm it.
		if late := e.record(office, "2026-10-30", nil); len(late.Actions.Confirmed) != 0 {
			t.Fatalf("a late record confirmed: %+v", late.Actions)
		}
		// A pass confirms it, done or not (the inspector saw it fixed).
		ok := e.record(office, "2026-11-20", nil)
		if !slices.Equal(ok.Actions.Confirmed, []int64{id}) || state(id).State != "confirmed" {
			t.Fatalf("confirm: %+v", ok.Actions)
		}
		// A confirmed action is final: a new failure opens another.
		next := e.record(office, "2026-11-24", fail)
		if len(next.Actions.Opened) != 1 || next.Actions.Opened[0] == id {
			t.Fatalf("after confirmation: %+v", next.Actions)
		}
	})
}

func TestOverdueByOffice(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 2)
		a, b := e.offices[0].ID, e.offices[1].ID
		tehran := func(y int, m time.Month, day, hour int) time.Time {
			return time.Date(y, m, day, hour, 0, 0, 0, daftar.Tehran())
		}
		// Raised on Wednesday 25 Nov (the clock's day): critical due in 5
		// working days, on 2 Dec (Thursday a half, Friday off), major in 10
		// on 8 Dec, minor in 20 on 21 Dec.
		e.openAction(a, "O-1", "minor", "2026-11-25")
		e.openAction(a, "O-2", "major", "2026-11-25")
		crit := e.openAction(b, "O-3", "critical", "2026-11-25")
		count := func(at time.Time) map[int64]int {
			m, err := e.svc.OverdueByOffice(e.admin, at)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		for _, c := range []struct {
			at   time.Time
			a, b int
		}{
			{tehran(2026, 11, 24, 12), 0, 0}, // before they were raised
			{tehran(2026, 12, 2, 23), 0, 0},  // on the critical one's due day: not yet late
			{tehran(2026, 12, 3, 0), 0, 1},
			{tehran(2026, 12, 10, 9), 1, 1},
			{tehran(2026, 12, 26, 9), 2, 1},
		} {
			got := count(c.at)
			if got[a] != c.a || got[b] != c.b {
				t.Errorf("at %s: %v, want a=%d b=%d", c.at, got, c.a, c.b)
			}
		}
		// Confirmed on 20 Dec: overdue at the 10th still (history holds),
		// not after. Done but unconfirmed still counts.
		e.clock.Set(tehran(2026, 12, 20, 10).UTC())
		if _, err := e.svc.Act(e.owner(b), b, crit, "done", "x"); err != nil {
			t.Fatal(err)
		}
		if got := count(tehran(2026, 12, 20, 11)); got[b] != 1 {
			t.Fatalf("done but unconfirmed: %v", got)
		}
		if _, err := e.svc.Act(e.inspector, b, crit, "confirm", ""); err != nil {
			t.Fatal(err)
		}
		if got := count(tehran(2026, 12, 10, 9)); got[b] != 1 {
			t.Fatalf("the past changed: %v", got)
		}
		if got := count(tehran(2026, 12, 26, 9)); got[b] != 0 || got[a] != 2 {
			t.Fatalf("after confirmation: %v", got)
		}
	})
}

// Two reviewers at once: one wins, the other is told of the change.
func TestConcurrentReviews(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 1)
		office := e.offices[0].ID
		for round := 0; round < 5; round++ {
			id := e.openAction(office, fmt.Sprintf("K-%d", round), "minor", "2026-11-20")
			if _, err := e.act(office, id, "done"); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			for _, verb := range []string{"confirm", "reopen"} {
				go func() {
					_, err := e.act(office, id, verb)
					errs <- err
				}()
			}
			won, lost := 0, 0
			for range 2 {
				switch err := <-errs; {
				case err == nil:
					won++
				case daftar.IsKind(err, daftar.KindConflict):
					lost++
				default:
					t.Fatal(err)
				}
			}
			if won != 1 || lost != 1 {
				t.Fatalf("round %d: %d won, %d lost", round, won, lost)
			}
		}
	})
}
