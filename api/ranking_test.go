package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

func newRankingService(t testing.TB, d *db.DB, clock daftar.Clock, al *audit.Log, register *offices.Register, sv *surveys.Service,
	insp *inspections.Service, cs *complaints.Service) *ranking.Service {
	t.Helper()
	r, err := ranking.New(d, clock, al, register, nil, ranking.Sources{DB: d, Offices: register, Surveys: sv, Inspections: insp,
		Complaints: cs, Actions: insp})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.EnsureDefaultDirective(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRankingAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		// Answers for office A this month (1405-09): enough to be ranked
		// under a directive that asks for 3.
		d3 := ranking.DefaultDirective()
		d3.Name, d3.EffectiveFrom, d3.MinResponses = "آزمون", "2026-11-01", 3
		body := map[string]any{"name": d3.Name, "effective_from": d3.EffectiveFrom, "criteria": d3.Criteria, "min_responses": d3.MinResponses,
			"prior_weight": d3.PriorWeight, "grades": d3.Grades, "penalties": d3.Penalties}
		res := h.do("POST", "/api/v1/ranking/directives", admin, body)
		if res.Code != 201 {
			t.Fatalf("directive: %d %s", res.Code, res.Body)
		}
		for _, tok := range h.servedVisits(t, h.officeA, 4) {
			h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
				"overall": 4, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 9}})
		}
		res = h.do("POST", "/api/v1/ranking/runs", admin, map[string]string{"period": "1405-09"})
		if res.Code != 201 {
			t.Fatalf("compute: %d %s", res.Code, res.Body)
		}
		run := decode[ranking.Run](t, res)
		results := decode[struct {
			Items []ranking.Result
			Total int
		}](t, h.do("GET", fmt.Sprintf("/api/v1/ranking/runs/%d/results", run.ID), h.tokens[daftar.RoleInspector], nil))
		if results.Total != 2 || results.Items[0].OfficeID != h.officeA || *results.Items[0].RankNational != 1 || !results.Items[1].InsufficientData {
			t.Fatalf("results %+v", results)
		}
		// The owner sees nothing until it is published.
		own := fmt.Sprintf("/api/v1/offices/%d/ranking", h.officeA)
		if got := decode[map[string]any](t, h.do("GET", own, h.tokens[daftar.RoleOfficeOwner], nil)); len(got["results"].([]any)) != 0 {
			t.Fatalf("draft shown to the owner: %v", got)
		}
		pub := fmt.Sprintf("/api/v1/ranking/runs/%d/publish", run.ID)
		if res := h.do("POST", pub, admin, nil, "If-Match", `"99"`); res.Code != 409 {
			t.Fatalf("stale publish: %d", res.Code)
		}
		if res := h.do("POST", pub, admin, nil, "If-Match", etag(run.Version)); res.Code != 200 {
			t.Fatalf("publish: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", pub, admin, nil); res.Code != 409 {
			t.Fatalf("publish again: %d", res.Code)
		}
		if res := h.do("POST", "/api/v1/ranking/runs", admin, map[string]string{"period": "1405-09"}); res.Code != 409 {
			t.Fatalf("recompute published: %d", res.Code)
		}
		got := decode[struct {
			Results []ranking.OfficeRanking
		}](t, h.do("GET", own, h.tokens[daftar.RoleOfficeOwner], nil))
		if len(got.Results) != 1 || len(got.Results[0].Result.Components) != 6 || got.Results[0].Result.Components[0].PeerMedian == nil {
			t.Fatalf("owner's explanation: %+v", got)
		}
		v := decode[ranking.Verification](t, h.do("POST", fmt.Sprintf("/api/v1/ranking/runs/%d/verify", run.ID), h.tokens[daftar.RoleMinistry], nil))
		if !v.InputsMatch || !v.ResultsMatch || !v.Reproduced || !v.Reproduce.OK || v.Drift.Changed || v.Drift.DirectiveVersion != run.DirectiveVersion {
			t.Fatalf("verify %+v", v)
		}
		// A late answer for the published period: the run still reproduces
		// and the drift names the office.
		h.clock.Advance(time.Minute)
		for _, tok := range h.servedVisits(t, h.officeA, 1) {
			h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
				"overall": 1, "courtesy": 1, "waiting": 1, "fees_clear": 1, "extra_fee": true, "recommend": 0}})
		}
		raw := decode[map[string]any](t, h.do("POST", fmt.Sprintf("/api/v1/ranking/runs/%d/verify", run.ID), h.tokens[daftar.RoleInspector], nil))
		repro, drift := raw["reproduce"].(map[string]any), raw["drift"].(map[string]any)
		if repro["ok"] != true || drift["changed"] != true || drift["totals"].(map[string]any)["late_answers"] != 1.0 ||
			drift["offices"].([]any)[0].(map[string]any)["office_id"] != float64(h.officeA) {
			t.Fatalf("verify after a late answer: %v", raw)
		}
		// The ranking page shows both parts, in Persian with Persian digits.
		page := h.page("POST", fmt.Sprintf("/admin/ranking/runs/%d/verify", run.ID), h.signIn(t, daftar.RoleInspector), url.Values{})
		html := page.Body.String()
		if page.Code != 200 || !strings.Contains(html, `id="verify-drift"`) {
			t.Fatalf("verify page: %d %.300s", page.Code, html)
		}
		drifted := html[strings.Index(html, `id="verify-drift"`):]
		drifted = drifted[:strings.Index(drifted, "</table>")]
		for _, want := range []string{"بیت به بیت بازتولید شد", "ورودی‌های دوره از زمان محاسبه تغییر کرده است", "پاسخ‌های دیررسیده: ۱",
			fmt.Sprintf(`href="/admin/offices/%d"`, h.officeA), "پاسخ‌ها: ۴ ← ۵", "<td>پاسخ‌ها</td>"} {
			if !strings.Contains(html, want) || (!strings.Contains(want, "بازتولید") && !strings.Contains(drifted, want)) {
				t.Errorf("the verify page lacks %q: %s", want, drifted)
			}
		}
		for _, c := range []struct {
			body   any
			status int
		}{{map[string]string{"period": "1405-13"}, 400}, {map[string]string{}, 400}, {map[string]string{"period": "1406-01"}, 422}, {map[string]int{"period": 5}, 400}} {
			if res := h.do("POST", "/api/v1/ranking/runs", admin, c.body); res.Code != c.status {
				t.Errorf("%v: %d, want %d %s", c.body, res.Code, c.status, res.Body)
			}
		}
		if res := h.do("GET", "/api/v1/ranking/runs/999/results", admin, nil); res.Code != 404 {
			t.Fatalf("unknown run: %d", res.Code)
		}

		// Inspections.
		insp := fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeB)
		res = h.do("POST", insp, h.tokens[daftar.RoleInspector], map[string]any{"inspected_on": "1405/09/01",
			"violations": []map[string]string{{"code": "HRS-1", "severity": "minor", "description": "ساعات کار نصب نشده"}}})
		if res.Code != 201 {
			t.Fatalf("inspection: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", insp, h.tokens[daftar.RoleInspector], map[string]any{"inspected_on": "1405/09/01", "violations": []map[string]string{{"code": "X", "severity": "awful"}}}); res.Code != 422 {
			t.Fatalf("bad severity: %d", res.Code)
		}
		if res := h.do("POST", "/api/v1/offices/9999/inspections", h.tokens[daftar.RoleInspector], map[string]any{"inspected_on": "1405/09/01"}); res.Code != 404 {
			t.Fatalf("unknown office: %d", res.Code)
		}
		list := decode[struct{ Total int }](t, h.do("GET", insp, h.tokens[daftar.RoleMinistry], nil))
		if list.Total != 1 {
			t.Fatalf("inspections: %d", list.Total)
		}
	})
}

func etag(v int64) string { return fmt.Sprintf(`"%d"`, v) }
