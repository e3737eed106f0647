package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
)

// Inspections' planner, wired to the registers it reads through its own
// interfaces.

// officesForInspections lists the active offices for the worklist.
type officesForInspections struct{ o *geo.Offices }

func (s officesForInspections) ActiveOffices(ctx context.Context) ([]inspections.Office, error) {
	all, err := s.o.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]inspections.Office, 0, len(all))
	for _, o := range all {
		if o.Status == geo.OfficeActive {
			out = append(out, inspections.Office{ID: o.ID, Code: o.Code, Name: o.NameFa, Province: o.ProvinceCode, City: o.CityCode})
		}
	}
	return out, nil
}

// surveysForInspections reads the survey figures the risk score takes.
type surveysForInspections struct{ s *surveys.Service }

func (s surveysForInspections) RiskFigures(ctx context.Context, from, to time.Time) (map[int64]inspections.SurveyFigures, error) {
	figs, err := s.s.FiguresFor(ctx, surveys.RangeOfTimes(from, to), nil)
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

// noComplaints stands in until complaints exist: no office has any.
type noComplaints struct{}

func (noComplaints) RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]inspections.ComplaintCounts, error) {
	return map[int64]inspections.ComplaintCounts{}, nil
}

func (a *app) initInspections(ctx context.Context) error {
	a.inspections = inspections.New(a.db, a.clock, a.audit, a.log)
	if err := a.inspections.EnsureDefaultChecklist(ctx); err != nil {
		return err
	}
	var err error
	a.planner, err = inspections.NewPlanner(a.inspections, inspections.Sources{Offices: officesForInspections{a.offices},
		Surveys: surveysForInspections{a.surveys}, Complaints: noComplaints{}, Accounts: a.accounts}, inspections.RiskConfig{})
	return err
}
