package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

type officeJSON struct {
	ID           int64               `json:"id"`
	Code         string              `json:"code"`
	Name         string              `json:"name"`
	City         string              `json:"city"`
	Province     string              `json:"province"`
	Latitude     float64             `json:"latitude"`
	Longitude    float64             `json:"longitude"`
	Counters     int                 `json:"counters"`
	Services     []string            `json:"services"`
	Status       string              `json:"status"`
	Version      int64               `json:"version"`
	OpeningHours map[string][]string `json:"opening_hours"`
}

func validOffice() map[string]any {
	return map[string]any{
		"name": "دفتر خدمات الکترونیک قضائی اصفهان ۷", "name_en": "Isfahan office 7", "city": "isfahan",
		"latitude": 32.65, "longitude": 51.67, "counters": 4, "address": "اصفهان، خیابان چهارباغ",
		"services":      []string{"criminal_record", "sana_registration"},
		"opening_hours": map[string][]string{"sat": {"08:00-13:00", "۱۶:۰۰-۱۹:۰۰"}, "thu": {"08:00-12:00"}},
	}
}

func TestOfficeLifecycle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		res := h.do("POST", "/api/v1/offices", admin, validOffice())
		if res.Code != 201 {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		created := decode[officeJSON](t, res)
		if created.Code != "ISF-0001" || created.Province != "ISF" || created.Version != 1 || created.Status != "active" {
			t.Fatalf("created %+v", created)
		}
		if got := created.OpeningHours["sat"]; len(got) != 2 || got[1] != "16:00-19:00" {
			t.Fatalf("opening hours (Persian digits) not read: %v", created.OpeningHours)
		}
		if res.Header().Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", res.Header().Get("ETag"))
		}
		path := fmt.Sprintf("/api/v1/offices/%d", created.ID)

		// Read as staff.
		for _, role := range []daftar.Role{daftar.RoleAdmin, daftar.RoleMinistry, daftar.RoleInspector} {
			if res := h.do("GET", path, h.tokens[role], nil); res.Code != 200 {
				t.Fatalf("get as %s: %d", role, res.Code)
			}
		}

		// Update with the right version.
		res = h.do("PATCH", path, admin, map[string]any{"counters": 6, "services": []string{"e_notification"}}, "If-Match", `"1"`)
		if res.Code != 200 {
			t.Fatalf("update: %d %s", res.Code, res.Body)
		}
		upd := decode[officeJSON](t, res)
		if upd.Counters != 6 || upd.Version != 2 || len(upd.Services) != 1 || upd.Name != created.Name {
			t.Fatalf("updated %+v", upd)
		}
		// A stale write is refused, and changes nothing.
		res = h.do("PATCH", path, admin, map[string]any{"counters": 9}, "If-Match", `"1"`)
		if res.Code != 409 || problemOf(t, res).Code != "office_version_stale" {
			t.Fatalf("stale If-Match: %d %s", res.Code, res.Body)
		}
		res = h.do("PATCH", path, admin, map[string]any{"counters": 9, "version": 1})
		if res.Code != 409 {
			t.Fatalf("stale body version: %d %s", res.Code, res.Body)
		}
		if got := decode[officeJSON](t, h.do("GET", path, admin, nil)); got.Counters != 6 || got.Version != 2 {
			t.Fatalf("stale write changed the office: %+v", got)
		}
		// Without If-Match the write goes through (last writer wins).
		if res := h.do("PATCH", path, admin, map[string]any{"status": "suspended"}); res.Code != 200 {
			t.Fatalf("unconditional update: %d %s", res.Code, res.Body)
		}

		// List with filters.
		for _, q := range []struct {
			query string
			want  int64
		}{
			{"city=isfahan", 1}, {"province=ISF", 1}, {"status=suspended", 1}, {"status=active", 2},
			{"service=e_notification", 3}, {"service=sana_registration", 0}, {"q=اصفهان", 1}, {"q=isfahan+office", 1},
			{"q=ISF-0001", 1}, {"q=nothing-like-this", 0}, {"page=2&page_size=2", 3},
		} {
			res := h.do("GET", "/api/v1/offices?"+q.query, admin, nil)
			if res.Code != 200 {
				t.Fatalf("list %s: %d %s", q.query, res.Code, res.Body)
			}
			got := decode[struct {
				Items []officeJSON
				Total int64
			}](t, res)
			if got.Total != q.want {
				t.Errorf("list %s: total %d, want %d", q.query, got.Total, q.want)
			}
		}
		// Every change is in the audit log, and the chain holds.
		res = h.do("GET", fmt.Sprintf("/api/v1/audit-events?entity=office&entity_id=%d", created.ID), admin, nil)
		events := decode[struct {
			Items []struct {
				Action    string
				ActorName string `json:"actor_name"`
			}
			Total int
		}](t, res)
		if events.Total != 3 || events.Items[0].ActorName != "admin-user" {
			t.Fatalf("audit events: %+v", events)
		}
	})
}

// TestOfficeBadInput: every kind of bad input gets a problem naming the
// field, never a 500.
func TestOfficeBadInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		with := func(k string, v any) map[string]any {
			o := validOffice()
			if v == nil {
				delete(o, k)
			} else {
				o[k] = v
			}
			return o
		}
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"malformed json", `{"name": `, 400, ""},
			{"not an object", `[1,2]`, 400, ""},
			{"empty body", ``, 400, ""},
			{"two values", `{} {}`, 400, ""},
			{"unknown field", with("owner_id", 5), 400, "owner_id"},
			{"wrong type counters", with("counters", "four"), 400, "counters"},
			{"wrong type latitude", with("latitude", "north"), 400, "latitude"},
			{"wrong type services", with("services", "criminal_record"), 400, "services"},
			{"null name", with("name", nil), 422, "name"},
			{"empty name", with("name", "  "), 422, "name"},
			{"overlong name", with("name", strings.Repeat("د", 201)), 422, "name"},
			{"overlong address", with("address", strings.Repeat("x", 501)), 422, "address"},
			{"missing city", with("city", nil), 422, "city"},
			{"unknown city", with("city", "atlantis"), 422, "city"},
			{"province as city", with("city", "ISF"), 422, "city"},
			{"missing counters", with("counters", nil), 422, "counters"},
			{"zero counters", with("counters", 0), 422, "counters"},
			{"too many counters", with("counters", 1000), 422, "counters"},
			{"outside Iran", with("latitude", 48.85), 422, "latitude"},
			{"far from the city", with("latitude", 35.70), 422, "latitude"},
			{"unknown service", with("services", []string{"criminal_record", "teleportation"}), 422, "services[1]"},
			{"bad hours", with("opening_hours", map[string][]string{"sat": {"13:00-08:00"}}), 422, "opening_hours.sat[0]"},
			{"bad day", with("opening_hours", map[string][]string{"someday": {"08:00-13:00"}}), 422, "opening_hours.someday"},
			{"overlapping hours", with("opening_hours", map[string][]string{"sat": {"08:00-13:00", "12:00-14:00"}}), 422, "opening_hours.sat[1]"},
			{"bad code", with("code", "no spaces allowed"), 422, "code"},
			{"bad phone", with("phone", "call me"), 422, "phone"},
			{"bad status", with("status", "open"), 422, "status"},
			{"version on create", with("version", 3), 400, "version"},
			{"oversize body", `{"name": "` + strings.Repeat("x", 70<<10) + `"}`, 413, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := h.do("POST", "/api/v1/offices", admin, c.body)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %s", res.Code, c.status, res.Body)
				}
				p := problemOf(t, res)
				if c.field != "" {
					found := false
					for _, f := range p.Errors {
						found = found || f.Field == c.field
					}
					if !found {
						t.Fatalf("no error on field %q: %+v", c.field, p.Errors)
					}
				}
			})
		}
		// A duplicate code is a conflict.
		res := h.do("POST", "/api/v1/offices", admin, with("code", "THR-0001"))
		if res.Code != 409 {
			t.Fatalf("duplicate code: %d %s", res.Code, res.Body)
		}
		// Bad If-Match, ids and pagination.
		path := fmt.Sprintf("/api/v1/offices/%d", h.officeA)
		for _, c := range []struct {
			method, path, ifMatch string
			body                  any
			status                int
		}{
			{"PATCH", path, "garbage", map[string]any{"counters": 2}, 400},
			{"PATCH", path, `"98", "99"`, map[string]any{"counters": 2}, 409}, // a list matches when one of its tags does
			{"PATCH", path, `"7"`, map[string]any{"counters": 2}, 409},
			{"PATCH", path, "", map[string]any{"counters": nil}, 400},
			{"PATCH", path, "", map[string]any{"city": "mashhad"}, 422}, // Tehran's location is not in Mashhad
			{"GET", "/api/v1/offices/abc", "", nil, 404},
			{"GET", "/api/v1/offices/0", "", nil, 404},
			{"GET", "/api/v1/offices/99999", "", nil, 404},
			{"GET", "/api/v1/offices/-1", "", nil, 404},
			{"GET", "/api/v1/offices?page=0", "", nil, 400},
			{"GET", "/api/v1/offices?page=abc", "", nil, 400},
			{"GET", "/api/v1/offices?page_size=100000", "", nil, 400},
			{"GET", "/api/v1/offices?page_size=-5", "", nil, 400},
			{"GET", "/api/v1/offices?city=atlantis", "", nil, 400},
			{"GET", "/api/v1/offices?province=tehran", "", nil, 400},
			{"GET", "/api/v1/offices?status=open", "", nil, 400},
			{"GET", "/api/v1/offices?service=x", "", nil, 400},
			{"GET", "/api/v1/offices?q=" + strings.Repeat("x", 300), "", nil, 400},
			{"GET", "/api/v1/regions?level=planet", "", nil, 400},
			{"GET", "/api/v1/regions?parent=nowhere", "", nil, 400},
			{"GET", "/api/v1/regions/nowhere", "", nil, 404},
			{"GET", "/api/v1/nothing-here", "", nil, 404},
			{"DELETE", "/api/v1/offices", "", nil, 405},
		} {
			var headers []string
			if c.ifMatch != "" {
				headers = []string{"If-Match", c.ifMatch}
			}
			res := h.do(c.method, c.path, admin, c.body, headers...)
			if res.Code != c.status {
				t.Errorf("%s %s (If-Match %q): %d, want %d: %s", c.method, c.path, c.ifMatch, res.Code, c.status, res.Body)
				continue
			}
			problemOf(t, res)
		}
		// Persian digits in page numbers are read.
		if res := h.do("GET", "/api/v1/offices?page=%DB%B1&page_size=%DB%B2", admin, nil); res.Code != 200 {
			t.Fatalf("Persian digits in pagination: %d %s", res.Code, res.Body)
		}
	})
}

func TestRegionsAndServices(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		tok := h.tokens[daftar.RoleOfficeOwner]
		provinces := decode[struct {
			Items []struct{ Code, Level string }
			Total int
		}](t, h.do("GET", "/api/v1/regions?level=province", tok, nil))
		if provinces.Total != 31 {
			t.Fatalf("%d provinces", provinces.Total)
		}
		cities := decode[struct{ Total int }](t, h.do("GET", "/api/v1/regions?level=city", tok, nil))
		if cities.Total < 60 {
			t.Fatalf("%d cities", cities.Total)
		}
		esf := decode[struct {
			Items []struct{ Code string }
		}](t, h.do("GET", "/api/v1/regions?q=Esfahan&level=city", tok, nil))
		if len(esf.Items) != 1 || esf.Items[0].Code != "isfahan" {
			t.Fatalf("Esfahan → %+v", esf)
		}
		thr := decode[struct {
			Code     string
			Children []struct{ Code string }
		}](t, h.do("GET", "/api/v1/regions/THR", tok, nil))
		if len(thr.Children) == 0 {
			t.Fatal("Tehran province lists no cities")
		}
		svc := decode[struct {
			Items []struct{ Code, Channel string }
			Total int
		}](t, h.do("GET", "/api/v1/services", "", nil))
		if svc.Total != 29 {
			t.Fatalf("%d services", svc.Total)
		}
	})
}
