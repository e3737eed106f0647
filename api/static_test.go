package api_test

import (
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// The Persian font is served from the binary as font/woff2 with a year's
// cache; other static files and unknown names are not cached that way.
func TestStaticFont(t *testing.T) {
	// Static files touch no database; one engine is enough for the server.
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	const font = "/static/fonts/vazirmatn-33.0.3-variable.woff2"
	cases := []struct {
		path, method string
		code         int
		ctype        string // prefix
		immutable    bool
	}{
		{font, "GET", 200, "font/woff2", true},
		{font, "HEAD", 200, "font/woff2", true},
		{"/static/fonts/OFL.txt", "GET", 200, "text/plain", true},
		{"/static/app.css", "GET", 200, "text/css", false},
		{"/static/fonts/missing.woff2", "GET", 404, "", false},
	}
	for _, c := range cases {
		res := h.page(c.method, c.path, "", nil)
		if res.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.Code, c.code)
			continue
		}
		if got := res.Header().Get("Content-Type"); !strings.HasPrefix(got, c.ctype) {
			t.Errorf("%s %s: content type %q, want %q", c.method, c.path, got, c.ctype)
		}
		if got := strings.Contains(res.Header().Get("Cache-Control"), "immutable"); got != c.immutable {
			t.Errorf("%s %s: Cache-Control %q", c.method, c.path, res.Header().Get("Cache-Control"))
		}
	}
	if res := h.page("GET", font, "", nil); res.Body.Len() < 50_000 || !strings.HasPrefix(res.Body.String(), "wOF2") {
		t.Errorf("font body: %d bytes, starts %q", res.Body.Len(), res.Body.String()[:min(4, res.Body.Len())])
	}
	// The stylesheet names the font by the file served.
	css := h.page("GET", "/static/app.css", "", nil).Body.String()
	if !strings.Contains(css, `url("fonts/vazirmatn-33.0.3-variable.woff2")`) || !strings.Contains(css, "font-display:swap") {
		t.Error("app.css does not load the embedded Vazirmatn with font-display: swap")
	}
}
