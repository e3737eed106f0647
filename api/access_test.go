package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// who may call each route, written from API.md independently of routes.go:
// "public", or the roles allowed. Every route of the server must be here.
var expectedAccess = map[string]string{
	"GET /healthz":      "public",
	"GET /readyz":       "public",
	"GET /metrics":      "admin",
	"GET /openapi.json": "public",

	"POST /api/v1/auth/login":  "public",
	"POST /api/v1/auth/logout": "admin ministry inspector office_owner",
	"GET /api/v1/auth/me":      "admin ministry inspector office_owner",
	"POST /api/v1/users":       "admin",
	"GET /api/v1/users":        "admin",
	"PATCH /api/v1/users/:id":  "admin",

	"GET /api/v1/regions":       "admin ministry inspector office_owner",
	"GET /api/v1/regions/:code": "admin ministry inspector office_owner",
	"GET /api/v1/services":      "public",

	"GET /api/v1/offices":       "admin ministry inspector office_owner",
	"POST /api/v1/offices":      "admin",
	"GET /api/v1/offices/:id":   "admin ministry inspector office_owner",
	"PATCH /api/v1/offices/:id": "admin",

	"GET /api/v1/audit-events": "admin",

	"GET /api/v1/jobs":            "admin",
	"POST /api/v1/jobs/:name/run": "admin",

	"POST /api/v1/offices/:id/visits":  "admin office_owner",
	"GET /api/v1/offices/:id/crowding": "admin ministry inspector office_owner",
	"GET /api/v1/crowding/regions":     "admin ministry inspector",
	"GET /api/v1/finder":               "public",

	"POST /api/v1/exam-imports":                    "admin ministry",
	"GET /api/v1/exam-imports":                     "admin ministry",
	"GET /api/v1/exam-imports/:id":                 "admin ministry",
	"GET /api/v1/exam-imports/:id/rejections.xlsx": "admin ministry",
	"GET /api/v1/candidates":                       "admin ministry",
	"GET /api/v1/candidates/:id":                   "admin ministry",
	"PATCH /api/v1/candidates/:id":                 "admin ministry",

	"GET /api/v1/demand":                              "admin ministry inspector",
	"GET /api/v1/demand/:code/what-if":                "admin ministry inspector",
	"POST /api/v1/licensing-rounds":                   "admin ministry",
	"GET /api/v1/licensing-rounds":                    "admin ministry",
	"GET /api/v1/licensing-rounds/:id":                "admin ministry",
	"PATCH /api/v1/licensing-rounds/:id/quotas/:code": "admin ministry",
	"POST /api/v1/licensing-rounds/:id/allocate":      "admin ministry",
	"GET /api/v1/licensing-rounds/:id/allocations":    "admin ministry",
	"POST /api/v1/licensing-rounds/:id/close":         "admin ministry",
	"POST /api/v1/licences":                           "admin ministry",
	"GET /api/v1/licences":                            "admin ministry inspector",
	"GET /api/v1/licences/:id":                        "admin ministry inspector",
	"POST /api/v1/licences/:id/:action":               "admin",

	"GET /s/:token":                           "public",
	"POST /api/v1/survey-responses/:token":    "public",
	"GET /api/v1/offices/:id/surveys/summary": "admin ministry inspector office_owner",
	"GET /api/v1/surveys/summary":             "admin ministry inspector",
	"GET /api/v1/survey-templates":            "admin ministry inspector",
	"POST /api/v1/survey-templates":           "admin",
	"GET /api/v1/survey-flags":                "admin ministry inspector",
	"POST /api/v1/survey-flags/:id/overrule":  "admin ministry inspector",

	"GET /api/v1/ranking/directives":        "admin ministry inspector",
	"POST /api/v1/ranking/directives":       "admin",
	"POST /api/v1/ranking/runs":             "admin",
	"GET /api/v1/ranking/runs":              "admin ministry inspector",
	"GET /api/v1/ranking/runs/:id":          "admin ministry inspector",
	"GET /api/v1/ranking/runs/:id/results":  "admin ministry inspector",
	"POST /api/v1/ranking/runs/:id/publish": "admin",
	"POST /api/v1/ranking/runs/:id/verify":  "admin ministry inspector",
	"GET /api/v1/offices/:id/ranking":       "admin ministry inspector office_owner",

	// Inspections.
	"POST /api/v1/offices/:id/inspections":                     "admin inspector",
	"GET /api/v1/offices/:id/inspections":                      "admin ministry inspector",
	"GET /api/v1/inspections/worklist":                         "admin inspector",
	"GET /api/v1/inspections/assignments":                      "admin inspector",
	"POST /api/v1/inspections/assignments":                     "admin inspector",
	"GET /api/v1/inspections/assignments/:aid":                 "admin inspector",
	"POST /api/v1/inspections/assignments/:aid/:action":        "admin inspector",
	"GET /api/v1/inspection-checklists":                        "admin ministry inspector",
	"POST /api/v1/inspection-checklists":                       "admin",
	"GET /api/v1/offices/:id/corrective-actions":               "admin ministry inspector office_owner",
	"GET /api/v1/offices/:id/corrective-actions/:cid":          "admin ministry inspector office_owner",
	"POST /api/v1/offices/:id/corrective-actions/:cid/:action": "admin ministry inspector office_owner",

	// Complaints.
	"POST /api/v1/complaints":                     "public",
	"GET /api/v1/complaints/track/:tracking_code": "public",
	"GET /api/v1/complaints":                      "admin ministry inspector",
	"GET /api/v1/complaints/:id":                  "admin ministry inspector",
	"POST /api/v1/complaints/:id/:action":         "admin ministry inspector office_owner",
	"GET /api/v1/offices/:id/complaints":          "admin ministry inspector office_owner",
	"GET /complaint":                              "public",
	"GET /complaint/track":                        "public",
	"GET /admin/complaints":                       "admin ministry inspector",

	"GET /api/v1/reports/:file": "admin ministry inspector office_owner",
	"GET /finder":               "public",
	"GET /":                     "public",
	"GET /login":                "public",
	"POST /login":               "public",
	"POST /logout":              "admin ministry inspector office_owner",
	"GET /admin":                "admin ministry inspector",
	"GET /admin/offices":        "admin ministry inspector",
	"GET /admin/offices/:id":    "admin ministry inspector",
	"GET /admin/demand":         "admin ministry inspector",
	"GET /admin/licensing":      "admin ministry",
	"GET /dashboard":            "office_owner",

	// The staff workbench: each page and form takes its API route's rule.
	"GET /admin/crowding":                            "admin ministry inspector",
	"GET /admin/surveys":                             "admin ministry inspector",
	"POST /admin/surveys/flags/:id/overrule":         "admin ministry inspector",
	"GET /admin/ranking":                             "admin ministry inspector",
	"POST /admin/ranking/runs":                       "admin",
	"POST /admin/ranking/runs/:id/publish":           "admin",
	"POST /admin/ranking/runs/:id/verify":            "admin ministry inspector",
	"GET /admin/imports":                             "admin ministry",
	"POST /admin/imports":                            "admin ministry",
	"GET /admin/imports/:id":                         "admin ministry",
	"GET /admin/candidates":                          "admin ministry",
	"GET /admin/candidates/:id":                      "admin ministry",
	"POST /admin/candidates/:id/review":              "admin ministry",
	"POST /admin/candidates/:id/reveal":              "admin",
	"POST /admin/licensing":                          "admin ministry",
	"GET /admin/licensing/:id":                       "admin ministry",
	"POST /admin/licensing/:id/quotas":               "admin ministry",
	"POST /admin/licensing/:id/allocate":             "admin ministry",
	"POST /admin/licensing/:id/close":                "admin ministry",
	"POST /admin/licensing/:id/issue":                "admin ministry",
	"GET /admin/licences":                            "admin ministry inspector",
	"GET /admin/licences/:id":                        "admin ministry inspector",
	"POST /admin/licences/:id/:action":               "admin",
	"GET /admin/users":                               "admin",
	"POST /admin/users":                              "admin",
	"GET /admin/users/:id":                           "admin",
	"POST /admin/users/:id":                          "admin",
	"GET /admin/audit":                               "admin",
	"GET /admin/complaints/:id":                      "admin ministry inspector",
	"POST /admin/complaints/:id/:action":             "admin ministry inspector",
	"GET /admin/inspections":                         "admin inspector",
	"POST /admin/inspections/assignments":            "admin inspector",
	"POST /admin/inspections/assignments/:id/cancel": "admin inspector",
	"GET /admin/inspections/offices/:id":             "admin inspector",
	"POST /admin/inspections/offices/:id":            "admin inspector",
}

// fill substitutes path parameters with values that exist.
func (h *harness) fill(path string, office int64) string {
	r := strings.NewReplacer(":id", fmt.Sprint(office), ":code", "tehran", ":token", "no-such-token", ":kind", "offices", ":action", "activate", ":file", "offices.csv")
	if strings.HasPrefix(path, "/api/v1/users/") {
		r = strings.NewReplacer(":id", fmt.Sprint(h.users[daftar.RoleInspector]))
	}
	return r.Replace(path)
}

// TestEveryRouteWithEveryRole walks the whole route table with no token and
// with every role: refused roles get 401/403, allowed ones get past the
// check, and nothing answers 500.
func TestEveryRouteWithEveryRole(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		seen := map[string]bool{}
		for _, r := range h.srv.Routes() {
			key := r.Method + " " + r.Path
			seen[key] = true
			want, ok := expectedAccess[key]
			if !ok {
				t.Errorf("route %s has no expected access in this test: add it from API.md", key)
				continue
			}
			if (want == "public") != r.Public {
				t.Errorf("%s: public=%v, want %s", key, r.Public, want)
			}
			path := h.fill(r.Path, h.officeA)
			body := any(nil)
			if r.Method != "GET" {
				body = map[string]any{}
			}
			// No token.
			res := h.do(r.Method, path, "", body)
			if want != "public" && !r.Page && res.Code != 401 {
				t.Errorf("%s without a token: %d, want 401", key, res.Code)
			}
			if want != "public" && r.Page && (res.Code != 303 || !strings.HasPrefix(res.Header().Get("Location"), "/login")) {
				t.Errorf("page %s without a session: %d, want a redirect to /login", key, res.Code)
			}
			if res.Code >= 500 {
				t.Errorf("%s without a token: %d %s", key, res.Code, res.Body)
			}
			for _, role := range daftar.Roles {
				if key == "POST /api/v1/auth/logout" || key == "POST /logout" {
					continue // would end the session the walk goes on using
				}
				res := h.do(r.Method, path, h.tokens[role], body)
				allowed := want == "public" || strings.Contains(" "+want+" ", " "+string(role)+" ")
				switch {
				case res.Code >= 500:
					t.Errorf("%s as %s: %d %s", key, role, res.Code, res.Body)
				case allowed && (res.Code == 401 || res.Code == 403):
					t.Errorf("%s as %s: %d, want it allowed; %s", key, role, res.Code, res.Body)
				case !allowed && res.Code != 403:
					t.Errorf("%s as %s: %d, want 403", key, role, res.Code)
				}
				if res.Code >= 400 && !r.Page {
					problemOf(t, res)
				}
			}
		}
		for key := range expectedAccess {
			if !seen[key] {
				t.Errorf("expected route %s is not served", key)
			}
		}
	})
}

// TestOwnerNeverSeesAnotherOffice: on every /offices/{id}/... route, an
// office owner asking about an office not theirs gets 403 or 404.
func TestOwnerNeverSeesAnotherOffice(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		n := 0
		for _, r := range h.srv.Routes() {
			if !strings.HasPrefix(r.Path, "/api/v1/offices/:id") {
				continue
			}
			n++
			body := any(nil)
			if r.Method != "GET" {
				body = map[string]any{}
			}
			res := h.do(r.Method, h.fill(r.Path, h.officeB), h.tokens[daftar.RoleOfficeOwner], body)
			if res.Code != 403 && res.Code != 404 {
				t.Errorf("%s %s on another office as its non-owner: %d %s", r.Method, r.Path, res.Code, res.Body)
			}
			if strings.Contains(res.Body.String(), "KRZ-0001") {
				t.Errorf("%s %s leaks the other office", r.Method, r.Path)
			}
		}
		if n == 0 {
			t.Fatal("no office routes found")
		}
		// The list shows an owner only their own office, whatever the filter.
		res := h.do("GET", "/api/v1/offices?city=mashhad", h.tokens[daftar.RoleOfficeOwner], nil)
		if res.Code != 200 || strings.Contains(res.Body.String(), "KRZ-0001") {
			t.Fatalf("owner's list leaks: %d %s", res.Code, res.Body)
		}
		list := decode[struct{ Total int64 }](t, h.do("GET", "/api/v1/offices", h.tokens[daftar.RoleOfficeOwner], nil))
		if list.Total != 1 {
			t.Fatalf("owner sees %d offices, want 1", list.Total)
		}
	})
}

// TestNewRefusesMissingServices: a server without one of its services is
// a wiring mistake, refused at start, naming what is missing.
func TestNewRefusesMissingServices(t *testing.T) {
	_, err := api.New(api.Deps{}, api.Config{})
	if err == nil || !strings.Contains(err.Error(), "Licences") || !strings.Contains(err.Error(), "Exams") {
		t.Fatalf("%v", err)
	}
}
