// Package adapters connects the inspections' planner to the registers it
// reads: the office register, the survey figures and the complaints, each
// behind the small interface package inspections defines. They live here,
// not in inspections itself, so that inspections depends on none of them and
// every place that builds the planner (the app, the API tests, the demo)
// wires it the same way.
package adapters

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// Offices lists the register's active offices for the worklist.
type Offices struct{ Register *offices.Register }

// ActiveOffices implements inspections.OfficeSource.
func (a Offices) ActiveOffices(ctx context.Context) ([]inspections.Office, error) {
	all, err := a.Register.Summaries(ctx)
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

// Surveys reads the survey figures the risk score takes.
type Surveys struct{ Service *surveys.Service }

// RiskFigures implements inspections.SurveySource.
func (a Surveys) RiskFigures(ctx context.Context, from, to time.Time, ids []int64) (map[int64]inspections.SurveyFigures, error) {
	figs, err := a.Service.FiguresFor(ctx, surveys.RangeOfTimes(from, to), ids)
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

// Complaints reads the upheld and open complaints the risk score takes.
type Complaints struct{ Service *complaints.Service }

// RiskByOffice implements inspections.ComplaintSource.
func (a Complaints) RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]inspections.ComplaintCounts, error) {
	risk, err := a.Service.RiskByOffice(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]inspections.ComplaintCounts, len(risk))
	for id, r := range risk {
		out[id] = inspections.ComplaintCounts{Upheld: r.Upheld, Open: r.Open}
	}
	return out, nil
}

// NoComplaints is a planner without complaints (tests of the other signals).
type NoComplaints struct{}

// RiskByOffice implements inspections.ComplaintSource with no complaints.
func (NoComplaints) RiskByOffice(context.Context, time.Time, time.Time) (map[int64]inspections.ComplaintCounts, error) {
	return nil, nil
}
