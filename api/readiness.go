package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// Readiness is whether the server may answer yet. While a first start
// fills the database with the demo dataset the server already listens, so
// that a container's health check sees the process alive and a person sees
// how far it is: /healthz answers 200, /readyz 503 with "seeding demo data,
// N%", pages a Persian page that says the data is being prepared, and
// every other route 503. The zero value, and a nil *Readiness, is ready.
type Readiness struct {
	mu      sync.Mutex
	busy    bool
	task    string // what is being done: "seeding demo data"
	percent int
	doing   string // its current step, for a person
}

// NewReadiness returns a state that is ready.
func NewReadiness() *Readiness { return &Readiness{} }

// Begin marks the server as not ready while task runs.
func (r *Readiness) Begin(task string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy, r.task, r.percent, r.doing = true, task, 0, ""
}

// Progress records how far the task is, in percent, and what it is doing
// now ("" for nothing to add).
func (r *Readiness) Progress(percent int, doing string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.percent, r.doing = min(max(percent, 0), 100), doing
}

// Done marks the server as ready.
func (r *Readiness) Done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy = false
}

// state returns whether a task runs, which, how far it is and its step.
func (r *Readiness) state() (busy bool, task string, percent int, doing string) {
	if r == nil {
		return false, "", 100, ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.busy, r.task, r.percent, r.doing
}

// gate answers for the routes while the server is not ready.
func (s *Server) gate(c *gin.Context) {
	busy, task, pct, doing := s.readiness.state()
	path := c.Request.URL.Path
	if !busy || path == "/healthz" || strings.HasPrefix(path, "/static/") {
		c.Next()
		return
	}
	c.Abort()
	c.Header("Retry-After", "5")
	c.Header("Cache-Control", "no-store")
	detail := fmt.Sprintf("%s, %d%%", task, pct)
	if doing != "" {
		detail += ": " + doing
	}
	if isPagePath(path) {
		s.render(c, http.StatusServiceUnavailable, "preparing", "preparing_title", pageData{Data: preparingPage{Percent: pct}})
		return
	}
	writeProblem(c, Problem{Type: "https://daftar.ir/problems/starting", Title: "Service Unavailable",
		Status: http.StatusServiceUnavailable, Code: "starting", Detail: detail, RequestID: requestID(c)})
}

// preparingPage is what the "preparing" page shows.
type preparingPage struct {
	Percent int
}

// PercentText is the percentage for a person: Persian digits on the
// Persian page.
func (p preparingPage) PercentText(lang string) string {
	s := strconv.Itoa(p.Percent)
	if lang == "en" {
		return s + "%"
	}
	return daftar.PersianDigits(s) + "٪"
}

// isPagePath: everything but the JSON API and the operations endpoints is
// a page, answered in HTML.
func isPagePath(p string) bool {
	return !strings.HasPrefix(p, "/api/") && p != "/readyz" && p != "/metrics" && p != "/openapi.json"
}
