package complaints_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// step is one action taken by someone.
type step struct {
	ctx func(f *fixture) context.Context
	in  complaints.ActionInput
}

func by(ctx context.Context) func(*fixture) context.Context {
	return func(*fixture) context.Context { return ctx }
}

func asInspector1(f *fixture) context.Context { return inspector(f.insp1) }

func act(a complaints.Action) complaints.ActionInput {
	return complaints.ActionInput{Action: a, Note: "یادداشت کارشناس"}
}

func (f *fixture) assignTo(id int64) step {
	in := act(complaints.Assign)
	in.InspectorID = id
	return step{by(admin()), in}
}

func resolveAs(o complaints.Outcome) complaints.ActionInput {
	in := act(complaints.Resolve)
	in.Outcome = o
	return in
}

// pathTo is the steps that bring a new case to each state.
func (f *fixture) pathTo(s complaints.State) []step {
	triage := step{by(admin()), act(complaints.Triage)}
	assign := f.assignTo(f.insp1)
	investigate := step{asInspector1, act(complaints.Investigate)}
	resolve := step{asInspector1, resolveAs(complaints.Upheld)}
	switch s {
	case complaints.StateNew:
		return nil
	case complaints.StateTriaged:
		return []step{triage}
	case complaints.StateAssigned:
		return []step{triage, assign}
	case complaints.StateInvestigating:
		return []step{triage, assign, investigate}
	case complaints.StateResolved:
		return []step{triage, assign, investigate, resolve}
	case complaints.StateClosed:
		return []step{triage, assign, resolve, {by(admin()), act(complaints.Close)}}
	case complaints.StateReopened:
		return []step{triage, assign, resolve, {by(admin()), act(complaints.Reopen)}}
	}
	panic("no path to " + s)
}

func (f *fixture) drive(t *testing.T, id int64, steps []step) complaints.Complaint {
	t.Helper()
	var c complaints.Complaint
	var err error
	for _, s := range steps {
		if c, err = f.s.Act(s.ctx(f), id, s.in); err != nil {
			t.Fatalf("%s: %v", s.in.Action, err)
		}
	}
	return c
}

func auditCount(t *testing.T, d *db.DB, id int64) int64 {
	t.Helper()
	_, n, err := audit.List(context.Background(), d, audit.Query{Entity: "complaint", EntityID: itoa(id), Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestTransitions takes every action in every state: the allowed ones move
// the case where the table below says, the others answer Conflict and
// change nothing. The table is written out here, apart from the package's
// own, so that a change to either shows.
func TestTransitions(t *testing.T) {
	allowed := map[complaints.Action]string{
		complaints.Triage:      "new reopened",
		complaints.Assign:      "triaged assigned investigating reopened",
		complaints.Reply:       "new triaged assigned investigating reopened",
		complaints.Investigate: "assigned",
		complaints.Resolve:     "assigned investigating",
		complaints.Close:       "new triaged resolved",
		complaints.Reopen:      "resolved closed",
	}
	leadsTo := map[complaints.Action]complaints.State{
		complaints.Triage: complaints.StateTriaged, complaints.Assign: complaints.StateAssigned,
		complaints.Investigate: complaints.StateInvestigating, complaints.Resolve: complaints.StateResolved,
		complaints.Close: complaints.StateClosed, complaints.Reopen: complaints.StateReopened,
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, a := range complaints.Actions {
			for _, s := range complaints.States {
				t.Run(string(a)+"_from_"+string(s), func(t *testing.T) {
					r := f.file(t, f.yazdA.ID, complaints.Misconduct)
					f.drive(t, r.ID, f.pathTo(s))
					before, err := f.s.Get(admin(), r.ID)
					if err != nil || before.State != s {
						t.Fatalf("path led to %s", before.State)
					}
					audits := auditCount(t, d, r.ID)
					in := act(a)
					ctx := admin()
					switch a {
					case complaints.Reply:
						ctx = owner(f.yazdA.ID)
					case complaints.Assign:
						in.InspectorID = f.insp2
					case complaints.Resolve:
						in.Outcome = complaints.NotUpheld
					}
					got, err := f.s.Act(ctx, r.ID, in)
					ok := strings.Contains(" "+allowed[a]+" ", " "+string(s)+" ")
					if ok != complaints.Allowed(a, s) {
						t.Fatalf("the package's table says %v, this test's %v", complaints.Allowed(a, s), ok)
					}
					if !ok {
						if !daftar.IsKind(err, daftar.KindConflict) {
							t.Fatalf("want Conflict, got %v", err)
						}
						if de, _ := daftar.AsError(err); de.Code != "complaint_state" {
							t.Fatalf("code %s", de.Code)
						}
						after, _ := f.s.Get(admin(), r.ID)
						if after.State != s || after.Version != before.Version {
							t.Fatalf("a refused step changed the case: %s v%d", after.State, after.Version)
						}
						if auditCount(t, d, r.ID) != audits {
							t.Fatal("a refused step was audited")
						}
						return
					}
					if err != nil {
						t.Fatalf("want success, got %v", err)
					}
					want := leadsTo[a]
					if a == complaints.Reply {
						want = s
					}
					if got.State != want {
						t.Fatalf("state %s, want %s", got.State, want)
					}
					if auditCount(t, d, r.ID) != audits+1 {
						t.Fatal("the step was not audited once")
					}
					evs, err := f.s.Events(admin(), r.ID)
					if err != nil {
						t.Fatal(err)
					}
					last := evs[len(evs)-1]
					if last.Action != a || last.From != s || last.To != want || last.Note != "یادداشت کارشناس" {
						t.Fatalf("last event %+v", last)
					}
				})
			}
		}
	})
}

func TestWhoMayAct(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		r := f.file(t, f.yazdA.ID, complaints.ExtraFee)
		cases := []struct {
			name string
			ctx  context.Context
			in   complaints.ActionInput
			kind daftar.Kind
			code string
		}{
			{"nobody signed in", context.Background(), act(complaints.Triage), daftar.KindUnauthenticated, "sign_in"},
			{"unknown action", admin(), act("approve"), daftar.KindNotFound, "unknown_action"},
			{"owner of another office replies", owner(f.yazdB.ID), act(complaints.Reply), daftar.KindNotFound, "complaint_not_found"},
			{"owner triages", owner(f.yazdA.ID), act(complaints.Triage), daftar.KindForbidden, "complaint_action_forbidden"},
			{"owner resolves", owner(f.yazdA.ID), resolveAs(complaints.NotUpheld), daftar.KindForbidden, "complaint_action_forbidden"},
			{"admin replies", admin(), act(complaints.Reply), daftar.KindForbidden, "complaint_action_forbidden"},
			{"inspector replies", inspector(f.insp1), act(complaints.Reply), daftar.KindForbidden, "complaint_action_forbidden"},
			{"reply without a note", owner(f.yazdA.ID), complaints.ActionInput{Action: complaints.Reply, Note: " \n"}, daftar.KindUnprocessable, "invalid_complaint_action"},
			{"note too long", admin(), complaints.ActionInput{Action: complaints.Triage, Note: strings.Repeat("ن", 2001)}, daftar.KindUnprocessable, "invalid_complaint_action"},
			{"assign without inspector", admin(), act(complaints.Assign), daftar.KindUnprocessable, "invalid_complaint_action"},
			{"assign to a non-inspector", admin(), complaints.ActionInput{Action: complaints.Assign, InspectorID: 424242}, daftar.KindUnprocessable, "invalid_complaint_action"},
			{"resolve without outcome", admin(), act(complaints.Resolve), daftar.KindUnprocessable, "invalid_complaint_action"},
			{"resolve with a made-up outcome", admin(), complaints.ActionInput{Action: complaints.Resolve, Note: "x", Outcome: "maybe"}, daftar.KindUnprocessable, "invalid_complaint_action"},
			{"triage with an outcome", admin(), complaints.ActionInput{Action: complaints.Triage, Outcome: complaints.Upheld}, daftar.KindUnprocessable, "invalid_complaint_action"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.s.Act(c.ctx, r.ID, c.in)
				de, ok := daftar.AsError(err)
				if !ok || de.Kind != c.kind || de.Code != c.code {
					t.Fatalf("want %s %s, got %v", c.kind, c.code, err)
				}
			})
		}
		if _, err := f.s.Act(admin(), 987654, act(complaints.Triage)); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown case: %v", err)
		}
		if _, err := f.s.Act(admin(), r.ID, complaints.ActionInput{Action: complaints.Assign, InspectorID: 424242}); fieldsOf(err)["inspector_id"] != "unknown_inspector" {
			t.Fatalf("unknown inspector not named: %v", err)
		}

		// The owner answers; the answer is on the case.
		c, err := f.s.Act(owner(f.yazdA.ID), r.ID, complaints.ActionInput{Action: complaints.Reply,
			Note: "مبلغ اضافه بابت پست بوده است؛ کد ملی 0012345679 را اشتباه نوشته‌اید"})
		if err != nil {
			t.Fatal(err)
		}
		if c.OwnerReply != "مبلغ اضافه بابت پست بوده است؛ کد ملی ******5679 را اشتباه نوشته‌اید" || c.RepliedAt == nil || c.State != complaints.StateNew {
			t.Fatalf("reply %q %v %s", c.OwnerReply, c.RepliedAt, c.State)
		}

		// Only the assigned inspector investigates and resolves.
		f.drive(t, r.ID, []step{{by(ministry()), act(complaints.Triage)}, f.assignTo(f.insp1)})
		if _, err := f.s.Act(inspector(f.insp2), r.ID, act(complaints.Investigate)); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("other inspector investigates: %v", err)
		}
		if _, err := f.s.Act(inspector(f.insp2), r.ID, resolveAs(complaints.Upheld)); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("other inspector resolves: %v", err)
		}
		c, err = f.s.Act(inspector(f.insp1), r.ID, resolveAs(complaints.Upheld))
		if err != nil {
			t.Fatal(err)
		}
		if c.Outcome != complaints.Upheld || c.PublicNote != "یادداشت کارشناس" || c.ResolvedAt == nil {
			t.Fatalf("resolved %+v", c)
		}
		if _, err := f.s.Act(inspector(f.insp1), r.ID, resolveAs(complaints.NotUpheld)); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("second resolve: %v", err)
		}
		// Admins and the ministry resolve any assigned case.
		r2 := f.file(t, f.yazdA.ID, complaints.Delay)
		f.drive(t, r2.ID, []step{{by(admin()), act(complaints.Triage)}, f.assignTo(f.insp2), {by(ministry()), resolveAs(complaints.NotUpheld)}})
	})
}

// An inspector's two resolves of one case at the same time: one wins, the
// other is a Conflict (it read the case before the first committed, or
// after and found it resolved).
func TestConcurrentResolve(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		r := f.file(t, f.tehran.ID, complaints.Privacy)
		f.drive(t, r.ID, f.pathTo(complaints.StateAssigned))
		errs := make(chan error, 6)
		for i := 0; i < 6; i++ {
			go func() {
				_, err := f.s.Act(inspector(f.insp1), r.ID, resolveAs(complaints.Upheld))
				errs <- err
			}()
		}
		won := 0
		for i := 0; i < 6; i++ {
			switch err := <-errs; {
			case err == nil:
				won++
			case !daftar.IsKind(err, daftar.KindConflict):
				t.Fatalf("want Conflict, got %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d resolves won", won)
		}
	})
}

func TestResolveNotifiesAndCloseForgets(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		r, err := f.s.File(context.Background(), complaints.Filing{OfficeID: f.yazdB.ID, Category: "refused_service",
			Description: "گواهی عدم سوءپیشینه را ثبت نکردند", Mobile: "09350001122"})
		if err != nil {
			t.Fatal(err)
		}
		f.drive(t, r.ID, f.pathTo(complaints.StateResolved))
		msgs := f.outbox.sent()
		last := msgs[len(msgs)-1]
		if last.mobile != "09350001122" || !strings.Contains(last.body, complaints.FormatTrackingCode(r.TrackingCode)) ||
			!strings.Contains(last.body, "وارد است") {
			t.Fatalf("citizen notice %+v", last)
		}
		c := f.drive(t, r.ID, []step{{by(admin()), act(complaints.Close)}})
		if c.HasMobile || c.ClosedAt == nil || c.Outcome != complaints.Upheld {
			t.Fatalf("closed %+v", c)
		}
	})
}

func TestReopenStartsAgain(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		r := f.file(t, f.yazdA.ID, complaints.RefusedService)
		f.drive(t, r.ID, f.pathTo(complaints.StateResolved))
		period := func() map[int64]int {
			m, err := f.s.UpheldByOffice(context.Background(), start.Add(-time.Hour), start.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		if got := period(); got[f.yazdA.ID] != 1 {
			t.Fatalf("upheld %v", got)
		}
		f.clock.Advance(30 * 24 * time.Hour)
		if n, err := f.s.Escalate(context.Background()); err != nil || n != 0 {
			t.Fatalf("a resolved case escalated: %d %v", n, err)
		}
		c := f.drive(t, r.ID, []step{{by(admin()), act(complaints.Reopen)}})
		if c.Outcome != "" || c.PublicNote != "" || c.ResolvedAt != nil || !c.DueAt.After(f.clock.Now()) || c.Overdue {
			t.Fatalf("reopened %+v", c)
		}
		if got := period(); len(got) != 0 {
			t.Fatalf("a reopened case still counts as upheld: %v", got)
		}
		// It runs late again and is flagged again, once.
		f.clock.Advance(30 * 24 * time.Hour)
		if n, err := f.s.Escalate(context.Background()); err != nil || n != 1 {
			t.Fatalf("escalated %d %v", n, err)
		}
	})
}

func TestTrack(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		r, err := f.s.File(context.Background(), complaints.Filing{OfficeID: f.tehran.ID, Category: "extra_fee",
			AmountPaid: "500000", Description: "کد ملی 0012345679 و پول اضافه", Mobile: "09350001122"})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := f.s.Track(context.Background(), strings.ToLower(complaints.FormatTrackingCode(r.TrackingCode)))
		if err != nil {
			t.Fatal(err)
		}
		if tr.State != complaints.StateNew || tr.OfficeName != f.tehran.Name || len(tr.Steps) != 1 || !tr.DueAt.Equal(r.DueAt) {
			t.Fatalf("track %+v", tr)
		}
		f.clock.Advance(time.Hour)
		f.drive(t, r.ID, f.pathTo(complaints.StateResolved))
		tr, err = f.s.Track(context.Background(), r.TrackingCode)
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, s := range tr.Steps {
			states = append(states, string(s.State))
		}
		if strings.Join(states, " ") != "new triaged assigned investigating resolved" || tr.Outcome != complaints.Upheld ||
			tr.PublicNote != "یادداشت کارشناس" || tr.ResolvedAt == nil {
			t.Fatalf("track %+v", tr)
		}
		wrongCheck := r.TrackingCode[:9] + "0"
		if r.TrackingCode[9] == '0' {
			wrongCheck = r.TrackingCode[:9] + "1"
		}
		for _, bad := range []string{"", "0000000001", wrongCheck, r.TrackingCode + "X", "'; DROP TABLE complaints; --"} {
			if _, err := f.s.Track(context.Background(), bad); !daftar.IsKind(err, daftar.KindNotFound) {
				t.Errorf("Track(%q): %v", bad, err)
			}
		}
		// A well-formed code never issued: "777777777" and the one check
		// symbol that makes it valid.
		code := ""
		for _, c := range "0123456789ABCDEFGHJKMNPQRSTVWXYZ" {
			if _, err := complaints.ParseTrackingCode("777777777" + string(c)); err == nil {
				code = "777777777" + string(c)
			}
		}
		if code == "" {
			t.Fatal("no check symbol fits")
		}
		if _, err := f.s.Track(context.Background(), code); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unissued code: %v", err)
		}
	})
}

// What the public and the owner are given has no field that could carry
// the citizen's contact or tie the case to one visit; a field added to
// either type must be looked at here.
func TestViewsCarryNothingPersonal(t *testing.T) {
	forbidden := []string{"Mobile", "HasMobile", "MobileMasked", "TrackingCode", "VisitDay", "FromSurvey", "InspectorID",
		"FiledAt", "Description", "OwnerReply"}
	for _, v := range []struct {
		typ     reflect.Type
		allowed []string // of the forbidden names, what this view may have
	}{
		{reflect.TypeOf(complaints.OwnerView{}), []string{"Description", "OwnerReply"}},
		{reflect.TypeOf(complaints.Tracking{}), []string{"TrackingCode", "FiledAt"}},
	} {
		for i := 0; i < v.typ.NumField(); i++ {
			name := v.typ.Field(i).Name
			for _, bad := range forbidden {
				if name == bad && !contains(v.allowed, name) {
					t.Errorf("%s has field %s", v.typ.Name(), name)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
