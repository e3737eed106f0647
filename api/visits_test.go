package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// newVisitServices builds the visits (inviting to the surveys) and
// crowding services of the harness.
func newVisitServices(t testing.TB, d *db.DB, clock daftar.Clock, register *offices.Register, inviter visits.SurveyInviter,
	log *slog.Logger) (*visits.Service, *visits.Crowding) {
	t.Helper()
	v, err := visits.New(d, clock, register, inviter, log, visits.Config{})
	if err != nil {
		t.Fatal(err)
	}
	crowding, err := visits.NewCrowding(d, register, visits.CrowdingConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return v, crowding
}

// newFinder builds the harness's finder, showing the ranking's grades.
func newFinder(t testing.TB, register *offices.Register, changes *offices.Changes, crowding *visits.Crowding, grades finder.Grades,
	clock daftar.Clock, log *slog.Logger) *finder.Finder {
	t.Helper()
	f, err := finder.New(context.Background(), register, changes, crowding, grades, clock, log, finder.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func visitJSON(ticket string, hh int) map[string]any {
	day := time.Date(2026, 11, 21, hh, 0, 0, 0, daftar.Tehran())
	return map[string]any{"ticket": ticket, "service": "criminal_record", "arrived_at": day.Format(time.RFC3339),
		"called_at": day.Add(40 * time.Minute).Format(time.RFC3339), "finished_at": day.Add(50 * time.Minute).Format(time.RFC3339),
		"outcome": "served", "counter": 1, "channel": "walk_in", "mobile": "09121234567"}
}

func TestVisitsAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		owner := h.tokens[daftar.RoleOfficeOwner]
		path := fmt.Sprintf("/api/v1/offices/%d/visits", h.officeA)
		bad := visitJSON("T-3", 9)
		bad["counter"] = true
		unknown := visitJSON("T-4", 9)
		unknown["colour"] = "red"
		body := map[string]any{"visits": []any{visitJSON("T-1", 9), visitJSON(" T-2 ", 10), visitJSON("T-1", 11), bad, unknown, "nope", 42}}
		res := h.do("POST", path, owner, body)
		if res.Code != 200 {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		out := decode[map[string]any](t, res)
		if out["accepted"] != 2.0 || out["duplicates"] != 1.0 || out["refused"] != 4.0 {
			t.Fatalf("%s", res.Body)
		}
		results := out["results"].([]any)
		first := results[0].(map[string]any)
		for _, k := range []string{"ticket", "status", "reason", "survey_url"} {
			if _, ok := first[k]; !ok {
				t.Errorf("result lacks %q: %v", k, first)
			}
		}
		wantStatus := []string{"accepted", "accepted", "duplicate", "refused", "refused", "refused", "refused"}
		wantField := map[int]string{3: "counter", 4: "colour", 5: "visit", 6: "visit"}
		for i, r := range results {
			m := r.(map[string]any)
			if m["status"] != wantStatus[i] {
				t.Errorf("item %d: %v", i, m)
			}
			if f, ok := wantField[i]; ok {
				errs, _ := m["errors"].([]any)
				if len(errs) == 0 || errs[0].(map[string]any)["field"] != f || m["ticket"] != map[int]any{3: "T-3", 4: "T-4", 5: "", 6: ""}[i] {
					t.Errorf("item %d: %v", i, m)
				}
			}
		}
		if results[1].(map[string]any)["ticket"] != "T-2" {
			t.Errorf("ticket not normalised: %v", results[1])
		}
		// Again: nothing changes.
		res = h.do("POST", path, h.tokens[daftar.RoleAdmin], map[string]any{"visits": []any{visitJSON("T-1", 9)}})
		if out := decode[map[string]any](t, res); res.Code != 200 || out["duplicates"] != 1.0 {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		// The mobile never reaches the log.
		if strings.Contains(h.logs.String(), "09121234567") {
			t.Fatal("a mobile number was logged")
		}
		// Who may post: the owner of another office learns nothing, staff
		// other than admins may not.
		other := fmt.Sprintf("/api/v1/offices/%d/visits", h.officeB)
		if res := h.do("POST", other, owner, body); res.Code != 404 {
			t.Fatalf("owner on another office: %d", res.Code)
		}
		if res := h.do("POST", path, h.tokens[daftar.RoleInspector], body); res.Code != 403 {
			t.Fatalf("inspector: %d", res.Code)
		}
		// Whole-batch refusals.
		for name, c := range map[string]struct {
			body   any
			status int
			code   string
		}{
			"no visits":    {map[string]any{}, 400, "empty_batch"},
			"empty":        {map[string]any{"visits": []any{}}, 400, "empty_batch"},
			"not a list":   {map[string]any{"visits": "x"}, 400, "invalid_field_type"},
			"extra field":  {map[string]any{"visits": []any{}, "office": 1}, 400, "unknown_field"},
			"too many":     {map[string]any{"visits": make([]map[string]any, 1001)}, 413, "batch_too_large"},
			"not json":     {"{", 400, "malformed_json"},
			"no such path": {map[string]any{"visits": []any{visitJSON("X", 9)}}, 0, ""},
		} {
			p := path
			if name == "no such path" {
				p = "/api/v1/offices/999999/visits"
				c.status, c.code = 404, "office_not_found"
				res := h.do("POST", p, h.tokens[daftar.RoleAdmin], c.body)
				if pr := problemOf(t, res); res.Code != c.status || pr.Code != c.code {
					t.Errorf("%s: %d %s", name, res.Code, res.Body)
				}
				continue
			}
			res := h.do("POST", p, owner, c.body)
			if pr := problemOf(t, res); res.Code != c.status || pr.Code != c.code {
				t.Errorf("%s: %d %s", name, res.Code, res.Body)
			}
		}
		res = h.do("PATCH", fmt.Sprintf("/api/v1/offices/%d", h.officeB), h.tokens[daftar.RoleAdmin], map[string]any{"status": "suspended"})
		if res.Code != 200 {
			t.Fatalf("suspend: %d %s", res.Code, res.Body)
		}
		res = h.do("POST", other, h.tokens[daftar.RoleAdmin], map[string]any{"visits": []any{visitJSON("S-1", 9)}})
		if pr := problemOf(t, res); res.Code != 409 || pr.Code != "office_not_serving" {
			t.Fatalf("suspended office: %d %s", res.Code, res.Body)
		}
	})
}

func TestCrowdingAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		owner := h.tokens[daftar.RoleOfficeOwner]
		var visits []any
		for i := 0; i < 12; i++ {
			visits = append(visits, visitJSON(fmt.Sprintf("C-%d", i), 8+i%4))
		}
		if res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/visits", h.officeA), owner, map[string]any{"visits": visits}); res.Code != 200 {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		base := fmt.Sprintf("/api/v1/offices/%d/crowding", h.officeA)
		res := h.do("GET", base, owner, nil)
		if res.Code != 200 {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		out := decode[map[string]any](t, res)
		total := out["total"].(map[string]any)
		for _, k := range []string{"wait_p50_min", "wait_p90_min", "wait_p95_min", "wait_max_min", "service_mean_min", "arrivals",
			"served", "no_shows", "over_target_share", "utilisation", "erlang_c_wait_min", "service_p90_min", "queue_max", "queue_mean"} {
			if _, ok := total[k]; !ok {
				t.Errorf("total lacks %q", k)
			}
		}
		if total["arrivals"] != 12.0 || total["wait_p50_min"] != 40.0 || total["wait_max_min"] != 40.0 || total["over_target_share"] != 1.0 ||
			total["service_mean_min"] != 10.0 || out["by"] != "hour" || out["target_min"] != 30.0 {
			t.Fatalf("%s", res.Body)
		}
		if items := out["items"].([]any); len(items) == 0 || items[0].(map[string]any)["hour"] == nil {
			t.Fatalf("items %v", out["items"])
		}
		// Jalali dates with Persian digits, by day; by weekday.
		res = h.do("GET", base+"?from=۱۴۰۵/۰۸/۳۰&to=1405/08/30&by=day", h.tokens[daftar.RoleMinistry], nil)
		out = decode[map[string]any](t, res)
		items, _ := out["items"].([]any)
		if res.Code != 200 || len(items) != 1 || items[0].(map[string]any)["date"] != "2026-11-21" || items[0].(map[string]any)["date_jalali"] != "1405/08/30" || out["from"] != "2026-11-21" {
			t.Fatalf("by day: %d %s", res.Code, res.Body)
		}
		res = h.do("GET", base+"?period=1405-08&by=weekday", h.tokens[daftar.RoleInspector], nil)
		out = decode[map[string]any](t, res)
		if items, _ := out["items"].([]any); res.Code != 200 || len(items) != 1 || items[0].(map[string]any)["weekday"] != "sat" {
			t.Fatalf("by weekday: %d %s", res.Code, res.Body)
		}
		for q, field := range map[string]string{
			"?from=yesterday":                 "from",
			"?to=1405/13/01":                  "to",
			"?from=2026-11-21&to=2026-11-01":  "to",
			"?from=2020-01-01&to=2026-11-01":  "to",
			"?by=month":                       "by",
			"?period=1405-13":                 "period",
			"?period=1405-08&from=2026-11-01": "period",
		} {
			res := h.do("GET", base+q, owner, nil)
			pr := problemOf(t, res)
			if res.Code != 400 || len(pr.Errors) == 0 || pr.Errors[0].Field != field {
				t.Errorf("%s: %d %s", q, res.Code, res.Body)
			}
		}
		if res := h.do("GET", fmt.Sprintf("/api/v1/offices/%d/crowding", h.officeB), owner, nil); res.Code != 404 {
			t.Fatalf("owner on another office: %d", res.Code)
		}
		// Hotspots.
		res = h.do("GET", "/api/v1/crowding/regions?level=all", h.tokens[daftar.RoleInspector], nil)
		out = decode[map[string]any](t, res)
		items, _ = out["items"].([]any)
		if res.Code != 200 || out["total"] != 2.0 || len(items) != 2 || items[0].(map[string]any)["wait_p90_min"] != 40.0 {
			t.Fatalf("regions: %d %s", res.Code, res.Body)
		}
		res = h.do("GET", "/api/v1/crowding/regions", h.tokens[daftar.RoleAdmin], nil)
		out = decode[map[string]any](t, res)
		if items, _ := out["items"].([]any); len(items) != 1 || items[0].(map[string]any)["region"] != "tehran" || items[0].(map[string]any)["parent"] != "THR" {
			t.Fatalf("cities: %s", res.Body)
		}
		if res := h.do("GET", "/api/v1/crowding/regions?level=district", h.tokens[daftar.RoleAdmin], nil); res.Code != 400 {
			t.Fatalf("bad level: %d", res.Code)
		}
	})
}

func TestFinderAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		res := h.do("GET", "/api/v1/finder?lat=۳۵٫۷۰&lon=51.41&service=criminal_record&limit=5", "", nil)
		if res.Code != 200 {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		out := decode[map[string]any](t, res)
		items := out["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("%s", res.Body)
		}
		it := items[0].(map[string]any)
		for _, k := range []string{"office_id", "name", "distance_m", "predicted_wait_min", "grade", "address", "opening_hours", "open_now"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item lacks %q", k)
			}
		}
		if it["office_id"] != float64(h.officeA) || it["distance_m"].(float64) < 850 || it["distance_m"].(float64) > 950 || it["grade"] != nil {
			t.Fatalf("%v", it)
		}
		for q, field := range map[string]string{
			"?lon=51.4&service=criminal_record":                  "lat",
			"?lat=x&lon=51.4&service=criminal_record":            "lat",
			"?lat=35.7&lon=151.4&service=criminal_record":        "lon",
			"?lat=35.7&lon=51.4":                                 "service",
			"?lat=35.7&lon=51.4&service=teleport":                "service",
			"?lat=35.7&lon=51.4&service=criminal_record&limit=0": "limit",
			"?lat=35.7&lon=51.4&service=criminal_record&limit=x": "limit",
		} {
			res := h.do("GET", "/api/v1/finder"+q, "", nil)
			pr := problemOf(t, res)
			if res.Code != 400 || len(pr.Errors) == 0 || pr.Errors[0].Field != field {
				t.Errorf("%s: %d %s", q, res.Code, res.Body)
			}
		}
	})
}
