package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/internal/migrate"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/reports"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// app is Daftar assembled: the database and every service over it.
type app struct {
	cfg       config
	log       *slog.Logger
	clock     daftar.Clock
	db        *db.DB
	secret    string
	audit     *audit.Log
	accounts  *accounts.Service
	gazetteer *geo.Gazetteer
	catalogue *geo.Catalogue
	offices   *offices.Register
	metrics   *prometheus.Registry
	jobs      *jobs.Scheduler

	// exam intake and candidates (licensing)
	exams      *licensing.Exams
	candidates *licensing.Candidates

	// visits, crowding figures and the finder (geo)
	visits   *visits.Service
	crowding *visits.Crowding
	finder   *finder.Finder

	// demand model, licensing rounds and licences (licensing)
	demand   *licensing.Demand
	rounds   *licensing.Rounds
	licences *licensing.Licences

	// surveys, ranking (whose grades the finder shows) and reports
	surveys *surveys.Service
	ranking *ranking.Service
	reports *reports.Reports

	// inspections (read by the ranking's compliance) and their planner
	inspections *inspections.Service
	planner     *inspections.Planner
	// complaints as cases (surveys/complaints)
	complaints *complaints.Service

	// scale: the stored models (scale.go)
	regionModels *visits.RegionModels
	demandModels *licensing.DemandModels
}

// openApp opens the database, applies migrations, loads the reference data
// and builds the services.
func openApp(ctx context.Context, cfg config, log *slog.Logger, clock daftar.Clock) (*app, error) {
	secret, err := cfg.secret(log)
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.dbConfig(), log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, clock: clock, db: d, secret: secret}
	if err := a.init(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context) error {
	log := a.log
	log.Info("database", "engine", string(a.db.Dialect), "where", a.db.Where)
	if a.db.Dialect == db.SQLite {
		log.Info("SQLite: a single instance is assumed; scheduled jobs run in this process only")
	}
	if _, err := migrate.Up(ctx, a.db, log); err != nil {
		return err
	}
	if err := migrate.Check(ctx, a.db); err != nil {
		return err
	}
	if err := geo.LoadReference(ctx, a.db); err != nil {
		return err
	}
	var err error
	if a.gazetteer, err = geo.LoadGazetteer(ctx, a.db); err != nil {
		return err
	}
	if a.catalogue, err = geo.LoadCatalogue(ctx, a.db); err != nil {
		return err
	}
	// Every service gets what it needs when it is built, so they are
	// built in the order of their dependencies: the register first (its
	// changes hub is made before it and before the finder that listens),
	// the surveys before the visits that invite to them, the ranking
	// before the finder that shows its grades.
	a.audit = audit.New(a.db, a.clock)
	changes := offices.NewChanges()
	if a.offices, err = offices.New(a.db, a.clock, a.audit, a.gazetteer, a.catalogue, changes, offices.Config{CityRadiusScale: a.cfg.CityRadiusScale, MinDistanceM: a.cfg.MinOfficeDistanceM}); err != nil {
		return err
	}
	a.accounts, err = accounts.New(a.db, a.clock, a.audit, a.offices, log, accounts.Config{SessionTTL: a.cfg.SessionTTL, IdleTimeout: a.cfg.SessionIdle, CacheTTL: sessionCacheTTL(a.cfg.SessionCache)})
	if err != nil {
		return err
	}
	if err := a.initExams(); err != nil {
		return err
	}
	if err := a.initSurveys(ctx); err != nil {
		return err
	}
	if err := a.initComplaints(); err != nil {
		return err
	}
	if err := a.initVisits(); err != nil {
		return err
	}
	if err := a.maintainPartitions(ctx); err != nil {
		return err
	}
	if err := a.initLicensing(); err != nil {
		return err
	}
	if err := a.initInspections(ctx); err != nil {
		return err
	}
	if err := a.initRanking(ctx); err != nil {
		return err
	}
	if err := a.initFinder(ctx, changes); err != nil {
		return err
	}
	if err := a.initModels(); err != nil {
		return err
	}
	a.reports = &reports.Reports{Gazetteer: a.gazetteer, Catalogue: a.catalogue, Offices: a.offices, Crowding: a.crowding,
		Surveys: a.surveys, Ranking: a.ranking, Candidates: a.candidates, Licences: a.licences, Rounds: a.rounds, Demand: a.demand,
		DemandModels: a.demandModels, Visits: a.visits, Inspections: a.inspections, Complaints: a.complaints}
	a.metrics = prometheus.NewRegistry()
	if err := a.metrics.Register(collectors.NewGoCollector()); err != nil {
		return err
	}
	if err := a.metrics.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return err
	}
	a.jobs = jobs.New(a.db, log, a.clock, a.cfg.Instance)
	return a.registerJobs()
}

// registerJobs is the one place every scheduled job is registered, and
// where each is declared one of two kinds (docs/operations.md lists them).
func (a *app) registerJobs() error {
	kinds := []struct {
		kind   jobs.Kind
		groups [][]jobs.Job
	}{
		// Cluster jobs change the shared database: once per firing across
		// every replica.
		{jobs.Cluster, [][]jobs.Job{a.housekeepingJobs(), a.visitJobs(), a.licensingJobs(), a.surveyJobs(), a.rankingJobs(), a.complaintJobs(), a.modelJobs()}},
		// Local refreshes reload one process's memory from the shared
		// database: on every replica, at every firing.
		{jobs.Local, [][]jobs.Job{a.visitRefreshes(), a.rankingRefreshes()}},
	}
	overridden := map[string]bool{}
	for _, k := range kinds {
		for _, group := range k.groups {
			for _, j := range group {
				j.Kind = k.kind
				if spec, ok := a.cfg.JobSchedules[j.Name]; ok {
					j.Spec, overridden[j.Name] = spec, true
				}
				if err := a.jobs.Register(j); err != nil {
					return err
				}
			}
		}
	}
	return checkJobSchedules(a.cfg.JobSchedules, overridden)
}

func (a *app) server(ready *api.Readiness) (*api.Server, error) {
	return api.New(api.Deps{
		Log: a.log, DB: a.db, Clock: a.clock, Accounts: a.accounts, Gazetteer: a.gazetteer,
		Catalogue: a.catalogue, Offices: a.offices, Metrics: a.metrics,
		Exams: a.exams, Candidates: a.candidates,
		Visits: a.visits, Crowding: a.crowding, Finder: a.finder, Audit: a.audit,
		Demand: a.demand, Rounds: a.rounds, Licences: a.licences,
		Surveys: a.surveys, Ranking: a.ranking, Reports: a.reports, Readiness: ready,
		Inspections: a.inspections, Planner: a.planner,
		Jobs:         a.jobs,
		Complaints:   a.complaints,
		DemandModels: a.demandModels, RegionModels: a.regionModels,
	}, api.Config{
		TrustedProxies: a.cfg.TrustedProxies, MaxBodyBytes: a.cfg.MaxBodyBytes, UploadMaxBytes: a.cfg.UploadMaxBytes,
		SecureCookies: a.cfg.SecureCookies, Version: readBuild().short(),
		RequestTimeout: a.cfg.RequestTimeout, UploadTimeout: a.cfg.UploadTimeout,
		ReadYourWrites: a.cfg.ReplicaMaxLag + 5*time.Second,
	})
}

func (a *app) close() {
	if err := a.db.Close(); err != nil {
		a.log.Warn("closing the database", "error", err)
	}
}

// isEmpty reports whether the register has no offices yet.
func (a *app) isEmpty(ctx context.Context) (bool, error) {
	c, err := a.offices.Count(ctx)
	if err != nil {
		return false, fmt.Errorf("count offices: %w", err)
	}
	return c.Total == 0, nil
}

// sessionCacheTTL maps the setting to the accounts rule: 0 means off.
func sessionCacheTTL(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
