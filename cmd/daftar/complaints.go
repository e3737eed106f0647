package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
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
	a.complaints, err = complaints.New(complaints.Deps{DB: a.db, Clock: a.clock, Audit: a.audit,
		Calendar: daftar.OfficialWorkCalendar(), Offices: adapters.Offices{Register: a.offices}, Catalogue: a.catalogue,
		Surveys: adapters.Surveys{Service: a.surveys}, Outbox: a.surveys, Inspectors: adapters.Inspectors{Accounts: a.accounts},
		MobileKey: secrets.Derive(a.secret, secrets.ComplaintMobile), Log: a.log},
		complaints.Config{TrackURL: a.cfg.publicURL(a.log) + "/complaint/track"})
	return err
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
