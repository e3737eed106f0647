package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestReadinessGate: while a task runs, /healthz and static files pass,
// /readyz and the API answer 503 problem+json with the task and its
// percentage, pages the "preparing" page in Persian (English with
// ?lang=en, Persian digits on the Persian one); once done, everything
// passes; a nil Readiness is ready.
func TestReadinessGate(t *testing.T) {
	pages, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	ready := NewReadiness()
	s := &Server{log: slog.New(slog.DiscardHandler), pages: pages, readiness: ready}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(s.gate)
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/offices", "/login", "/static/app.css", "/admin"} {
		e.GET(p, func(c *gin.Context) { c.String(http.StatusOK, "through") })
	}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	body := func(w *httptest.ResponseRecorder) string { b, _ := io.ReadAll(w.Body); return string(b) }

	for _, p := range []string{"/healthz", "/readyz", "/api/v1/offices", "/login"} {
		if w := get(p); w.Code != 200 {
			t.Fatalf("ready: %s answered %d", p, w.Code)
		}
	}
	ready.Begin("seeding demo data")
	ready.Progress(42, "survey invitations and answers")
	for _, p := range []string{"/healthz", "/static/app.css"} {
		if w := get(p); w.Code != 200 || body(w) != "through" {
			t.Fatalf("while seeding: %s answered %d", p, w.Code)
		}
	}
	for _, p := range []string{"/readyz", "/api/v1/offices"} {
		w := get(p)
		b := body(w)
		if w.Code != 503 || w.Header().Get("Content-Type") != "application/problem+json" || w.Header().Get("Retry-After") == "" ||
			!strings.Contains(b, `"detail":"seeding demo data, 42%: survey invitations and answers"`) || !strings.Contains(b, `"code":"starting"`) {
			t.Fatalf("while seeding: %s answered %d %q %s", p, w.Code, w.Header(), b)
		}
	}
	for _, c := range []struct{ path, want, not string }{
		{"/login", "در حال آماده‌سازی داده‌های نمایشی", "Preparing"},
		{"/admin", "۴۲٪", "42%"},
		{"/admin?lang=en", "Preparing the demo data", "آماده‌سازی"},
	} {
		w := get(c.path)
		b := body(w)
		if w.Code != 503 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(b, c.want) ||
			strings.Contains(b, c.not) || !strings.Contains(b, `http-equiv="refresh"`) {
			t.Fatalf("page %s while seeding: %d %s", c.path, w.Code, b)
		}
	}
	ready.Progress(150, "")
	if _, _, pct, _ := ready.state(); pct != 100 {
		t.Fatalf("progress is capped at 100, got %d", pct)
	}
	ready.Done()
	for _, p := range []string{"/readyz", "/api/v1/offices", "/login"} {
		if w := get(p); w.Code != 200 {
			t.Fatalf("done: %s answered %d", p, w.Code)
		}
	}
	var none *Readiness
	if busy, _, _, _ := none.state(); busy {
		t.Fatal("a nil Readiness is not ready")
	}
}
