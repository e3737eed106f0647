package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/licensing"
)

// newLicensingServices builds the demand model, rounds and licences of the
// harness with the default configuration (500 m between offices).
func newLicensingServices(t testing.TB, d *db.DB, clock daftar.Clock, al *audit.Log, gaz *geo.Gazetteer, register *offices.Register,
	cands *licensing.Candidates, crowding *visits.Crowding) (*licensing.Demand, *licensing.Rounds, *licensing.Licences) {
	t.Helper()
	demand, err := licensing.NewDemand(d, clock, register, crowding, licensing.DemandConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rounds := licensing.NewRounds(d, clock, al, gaz, cands, demand, licensing.Config{})
	licences, err := licensing.NewLicences(d, clock, al, register, cands, licensing.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return demand, rounds, licences
}

type quotaJSON struct {
	Region   string
	Quota    int
	Shortage int
	Filled   int
	Issued   int
}

type roundJSON struct {
	ID            int64
	State         string
	TotalLicences int `json:"total_licences"`
	Quotas        []quotaJSON
}

func (r roundJSON) quota(region string) int {
	for _, q := range r.Quotas {
		if q.Region == region {
			return q.Quota
		}
	}
	return -1
}

type licenceJSON struct {
	ID             int64
	Number         string
	State          string
	Region         string
	OfficeID       *int64   `json:"office_id"`
	AllowedActions []string `json:"allowed_actions"`
}

// approveCandidates imports n candidates (preferences Isfahan, Tehran,
// Mashhad; scores 90, 89.9, ...) and approves the first k.
func (h *harness) approveCandidates(t *testing.T, n, k int) []int64 {
	t.Helper()
	ministry := h.tokens[daftar.RoleMinistry]
	if res := h.upload(ministry, "", examCSV(t, n), "c.csv"); res.Code != 201 {
		t.Fatalf("import: %d %s", res.Code, res.Body)
	}
	list := decode[struct{ Items []candidateJSON }](t, h.do("GET", "/api/v1/candidates?sort=-score&page_size=100", ministry, nil))
	if len(list.Items) != n {
		t.Fatalf("%d candidates", len(list.Items))
	}
	var ids []int64
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	for _, id := range ids[:k] {
		for _, st := range []string{"documents_submitted", "approved"} {
			if res := h.do("PATCH", fmt.Sprintf("/api/v1/candidates/%d", id), ministry, map[string]any{"state": st}); res.Code != 200 {
				t.Fatalf("%s: %d %s", st, res.Code, res.Body)
			}
		}
	}
	return ids
}

// TestLicensingAPI walks a round from demand to an active office, with the
// refusals along the way.
func TestLicensingAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ministry, admin, inspector := h.tokens[daftar.RoleMinistry], h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleInspector]
		ids := h.approveCandidates(t, 4, 3)

		// Demand: every city, with the API.md fields.
		res := h.do("GET", "/api/v1/demand?page_size=200", inspector, nil)
		dem := decode[struct {
			Items []map[string]any
			Total int
			Model map[string]any
		}](t, res)
		if res.Code != 200 || dem.Total < 60 || len(dem.Items) != dem.Total || dem.Model["from_jalali"] == nil {
			t.Fatalf("demand: %d total %d", res.Code, dem.Total)
		}
		for _, k := range []string{"region", "name_fa", "name_en", "population", "active_offices", "population_per_office", "needed", "shortage", "explanation_fa"} {
			if _, ok := dem.Items[0][k]; !ok {
				t.Errorf("demand item lacks %q", k)
			}
		}
		for i := 1; i < len(dem.Items); i++ {
			if dem.Items[i]["shortage"].(float64) > dem.Items[i-1]["shortage"].(float64) {
				t.Fatalf("demand not ordered by shortage at %d", i)
			}
		}
		for _, q := range []string{"from=1405/13/01", "from=2026-10-10&to=2026-10-01", "level=street", "target_population_per_office=-3", "page=0"} {
			if res := h.do("GET", "/api/v1/demand?"+q, ministry, nil); res.Code != 400 || len(problemOf(t, res).Errors) == 0 {
				t.Errorf("demand?%s: %d %s", q, res.Code, res.Body)
			}
		}

		// What if.
		res = h.do("GET", "/api/v1/demand/tehran/what-if?add=5", ministry, nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), "after") {
			t.Fatalf("what-if: %d %s", res.Code, res.Body)
		}
		if res := h.do("GET", "/api/v1/demand/atlantis/what-if?add=5", ministry, nil); res.Code != 404 {
			t.Errorf("what-if unknown city: %d", res.Code)
		}
		for _, add := range []string{"-1", "ten", "20000"} {
			if res := h.do("GET", "/api/v1/demand/tehran/what-if?add="+add, ministry, nil); res.Code/100 != 4 || res.Code == 404 {
				t.Errorf("what-if add=%s: %d", add, res.Code)
			}
		}

		// A round: the quotas sum to the total.
		for _, bad := range []map[string]any{
			{"name": "x", "total_licences": 0},
			{"name": "", "total_licences": 5},
			{"name": "x", "total_licences": 5, "colour": "red"},
			{"name": "x", "total_licences": "five"},
			{"name": "x", "total_licences": 5, "policy": map[string]any{"min_distance_m": -1}},
		} {
			if res := h.do("POST", "/api/v1/licensing-rounds", ministry, bad); res.Code/100 != 4 {
				t.Errorf("round %v: %d", bad, res.Code)
			} else {
				problemOf(t, res)
			}
		}
		res = h.do("POST", "/api/v1/licensing-rounds", ministry, map[string]any{"name": "دور ۱۴۰۵", "total_licences": 6})
		round := decode[roundJSON](t, res)
		if res.Code != 201 || round.State != "open" || res.Header().Get("Location") == "" {
			t.Fatalf("create round: %d %s", res.Code, res.Body)
		}
		sum := 0
		for _, q := range round.Quotas {
			sum += q.Quota
		}
		if sum != 6 {
			t.Fatalf("quotas sum to %d", sum)
		}
		rp := fmt.Sprintf("/api/v1/licensing-rounds/%d", round.ID)

		// Overrides: Isfahan 1, Tehran 1, Mashhad 0, with reasons.
		if res := h.do("PATCH", rp+"/quotas/isfahan", ministry, map[string]any{"quota": 1}); res.Code != 422 {
			t.Errorf("override without a reason: %d", res.Code)
		}
		if res := h.do("PATCH", rp+"/quotas/atlantis", ministry, map[string]any{"quota": 1, "reason": "دلیل آزمون"}); res.Code/100 != 4 {
			t.Errorf("override of an unknown city: %d", res.Code)
		}
		if res := h.do("PATCH", rp+"/quotas/tehran", ministry, map[string]any{"quota": 7, "reason": "دلیل آزمون"}); res.Code != 422 {
			t.Errorf("override above the total: %d %s", res.Code, res.Body)
		}
		for _, o := range []struct {
			city  string
			quota int
		}{{"isfahan", 1}, {"tehran", 1}, {"mashhad", 0}} {
			res := h.do("PATCH", rp+"/quotas/"+o.city, ministry, map[string]any{"quota": o.quota, "reason": "تصمیم کمیسیون"})
			got := decode[roundJSON](t, res)
			if res.Code != 200 || got.quota(o.city) != o.quota {
				t.Fatalf("override %s: %d %s", o.city, res.Code, res.Body)
			}
		}

		// Allocation: the best candidate gets Isfahan, the second Tehran, the
		// third neither (Mashhad has no seats), the unapproved one is not in it.
		if res := h.do("POST", "/api/v1/licences", admin, map[string]any{"round_id": round.ID}); res.Code != 409 {
			t.Errorf("issue from an open round: %d", res.Code)
		}
		if res := h.do("POST", rp+"/allocate", ministry, nil); res.Code != 200 || decode[roundJSON](t, res).State != "allocated" {
			t.Fatalf("allocate: %d %s", res.Code, res.Body)
		}
		res = h.do("GET", rp+"/allocations?page_size=50", ministry, nil)
		alloc := decode[struct {
			Items []struct {
				CandidateID    int64   `json:"candidate_id"`
				Region         *string `json:"region"`
				PreferenceRank *int    `json:"preference_rank"`
				Reason         string
			}
			Total int
		}](t, res)
		if res.Code != 200 || alloc.Total != 3 {
			t.Fatalf("allocations: %d %s", res.Code, res.Body)
		}
		placed := map[int64]string{}
		for _, a := range alloc.Items {
			if a.Reason == "" {
				t.Errorf("candidate %d has no reason", a.CandidateID)
			}
			if a.Region != nil {
				placed[a.CandidateID] = fmt.Sprintf("%s@%d", *a.Region, *a.PreferenceRank)
			}
		}
		if placed[ids[0]] != "isfahan@1" || placed[ids[1]] != "tehran@2" || placed[ids[2]] != "" || len(placed) != 2 {
			t.Fatalf("placements %v", placed)
		}

		// Close, then the round is fixed.
		if res := h.do("POST", rp+"/close", ministry, map[string]any{"reason": "پایان"}); res.Code != 200 || decode[roundJSON](t, res).State != "closed" {
			t.Fatalf("close: %d %s", res.Code, res.Body)
		}
		for _, p := range []string{rp + "/allocate", rp + "/close"} {
			if res := h.do("POST", p, ministry, nil); res.Code != 409 {
				t.Errorf("%s after close: %d", p, res.Code)
			}
		}
		if res := h.do("PATCH", rp+"/quotas/tehran", ministry, map[string]any{"quota": 2, "reason": "دلیل آزمون"}); res.Code != 409 {
			t.Errorf("override after close: %d", res.Code)
		}

		// Bad requests to issue: each a 4xx problem naming the field.
		for _, c := range []struct {
			body   any
			status int
		}{
			{map[string]any{}, 422},
			{map[string]any{"round_id": "one"}, 400},
			{map[string]any{"round_id": -4}, 422},
			{map[string]any{"round_id": round.ID, "colour": "red"}, 400},
			{map[string]any{"round_id": round.ID, "candidate_id": 999999}, 422},
			{map[string]any{"round_id": round.ID, "candidate_id": ids[3], "region": "tehran"}, 422}, // single: no reason
			{map[string]any{"round_id": round.ID, "candidate_id": ids[3], "region": "atlantis", "reason": "صدور تکی"}, 422},
			{"[1, 2]", 400},
		} {
			res := h.do("POST", "/api/v1/licences", admin, c.body)
			if res.Code != c.status {
				t.Errorf("issue %v: %d, want %d: %s", c.body, res.Code, c.status, res.Body)
			} else if p := problemOf(t, res); c.status == 422 && len(p.Errors) == 0 {
				t.Errorf("issue %v: no field named: %s", c.body, res.Body)
			}
		}

		// Licences from the allocation; a second call issues nothing.
		res = h.do("POST", "/api/v1/licences", ministry, map[string]any{"round_id": round.ID})
		issued := decode[struct {
			Issued int
			Items  []licenceJSON
		}](t, res)
		if res.Code != 201 || issued.Issued != 2 {
			t.Fatalf("issue: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", "/api/v1/licences", ministry, map[string]any{"round_id": round.ID}); res.Code != 200 || decode[struct{ Issued int }](t, res).Issued != 0 {
			t.Fatalf("issue again: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", "/api/v1/licences", ministry, map[string]any{"round_id": 99999}); res.Code/100 != 4 {
			t.Errorf("issue from an unknown round: %d", res.Code)
		}
		var thr licenceJSON
		for _, l := range issued.Items {
			if l.Region == "tehran" {
				thr = l
			}
		}
		if thr.ID == 0 || thr.State != "issued" || !strings.HasPrefix(thr.Number, "THR-") {
			t.Fatalf("Tehran licence %+v", thr)
		}
		lp := fmt.Sprintf("/api/v1/licences/%d", thr.ID)
		if res := h.do("GET", lp, inspector, nil); res.Code != 200 || res.Header().Get("ETag") == "" {
			t.Fatalf("get licence: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/licences?state=issued", inspector, nil); decode[struct{ Total int }](t, res).Total != 2 {
			t.Fatalf("list licences: %s", res.Body)
		}

		// Lifecycle: forbidden transitions are 409, bad input 4xx.
		if res := h.do("POST", lp+"/suspend", admin, map[string]any{"reason": "دلیل آزمون"}); res.Code != 409 {
			t.Errorf("suspend an issued licence: %d", res.Code)
		}
		if res := h.do("POST", lp+"/explode", admin, map[string]any{"reason": "دلیل آزمون"}); res.Code != 404 {
			t.Errorf("unknown action: %d", res.Code)
		}
		site := func(lat, lon float64) map[string]any {
			return map[string]any{"latitude": lat, "longitude": lon, "address": "تهران، خیابان آزادی", "counters": 3}
		}
		// Mashhad's centre is not in Tehran.
		if res := h.do("POST", lp+"/activate", admin, site(36.30, 59.60)); res.Code != 422 {
			t.Errorf("activate outside the city: %d %s", res.Code, res.Body)
		}
		// 0.002° of latitude (about 222 m) from office A.
		res = h.do("POST", lp+"/activate", admin, site(35.702, 51.40))
		if res.Code != 422 || !strings.Contains(res.Body.String(), "THR-0001") {
			t.Fatalf("activate too near office A: %d %s", res.Code, res.Body)
		}
		res = h.do("POST", lp+"/activate", admin, site(35.72, 51.40))
		act := decode[licenceJSON](t, res)
		if res.Code != 200 || act.State != "active" || act.OfficeID == nil {
			t.Fatalf("activate: %d %s", res.Code, res.Body)
		}
		if res := h.do("GET", fmt.Sprintf("/api/v1/offices/%d", *act.OfficeID), admin, nil); res.Code != 200 || !strings.Contains(res.Body.String(), `"active"`) {
			t.Fatalf("the new office: %d %s", res.Code, res.Body)
		}
		steps := []struct {
			action string
			body   map[string]any
			status int
			state  string
		}{
			{"suspend", map[string]any{}, 422, ""},
			{"suspend", map[string]any{"reason": "تخلف"}, 200, "suspended"},
			{"suspend", map[string]any{"reason": "تخلف"}, 409, ""},
			{"reinstate", map[string]any{"reason": "رفع تخلف"}, 200, "active"},
			{"renew", map[string]any{"reason": "تمدید", "years": 11}, 422, ""},
			{"renew", map[string]any{"reason": "تمدید", "years": 2}, 200, "active"},
			{"revoke", map[string]any{"reason": "لغو"}, 200, "revoked"},
			{"reinstate", map[string]any{"reason": "دلیل آزمون"}, 409, ""},
			{"activate", site(35.74, 51.40), 409, ""},
		}
		for i, s := range steps {
			res := h.do("POST", lp+"/"+s.action, admin, s.body)
			if res.Code != s.status {
				t.Fatalf("step %d %s: %d %s", i, s.action, res.Code, res.Body)
			}
			if s.state != "" && decode[licenceJSON](t, res).State != s.state {
				t.Fatalf("step %d: %s", i, res.Body)
			}
		}
		for _, c := range []struct {
			path   string
			body   any
			status int
		}{
			{"/api/v1/licences/abc/suspend", map[string]any{"reason": "دلیل آزمون"}, 404},
			{"/api/v1/licences/999999/suspend", map[string]any{"reason": "دلیل آزمون"}, 404},
			{lp + "/suspend", map[string]any{"reason": 5}, 400},
			{lp + "/suspend", map[string]any{"reason": strings.Repeat("د", 5000)}, 422},
			{lp + "/renew", map[string]any{"reason": "تمدید", "years": "two"}, 400},
		} {
			if res := h.do("POST", c.path, admin, c.body); res.Code != c.status {
				t.Errorf("%s %v: %d, want %d: %.300s", c.path, c.body, res.Code, c.status, res.Body)
			}
		}
		if res := h.do("POST", lp+"/suspend", ministry, map[string]any{"reason": "دلیل آزمون"}); res.Code != 403 {
			t.Errorf("ministry lifecycle: %d", res.Code)
		}
		events := decode[struct{ Total int }](t, h.do("GET", fmt.Sprintf("/api/v1/audit-events?entity=licence&entity_id=%d", thr.ID), admin, nil))
		if events.Total < 6 {
			t.Errorf("%d audit events for the licence", events.Total)
		}
		// The licensing reports: staff only, national codes masked.
		for _, kind := range []string{"licences", "allocations", "demand"} {
			res := h.do("GET", "/api/v1/reports/"+kind+".csv?lang=en", ministry, nil)
			if res.Code != 200 || strings.Count(res.Body.String(), "\n") < 2 {
				t.Fatalf("%s report: %d %s", kind, res.Code, res.Body)
			}
			if strings.Contains(res.Body.String(), examCode(0)) {
				t.Fatalf("%s report shows a national code", kind)
			}
			if res := h.do("GET", "/api/v1/reports/"+kind+".xlsx", h.tokens[daftar.RoleOfficeOwner], nil); res.Code != 403 {
				t.Errorf("owner reads the %s report: %d", kind, res.Code)
			}
		}
		if body := h.do("GET", "/api/v1/reports/allocations.csv?lang=en", ministry, nil).Body.String(); !strings.Contains(body, "Isfahan") {
			t.Errorf("allocations report: %s", body)
		}
		if body := h.do("GET", "/api/v1/reports/licences.csv", ministry, nil).Body.String(); !strings.Contains(body, thr.Number) {
			t.Errorf("licences report lacks %s: %s", thr.Number, body)
		}
		if res := h.do("GET", "/api/v1/reports/demand.csv?from=2026-11-01&to=2026-11-21", ministry, nil); res.Code != 200 {
			t.Errorf("demand report over a range: %d %s", res.Code, res.Body)
		}
		// The pages: demand with its explanations and a what-if; the rounds.
		for _, c := range []struct {
			path, cookie string
			status       int
			want         string
		}{
			{"/admin/demand", inspector, 200, "تهران"},
			{"/admin/demand?lang=en&province=THR", ministry, 200, "Tehran"},
			{"/admin/demand?city=tehran&add=3", ministry, 200, "افزودن ۳"},
			{"/admin/demand?city=%D8%AA%D9%87%D8%B1%D8%A7%D9%86&add=3", ministry, 200, "افزودن ۳"}, // by its Persian name
			{"/admin/demand?city=atlantis&add=3", ministry, 400, "شهری با این نام پیدا نشد"},
			{"/admin/demand?province=XX", ministry, 400, "فیلترهای این صفحه درست نیست"}, // the page again without the filter
			{"/admin/demand?city=tehran&add=-2", ministry, 400, ""},
			{"/admin/licensing", ministry, 200, "دور ۱۴۰۵"},
			{fmt.Sprintf("/admin/licensing/%d?lang=en", round.ID), admin, 200, "Isfahan"},
			{"/admin/licensing?lang=en", admin, 200, `Revoked</div><div class="figure">1</div>`},
			{"/admin/licensing?lang=en", admin, 200, `Issued, not open</div><div class="figure">1</div>`},
			{"/admin/licensing", inspector, 403, ""},
			{"/admin/demand", h.tokens[daftar.RoleOfficeOwner], 403, ""},
		} {
			res := h.page("GET", c.path, c.cookie, nil)
			if res.Code != c.status || !strings.Contains(res.Header().Get("Content-Type"), "text/html") || !strings.Contains(res.Body.String(), c.want) {
				t.Errorf("%s: %d, want %d and %q: %.400s", c.path, res.Code, c.status, c.want, res.Body)
			}
			if strings.Contains(res.Body.String(), "0xc0") {
				t.Errorf("%s shows a pointer", c.path)
			}
		}
		if strings.Contains(h.logs.String(), examCode(1)) {
			t.Fatal("a national code reached the log")
		}
	})
}
