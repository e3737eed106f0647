package ranking

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
)

// CrowdingFigures are one office's waiting and productivity figures for a
// period, from the crowding rollups.
type CrowdingFigures struct {
	WaitP90Min      *float64
	OverTargetShare *float64
	Served          int64
	CounterHours    float64
}

// CrowdingSource gives every office's crowding figures over [from, to).
type CrowdingSource interface {
	RankingFigures(ctx context.Context, from, to time.Time) (map[int64]CrowdingFigures, error)
}

// LicenceSource says which offices' licences were suspended at some time in
// [from, to) (licensing.Licences). Nil leaves suspensions out.
type LicenceSource interface {
	SuspendedDuring(ctx context.Context, from, to time.Time) (map[int64]bool, error)
}

// InspectionSource counts every office's inspection findings by severity
// over the Tehran days [from, to) (ranking/inspections).
type InspectionSource interface {
	FindingsBetween(ctx context.Context, from, to time.Time) (map[int64]inspections.Findings, error)
}

// Sources gathers a period's inputs from the registers: offices, surveys,
// crowding, inspections and licences. DB, Offices, Surveys and Inspections
// are required; without Crowding or Licences their criteria have no data.
type Sources struct {
	DB          *db.DB
	Offices     *offices.Register
	Surveys     *surveys.Service
	Crowding    CrowdingSource
	Licences    LicenceSource
	Inspections InspectionSource
}

func (g Sources) check() error {
	return deps.Check("ranking sources", "database", g.DB, "office register", g.Offices, "surveys", g.Surveys, "inspections", g.Inspections)
}

// Inputs reads every active or suspended office's inputs for the period.
func (g Sources) Inputs(ctx context.Context, p daftar.Period, d Directive) ([]Input, error) {
	all, err := g.Offices.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := g.Surveys.SumsFor(ctx, surveys.RangeOf(p))
	if err != nil {
		return nil, err
	}
	var crowd map[int64]CrowdingFigures
	if g.Crowding != nil {
		if crowd, err = g.Crowding.RankingFigures(ctx, p.Start(), p.End()); err != nil {
			return nil, err
		}
	}
	var suspended map[int64]bool
	if g.Licences != nil {
		if suspended, err = g.Licences.SuspendedDuring(ctx, p.Start(), p.End()); err != nil {
			return nil, err
		}
	}
	end := p.End().In(daftar.Tehran())
	from := end.AddDate(0, -d.Penalties.LookbackMonths, 0)
	findings, err := g.Inspections.FindingsBetween(ctx, from, end)
	if err != nil {
		return nil, err
	}
	out := make([]Input, 0, len(all))
	for _, o := range all {
		if o.Status != offices.Active && o.Status != offices.Suspended {
			continue
		}
		in := Input{OfficeID: o.ID, Code: o.Code, Province: o.ProvinceCode}
		if s, ok := sums[o.ID]; ok {
			in.Responses, in.OverallSum, in.ExtraFeeReports = s.Responses, s.OverallSum, s.ExtraFee
		}
		if c, ok := crowd[o.ID]; ok {
			in.WaitP90Min, in.OverTargetShare, in.Served, in.CounterHours = c.WaitP90Min, c.OverTargetShare, c.Served, c.CounterHours
		}
		if f, ok := findings[o.ID]; ok {
			in.Minor, in.Major, in.Critical = f.Minor, f.Major, f.Critical
		}
		in.LicenceSuspended = suspended[o.ID]
		out = append(out, in)
	}
	return out, nil
}
