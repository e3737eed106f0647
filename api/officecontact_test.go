package api_test

import (
	"fmt"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestOfficeContactAPI: PATCH /offices/{id}/contact is the owner's own
// change of phone and hours with PATCH's If-Match rules; another office is
// not found, other fields are refused, bad values name their field.
func TestOfficeContactAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		owner, admin := h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleAdmin]
		path := fmt.Sprintf("/api/v1/offices/%d/contact", h.officeA)
		get := h.do("GET", fmt.Sprintf("/api/v1/offices/%d", h.officeA), owner, nil)
		etag := get.Header().Get("ETag")
		body := map[string]any{"phone": "۰۲۱-۸۸۷۷۶۶۵۵", "opening_hours": map[string][]string{"sat": {"08:00-14:00"}}}
		res := h.do("PATCH", path, owner, body, "If-Match", etag)
		off := decode[struct {
			Phone        string
			Version      int64
			OpeningHours map[string][]string `json:"opening_hours"`
		}](t, res)
		if res.Code != 200 || off.Phone != "021-88776655" || len(off.OpeningHours["sat"]) != 1 || len(off.OpeningHours["sun"]) != 0 || res.Header().Get("ETag") != fmt.Sprintf(`"%d"`, off.Version) {
			t.Fatalf("change: %d %s", res.Code, res.Body)
		}
		// The same again: nothing changes, the version stays.
		if res := h.do("PATCH", path, owner, body); res.Code != 200 || decode[struct{ Version int64 }](t, res).Version != off.Version {
			t.Fatalf("no-op: %d %s", res.Code, res.Body)
		}
		for _, c := range []struct {
			name   string
			token  string
			path   string
			body   any
			header []string
			status int
		}{
			{"stale", owner, path, map[string]any{"phone": "021-1234567"}, []string{"If-Match", etag}, 409},
			{"stale version in the body", owner, path, map[string]any{"phone": "021-1234567", "version": 1}, nil, 409},
			{"another office", owner, fmt.Sprintf("/api/v1/offices/%d/contact", h.officeB), map[string]any{"phone": "021-1234567"}, nil, 404},
			{"not a field of the owner's", owner, path, map[string]any{"name": "نام تازه"}, nil, 400},
			{"null phone", owner, path, map[string]any{"phone": nil}, nil, 400},
			{"bad phone", owner, path, map[string]any{"phone": "call me"}, nil, 422},
			{"bad hours", owner, path, map[string]any{"opening_hours": map[string][]string{"sat": {"14:00-08:00"}}}, nil, 422},
			{"an inspector", h.tokens[daftar.RoleInspector], path, map[string]any{"phone": "021-1234567"}, nil, 403},
			{"an admin", admin, path, map[string]any{"phone": "021-7654321"}, nil, 200},
		} {
			res := h.do("PATCH", c.path, c.token, c.body, c.header...)
			if res.Code != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.Code, c.status, res.Body)
				continue
			}
			if c.status >= 400 {
				if p := problemOf(t, res); (c.status == 422 || c.status == 400) && c.name != "not a field of the owner's" && len(p.Errors) == 0 {
					t.Errorf("%s: no field named: %s", c.name, res.Body)
				}
			}
		}
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM audit_events WHERE action = 'office.contact' AND entity_id = ?", fmt.Sprint(h.officeA)).Scan(&n)
		if n != 2 {
			t.Fatalf("%d office.contact audit events, want 2 (the owner's, the admin's)", n)
		}
	})
}
