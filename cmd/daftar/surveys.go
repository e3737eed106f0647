package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/surveys"
)

// Surveys, wired into the app: the service (the visits invite every
// citizen served through it), the SMS outbox and the forgetting of what
// must not stay.

func (a *app) initSurveys(ctx context.Context) error {
	var err error
	a.surveys, err = surveys.New(a.db, a.clock, a.audit, a.offices, a.log, secrets.Derive(a.secret, secrets.SurveyClient),
		surveys.Config{PublicURL: a.cfg.publicURL(a.log)})
	if err != nil {
		return err
	}
	return a.surveys.EnsureDefaultTemplate(ctx)
}

func (a *app) surveyJobs() []jobs.Job {
	list := []jobs.Job{
		{Name: "surveys-forget", Spec: "23 * * * *", Timeout: 10 * time.Minute, Run: a.surveys.Forget},
	}
	if a.cfg.SMSGateway == "log" {
		gw := surveys.LogGateway{Log: a.log}
		list = append(list, jobs.Job{Name: "surveys-sms", Spec: "* * * * *", Timeout: 50 * time.Second, Run: func(ctx context.Context) error {
			_, err := a.surveys.DrainOutbox(ctx, gw, 500)
			return err
		}})
	}
	return list
}

// seedDemoSurveys answers a share of the demo's served visits.
func (a *app) seedDemoSurveys(ctx context.Context) error {
	start := time.Now()
	rep, err := demo.SurveyAnswers(ctx, a.surveys, a.visits, a.clock.Now(), demo.SurveyOptions{Seed: demoSeed})
	if err != nil {
		return err
	}
	a.log.Info("demo survey answers", "invitations", rep.Invitations, "responses", rep.Responses,
		"extra_fee_offices", len(rep.ExtraFeeOffices), "elapsed_ms", time.Since(start).Milliseconds())
	// A few stuffing cases through the live path, for staff to review.
	st, err := demo.Stuffing(ctx, a.surveys, a.visits, a.offices, a.clock.Now(), demoSeed)
	if err != nil {
		return err
	}
	a.log.Info("demo survey stuffing", "offices", st.Offices, "answers", st.Answers, "flags", st.Flags)
	return nil
}
