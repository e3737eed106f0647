package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/daftar-ir/daftar/surveys/complaints/adapters"
)

// Complaints, wired into the app: the service over the register, the
// catalogue, the survey links and outbox, and the accounts; the escalation
// as a scheduled job.

func (a *app) initComplaints() error {
	var err error
	a.complaints, err = complaints.New(a.complaintDeps(a.clock), complaints.Config{TrackURL: a.cfg.publicURL(a.log) + "/complaint/track"})
	return err
}

// complaintDeps is what the service is built with; the demo brings its own
// clock.
func (a *app) complaintDeps(clock daftar.Clock) complaints.Deps {
	return complaints.Deps{DB: a.db, Clock: clock, Audit: audit.New(a.db, clock),
		Calendar: daftar.OfficialWorkCalendar(), Offices: adapters.Offices{Register: a.offices}, Catalogue: a.catalogue,
		Surveys: adapters.Surveys{Service: a.surveys}, Outbox: a.surveys, Inspectors: adapters.Inspectors{Accounts: a.accounts},
		MobileKey: secrets.Derive(a.secret, secrets.ComplaintMobile), Log: a.log}
}

// seedDemoComplaints files and follows the demo complaints, more of them at
// the offices whose demo survey answers report extra fees.
func (a *app) seedDemoComplaints(ctx context.Context) error {
	start := time.Now()
	insp, err := a.accounts.ByUsername(ctx, "inspector")
	if err != nil {
		return err
	}
	rep, err := demo.Complaints(ctx, a.complaintDeps(nil), a.offices, a.catalogue, a.clock.Now(),
		demo.ComplaintOptions{Seed: demoSeed, Days: demoVisitDays, Inspectors: []int64{insp.ID}})
	if err != nil {
		return err
	}
	a.log.Info("demo complaints", "filed", rep.Filed, "escalated", rep.Escalated, "new", rep.ByState[complaints.StateNew],
		"resolved", rep.ByState[complaints.StateResolved], "closed", rep.ByState[complaints.StateClosed],
		"elapsed_ms", time.Since(start).Milliseconds())
	return nil
}

func (a *app) complaintJobs() []jobs.Job {
	return []jobs.Job{
		// Flags each open case past its deadline once, on whichever
		// replica holds the job's lock (and once even if two ran it).
		{Name: "complaints-escalate", Spec: "*/15 * * * *", Timeout: 5 * time.Minute, Run: func(ctx context.Context) error {
			_, err := a.complaints.Escalate(ctx)
			return err
		}},
	}
}
