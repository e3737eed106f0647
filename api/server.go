// Package api is Daftar's HTTP surface: the JSON API under /api/v1, the
// operations endpoints, the OpenAPI document and the server-rendered
// dashboard. Every route is listed in routes.go; errors become
// application/problem+json in errors.go only.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/reports"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is the HTTP layer's configuration.
type Config struct {
	// TrustedProxies are the addresses whose X-Forwarded-For is believed;
	// empty trusts none.
	TrustedProxies []string
	// MaxBodyBytes bounds JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// UploadMaxBytes bounds file uploads (default 50 MiB).
	UploadMaxBytes int64
	// SecureCookies marks the session cookie Secure (behind HTTPS).
	SecureCookies bool
	// Version is the build version shown by /healthz.
	Version string
	// RequestTimeout bounds an interactive request (default 15s);
	// UploadTimeout bounds an upload and a route producing a file
	// (default 5m). Past it the request answers 503.
	RequestTimeout time.Duration
	UploadTimeout  time.Duration
	// ReadYourWrites is how long after a change a person's reads go to
	// the primary rather than a read replica (default 15s).
	ReadYourWrites time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.UploadMaxBytes == 0 {
		c.UploadMaxBytes = 50 << 20
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 15 * time.Second
	}
	if c.UploadTimeout == 0 {
		c.UploadTimeout = 5 * time.Minute
	}
	if c.ReadYourWrites == 0 {
		c.ReadYourWrites = 15 * time.Second
	}
	return c
}

// Deps are what the handlers use; nothing is reached through globals.
type Deps struct {
	Log       *slog.Logger
	DB        *db.DB
	Clock     daftar.Clock
	Accounts  *accounts.Service
	Gazetteer *geo.Gazetteer
	Catalogue *geo.Catalogue
	Offices   *offices.Register
	// Exams and Candidates are exam-result intake and the candidates'
	// register (licensing).
	Exams      *licensing.Exams
	Candidates *licensing.Candidates
	// Surveys are the satisfaction surveys.
	Surveys *surveys.Service
	// Ranking keeps directives and ranking runs.
	Ranking *ranking.Service
	// Inspections keeps the offices' inspections, the checklists and the
	// corrective actions; Planner the risk worklist and the assignments.
	Inspections *inspections.Service
	Planner     *inspections.Planner
	// Reports builds the spreadsheets.
	Reports *reports.Reports
	// Visits records the offices' visits; Crowding reads the figures from
	// their rollups; Finder sends citizens to an office.
	Visits   *visits.Service
	Crowding *visits.Crowding
	// Audit records, in the same transaction, the changes a route makes
	// through a service that leaves the event to its caller (an owner's
	// visits upload, as the CLI's import does).
	Audit  *audit.Log
	Finder *finder.Finder
	// Demand, Rounds and Licences are licensing's demand model, rounds
	// (quotas, allocation) and licences (issue, lifecycle).
	Demand   *licensing.Demand
	Rounds   *licensing.Rounds
	Licences *licensing.Licences
	// Scale: the demand model and the regional crowding figures as stored
	// models, computed in the background; requests read them.
	DemandModels *licensing.DemandModels
	RegionModels *visits.RegionModels
	// Metrics is the registry /metrics serves; the server adds its own
	// collectors to it.
	Metrics *prometheus.Registry
	// Complaints are citizens' complaints followed as cases.
	Complaints *complaints.Service
	// Readiness, when set, holds the server back while the database is
	// being prepared (the demo dataset on a first start); nil is ready.
	// It is optional, unlike the services: only serve --demo needs it.
	Readiness *Readiness
	// Jobs is the scheduler: the jobs' list and runs on demand.
	Jobs *jobs.Scheduler
}

// missing names the services not given: every route's service must be
// wired, so a missing one is a start-up error, not a failure per request.
func (d Deps) missing() []string {
	var out []string
	for name, set := range map[string]bool{"Log": d.Log != nil, "DB": d.DB != nil, "Clock": d.Clock != nil,
		"Accounts": d.Accounts != nil, "Gazetteer": d.Gazetteer != nil, "Catalogue": d.Catalogue != nil, "Offices": d.Offices != nil,
		"Exams": d.Exams != nil, "Candidates": d.Candidates != nil, "Surveys": d.Surveys != nil, "Ranking": d.Ranking != nil, "Inspections": d.Inspections != nil, "Planner": d.Planner != nil,
		"Reports": d.Reports != nil, "Visits": d.Visits != nil, "Crowding": d.Crowding != nil, "Finder": d.Finder != nil,
		"Demand": d.Demand != nil, "Rounds": d.Rounds != nil, "Licences": d.Licences != nil,
		"Jobs": d.Jobs != nil, "Audit": d.Audit != nil, "Complaints": d.Complaints != nil,
		"DemandModels": d.DemandModels != nil, "RegionModels": d.RegionModels != nil} {
		if !set {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Server holds the handlers and their dependencies.
type Server struct {
	Deps
	log     *slog.Logger
	cfg     Config
	engine  *gin.Engine
	metrics *httpMetrics
	routes  []route
	openapi openAPIDoc
	pages   pages
	// readiness gates every route but /healthz while data is prepared.
	readiness *Readiness
	// surveyLimiter bounds survey submissions per client address.
	surveyLimiter *rateLimiter
	// complaintLimiter and trackLimiter bound filings and lookups of
	// complaints per client address.
	complaintLimiter, trackLimiter *rateLimiter
	// reportAccess is who may read each report kind (reportaccess.go).
	reportAccess map[string]reportAccess
	// writes are who wrote lately: they read from the primary (replicas.go).
	writes *recentWrites
}

// New builds the server and its routes.
func New(deps Deps, cfg Config) (*Server, error) {
	if m := deps.missing(); len(m) > 0 {
		return nil, fmt.Errorf("api: services not wired: %s", strings.Join(m, ", "))
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: deps, log: deps.Log, cfg: cfg.withDefaults(), surveyLimiter: newRateLimiter(30, 10*time.Minute),
		readiness: deps.Readiness, complaintLimiter: newRateLimiter(10, 10*time.Minute), trackLimiter: newRateLimiter(60, 10*time.Minute)}
	s.writes = newRecentWrites(s.cfg.ReadYourWrites)
	if s.Metrics == nil {
		s.Metrics = prometheus.NewRegistry()
	}
	m, err := newHTTPMetrics(s.Metrics, deps.DB)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, err
	}
	e.Use(s.requestID, s.secureHeaders, s.recoverPanics, s.observe, s.gate)
	e.NoRoute(func(c *gin.Context) { s.fail(c, daftar.NotFound("route_not_found", "no such endpoint")) })
	e.NoMethod(func(c *gin.Context) {
		c.Abort()
		if wantsPage(c) {
			s.errorPage(c, http.StatusMethodNotAllowed)
			return
		}
		writeProblem(c, Problem{Type: "https://daftar.ir/problems/method_not_allowed", Title: "Method Not Allowed",
			Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Detail: "this endpoint does not take that method", RequestID: requestID(c)})
	})
	s.engine = e
	s.routes = s.table()
	if s.reportAccess, err = resolveReportRules(s.routes); err != nil {
		return nil, err
	}
	for _, r := range s.routes {
		handlers := []gin.HandlerFunc{s.limitBody(r), s.deadline(r)}
		if !r.Probe {
			handlers = append(handlers, s.authenticate(r))
		}
		handlers = append(handlers, s.authorize(r))
		handlers = append(handlers, s.routeReads(r))
		if r.Page {
			handlers = append([]gin.HandlerFunc{markPage}, handlers...)
		}
		h, err := s.handlerOf(r)
		if err != nil {
			return nil, err
		}
		e.Handle(r.Method, r.Path, append(handlers, h)...)
	}
	if err := s.mountDashboard(e); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the http.Handler of the whole server.
func (s *Server) Handler() http.Handler { return s.engine }

// MetricsHandler serves /metrics to anyone, for a separate listener.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler(s.Metrics) }

// HTTPServer wraps the handler in an http.Server with timeouts, so a slow
// client cannot hold a connection forever. longest is the longest deadline
// of any route (each route sets its own read and write deadlines within
// it); 0 means 5 minutes.
func HTTPServer(addr string, h http.Handler, log *slog.Logger, longest time.Duration) *http.Server {
	if longest <= 0 {
		longest = 5 * time.Minute
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       longest,              // large uploads on slow links
		WriteTimeout:      longest + writeGrace, // large exports, and the 503 after a deadline
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
	}
}
