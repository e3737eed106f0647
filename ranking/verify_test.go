package ranking_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
)

// liveEnv ranks offices from real visits (geo/visits, its rollups and the
// crowding figures) and answers.
type liveEnv struct {
	env
	visits *visits.Service
	insp   *inspections.Service
}

// newLiveEnv makes n offices, alternately in Yazd and Kerman with 2 to 4
// counters, on a clock in 1405-10 (Dey), so that Mehr to Azar have ended.
func newLiveEnv(t *testing.T, d *db.DB, n int, with ...func(*ranking.Sources)) *liveEnv {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(time.Date(2026, 12, 25, 8, 0, 0, 0, time.UTC)) // 1405/10/04
	gaz, _ := geo.LoadGazetteer(ctx, d)
	cat, _ := geo.LoadCatalogue(ctx, d)
	al := audit.New(d, clock)
	reg, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices stand close: no distance rule
	if err != nil {
		t.Fatal(err)
	}
	e := &liveEnv{env: env{d: d, clock: clock, ctx: ctx}}
	for i := 0; i < n; i++ {
		city, lat, lon := "yazd", 31.89+float64(i)*0.002, 54.36
		if i%2 == 1 {
			city, lat, lon = "kerman", 30.28+float64(i)*0.002, 57.08
		}
		code := fmt.Sprintf("L-%03d", i)
		o, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر"), City: &city, Latitude: &lat, Longitude: &lon, Counters: ptr(2 + i%3),
			Services: []string{"criminal_record"}})
		if err != nil {
			t.Fatal(err)
		}
		e.offices = append(e.offices, o.ID)
	}
	d.Gorm.Exec("INSERT INTO survey_templates (version, body, published_at, published_by) VALUES (1, '{}', ?, 't')", clock.Now())
	sv, err := surveys.New(d, clock, al, reg, nil, []byte("k"), surveys.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.visits, err = visits.New(d, clock, reg, noInvitations{}, nil, visits.Config{}); err != nil {
		t.Fatal(err)
	}
	crowd, err := visits.NewCrowding(d, reg, visits.CrowdingConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if e.insp, err = inspections.New(d, clock, al, daftar.OfficialWorkCalendar(), nil); err != nil {
		t.Fatal(err)
	}
	src := ranking.Sources{DB: d, Offices: reg, Surveys: sv, Crowding: benchCrowding{crowd}, Inspections: e.insp}
	for _, f := range with {
		f(&src)
	}
	if e.svc, err = ranking.New(d, clock, al, reg, nil, src); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EnsureDefaultDirective(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// fill gives every office of the month visits on its first days (office i
// waits about 3·i minutes) and 12+i answers whose overall score shifts with
// the month, so that ranks move between months.
func (e *liveEnv) fill(t *testing.T, month string) {
	t.Helper()
	p, _ := daftar.ParsePeriod(month)
	for i, id := range e.offices {
		var items []visits.Input
		for day := 0; day < 4; day++ {
			at := p.Start().AddDate(0, 0, day).Add(5*time.Hour + 30*time.Minute) // 09:00 Tehran
			for k := 0; k < 6; k++ {
				arr := at.Add(time.Duration(k*20) * time.Minute)
				wait := time.Duration(3*i+k) * time.Minute
				items = append(items, visitAt(fmt.Sprintf("%s-%d-%d", month, day, k), arr, wait))
			}
		}
		if _, err := e.visits.Record(e.ctx, id, items); err != nil {
			t.Fatal(err)
		}
		day := p.Start().In(daftar.Tehran()).Format("2006-01-02")
		for k := 0; k < 12+i; k++ {
			o := 1 + (i+p.Index+k)%5
			e.d.Gorm.Exec(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting, fees_clear,
				extra_fee, recommend, answers, pattern, received_hour) VALUES (?, 'criminal_record', ?, 1, ?, ?, 3, 3, ?, 8, '{}', 'p', ?)`,
				id, day, o, o, k == 0, p.Start().Unix()/3600*3600)
		}
	}
}

func visitAt(ticket string, arrived time.Time, wait time.Duration) visits.Input {
	return visits.Input{Ticket: ticket, Service: "criminal_record", ArrivedAt: arrived.Format(time.RFC3339),
		CalledAt: arrived.Add(wait).Format(time.RFC3339), FinishedAt: arrived.Add(wait + 12*time.Minute).Format(time.RFC3339),
		Outcome: "served", Channel: "walk_in", Counter: "1"}
}

func (e *liveEnv) publish(t *testing.T, month string) ranking.Run {
	t.Helper()
	run, err := e.svc.Compute(e.ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	if run, err = e.svc.Publish(e.ctx, run.ID, run.Version); err != nil {
		t.Fatal(err)
	}
	return run
}

func resultsJSON(t *testing.T, e *liveEnv, runID int64) string {
	t.Helper()
	rs, _, err := e.svc.Results(e.ctx, runID, ranking.ResultFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rs)
	return string(b)
}

// Three consecutive months published, each after the one before (so each
// carries changes against it; Mehr under version 1, Aban and Azar under
// version 2): every one reproduces from what it stored, bit for bit, and
// keeps reproducing after the later ones are published.
func TestThreeMonthsPublishedVerify(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 12)
		months := []string{"1405-07", "1405-08", "1405-09"}
		var runs []ranking.Run
		for k, m := range months {
			e.fill(t, m)
			run := e.publish(t, m)
			wantVersion := 2
			if k == 0 {
				wantVersion = 1
			}
			if run.DirectiveVersion != wantVersion || run.ChecksumScheme != 2 || run.Ranked != 12 {
				t.Fatalf("%s: %+v", m, run)
			}
			if k > 0 && (run.PreviousRunID == nil || *run.PreviousRunID != runs[k-1].ID) {
				t.Fatalf("%s compares with %v, want run %d", m, run.PreviousRunID, runs[k-1].ID)
			}
			runs = append(runs, run)
			for _, r := range runs {
				v, err := e.svc.Verify(e.ctx, r.ID)
				if err != nil || !v.Reproduced || !v.Reproduce.InputsMatch || !v.Reproduce.ResultsMatch || len(v.Reproduce.MismatchedOffices) != 0 {
					t.Fatalf("after publishing %s, %s does not reproduce: %+v %v", m, r.Period, v.Reproduce, err)
				}
				if v.Drift.Changed {
					t.Fatalf("%s drifted without late data: %+v", r.Period, v.Drift.Totals)
				}
			}
		}
		// The later runs carry changes (the test is worth nothing if none
		// moved), and their explanations name the city peers.
		moved := 0
		rs, _, _ := e.svc.Results(e.ctx, runs[2].ID, ranking.ResultFilter{Limit: 100})
		for _, r := range rs {
			if r.ScoreChange != nil && *r.ScoreChange != 0 {
				moved++
			}
			if c := r.Components[1]; c.Normalisation != ranking.NormPeersCity || c.PeerGroup == nil || c.PeerGroup.Kind != ranking.GroupCity ||
				c.PeerGroup.Offices != 6 || c.PeerGroup.Better+c.PeerGroup.Level+c.PeerGroup.Behind != 5 {
				t.Fatalf("waiting explained as %+v", c)
			}
		}
		if moved == 0 {
			t.Fatal("no score changed between months")
		}
	})
}

// A late visit into a published period is accepted and stored; the
// published results stay untouched, the run still reproduces, the visit
// shows as drift, and the next run's notes count it.
func TestLateVisitNeverMovesPublishedRun(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 8)
		e.fill(t, "1405-08")
		run := e.publish(t, "1405-08")
		before := resultsJSON(t, e, run.ID)

		p, _ := daftar.ParsePeriod("1405-08")
		late := visitAt("late-1", p.Start().AddDate(0, 0, 6).Add(6*time.Hour), 95*time.Minute)
		res, err := e.visits.Record(e.ctx, e.offices[0], []visits.Input{late})
		if err != nil || res.Accepted != 1 {
			t.Fatalf("late visit: %+v %v", res, err)
		}
		if after := resultsJSON(t, e, run.ID); after != before {
			t.Fatal("a late visit changed the published results")
		}
		v, err := e.svc.Verify(e.ctx, run.ID)
		if err != nil || !v.Reproduced {
			t.Fatalf("reproduce after a late visit: %+v %v", v.Reproduce, err)
		}
		tot := v.Drift.Totals
		if !v.Drift.Changed || tot.LateVisits != 1 || tot.LateAnswers != 0 || tot.OfficesChanged != 1 {
			t.Fatalf("drift totals %+v", tot)
		}
		var od *ranking.OfficeDrift
		for i := range v.Drift.Offices {
			if v.Drift.Offices[i].OfficeID == e.offices[0] {
				od = &v.Drift.Offices[i]
			}
		}
		if od == nil || len(od.Causes) != 1 || od.Causes[0] != ranking.CauseVisits {
			t.Fatalf("drift of the office: %+v", v.Drift.Offices)
		}
		changed := map[string]float64{}
		for _, c := range od.Inputs {
			if c.Delta != nil {
				changed[c.Input] = *c.Delta
			}
		}
		if changed["arrivals"] != 1 || changed["served"] != 1 {
			t.Fatalf("input changes %+v", od.Inputs)
		}
		// A 95-minute wait is the longest of the office's city: its waiting
		// falls to the bottom of its peers, and drift says where it would
		// stand (without moving anything).
		if od.ScoreNow == nil || od.ScoreWas == nil || *od.ScoreNow >= *od.ScoreWas {
			t.Fatalf("score would go from %v to %v", od.ScoreWas, od.ScoreNow)
		}
		view := v.View(3)
		if !view.Reproduced || !view.Drifted || len(view.Rows) == 0 || view.Rows[0].OfficeID == 0 {
			t.Fatalf("page view %+v", view)
		}

		e.fill(t, "1405-09")
		next, err := e.svc.Compute(e.ctx, "1405-09")
		if err != nil {
			t.Fatal(err)
		}
		if len(next.Notes) != 1 || next.Notes[0].RunID != run.ID || next.Notes[0].LateVisits == nil || *next.Notes[0].LateVisits != 1 || next.Notes[0].Offices != 1 {
			t.Fatalf("notes %+v", next.Notes)
		}
		if after := resultsJSON(t, e, run.ID); after != before {
			t.Fatal("the next run changed the published results")
		}
	})
}

// Altered stored rows or inputs fail the reproduction, saying which.
func TestTamperedRunDoesNotReproduce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 6)
		e.fill(t, "1405-08")
		run := e.publish(t, "1405-08")
		d.Gorm.Exec("UPDATE ranking_results SET score = score + 1 WHERE run_id = ? AND office_id = ?", run.ID, e.offices[2])
		rep, err := e.svc.Reproduce(e.ctx, run.ID)
		if err != nil || rep.OK || !rep.InputsMatch || rep.ResultsMatch || len(rep.MismatchedOffices) != 1 || rep.MismatchedOffices[0] != e.offices[2] ||
			rep.RecomputedResults != run.ResultsChecksum || rep.Problem == "" {
			t.Fatalf("altered row: %+v %v", rep, err)
		}
		d.Gorm.Exec("UPDATE ranking_results SET score = score - 1 WHERE run_id = ? AND office_id = ?", run.ID, e.offices[2])
		if rep, _ := e.svc.Reproduce(e.ctx, run.ID); !rep.OK {
			t.Fatalf("restored: %+v", rep)
		}
		d.Gorm.Exec("UPDATE ranking_runs SET inputs_checksum = 'x' WHERE id = ?", run.ID)
		if rep, _ := e.svc.Reproduce(e.ctx, run.ID); rep.OK || rep.InputsMatch {
			t.Fatalf("altered inputs checksum: %+v", rep)
		}
	})
}

// A draft computed before the run it compares with was superseded by a
// newer publication must be computed again before it is published.
func TestPublishRefusesAStaleComparison(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 4)
		e.fill(t, "1405-07")
		e.fill(t, "1405-08")
		e.fill(t, "1405-09")
		e.publish(t, "1405-07")
		draft, err := e.svc.Compute(e.ctx, "1405-09") // against 1405-07
		if err != nil {
			t.Fatal(err)
		}
		e.publish(t, "1405-08")
		if _, err := e.svc.Publish(e.ctx, draft.ID, draft.Version); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("publishing a draft compared with a superseded run: %v", err)
		}
		again, err := e.svc.Compute(e.ctx, "1405-09")
		if err != nil || *again.PreviousRunID == *draft.PreviousRunID {
			t.Fatalf("recomputed: %+v %v", again, err)
		}
		if _, err := e.svc.Publish(e.ctx, again.ID, again.Version); err != nil {
			t.Fatal(err)
		}
	})
}

// Runs stored before checksum scheme 2 (their inputs a plain JSON array,
// their results checksum over the results computed, office codes in and
// before the changes against the previous run were filled in) still
// reproduce, under their own scheme.
func TestSchemeOneRunsReproduce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 6)
		// Both under version 1, as every run before scheme 2 was.
		e.fill(t, "1405-06")
		e.fill(t, "1405-07")
		first := e.publish(t, "1405-06")
		second := e.publish(t, "1405-07") // its rows carry changes against the first
		if rs, _, _ := e.svc.Results(e.ctx, second.ID, ranking.ResultFilter{Limit: 10}); rs[0].ScoreChange == nil {
			t.Fatal("the second run carries no changes: the case is not tested")
		}
		gaz, _ := geo.LoadGazetteer(e.ctx, d)
		cat, _ := geo.LoadCatalogue(e.ctx, d)
		reg, _ := offices.New(d, e.clock, audit.New(d, e.clock), gaz, cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices stand close: no distance rule
		sv, _ := surveys.New(d, e.clock, audit.New(d, e.clock), reg, nil, []byte("k"), surveys.Config{})
		crowd, _ := visits.NewCrowding(d, reg, visits.CrowdingConfig{})
		src := ranking.Sources{DB: d, Offices: reg, Surveys: sv, Crowding: benchCrowding{crowd}, Inspections: e.insp}
		for _, run := range []ranking.Run{first, second} {
			p, _ := daftar.ParsePeriod(run.Period)
			var dir ranking.Directive
			for _, x := range mustDirectives(t, e) {
				if x.Version == run.DirectiveVersion {
					dir = x
				}
			}
			ri, err := src.Inputs(e.ctx, p, dir)
			if err != nil {
				t.Fatal(err)
			}
			// What the code before scheme 2 stored, computed its way.
			inputs, _ := json.Marshal(ri.Offices)
			inSum := legacySum(struct {
				Directive ranking.Directive `json:"directive"`
				Inputs    []ranking.Input   `json:"inputs"`
			}{dir, ri.Offices})
			outSum := legacySum(dir.Compute(ri.Offices))
			d.Gorm.Exec("UPDATE ranking_runs SET checksum_scheme = 1, inputs = ?, inputs_gz = NULL, inputs_checksum = ?, results_checksum = ?, previous_run_id = NULL WHERE id = ?",
				string(inputs), inSum, outSum, run.ID)
			rep, err := e.svc.Reproduce(e.ctx, run.ID)
			if err != nil || !rep.OK || rep.ChecksumScheme != 1 || run.DirectiveVersion != 1 {
				t.Fatalf("%s under scheme 1: %+v %v", run.Period, rep, err)
			}
		}
	})
}

func mustDirectives(t *testing.T, e *liveEnv) []ranking.Directive {
	t.Helper()
	list, err := e.svc.Directives(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func legacySum(v any) string {
	h := sha256.New()
	json.NewEncoder(h).Encode(v)
	return hex.EncodeToString(h.Sum(nil))
}
