package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/licensing"
)

// Licensing's demand model, rounds and licences, wired into the app.

func (a *app) initLicensing() error {
	var err error
	if a.demand, err = licensing.NewDemand(a.db, a.clock, a.offices, a.crowding, licensing.DemandConfig{WindowDays: a.cfg.DemandWindowDays, WaitTarget: a.cfg.DemandWaitTarget}); err != nil {
		return err
	}
	cfg := licensing.Config{MinDistanceM: a.cfg.MinOfficeDistanceM, ValidityYears: a.cfg.LicenceYears, ExpiryWarning: a.cfg.ExpiryWarning}
	a.rounds = licensing.NewRounds(a.db, a.clock, a.audit, a.gazetteer, a.candidates, a.demand, cfg)
	a.licences, err = licensing.NewLicences(a.db, a.clock, a.audit, a.offices, a.candidates, cfg)
	return err
}

func (a *app) licensingJobs() []jobs.Job {
	return []jobs.Job{
		// Licences past their validity expire (their offices are suspended),
		// and those ending soon are flagged, once a day across replicas.
		{Name: "licences-expire", Spec: "5 0 * * *", Timeout: 10 * time.Minute, Run: func(ctx context.Context) error {
			n, err := a.licences.ExpireDue(ctx)
			if n > 0 {
				a.log.Info("licences expired", "count", n)
			}
			return err
		}},
		{Name: "licences-expiring", Spec: "15 0 * * *", Timeout: 10 * time.Minute, Run: func(ctx context.Context) error {
			n, err := a.licences.FlagExpiring(ctx)
			if n > 0 {
				a.log.Info("licences flagged as expiring", "count", n)
			}
			return err
		}},
	}
}

// The demo's licensing history: a closed round of 120 licences (about
// three in four opened their office) and an open round of 500 waiting to
// be allocated, as the planned 500-600 new licences, apportioned by the
// shortage against the notary law's 20,000 residents per office.
var demoRounds = demo.RoundsSpec{PastTotal: 120, OpenShare: 0.75, OpenTotal: 500, OpenTarget: licensing.NotaryLawMax,
	Seed: demoSeed}

func (a *app) seedDemoLicensing(ctx context.Context) error {
	start := time.Now()
	rep, err := demo.Rounds(ctx, a.rounds, a.licences, a.offices, demoRounds)
	if err != nil {
		return err
	}
	a.log.Info("demo licensing rounds", "past_round", rep.PastRound, "licences", rep.Issued, "opened", rep.Activated,
		"suspended", rep.Suspended, "open_round", rep.OpenRound, "elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
