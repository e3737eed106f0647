package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// page sends a dashboard request with an optional session cookie.
func (h *harness) page(method, path, cookie string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "daftar_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func sessionCookie(t *testing.T, res *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range res.Result().Cookies() {
		if c.Name == "daftar_session" {
			return c
		}
	}
	t.Fatalf("no session cookie set: %v", res.Header())
	return nil
}

func TestDashboardSignInAndPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		if res := h.page("GET", "/", "", nil); res.Code != 303 || res.Header().Get("Location") != "/login" {
			t.Fatalf("/ signed out: %d %q", res.Code, res.Header().Get("Location"))
		}
		res := h.page("GET", "/login", "", nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), `dir="rtl"`) || !strings.Contains(res.Body.String(), `lang="fa"`) {
			t.Fatalf("login page: %d", res.Code)
		}
		if res := h.page("GET", "/login?lang=en", "", nil); !strings.Contains(res.Body.String(), `dir="ltr"`) || !strings.Contains(res.Body.String(), "Sign in") {
			t.Fatal("English login page not in English")
		}
		res = h.page("POST", "/login", "", url.Values{"username": {"ministry-user"}, "password": {"wrong-password"}})
		if res.Code != 401 || !strings.Contains(res.Body.String(), "نادرست") {
			t.Fatalf("bad sign-in: %d", res.Code)
		}
		res = h.page("POST", "/login", "", url.Values{"username": {""}, "password": {""}})
		if res.Code != 400 {
			t.Fatalf("empty sign-in: %d", res.Code)
		}
		res = h.page("POST", "/login", "", url.Values{"username": {"ministry-user"}, "password": {testPassword}, "next": {"//evil.example/x"}})
		if res.Code != 303 || res.Header().Get("Location") != "/admin" {
			t.Fatalf("sign-in: %d → %q", res.Code, res.Header().Get("Location"))
		}
		ck := sessionCookie(t, res)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookie flags: %+v", ck)
		}
		staff := ck.Value
		for _, p := range []string{"/admin", "/admin/offices", "/admin/offices?q=THR&status=active", fmt.Sprintf("/admin/offices/%d", h.officeA), "/admin/offices?lang=en&page=1"} {
			res := h.page("GET", p, staff, nil)
			if res.Code != 200 {
				t.Fatalf("%s: %d %.300s", p, res.Code, res.Body)
			}
		}
		if body := h.page("GET", "/admin/offices", staff, nil).Body.String(); !strings.Contains(body, "THR-0001") || !strings.Contains(body, "KRZ-0001") {
			t.Fatal("offices page lists no offices")
		}
		for _, c := range []struct {
			path   string
			status int
		}{{"/admin/offices/99999", 404}, {"/admin/offices/abc", 404}, {"/dashboard", 403}} {
			res := h.page("GET", c.path, staff, nil)
			if res.Code != c.status || !strings.Contains(res.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %s, want %d as a page", c.path, res.Code, res.Header().Get("Content-Type"), c.status)
			}
		}
		// A filter that does not parse: the list again without it, saying so.
		for _, c := range []struct{ path, bad string }{{"/admin/offices?status=bogus&q=x", "status"}, {"/admin/offices?page=0", "page"}} {
			res := h.page("GET", c.path, staff, nil)
			body := res.Body.String()
			if res.Code != 400 || !strings.Contains(body, `class="problem"`) || !strings.Contains(body, "فیلترهای این صفحه درست نیست") {
				t.Errorf("%s: %d, want the list with the refusal", c.path, res.Code)
			}
		}

		// An owner sees their own office only.
		res = h.page("POST", "/login", "", url.Values{"username": {"office_owner-user"}, "password": {testPassword}})
		owner := sessionCookie(t, res).Value
		if res.Header().Get("Location") != "/dashboard" {
			t.Fatalf("owner home: %q", res.Header().Get("Location"))
		}
		res = h.page("GET", "/dashboard", owner, nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), "THR-0001") || strings.Contains(res.Body.String(), "KRZ-0001") {
			t.Fatalf("owner dashboard: %d", res.Code)
		}
		if res := h.page("GET", fmt.Sprintf("/admin/offices/%d", h.officeB), owner, nil); res.Code != 403 {
			t.Fatalf("owner on the admin pages: %d", res.Code)
		}

		// Signing out ends the session; a stale cookie leads back to sign-in.
		res = h.page("POST", "/logout", staff, url.Values{})
		if res.Code != 303 || res.Header().Get("Location") != "/login" {
			t.Fatalf("sign-out: %d", res.Code)
		}
		if res := h.page("GET", "/admin", staff, nil); res.Code != 303 {
			t.Fatalf("after sign-out: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/auth/me", staff, nil); res.Code != 401 {
			t.Fatalf("token after sign-out: %d", res.Code)
		}
		if res := h.page("GET", "/static/app.css", "", nil); res.Code != 200 {
			t.Fatalf("static: %d", res.Code)
		}
	})
}

func TestFinderPage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		if res := h.page("GET", "/finder", "", nil); res.Code != 200 || !strings.Contains(res.Body.String(), `name="service"`) {
			t.Fatalf("finder page: %d", res.Code)
		}
		res := h.page("GET", "/finder?service=criminal_record&city=tehran", "", nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), "دفتر THR-0001") {
			t.Fatalf("finder results: %d %.2000s", res.Code, res.Body)
		}
		res = h.page("GET", "/finder?service=criminal_record&lat=35.7&lon=51.4&lang=en", "", nil)
		if res.Code != 200 || !strings.Contains(res.Body.String(), "km") {
			t.Fatalf("finder by location: %d", res.Code)
		}
		for _, q := range []string{"?service=criminal_record&city=atlantis", "?service=nothing&city=tehran", "?service=criminal_record&lat=north&lon=51", "?service=criminal_record&lat=10&lon=10"} {
			if res := h.page("GET", "/finder"+q, "", nil); res.Code != 400 {
				t.Errorf("%s: %d", q, res.Code)
			}
		}
	})
}
