package api_test

// Hostile tests: what an attacker tried against the demo, kept as
// regressions. The finding numbers are those of the hardening issue; each
// test runs on SQLite and PostgreSQL.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/surveys"
)

// send is a request with any headers (pairs), and a cookie session when
// cookie is not empty.
func (h *harness) send(method, path, cookie string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "daftar_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func formBody(v url.Values) io.Reader { return strings.NewReader(v.Encode()) }

const formType = "application/x-www-form-urlencoded"

// Finding 1: after sign-in, next goes only to a path of this site.
func TestHostileOpenRedirect(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		for _, next := range []string{"/\t/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
			"https://evil.example/", "/\n/evil.example", "/\r//evil.example", "/%2F/evil.example", "http:/evil.example",
			"javascript:alert(1)", "/\u00a0/evil.example", "/\u2028/evil.example", " //evil.example", "evil.example", "/\x00/x"} {
			// The sign-in form does not carry it ...
			page := h.send("GET", "/login?next="+url.QueryEscape(next), "", nil)
			if strings.Contains(page.Body.String(), "evil.example") {
				t.Errorf("GET /login?next=%q puts it in the form", next)
			}
			// ... and a posted one is not followed.
			res := h.send("POST", "/login", "", formBody(url.Values{"username": {"ministry-user"}, "password": {testPassword}, "next": {next}}),
				"Content-Type", formType, "Origin", "http://example.com")
			if res.Code != 303 || res.Header().Get("Location") != "/admin" {
				t.Errorf("next %q: %d → %q, want /admin", next, res.Code, res.Header().Get("Location"))
			}
		}
		// A path of this site, with its query, is kept.
		res := h.send("POST", "/login", "", formBody(url.Values{"username": {"ministry-user"}, "password": {testPassword}, "next": {"/admin/offices?q=THR&page=2"}}),
			"Content-Type", formType, "Origin", "http://example.com")
		if res.Header().Get("Location") != "/admin/offices?q=THR&page=2" {
			t.Errorf("same-site next: %q", res.Header().Get("Location"))
		}
		// The sign-in redirect of a page asks for the page itself.
		if res := h.send("GET", "/admin/offices?q=x", "", nil); res.Header().Get("Location") != "/login?next=%2Fadmin%2Foffices%3Fq%3Dx" {
			t.Errorf("sign-in redirect: %q", res.Header().Get("Location"))
		}
	})
}

// Finding 7: the answer to a survey is the same whether a stuffing signal
// caught it or not.
func TestHostileSurveyAnswerSaysNothingOfFlags(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		// Answered within a second of being invited: the visit ended ten
		// minutes ago, so the first is clean; the clock then goes back to
		// the end of the visit, so the second is too fast.
		toks := h.servedVisits(t, h.officeA, 2)
		answer := map[string]any{"answers": map[string]any{"overall": 5, "courtesy": 5, "waiting": 5, "fees_clear": 5, "extra_fee": false, "recommend": 10}}
		clean := h.do("POST", "/api/v1/survey-responses/"+toks[0], "", answer)
		h.clock.Set(h.clock.Now().Add(-10 * time.Minute))
		fast := h.do("POST", "/api/v1/survey-responses/"+toks[1], "", answer)
		if clean.Code != 201 || fast.Code != 201 {
			t.Fatalf("answers: %d %d", clean.Code, fast.Code)
		}
		if clean.Body.String() != fast.Body.String() || strings.Contains(fast.Body.String(), "flag") {
			t.Fatalf("the answers differ: %s / %s", clean.Body, fast.Body)
		}
		flags := decode[struct{ Total int }](t, h.do("GET", "/api/v1/survey-flags", h.tokens[daftar.RoleAdmin], nil))
		if flags.Total != 1 {
			t.Fatalf("the fast answer is flagged for staff: %d flags", flags.Total)
		}
	})
}

// Finding 10: the sign-in form takes posts from Daftar's own pages only.
func TestHostileLoginCSRF(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		creds := url.Values{"username": {"admin-user"}, "password": {testPassword}}
		for _, hdr := range [][]string{{"Origin", "http://evil.example"}, {"Referer", "http://evil.example/login"}, {"Sec-Fetch-Site", "cross-site"},
			{"Origin", "null"}, {"Origin", "http://example.com.evil.example"}} {
			res := h.send("POST", "/login", "", formBody(creds), "Content-Type", formType, hdr[0], hdr[1], "Accept", "text/html")
			if res.Code != 403 || len(res.Result().Cookies()) > 0 && res.Result().Cookies()[0].Value != "" {
				t.Errorf("%s %s: %d, cookies %v", hdr[0], hdr[1], res.Code, res.Result().Cookies())
			}
			if !strings.Contains(res.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: the refusal is not a page", hdr[0], hdr[1])
			}
		}
		// From the sign-in page itself it works.
		res := h.send("POST", "/login", "", formBody(creds), "Content-Type", formType, "Origin", "http://example.com")
		if res.Code != 303 {
			t.Fatalf("same-origin sign-in: %d", res.Code)
		}
	})
}

// rawMultipart posts a hand-written multipart body to the exam import.
func (h *harness) rawMultipart(token, boundary, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/v1/exam-imports", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// Finding 6: a malformed part is the caller's mistake (400), never a 500.
func TestHostileMalformedMultipart(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		csv := string(examCSV(t, 2))
		part := func(headers string) string {
			return "--XB\r\n" + headers + "\r\n\r\n" + csv + "\r\n--XB--\r\n"
		}
		for name, body := range map[string]string{
			"NUL in the file name":     part(`Content-Disposition: form-data; name="file"; filename="a` + "\x00" + `b.csv"`),
			"CR in the file name":      part(`Content-Disposition: form-data; name="file"; filename="a` + "\r" + `b.csv"`),
			"header without a colon":   part("Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nthis line has no colon"),
			"newline in the file name": part(`Content-Disposition: form-data; name="file"; filename="a` + "\n" + `b.csv"`),
			"cut short":                "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n" + csv,
			"garbage":                  "\x00\x01\x02 not multipart at all",
			"control in the field":     part(`Content-Disposition: form-data; name="fi` + "\x01" + `le"; filename="a.csv"`),
		} {
			res := h.rawMultipart(h.tokens[daftar.RoleAdmin], "XB", body)
			if res.Code != 400 {
				t.Errorf("%s: %d, want 400: %s", name, res.Code, res.Body)
				continue
			}
			problemOf(t, res)
		}
	})
}

// Finding 11: what a signed-in caller reads is kept by no cache; nothing is
// sniffed; HSTS rides on secure cookies (TestHostileHSTS).
func TestHostileHeaders(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		cand := h.approveCandidates(t, 1, 0)[0]
		for _, c := range []struct {
			path  string
			token string
		}{
			{"/api/v1/auth/me", admin}, {"/api/v1/users", admin}, {"/api/v1/candidates/" + itoa(cand), admin},
			{"/api/v1/offices", h.tokens[daftar.RoleOfficeOwner]}, {"/api/v1/services", admin}, {"/api/v1/finder?lat=35.7&lon=51.4&service=criminal_record", admin},
			{"/api/v1/reports/offices.csv", admin},
		} {
			res := h.do("GET", c.path, c.token, nil)
			if res.Code != 200 || res.Header().Get("Cache-Control") != "no-store" || res.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %d, Cache-Control %q, X-Content-Type-Options %q", c.path, res.Code, res.Header().Get("Cache-Control"), res.Header().Get("X-Content-Type-Options"))
			}
		}
		// The dashboard pages, signed in by cookie.
		for _, p := range []string{"/admin", "/admin/offices", "/admin/offices/" + itoa(h.officeA)} {
			res := h.send("GET", p, admin, nil)
			if res.Code != 200 || res.Header().Get("Cache-Control") != "no-store" || res.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %d, Cache-Control %q", p, res.Code, res.Header().Get("Cache-Control"))
			}
		}
		if res := h.send("GET", "/dashboard", h.tokens[daftar.RoleOfficeOwner], nil); res.Code != 200 || res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("/dashboard: %d %q", res.Code, res.Header().Get("Cache-Control"))
		}
		// Public answers may be cached by anyone; every answer has nosniff.
		if res := h.do("GET", "/api/v1/services", "", nil); res.Header().Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("public catalogue: %q", res.Header().Get("Cache-Control"))
		}
		for _, p := range []string{"/healthz", "/openapi.json", "/static/app.css", "/api/v1/nothing", "/login", "/api/v1/offices"} {
			if res := h.do("GET", p, "", nil); res.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s without nosniff", p)
			}
		}
		if res := h.do("GET", "/healthz", "", nil); res.Header().Get("Strict-Transport-Security") != "" {
			t.Error("HSTS without secure cookies")
		}
	})
}

// Finding 12: a stale or bogus credential does not break a public route;
// routes that need a session still refuse it.
func TestHostileBadBearerOnPublicRoutes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		toks := h.servedVisits(t, h.officeA, 1)
		loggedOut := h.login("inspector-user", testPassword)
		h.do("POST", "/api/v1/auth/logout", loggedOut, nil)
		public := 0
		for _, r := range h.srv.Routes() {
			if !r.Public || r.Method != "GET" {
				continue
			}
			public++
			path := strings.NewReplacer(":token", toks[0], ":id", itoa(h.officeA)).Replace(r.Path)
			if r.Path == "/api/v1/finder" {
				path += "?lat=35.7&lon=51.4&service=criminal_record"
			}
			for _, auth := range []string{"Bearer bogus", "Bearer " + loggedOut, "Basic YWRtaW46YWRtaW4=", "Bearer", strings.Repeat("x", 300)} {
				res := h.send("GET", path, "", nil, "Authorization", auth)
				if res.Code == 401 || res.Code >= 500 {
					t.Errorf("%s with %.20q: %d", path, auth, res.Code)
				}
			}
			// A stale cookie too.
			if res := h.send("GET", path, loggedOut, nil); res.Code == 401 || res.Code >= 500 {
				t.Errorf("%s with a stale cookie: %d", path, res.Code)
			}
		}
		if public < 6 {
			t.Fatalf("only %d public GET routes", public)
		}
		// Signing in with a stale bearer still works.
		res := h.do("POST", "/api/v1/auth/login", "bogus", map[string]string{"username": "admin-user", "password": testPassword})
		if res.Code != 200 {
			t.Fatalf("login with a stale bearer: %d", res.Code)
		}
		// A route that needs a session refuses the bad one.
		if res := h.do("GET", "/api/v1/auth/me", "bogus", nil); res.Code != 401 {
			t.Fatalf("me with a bad bearer: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/offices", loggedOut, nil); res.Code != 401 {
			t.Fatalf("offices with a revoked token: %d", res.Code)
		}
	})
}

// Finding 14: If-Match by RFC 9110: strong comparison, "*" for an existing
// record, a list matching when one member does, 409 for a well-formed tag
// that does not match, 400 only for a header that does not parse.
func TestHostileIfMatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		path := "/api/v1/offices/" + itoa(h.officeA)
		version := func() int64 {
			return decode[struct{ Version int64 }](t, h.do("GET", path, admin, nil)).Version
		}
		counters := 3
		for _, c := range []struct {
			ifMatch func(v int64) string
			status  int
		}{
			{func(v int64) string { return fmt.Sprintf(`"%d"`, v) }, 200},
			{func(v int64) string { return "*" }, 200},
			{func(v int64) string { return fmt.Sprintf(`"%d", "%d"`, v+5, v) }, 200},
			{func(v int64) string { return fmt.Sprintf(`"x", W/"%d", "%d"`, v, v) }, 200},
			{func(v int64) string { return fmt.Sprintf(`W/"%d"`, v) }, 409}, // weak never matches
			{func(v int64) string { return `"0"` }, 409},
			{func(v int64) string { return `"stale-1"` }, 409},
			{func(v int64) string { return fmt.Sprintf(`"%d"`, v+1) }, 409},
			{func(v int64) string { return fmt.Sprintf(`"%d", "%d"`, v+1, v+2) }, 409},
			{func(v int64) string { return fmt.Sprintf(`"0%d"`, v) }, 409}, // not how Daftar writes the version
			{func(v int64) string { return "garbage" }, 400},
			{func(v int64) string { return `"unterminated` }, 400},
			{func(v int64) string { return `"a b"` }, 400},
			{func(v int64) string { return `,` }, 400},
			{func(v int64) string { return fmt.Sprintf(`"%d" x`, v) }, 400},
		} {
			v := version()
			counters = counters%9 + 1
			hdr := c.ifMatch(v)
			res := h.do("PATCH", path, admin, map[string]any{"counters": counters}, "If-Match", hdr)
			if res.Code != c.status {
				t.Errorf("If-Match %s (version %d): %d, want %d: %s", hdr, v, res.Code, c.status, res.Body)
				continue
			}
			if c.status != 200 {
				problemOf(t, res)
				if version() != v {
					t.Errorf("If-Match %s: refused, but the office changed", hdr)
				}
			}
		}
		// "*" on a record that does not exist is 404.
		if res := h.do("PATCH", "/api/v1/offices/99999", admin, map[string]any{"counters": 2}, "If-Match", "*"); res.Code != 404 {
			t.Errorf("* on a missing office: %d", res.Code)
		}
		// The same rules on the other versioned writes.
		user := "/api/v1/users/" + itoa(h.users[daftar.RoleInspector])
		if res := h.do("PATCH", user, admin, map[string]any{"full_name": "بازرس"}, "If-Match", `W/"1"`); res.Code != 409 {
			t.Errorf("weak tag on a user: %d", res.Code)
		}
		if res := h.do("PATCH", user, admin, map[string]any{"full_name": "بازرس"}, "If-Match", `"9", "1"`); res.Code != 200 {
			t.Errorf("list on a user: %d %s", res.Code, res.Body)
		}
	})
}

// Finding 15: page routes, and any request outside /api/ from a browser,
// get a Persian page for an error, never raw JSON.
func TestHostileErrorPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, owner := h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleOfficeOwner]
		html := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
		big := strings.Repeat("x", 70<<10)
		for _, c := range []struct {
			name, method, path, cookie string
			body                       io.Reader
			headers                    []string
			status                     int
		}{
			{"unknown dashboard path", "GET", "/admin/nothing-here", admin, nil, nil, 404},
			{"unknown path signed out", "GET", "/no/such/page", "", nil, nil, 404},
			{"page of another role", "GET", "/dashboard", admin, nil, nil, 403},
			{"staff page as owner", "GET", "/admin", owner, nil, nil, 403},
			{"wrong method", "PUT", "/admin", admin, nil, nil, 405},
			{"wrong method signed out", "DELETE", "/login", "", nil, nil, 405},
			{"too large", "POST", "/login", "", strings.NewReader("username=" + big), []string{"Content-Type", formType, "Origin", "http://example.com"}, 413},
			{"cross-site form", "POST", "/logout", admin, formBody(url.Values{}), []string{"Content-Type", formType, "Origin", "http://evil.example"}, 403},
			{"missing office", "GET", "/admin/offices/99999", admin, nil, nil, 404},
			{"metrics from a browser", "GET", "/metrics", "", nil, nil, 401},
		} {
			res := h.send(c.method, c.path, c.cookie, c.body, append([]string{"Accept", html}, c.headers...)...)
			body := res.Body.String()
			if res.Code != c.status || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %q, want %d as a page: %.200s", c.name, res.Code, res.Header().Get("Content-Type"), c.status, body)
				continue
			}
			fa := daftar.PersianDigits(fmt.Sprint(c.status))
			if !strings.Contains(body, `lang="fa"`) || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, fa) ||
				strings.Contains(body, `"code":`) || strings.Contains(body, "no such") {
				t.Errorf("%s: not a Persian error page: %.400s", c.name, body)
			}
		}
		// A staff list with a filter that does not parse: 400, the list
		// again without that filter, saying in Persian what was refused.
		res := h.send("GET", "/admin/offices?status=bogus", admin, nil, "Accept", html)
		if body := res.Body.String(); res.Code != 400 || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, `lang="fa"`) || !strings.Contains(body, "فیلترهای این صفحه درست نیست") || strings.Contains(body, `"code":`) {
			t.Errorf("bad filter: %d %.300s", res.Code, body)
		}
		// English with ?lang=en.
		if res := h.send("GET", "/admin/nothing?lang=en", admin, nil, "Accept", html); res.Code != 404 || !strings.Contains(res.Body.String(), "Not found") {
			t.Errorf("English error page: %d", res.Code)
		}
		// An API client keeps problem+json, also on /api/ from a browser.
		for _, c := range []struct{ path, accept string }{{"/no/such/page", "application/json"}, {"/no/such/page", ""}, {"/api/v1/nothing", html}} {
			res := h.send("GET", c.path, "", nil, "Accept", c.accept)
			if res.Code != 404 {
				t.Errorf("%s (%s): %d", c.path, c.accept, res.Code)
				continue
			}
			problemOf(t, res)
		}
	})
}

// Finding 11: behind HTTPS (secure cookies) every answer asks browsers to
// keep to HTTPS.
func TestHostileHSTS(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	h := newHarnessWith(t, d, func(c *api.Config) { c.SecureCookies = true })
	for _, p := range []string{"/healthz", "/login", "/api/v1/nothing", "/static/app.css"} {
		if res := h.do("GET", p, "", nil); res.Header().Get("Strict-Transport-Security") != "max-age=31536000" {
			t.Errorf("%s: HSTS %q", p, res.Header().Get("Strict-Transport-Security"))
		}
	}
	res := h.send("POST", "/login", "", formBody(url.Values{"username": {"admin-user"}, "password": {testPassword}}), "Content-Type", formType, "Origin", "http://example.com")
	if ck := sessionCookie(t, res); !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie: %+v", ck)
	}
}

// Finding 3: survey links come from the configured public address, never
// from the request's Host or forwarding headers.
func TestHostileHostHeaderShapesNoLink(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		req := httptest.NewRequest("POST", "/api/v1/offices/"+itoa(h.officeA)+"/visits", strings.NewReader(bodyString(map[string]any{"visits": []any{visitJSON("H-1", 9)}})))
		req.Host = "daftar-survey.evil.example"
		for k, v := range map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + h.tokens[daftar.RoleOfficeOwner],
			"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "Forwarded": "host=evil.example"} {
			req.Header.Set(k, v)
		}
		res := httptest.NewRecorder()
		h.h.ServeHTTP(res, req)
		out := decode[struct {
			Results []struct {
				SurveyURL *string `json:"survey_url"`
			}
		}](t, res)
		if res.Code != 200 || len(out.Results) != 1 || out.Results[0].SurveyURL == nil || !strings.HasPrefix(*out.Results[0].SurveyURL, "https://daftar.example/s/") {
			t.Fatalf("%d %s", res.Code, res.Body)
		}
		if strings.Contains(res.Body.String(), "evil") {
			t.Fatalf("the Host shaped the answer: %s", res.Body)
		}
	})
}

// Finding 4: nobody can lock another out. Wrong passwords from one address
// block that address for the account; the right password from elsewhere
// still signs in; the refusal is logged and counted.
func TestHostileAccountLockout(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		login := func(ip, pw string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(bodyString(map[string]string{"username": "inspector-user", "password": pw})))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = ip + ":4000"
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			return rec
		}
		for i := 0; i < 5; i++ {
			if res := login("203.0.113.7", "wrong-guess"); res.Code != 401 {
				t.Fatalf("guess %d: %d", i, res.Code)
			}
		}
		if res := login("203.0.113.7", testPassword); res.Code != 429 || res.Header().Get("Retry-After") == "" {
			t.Fatalf("the attacking address: %d", res.Code)
		}
		if res := login("198.51.100.20", testPassword); res.Code != 200 {
			t.Fatalf("the holder from elsewhere is locked out: %d %s", res.Code, res.Body)
		}
		metrics := h.do("GET", "/metrics", h.tokens[daftar.RoleAdmin], nil).Body.String()
		if !strings.Contains(metrics, `daftar_login_throttled_total{throttle="account_address"} 1`) {
			t.Fatalf("throttle not counted: %s", grepLines(metrics, "throttled"))
		}
		if !strings.Contains(h.logs.String(), `"login throttle reached"`) || !strings.Contains(h.logs.String(), `"login refused: throttled"`) {
			t.Fatal("the throttle is not logged")
		}
		if strings.Contains(h.logs.String(), "wrong-guess") || strings.Contains(h.logs.String(), testPassword) {
			t.Fatal("a password reached the log")
		}
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Finding 2: an owner cannot tie a survey comment to a visit. Comments
// show to owners only for a whole period that has ended with at least the
// minimum of answers (the harness's is 3), as texts alone in random order;
// staff keep the day and the score.
func TestHostileSurveyCommentsAnonymous(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		owner, staff := h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleInspector]
		// Three answers with comments at office A in 1405-09 (the harness's
		// month), two at office B.
		for _, c := range []struct {
			office int64
			n      int
		}{{h.officeA, 3}, {h.officeB, 2}} {
			for i, tok := range h.servedVisits(t, c.office, c.n) {
				res := h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
					"overall": 1 + i, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": i == 0, "recommend": 9, "comment": fmt.Sprintf("نظر شماره %d", i)}})
				if res.Code != 201 {
					t.Fatalf("answer: %d %s", res.Code, res.Body)
				}
			}
		}
		summary := func(office int64, token, query string) (map[string]any, string) {
			res := h.do("GET", fmt.Sprintf("/api/v1/offices/%d/surveys/summary%s", office, query), token, nil)
			if res.Code != 200 {
				t.Fatalf("%s: %d %s", query, res.Code, res.Body)
			}
			return decode[map[string]any](t, res), res.Body.String()
		}
		comments := func(m map[string]any) []any { return m["comments"].([]any) }
		// While the month runs the owner sees the figures but no comment:
		// each would appear right after the visit behind it.
		if m, _ := summary(h.officeA, owner, "?period=1405-09"); len(comments(m)) != 0 || m["comments_withheld"] != true || m["means"] == nil {
			t.Fatalf("running month: %v", m)
		}
		// Staff see them, with the day and the score.
		m, _ := summary(h.officeA, staff, "?period=1405-09")
		if len(comments(m)) != 3 || comments(m)[0].(map[string]any)["visit_day"] == nil || comments(m)[0].(map[string]any)["overall"] == nil {
			t.Fatalf("staff: %v", m)
		}
		// The month ends.
		h.clock.Set(time.Date(2026, 12, 23, 6, 0, 0, 0, time.UTC)) // 1405-10-02
		owner = h.login("office_owner-user", testPassword)
		orders := map[string]bool{}
		for i := 0; i < 20; i++ {
			m, body := summary(h.officeA, owner, "?period=1405-09")
			if len(comments(m)) != 3 || m["comments_withheld"] != false {
				t.Fatalf("ended month at the minimum: %v", m)
			}
			for _, leak := range []string{"visit_day", "overall\":", "ticket", "visit_id", "2026-11"} {
				if strings.Contains(body[strings.Index(body, `"comments"`):], leak) {
					t.Fatalf("an owner's comments carry %s: %s", leak, body)
				}
			}
			var order []string
			for _, c := range comments(m) {
				order = append(order, c.(map[string]any)["comment"].(string))
			}
			orders[strings.Join(order, "|")] = true
		}
		if len(orders) < 2 {
			t.Fatalf("the comments come in one order every time: %v", orders)
		}
		// The quarter holding the month has ended too.
		if m, _ := summary(h.officeA, owner, "?period=1405-Q3"); len(comments(m)) != 3 {
			t.Fatalf("ended quarter: %v", m)
		}
		// A hand-picked range of days shows none, nor does a period below
		// the minimum.
		for _, q := range []string{"?from=1405/09/01&to=1405/09/30", "?from=2026-11-22&to=2026-11-22", ""} {
			if m, _ := summary(h.officeA, owner, q); len(comments(m)) != 0 || m["comments_withheld"] != true {
				t.Fatalf("owner %q: %v", q, m)
			}
		}
		// Office B's owner: two answers, below the minimum.
		if res := h.do("POST", "/api/v1/users", h.login("admin-user", testPassword), map[string]any{"username": "owner-b", "password": testPassword,
			"role": "office_owner", "office_id": h.officeB}); res.Code != 201 {
			t.Fatalf("owner B: %d %s", res.Code, res.Body)
		}
		if m, _ := summary(h.officeB, h.login("owner-b", testPassword), "?period=1405-09"); len(comments(m)) != 0 || m["comments_withheld"] != true || m["withheld"] != true {
			t.Fatalf("below the minimum: %v", m)
		}
	})
}

// Who may read each report kind, from API.md's rule for the records it
// holds (written apart from reportaccess.go): an inspector, who may not list
// candidates or allocations, may not download them either. Office owners
// read their own office's rows.
var expectedReportAccess = map[string]string{
	"offices":     "admin ministry inspector office_owner",
	"crowding":    "admin ministry inspector office_owner",
	"surveys":     "admin ministry inspector office_owner",
	"rankings":    "admin ministry inspector office_owner",
	"candidates":  "admin ministry",
	"allocations": "admin ministry",
	"licences":    "admin ministry inspector",
	"demand":      "admin ministry inspector",
	"complaints":  "admin ministry inspector office_owner",
	"inspections": "admin ministry inspector",
}

// Finding 5: every report kind × format × role follows the rules of the
// records it holds.
func TestHostileReportAccess(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		h.approveCandidates(t, 3, 1)
		h.servedVisits(t, h.officeB, 2)
		kinds := h.reports.Kinds()
		for _, kind := range kinds {
			want, ok := expectedReportAccess[kind]
			if !ok {
				t.Errorf("report kind %s has no expected access in this test: add it with the rule of its records", kind)
				continue
			}
			for _, format := range []string{"csv", "xlsx"} {
				path := "/api/v1/reports/" + kind + "." + format
				if res := h.do("GET", path, "", nil); res.Code != 401 {
					t.Errorf("%s without a token: %d", path, res.Code)
				}
				for _, role := range daftar.Roles {
					res := h.do("GET", path, h.tokens[role], nil)
					allowed := strings.Contains(" "+want+" ", " "+string(role)+" ")
					switch {
					case allowed && res.Code != 200:
						t.Errorf("%s as %s: %d, want 200: %s", path, role, res.Code, res.Body)
					case !allowed && res.Code != 403:
						t.Errorf("%s as %s: %d, want 403", path, role, res.Code)
					case !allowed:
						problemOf(t, res)
					case role == daftar.RoleOfficeOwner && strings.Contains(res.Body.String(), "KRZ-0001"):
						t.Errorf("%s as the owner of A holds office B's rows", path)
					}
				}
			}
		}
		for kind := range expectedReportAccess {
			if !slices.Contains(kinds, kind) {
				t.Errorf("expected report kind %s is not served", kind)
			}
		}
		if res := h.do("GET", "/api/v1/reports/passwords.csv", h.tokens[daftar.RoleAdmin], nil); res.Code != 404 {
			t.Errorf("unknown kind: %d", res.Code)
		}
	})
}

// Finding 8: owners record their recent visits (3 days back by default),
// not their history; staff keep the long window.
func TestHostileBackdatedVisits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		path := "/api/v1/offices/" + itoa(h.officeA) + "/visits"
		visitAgo := func(ticket string, ago time.Duration) map[string]any {
			at := h.clock.Now().Add(-ago)
			return map[string]any{"ticket": ticket, "service": "criminal_record", "arrived_at": at.Format(time.RFC3339),
				"called_at": at.Add(20 * time.Minute).Format(time.RFC3339), "finished_at": at.Add(30 * time.Minute).Format(time.RFC3339),
				"outcome": "served", "counter": 1}
		}
		type result struct {
			Status    string
			SurveyURL *string `json:"survey_url"`
			Errors    []struct{ Field, Code string }
		}
		post := func(token string, visits ...any) []result {
			res := h.do("POST", path, token, map[string]any{"visits": visits})
			if res.Code != 200 {
				t.Fatalf("%d %s", res.Code, res.Body)
			}
			return decode[struct{ Results []result }](t, res).Results
		}
		owner, admin := h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleAdmin]
		got := post(owner, visitAgo("B-1", 2*24*time.Hour), visitAgo("B-30", 30*24*time.Hour), visitAgo("B-400", 400*24*time.Hour), visitAgo("B-4", 73*time.Hour))
		if got[0].Status != "accepted" || got[0].SurveyURL == nil {
			t.Errorf("two days back: %+v", got[0])
		}
		for _, r := range got[1:] {
			if r.Status != "refused" || r.SurveyURL != nil || len(r.Errors) == 0 || r.Errors[0].Field != "arrived_at" || r.Errors[0].Code != "too_old" {
				t.Errorf("backdated by an owner: %+v", r)
			}
		}
		// Staff may load older visits (within 400 days).
		got = post(admin, visitAgo("B-30", 30*24*time.Hour), visitAgo("B-399", 399*24*time.Hour), visitAgo("B-401", 401*24*time.Hour))
		if got[0].Status != "accepted" || got[1].Status != "accepted" || got[2].Status != "refused" {
			t.Errorf("staff: %+v", got)
		}
	})
}

// Finding 9: the register keeps the siting rule of licence activation: an
// office created active, re-opened or moved while active keeps 500 m from
// every other active office, unless an admin states an exemption, which
// the audit log keeps.
func TestHostileSitingRule(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		office := func(code, status string, extra ...any) map[string]any {
			m := map[string]any{"code": code, "name": "دفتر " + code, "city": "tehran", "latitude": 35.70004, "longitude": 51.40003, "counters": 2}
			if status != "" {
				m["status"] = status
			}
			for i := 0; i+1 < len(extra); i += 2 {
				m[extra[i].(string)] = extra[i+1]
			}
			return m
		}
		tooClose := func(what string, res *httptest.ResponseRecorder) {
			t.Helper()
			if res.Code != 422 || problemOf(t, res).Code != "too_close_to_office" || !strings.Contains(res.Body.String(), "THR-0001") {
				t.Errorf("%s: %d %s", what, res.Code, res.Body)
			}
		}
		// 5 m from office A, created active (the default) or said so.
		tooClose("created 5 m away", h.do("POST", "/api/v1/offices", admin, office("THR-0900", "")))
		tooClose("created active 5 m away", h.do("POST", "/api/v1/offices", admin, office("THR-0900", "active")))
		// Pending is fine; opening it later is not.
		res := h.do("POST", "/api/v1/offices", admin, office("THR-0901", "pending"))
		if res.Code != 201 {
			t.Fatalf("pending: %d %s", res.Code, res.Body)
		}
		pending := decode[struct{ ID int64 }](t, res).ID
		tooClose("opened 5 m away", h.do("PATCH", "/api/v1/offices/"+itoa(pending), admin, map[string]any{"status": "active"}))
		// Close A, open a neighbour, then re-open A: refused.
		if res := h.do("PATCH", "/api/v1/offices/"+itoa(h.officeA), admin, map[string]any{"status": "closed"}); res.Code != 200 {
			t.Fatalf("close A: %d", res.Code)
		}
		if res := h.do("PATCH", "/api/v1/offices/"+itoa(pending), admin, map[string]any{"status": "active"}); res.Code != 200 {
			t.Fatalf("open the neighbour of a closed office: %d %s", res.Code, res.Body)
		}
		res = h.do("PATCH", "/api/v1/offices/"+itoa(h.officeA), admin, map[string]any{"status": "active"})
		if res.Code != 422 || !strings.Contains(res.Body.String(), "THR-0901") {
			t.Errorf("re-opened 5 m from an active office: %d %s", res.Code, res.Body)
		}
		// Moving an active office next to another: refused.
		far := h.do("POST", "/api/v1/offices", admin, office("THR-0902", "active", "latitude", 35.75, "longitude", 51.45))
		if far.Code != 201 {
			t.Fatalf("an office far away: %d %s", far.Code, far.Body)
		}
		farID := decode[struct{ ID int64 }](t, far).ID
		res = h.do("PATCH", "/api/v1/offices/"+itoa(farID), admin, map[string]any{"latitude": 35.70001, "longitude": 51.40001})
		if res.Code != 422 || problemOf(t, res).Code != "too_close_to_office" {
			t.Errorf("moved next to an active office: %d %s", res.Code, res.Body)
		}
		// Exemptions: a reason, when opening, audited.
		for _, c := range []struct {
			body   map[string]any
			status int
			field  string
		}{
			{map[string]any{"status": "active", "siting_exemption": "کوتاه"}, 422, "siting_exemption"},
			{map[string]any{"counters": 4, "siting_exemption": "دفتر پیش از این قاعده دایر بوده است"}, 422, "siting_exemption"},
			{map[string]any{"status": "active", "siting_exemption": "دفتر پیش از این قاعده دایر بوده است"}, 200, ""},
		} {
			res := h.do("PATCH", "/api/v1/offices/"+itoa(h.officeA), admin, c.body)
			if res.Code != c.status {
				t.Errorf("%v: %d %s", c.body, res.Code, res.Body)
				continue
			}
			if c.field != "" && !strings.Contains(res.Body.String(), `"field":"`+c.field+`"`) {
				t.Errorf("%v: %s", c.body, res.Body)
			}
		}
		res = h.do("POST", "/api/v1/offices", admin, office("THR-0903", "active", "siting_exemption", "ثبت دفاتر موجود در سامانه"))
		if res.Code != 201 {
			t.Fatalf("created with an exemption: %d %s", res.Code, res.Body)
		}
		events := h.do("GET", "/api/v1/audit-events?entity=office&page_size=100", admin, nil).Body.String()
		if strings.Count(events, "siting_exemption") != 2 || !strings.Contains(events, "ثبت دفاتر موجود در سامانه") {
			t.Errorf("the exemptions are not audited: %s", grepLines(events, "siting"))
		}
	})
}

// Finding 13: every number and text is bounded by the domain; office codes
// follow their pattern; passwords follow NIST SP 800-63B's spirit; an empty
// change changes nothing.
func TestHostileValidation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		refused := func(what string, res *httptest.ResponseRecorder, field string) {
			t.Helper()
			if res.Code != 400 && res.Code != 422 {
				t.Errorf("%s: %d, want 400 or 422: %s", what, res.Code, res.Body)
				return
			}
			if p := problemOf(t, res); field != "" && !hasFieldError(p, field) {
				t.Errorf("%s: no error on %s: %+v", what, field, p.Errors)
			}
		}
		// Directives: penalties and targets within their scales.
		directive := func(change func(map[string]any)) map[string]any {
			dd := ranking.DefaultDirective()
			crit := make([]map[string]any, len(dd.Criteria))
			for i, c := range dd.Criteria {
				crit[i] = map[string]any{"criterion": c.Criterion, "weight": c.Weight, "normalisation": c.Normalisation, "best": c.Best, "worst": c.Worst}
			}
			m := map[string]any{"name": "آزمون مرزها", "effective_from": "2026-12-01", "criteria": crit, "min_responses": 10, "prior_weight": 10,
				"grades": dd.Grades, "penalties": map[string]any{"minor": 5, "major": 15, "critical": 40, "licence_suspended": 50, "lookback_months": 12}}
			change(m)
			return m
		}
		for _, c := range []struct {
			name   string
			change func(map[string]any)
			field  string
		}{
			{"penalty 1e308", func(m map[string]any) { m["penalties"].(map[string]any)["minor"] = 1e308 }, "penalties.minor"},
			{"penalty 101", func(m map[string]any) { m["penalties"].(map[string]any)["critical"] = 101 }, "penalties.critical"},
			{"target 1e308", func(m map[string]any) { m["criteria"].([]map[string]any)[1]["worst"] = 1e308 }, "criteria[1].worst"},
			{"satisfaction target 50", func(m map[string]any) { m["criteria"].([]map[string]any)[0]["best"] = 50 }, "criteria[0].best"},
			{"share target 2", func(m map[string]any) { m["criteria"].([]map[string]any)[3]["worst"] = 2 }, "criteria[3].worst"},
			{"name of 300 characters", func(m map[string]any) { m["name"] = strings.Repeat("د", 300) }, "name"},
			{"prior weight 1e308", func(m map[string]any) { m["prior_weight"] = 1e308 }, "prior_weight"},
		} {
			refused("directive: "+c.name, h.do("POST", "/api/v1/ranking/directives", admin, directive(c.change)), c.field)
		}
		if res := h.do("POST", "/api/v1/ranking/directives", admin, directive(func(map[string]any) {})); res.Code != 201 {
			t.Fatalf("a directive within bounds: %d %s", res.Code, res.Body)
		}
		// Survey templates: titles and labels a person reads.
		tmpl := func(change func(map[string]any)) map[string]any {
			t := surveys.DefaultTemplate()
			m := map[string]any{"title_fa": t.TitleFa, "title_en": t.TitleEn, "questions": t.Questions}
			change(m)
			return m
		}
		refused("title of 1000 characters", h.do("POST", "/api/v1/survey-templates", admin, tmpl(func(m map[string]any) { m["title_fa"] = strings.Repeat("ن", 1000) })), "title_fa")
		refused("English title of 1000 characters", h.do("POST", "/api/v1/survey-templates", admin, tmpl(func(m map[string]any) { m["title_en"] = strings.Repeat("n", 1000) })), "title_en")
		if res := h.do("POST", "/api/v1/survey-templates", admin, tmpl(func(m map[string]any) { m["title_fa"] = strings.Repeat("ن", 100<<10) })); res.Code != 413 {
			t.Errorf("a 100 KB title: %d", res.Code)
		}
		long := surveys.DefaultTemplate().Questions
		long[0].LabelFa = strings.Repeat("پ", 600)
		refused("label of 600 characters", h.do("POST", "/api/v1/survey-templates", admin, tmpl(func(m map[string]any) { m["questions"] = long })), "questions[0].label_fa")
		// Office codes: the pattern, and nothing hidden taken out of it.
		for _, code := range []string{"\u202eevil", "a\u200bb", "EVIL", "AB", "THR-", "-0001", "THR-00\u200b01", "THR_0001", "تهران-۱", "THR-0001-X", "TOOLONG-1"} {
			refused(fmt.Sprintf("office code %q", code), h.do("POST", "/api/v1/offices", admin, map[string]any{"code": code, "name": "دفتر آزمون",
				"city": "tehran", "latitude": 35.75, "longitude": 51.45, "counters": 2}), "code")
		}
		if res := h.do("POST", "/api/v1/offices", admin, map[string]any{"code": " thr-۰۹۹۹ ", "name": "دفتر آزمون", "city": "tehran",
			"latitude": 35.75, "longitude": 51.45, "counters": 2}); res.Code != 201 || decode[struct{ Code string }](t, res).Code != "THR-0999" {
			t.Errorf("a good code typed loosely: %d %s", res.Code, res.Body)
		}
		// Passwords.
		for _, pw := range []string{"aaaaaaaaaa", "ababababababab", "password123", "qwertyuiop", "1234567890", "0123456789", "abcdefghijkl",
			"9876543210", "Dragon2024", "iloveyou12", "newuser123", "NewUser!!2024", "daftar1405", "Daftar@1405!", "short"} {
			refused(fmt.Sprintf("password %q", pw), h.do("POST", "/api/v1/users", admin, map[string]any{"username": "newuser", "password": pw, "role": "ministry"}), "password")
		}
		if res := h.do("PATCH", "/api/v1/users/"+itoa(h.users[daftar.RoleInspector]), admin, map[string]any{"password": "password1234"}); res.Code != 400 {
			t.Errorf("a common password set by PATCH: %d", res.Code)
		}
		for i, pw := range []string{"نگهبان سامانه دفتر", "correct horse battery staple", "e2e-admin-password"} {
			if res := h.do("POST", "/api/v1/users", admin, map[string]any{"username": fmt.Sprintf("user%d", i), "password": pw, "role": "ministry"}); res.Code != 201 {
				t.Errorf("a good password %q: %d %s", pw, res.Code, res.Body)
			}
		}
		// An empty change is no change: no new version, no audit event.
		events := func() int64 {
			return decode[struct{ Total int64 }](t, h.do("GET", "/api/v1/audit-events", admin, nil)).Total
		}
		before := events()
		office := "/api/v1/offices/" + itoa(h.officeA)
		v := decode[struct{ Version int64 }](t, h.do("GET", office, admin, nil)).Version
		for _, body := range []any{map[string]any{}, "null", map[string]any{"counters": 3, "city": "tehran"}} {
			res := h.do("PATCH", office, admin, body)
			if res.Code != 200 || decode[struct{ Version int64 }](t, res).Version != v || res.Header().Get("ETag") != fmt.Sprintf(`"%d"`, v) {
				t.Errorf("PATCH office %v: %d %s", body, res.Code, res.Body)
			}
		}
		user := "/api/v1/users/" + itoa(h.users[daftar.RoleInspector])
		uv := decode[struct{ Version int64 }](t, h.do("PATCH", user, admin, map[string]any{})).Version
		for _, body := range []any{map[string]any{}, "null", map[string]any{"role": "inspector", "disabled": false}} {
			if res := h.do("PATCH", user, admin, body); res.Code != 200 || decode[struct{ Version int64 }](t, res).Version != uv {
				t.Errorf("PATCH user %v: %d %s", body, res.Code, res.Body)
			}
		}
		if after := events(); after != before {
			t.Errorf("empty changes were audited: %d events, then %d", before, after)
		}
		// The inspector's session survives an empty change.
		if res := h.do("GET", "/api/v1/auth/me", h.tokens[daftar.RoleInspector], nil); res.Code != 200 {
			t.Errorf("an empty change ended the session: %d", res.Code)
		}
	})
}

func hasFieldError(p api.Problem, field string) bool {
	for _, f := range p.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}

// What is never logged: passwords, tokens, national codes, mobile numbers,
// survey links. A morning of work goes through the server, then the log is
// searched for every one of them.
func TestHostileLogsKeepNoSecrets(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, owner := h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleOfficeOwner]
		secrets := []string{testPassword, "wrong-guess-7741", admin, owner, h.tokens[daftar.RoleMinistry], "09121234567", "9121234567"}
		h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-user", "password": "wrong-guess-7741"})
		h.send("POST", "/login", "", formBody(url.Values{"username": {"admin-user"}, "password": {"wrong-guess-7741"}}), "Content-Type", formType, "Origin", "http://example.com")
		ids := h.approveCandidates(t, 3, 1)
		for i := 0; i < 3; i++ {
			secrets = append(secrets, examCode(i))
			h.do("GET", "/api/v1/candidates?national_code="+examCode(i), h.tokens[daftar.RoleMinistry], nil)
		}
		h.do("GET", "/api/v1/candidates/"+itoa(ids[0])+"?reveal=national_code", admin, nil)
		h.do("GET", "/api/v1/exam-imports/1/rejections.xlsx?reveal=national_code", admin, nil)
		res := h.do("POST", "/api/v1/offices/"+itoa(h.officeA)+"/visits", owner, map[string]any{"visits": []any{visitJSON("L-1", 9)}})
		out := decode[struct {
			Results []struct {
				SurveyURL string `json:"survey_url"`
			}
		}](t, res)
		tok := strings.TrimPrefix(out.Results[0].SurveyURL, "https://daftar.example/s/")
		secrets = append(secrets, tok)
		h.send("GET", "/s/"+tok, "", nil)
		h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{"overall": 4, "courtesy": 4, "waiting": 4, "fees_clear": 4, "extra_fee": false, "recommend": 8, "comment": "خوب"}})
		h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{}})
		h.do("GET", "/api/v1/auth/me", "Bearer-garbage-"+admin, nil)
		h.do("POST", "/api/v1/auth/logout", owner, nil)
		h.do("GET", "/api/v1/offices", owner, nil) // a revoked token
		logs := h.logs.String()
		if !strings.Contains(logs, `"http request"`) || !strings.Contains(logs, `"login failed"`) {
			t.Fatalf("the log is missing its lines: %.300s", logs)
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(logs, s) {
				t.Errorf("the log holds %.12s...: %s", s, grepLines(logs, s))
			}
		}
	})
}

// Finding 15, the rest: a throttled sign-in and a broken database answer
// pages too (429, and 500 or 503).
func TestHostileErrorPagesWhenBroken(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	h := newHarness(t, d)
	html := "text/html"
	for i := 0; i < 5; i++ {
		h.send("POST", "/login", "", formBody(url.Values{"username": {"admin-user"}, "password": {"wrong-guess"}}), "Content-Type", formType, "Origin", "http://example.com", "Accept", html)
	}
	res := h.send("POST", "/login", "", formBody(url.Values{"username": {"admin-user"}, "password": {testPassword}}), "Content-Type", formType, "Origin", "http://example.com", "Accept", html)
	if res.Code != 429 || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") || !strings.Contains(res.Body.String(), `dir="rtl"`) {
		t.Fatalf("throttled sign-in: %d %q", res.Code, res.Header().Get("Content-Type"))
	}
	cookie := h.tokens[daftar.RoleAdmin]
	d.Close()
	for _, p := range []string{"/admin", "/admin/offices", "/dashboard"} {
		res := h.send("GET", p, cookie, nil, "Accept", html)
		body := res.Body.String()
		if (res.Code != 500 && res.Code != 503) || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, `lang="fa"`) || strings.Contains(body, "sql") || strings.Contains(body, "database is closed") {
			t.Errorf("%s with the database gone: %d %q %.300s", p, res.Code, res.Header().Get("Content-Type"), body)
		}
	}
}
