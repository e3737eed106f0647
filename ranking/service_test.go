package ranking_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
)

// fakeCrowding serves fixed crowding figures.
type fakeCrowding map[int64]ranking.CrowdingFigures

func (f fakeCrowding) RankingFigures(ctx context.Context, from, to time.Time) (map[int64]ranking.CrowdingFigures, error) {
	return f, nil
}

func (f fakeCrowding) RankingArrivals(ctx context.Context, from, to time.Time) (map[int64]int64, error) {
	out := map[int64]int64{}
	for id, c := range f {
		out[id] = c.Arrivals
	}
	return out, nil
}

type env struct {
	d       *db.DB
	clock   *daftar.ManualClock
	svc     *ranking.Service
	insp    *inspections.Service
	offices []int64
	ctx     context.Context
}

func fp(v float64) *float64 { return &v }

// setup makes n offices in two provinces and, for each, responses in the
// Jalali month 1405-07 (Mehr): office i gets 10+i responses of overall
// 1+(i%5).
func setup(t *testing.T, d *db.DB, n int) *env {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) // 1405/09/04
	gaz, _ := geo.LoadGazetteer(ctx, d)
	cat, _ := geo.LoadCatalogue(ctx, d)
	al := audit.New(d, clock)
	reg, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices share a point: no distance rule
	if err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, clock: clock, ctx: ctx}
	crowd := fakeCrowding{}
	for i := 0; i < n; i++ {
		city, lat, lon := "yazd", 31.89, 54.36
		if i%2 == 1 {
			city, lat, lon = "kerman", 30.28, 57.08
		}
		code := fmt.Sprintf("T-%03d", i)
		o, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر"), City: &city, Latitude: &lat, Longitude: &lon, Counters: ptr(3)})
		if err != nil {
			t.Fatal(err)
		}
		e.offices = append(e.offices, o.ID)
		crowd[o.ID] = ranking.CrowdingFigures{WaitP90Min: fp(20 + float64(i)), OverTargetShare: fp(0.05 * float64(i%4)), Served: int64(500 + 10*i), CounterHours: 300}
	}
	d.Gorm.Exec("INSERT INTO survey_templates (version, body, published_at, published_by) VALUES (1, '{}', ?, 't')", clock.Now())
	for i, id := range e.offices {
		for k := 0; k < 10+i; k++ {
			o := 1 + i%5
			d.Gorm.Exec(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting, fees_clear,
				extra_fee, recommend, answers, pattern, received_hour) VALUES (?, 'criminal_record', '2026-10-01', 1, ?, ?, 3, 3, ?, 8, '{}', 'p', 0)`,
				id, o, o, k == 0)
		}
	}
	sv, err := surveys.New(d, clock, al, reg, nil, []byte("k"), surveys.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.insp, err = inspections.New(d, clock, al, daftar.OfficialWorkCalendar(), nil); err != nil {
		t.Fatal(err)
	}
	if e.svc, err = ranking.New(d, clock, al, reg, nil, ranking.Sources{DB: d, Offices: reg, Surveys: sv, Crowding: crowd, Inspections: e.insp}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EnsureDefaultDirective(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestRunLifecycle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 6)
		// The day after Mehr ends, as the scheduled draft would.
		e.clock.Set(time.Date(2026, 10, 23, 10, 0, 0, 0, daftar.Tehran()))
		run, err := e.svc.Compute(e.ctx, "1405-07")
		if err != nil {
			t.Fatal(err)
		}
		if run.State != ranking.StateDraft || run.Offices != 6 || run.Ranked != 6 || run.DirectiveVersion != 1 || len(run.InputsChecksum) != 64 {
			t.Fatalf("run %+v", run)
		}
		results, total, err := e.svc.Results(e.ctx, run.ID, ranking.ResultFilter{Limit: 100})
		if err != nil || total != 6 || *results[0].RankNational != 1 || len(results[0].Components) != 6 {
			t.Fatalf("results %d %v %+v", total, err, results)
		}
		// Computing the draft again from the same inputs gives the same
		// numbers.
		again, err := e.svc.Compute(e.ctx, "1405-07")
		if err != nil || again.ID != run.ID || again.InputsChecksum != run.InputsChecksum || again.ResultsChecksum != run.ResultsChecksum || again.Version != run.Version+1 {
			t.Fatalf("recompute: %+v %v", again, err)
		}
		if _, err := e.svc.Publish(e.ctx, run.ID, run.Version); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("publishing a stale version: %v", err)
		}
		pub, err := e.svc.Publish(e.ctx, run.ID, again.Version)
		if err != nil || pub.State != ranking.StatePublished || pub.PublishedBy == nil {
			t.Fatalf("publish: %+v %v", pub, err)
		}
		// A published run never changes.
		if _, err := e.svc.Publish(e.ctx, run.ID, 0); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("publish twice: %v", err)
		}
		if _, err := e.svc.Compute(e.ctx, "1405-07"); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("recompute a published period: %v", err)
		}
		v, err := e.svc.Verify(e.ctx, run.ID)
		if err != nil || !v.Reproduced || !v.InputsMatch || !v.ResultsMatch || v.Drift.Changed || len(v.Drift.Offices) != 0 {
			t.Fatalf("verify: %+v %v", v, err)
		}
		// A late answer (to a visit of Mehr's last day, an hour after the
		// run) changes today's inputs: the run still reproduces from what it
		// stored, the drift names the office and the answer, and the
		// published results stay as they were.
		d.Gorm.Exec(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting, fees_clear,
			extra_fee, recommend, answers, pattern, received_hour) VALUES (?, 'criminal_record', '2026-10-22', 1, 5, 5, 5, 5, FALSE, 10, '{}', 'p', ?)`,
			e.offices[0], e.clock.Now().Unix()/3600*3600+3600)
		v, err = e.svc.Verify(e.ctx, run.ID)
		if err != nil || !v.Reproduced || !v.Drift.Changed || v.Drift.Totals.LateAnswers != 1 || v.Drift.Totals.OfficesChanged != 1 {
			t.Fatalf("verify after a late answer: %+v %v", v, err)
		}
		if od := v.Drift.Offices[0]; od.OfficeID != e.offices[0] || len(od.Causes) != 1 || od.Causes[0] != ranking.CauseAnswers ||
			od.Inputs[0].Input != "responses" || *od.Inputs[0].Delta != 1 || sameFloat(od.ScoreWas, od.ScoreNow) {
			t.Fatalf("drift of the office: %+v", v.Drift.Offices)
		}
		after, _, _ := e.svc.Results(e.ctx, run.ID, ranking.ResultFilter{Limit: 100})
		a, _ := json.Marshal(after)
		b, _ := json.Marshal(results)
		if string(a) != string(b) {
			t.Fatal("published results changed")
		}

		// The next month's run shows the change against the published one.
		e.clock.Advance(31 * 24 * time.Hour)
		next, err := e.svc.Compute(e.ctx, "1405-08")
		if err != nil {
			t.Fatal(err)
		}
		// Its notes count the late answer of the published 1405-07.
		if len(next.Notes) != 1 || next.Notes[0].Period != "1405-07" || next.Notes[0].LateAnswers != 1 || next.Notes[0].Offices != 1 ||
			next.Notes[0].LateVisits == nil || *next.Notes[0].LateVisits != 0 || next.PreviousRunID == nil || *next.PreviousRunID != run.ID {
			t.Fatalf("notes of 1405-08: %+v", next)
		}
		res2, _, _ := e.svc.Results(e.ctx, next.ID, ranking.ResultFilter{Limit: 100})
		// No answers in Aban: every office has insufficient data now.
		for _, r := range res2 {
			if !r.InsufficientData || r.ScoreChange != nil {
				t.Fatalf("1405-08 %+v", r)
			}
		}
		// Owners see published results only.
		rs, err := e.svc.OfficeResults(e.ctx, e.offices[0], 10)
		if err != nil || len(rs) != 1 || rs[0].Run.Period != "1405-07" {
			t.Fatalf("office results: %+v %v", rs, err)
		}
		for _, bad := range []string{"1405-13", "soon", "1406-01"} {
			if _, err := e.svc.Compute(e.ctx, bad); err == nil {
				t.Errorf("period %q accepted", bad)
			}
		}
	})
}

func TestScheduledDraftOncePerMonth(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 3)
		e.clock.Set(time.Date(2026, 10, 23, 1, 0, 0, 0, daftar.Tehran())) // 1405/08/01
		did, err := e.svc.DraftPreviousMonth(e.ctx)
		if err != nil || !did {
			t.Fatalf("first: %v %v", did, err)
		}
		e.clock.Advance(24 * time.Hour)
		if did, err := e.svc.DraftPreviousMonth(e.ctx); err != nil || did {
			t.Fatalf("second day: %v %v", did, err)
		}
		runs, total, _ := e.svc.Runs(e.ctx, 10, 0)
		if total != 1 || runs[0].Period != "1405-07" || runs[0].State != ranking.StateDraft {
			t.Fatalf("runs %+v", runs)
		}
	})
}

func TestDirectivesAndInspections(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 2)
		v2 := ranking.DefaultDirective()
		v2.Name, v2.EffectiveFrom, v2.MinResponses = "نسخه ۲", "۲۰۲۶-۱۰-۲۳", 12
		// Versions 1 and 2 ship; this one is the third.
		got, err := e.svc.AddDirective(e.ctx, v2)
		if err != nil || got.Version != 3 {
			t.Fatalf("add: %+v %v", got, err)
		}
		in, _ := e.svc.InForce(e.ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, daftar.Tehran()))
		in2, _ := e.svc.InForce(e.ctx, time.Date(2026, 10, 23, 0, 0, 0, 0, daftar.Tehran()))
		if in.Version != 1 || in2.Version != 3 {
			t.Fatalf("in force: %d then %d", in.Version, in2.Version)
		}
		if _, err := e.svc.InForce(e.ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
			t.Fatal("a directive in force before the first")
		}
		bad := ranking.DefaultDirective()
		bad.Criteria[0].Weight = 2
		if _, err := e.svc.AddDirective(e.ctx, bad); !daftar.IsKind(err, daftar.KindUnprocessable) {
			t.Fatalf("bad directive: %v", err)
		}

		insp, err := e.insp.RecordInspection(e.ctx, e.offices[0], inspections.NewInspection{InspectedOn: "1405/07/15",
			Violations: []inspections.Violation{{Code: "FEE-01", Severity: "major", Description: "دریافت وجه اضافه"}, {Code: "SIGN-02", Severity: "minor"}}})
		if err != nil || insp.InspectedOn != "2026-10-07" {
			t.Fatalf("inspection: %+v %v", insp, err)
		}
		for _, c := range []inspections.NewInspection{
			{InspectedOn: "tomorrow"}, {InspectedOn: "2027-01-01"}, {InspectedOn: "2020-01-01"},
			{InspectedOn: "2026-10-07", Violations: []inspections.Violation{{Code: "X", Severity: "severe"}}},
			{InspectedOn: "2026-10-07", Violations: []inspections.Violation{{Code: "", Severity: "minor"}}},
		} {
			if _, err := e.insp.RecordInspection(e.ctx, e.offices[0], c); !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Errorf("%+v accepted: %v", c, err)
			}
		}
		list, total, err := e.insp.Inspections(e.ctx, e.offices[0], 10, 0)
		if err != nil || total != 1 || len(list[0].Violations) != 2 {
			t.Fatalf("list %+v %v", list, err)
		}
		// The findings feed compliance: 100 - 15 - 5.
		run, err := e.svc.Compute(e.ctx, "1405-07")
		if err != nil {
			t.Fatal(err)
		}
		res, _, _ := e.svc.Results(e.ctx, run.ID, ranking.ResultFilter{OfficeID: e.offices[0], Limit: 1})
		for _, c := range res[0].Components {
			if c.Criterion == ranking.CritCompliance && *c.Raw != 80 {
				t.Fatalf("compliance raw %v", *c.Raw)
			}
		}
	})
}
