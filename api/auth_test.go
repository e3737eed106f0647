package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func TestLoginLogoutAndTokens(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		res := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "ministry-user", "password": testPassword})
		if res.Code != 200 || res.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("login: %d %s", res.Code, res.Body)
		}
		login := decode[struct {
			Token     string `json:"token"`
			Role      string `json:"role"`
			ExpiresAt string `json:"expires_at"`
			Jalali    string `json:"expires_at_jalali"`
		}](t, res)
		if len(login.Token) < 40 || login.Role != "ministry" || login.ExpiresAt == "" || login.Jalali == "" {
			t.Fatalf("login answer %+v", login)
		}
		me := decode[struct{ Username string }](t, h.do("GET", "/api/v1/auth/me", login.Token, nil))
		if me.Username != "ministry-user" {
			t.Fatalf("me: %+v", me)
		}
		if res := h.do("POST", "/api/v1/auth/logout", login.Token, nil); res.Code != 204 {
			t.Fatalf("logout: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/auth/me", login.Token, nil); res.Code != 401 || problemOf(t, res).Code != "session_revoked" {
			t.Fatalf("after logout: %d %s", res.Code, res.Body)
		}

		for _, c := range []struct {
			name   string
			body   any
			status int
		}{
			{"wrong password", map[string]string{"username": "ministry-user", "password": "not-the-password"}, 401},
			{"unknown user", map[string]string{"username": "ghost", "password": "whatever-it-is"}, 401},
			{"missing password", map[string]string{"username": "ministry-user"}, 400},
			{"missing username", map[string]string{"password": "x"}, 400},
			{"overlong password", map[string]string{"username": "ministry-user", "password": strings.Repeat("p", 300)}, 400},
			{"wrong types", `{"username": 5, "password": true}`, 400},
			{"extra field", `{"username": "a", "password": "b", "role": "admin"}`, 400},
			{"not json", `username=a&password=b`, 400},
		} {
			res := h.do("POST", "/api/v1/auth/login", "", c.body)
			if res.Code != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.Code, c.status, res.Body)
				continue
			}
			problemOf(t, res)
		}

		for _, hdr := range []string{"Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer not-a-token", "Bearer " + strings.Repeat("x", 1000)} {
			req := httptest.NewRequest("GET", "/api/v1/auth/me", nil)
			req.Header.Set("Authorization", hdr)
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			if rec.Code != 401 {
				t.Errorf("Authorization %.30q: %d, want 401", hdr, rec.Code)
			}
		}
		// An expired session is refused.
		tok := h.login("inspector-user", testPassword)
		h.clock.Advance(13 * 60 * 60e9)
		if res := h.do("GET", "/api/v1/auth/me", tok, nil); res.Code != 401 {
			t.Fatalf("expired session: %d", res.Code)
		}

		// Nothing secret reaches the log.
		logs := h.logs.String()
		for _, secret := range []string{testPassword, login.Token, "not-the-password"} {
			if strings.Contains(logs, secret) {
				t.Fatalf("the log holds a secret (%q)", secret[:4])
			}
		}
		if !strings.Contains(logs, `"msg":"login failed"`) || !strings.Contains(logs, `"msg":"http request"`) {
			t.Fatal("login attempts or requests are not logged")
		}
	})
}

func TestLoginThrottledWith429(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		for i := 0; i < 5; i++ {
			h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "inspector-user", "password": "wrong-guess"})
		}
		res := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "inspector-user", "password": testPassword})
		if res.Code != 429 || res.Header().Get("Retry-After") == "" {
			t.Fatalf("throttled login: %d retry-after %q %s", res.Code, res.Header().Get("Retry-After"), res.Body)
		}
		problemOf(t, res)
	})
}

func TestUsersAdministration(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		res := h.do("POST", "/api/v1/users", admin, map[string]any{"username": "owner2", "password": "owner-password-2", "role": "office_owner", "office_id": h.officeB})
		if res.Code != 201 {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		u := decode[struct {
			ID       int64
			OfficeID *int64 `json:"office_id"`
		}](t, res)
		if u.OfficeID == nil || *u.OfficeID != h.officeB {
			t.Fatalf("created %+v", u)
		}
		if res := h.do("POST", "/api/v1/users", admin, map[string]any{"username": "owner2", "password": "owner-password-2", "role": "ministry"}); res.Code != 409 {
			t.Fatalf("duplicate username: %d", res.Code)
		}
		for _, body := range []map[string]any{
			{"username": "x", "password": "owner-password-2", "role": "ministry"},
			{"username": "okname", "password": "short", "role": "ministry"},
			{"username": "okname", "password": "owner-password-2", "role": "emperor"},
			{"username": "okname", "password": "owner-password-2", "role": "office_owner"},
			{"username": "okname", "password": "owner-password-2", "role": "office_owner", "office_id": 99999},
			{"username": "okname", "password": "owner-password-2", "role": "ministry", "office_id": h.officeA},
		} {
			if res := h.do("POST", "/api/v1/users", admin, body); res.Code != 400 || len(problemOf(t, res).Errors) == 0 {
				t.Errorf("bad user %v: %d %s", body, res.Code, res.Body)
			}
		}
		ownerTok := h.login("owner2", "owner-password-2")
		if res := h.do("GET", fmt.Sprintf("/api/v1/offices/%d", h.officeB), ownerTok, nil); res.Code != 200 {
			t.Fatalf("owner reads own office: %d", res.Code)
		}
		path := fmt.Sprintf("/api/v1/users/%d", u.ID)
		// Disabling ends the owner's session at once.
		if res := h.do("PATCH", path, admin, map[string]any{"disabled": true}); res.Code != 200 {
			t.Fatalf("disable: %d %s", res.Code, res.Body)
		}
		if res := h.do("GET", "/api/v1/auth/me", ownerTok, nil); res.Code != 401 {
			t.Fatalf("disabled user's token still works: %d", res.Code)
		}
		if res := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "owner2", "password": "owner-password-2"}); res.Code != 401 {
			t.Fatalf("disabled user logs in: %d", res.Code)
		}
		// Stale version, null role, unknown user.
		if res := h.do("PATCH", path, admin, map[string]any{"full_name": "x", "version": 1}); res.Code != 409 {
			t.Fatalf("stale version: %d %s", res.Code, res.Body)
		}
		if res := h.do("PATCH", path, admin, map[string]any{"role": nil}); res.Code != 400 {
			t.Fatalf("null role: %d", res.Code)
		}
		if res := h.do("PATCH", "/api/v1/users/99999", admin, map[string]any{"full_name": "x"}); res.Code != 404 {
			t.Fatalf("unknown user: %d", res.Code)
		}
		// Role change to ministry unbinds the office.
		res = h.do("PATCH", path, admin, map[string]any{"role": "ministry", "disabled": false})
		if res.Code != 200 || decode[struct {
			OfficeID *int64 `json:"office_id"`
		}](t, res).OfficeID != nil {
			t.Fatalf("role change: %d %s", res.Code, res.Body)
		}
		list := decode[struct{ Total int }](t, h.do("GET", "/api/v1/users?role=ministry", admin, nil))
		if list.Total != 2 {
			t.Fatalf("ministry users: %d", list.Total)
		}
		if res := h.do("GET", "/api/v1/users?role=emperor", admin, nil); res.Code != 400 {
			t.Fatalf("bad role filter: %d", res.Code)
		}
	})
}

// Cookie sessions (the dashboard) cannot be ridden by another site.
func TestCookieSessionRefusesCrossOriginWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		tok := h.tokens[daftar.RoleAdmin]
		send := func(origin string) int {
			req := httptest.NewRequest("PATCH", fmt.Sprintf("/api/v1/offices/%d", h.officeA), strings.NewReader(`{"counters": 4}`))
			req.AddCookie(&http.Cookie{Name: "daftar_session", Value: tok})
			if origin != "" {
				req.Header.Set("Origin", origin)
			}
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			return rec.Code
		}
		if code := send("https://evil.example"); code != 403 {
			t.Fatalf("cross-origin cookie write: %d", code)
		}
		if code := send("http://example.com"); code != 200 {
			t.Fatalf("same-origin cookie write: %d", code)
		}
	})
}

func TestRequestIDAndHealth(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	h := newHarness(t, d)
	res := h.do("GET", "/healthz", "", nil, "X-Request-ID", "abcdef123456")
	if res.Code != 200 || res.Header().Get("X-Request-ID") != "abcdef123456" {
		t.Fatalf("healthz: %d %q", res.Code, res.Header().Get("X-Request-ID"))
	}
	res = h.do("GET", "/healthz", "", nil, "X-Request-ID", "bad id with spaces")
	if id := res.Header().Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("unsafe request id echoed: %q", id)
	}
	if res := h.do("GET", "/readyz", "", nil); res.Code != 200 {
		t.Fatalf("readyz: %d", res.Code)
	}
	res = h.do("GET", "/metrics", h.tokens[daftar.RoleAdmin], nil)
	if res.Code != 200 || !strings.Contains(res.Body.String(), "daftar_http_requests_total") || !strings.Contains(res.Body.String(), "go_sql_open_connections") && !strings.Contains(res.Body.String(), "open_connections") {
		t.Fatalf("metrics: %d %.300s", res.Code, res.Body)
	}
	d.Close()
	if res := h.do("GET", "/readyz", "", nil); res.Code != 503 {
		t.Fatalf("readyz with the database closed: %d", res.Code)
	}
}
