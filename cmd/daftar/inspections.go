package main

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// Inspections' planner, wired to the registers it reads through its own
// interfaces.

// officesForInspections lists the active offices for the worklist.
type officesForInspections struct{ o *offices.Register }

func (s officesForInspections) ActiveOffices(ctx context.Context) ([]inspections.Office, error) {
	all, err := s.o.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]inspections.Office, 0, len(all))
	for _, o := range all {
		if o.Status == offices.Active {
			out = append(out, inspections.Office{ID: o.ID, Code: o.Code, Name: o.NameFa, Province: o.ProvinceCode, City: o.CityCode})
		}
	}
	return out, nil
}

// surveysForInspections reads the survey figures the risk score takes.
type surveysForInspections struct{ s *surveys.Service }

func (s surveysForInspections) RiskFigures(ctx context.Context, from, to time.Time, ids []int64) (map[int64]inspections.SurveyFigures, error) {
	figs, err := s.s.FiguresFor(ctx, surveys.RangeOfTimes(from, to), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]inspections.SurveyFigures, len(figs))
	for id, f := range figs {
		out[id] = inspections.SurveyFigures{Responses: f.Responses, Flagged: f.Flagged, ExtraFeeRate: f.ExtraFeeRate,
			ExtraFeeLow: f.ExtraFeeLow, ExtraFeeHigh: f.ExtraFeeHigh, Adjusted: f.Adjusted}
	}
	return out, nil
}

// complaintsForInspections reads the upheld and open complaints the risk
// score takes.
type complaintsForInspections struct{ c *complaints.Service }

func (s complaintsForInspections) RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]inspections.ComplaintCounts, error) {
	risk, err := s.c.RiskByOffice(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]inspections.ComplaintCounts, len(risk))
	for id, r := range risk {
		out[id] = inspections.ComplaintCounts{Upheld: r.Upheld, Open: r.Open}
	}
	return out, nil
}

func (a *app) initInspections(ctx context.Context) error {
	var err error
	if a.inspections, err = inspections.New(a.db, a.clock, a.audit, daftar.OfficialWorkCalendar(), a.log); err != nil {
		return err
	}
	if err := a.inspections.EnsureDefaultChecklist(ctx); err != nil {
		return err
	}
	a.planner, err = inspections.NewPlanner(a.inspections, a.inspectionSources(), inspections.RiskConfig{})
	return err
}

// inspectionSources are what the planner reads from the other registers.
func (a *app) inspectionSources() inspections.Sources {
	return inspections.Sources{Offices: officesForInspections{a.offices}, Surveys: surveysForInspections{a.surveys},
		Complaints: complaintsForInspections{a.complaints}, Accounts: a.accounts}
}

// seedDemoInspections records the demo's inspections, corrective actions
// and assignments, as the demo inspector.
func (a *app) seedDemoInspections(ctx context.Context) error {
	start := time.Now()
	u, err := a.accounts.ByUsername(ctx, "inspector")
	if err != nil {
		return fmt.Errorf("demo inspections: %w", err)
	}
	rep, err := demo.Inspections(ctx, a.db, a.audit, a.inspectionSources(), u.Actor(), a.clock.Now(), demoSeed)
	if err != nil {
		return err
	}
	a.log.Info("demo inspections", "inspections", rep.Inspections, "corrective_actions", rep.Actions, "assignments", rep.Assignments,
		"elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
