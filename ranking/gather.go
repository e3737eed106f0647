package ranking

import (
	"context"
	"errors"
	"sync"
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
	// Arrivals are the visits recorded, every outcome.
	Arrivals int64
}

// CrowdingSource gives every office's crowding figures over [from, to),
// and, cheaply (no wait sketches), only its arrivals: what the next run's
// notes compare with a published run's inputs to count late visits.
type CrowdingSource interface {
	RankingFigures(ctx context.Context, from, to time.Time) (map[int64]CrowdingFigures, error)
	RankingArrivals(ctx context.Context, from, to time.Time) (map[int64]int64, error)
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

// ComplaintSource counts each office's upheld complaints over [from, to)
// (surveys/complaints).
type ComplaintSource interface {
	UpheldByOffice(ctx context.Context, from, to time.Time) (map[int64]int, error)
}

// CorrectiveActionSource counts each office's corrective actions overdue
// at a moment (ranking/inspections).
type CorrectiveActionSource interface {
	OverdueByOffice(ctx context.Context, at time.Time) (map[int64]int, error)
}

// Sources a run could not read: their inputs read zero, and the
// explanations say so.
const (
	SourceCrowding          = "crowding"
	SourceLicences          = "licences"
	SourceComplaints        = "complaints"
	SourceCorrectiveActions = "corrective_actions"
)

// RunInputs are what a run is computed from, as stored with it: every
// office's inputs, and the sources that were missing.
type RunInputs struct {
	Offices []Input  `json:"offices"`
	Missing []string `json:"missing,omitempty"`
}

// Sources gathers a period's inputs from the registers: offices, surveys,
// crowding, inspections, licences, complaints and corrective actions. DB,
// Offices, Surveys and Inspections are required; without any of the others
// its inputs read zero (said in the run's missing sources and the
// explanations).
type Sources struct {
	DB          *db.DB
	Offices     *offices.Register
	Surveys     *surveys.Service
	Crowding    CrowdingSource
	Licences    LicenceSource
	Inspections InspectionSource
	Complaints  ComplaintSource
	Actions     CorrectiveActionSource
}

func (g Sources) check() error {
	return deps.Check("ranking sources", "database", g.DB, "office register", g.Offices, "surveys", g.Surveys, "inspections", g.Inspections)
}

// Inputs reads every active or suspended office's inputs for the period.
// The sources are independent reads, made side by side.
func (g Sources) Inputs(ctx context.Context, p daftar.Period, d Directive) (RunInputs, error) {
	var out RunInputs
	var (
		all                 []offices.Summary
		sums                map[int64]surveys.Sums
		crowd               map[int64]CrowdingFigures
		suspended           map[int64]bool
		findings            map[int64]inspections.Findings
		upheld, overdue     map[int64]int
		end                 = p.End().In(daftar.Tehran())
		withCrowd, withLic  = g.Crowding != nil, g.Licences != nil
		complaints, actions = d.readsComplaints() && g.Complaints != nil, d.readsComplaints() && g.Actions != nil
	)
	if !withCrowd {
		out.Missing = append(out.Missing, SourceCrowding)
	}
	if !withLic {
		out.Missing = append(out.Missing, SourceLicences)
	}
	// Complaints and corrective actions are read only under a directive
	// that weighs them, so a version 1 run reads what it always read.
	if d.readsComplaints() && !complaints {
		out.Missing = append(out.Missing, SourceComplaints)
	}
	if d.readsComplaints() && !actions {
		out.Missing = append(out.Missing, SourceCorrectiveActions)
	}
	err := parallel(
		func() (err error) { all, err = g.Offices.Summaries(ctx); return },
		func() (err error) { sums, err = g.Surveys.SumsFor(ctx, surveys.RangeOf(p)); return },
		func() (err error) {
			if withCrowd {
				crowd, err = g.Crowding.RankingFigures(ctx, p.Start(), p.End())
			}
			return
		},
		func() (err error) {
			if withLic {
				suspended, err = g.Licences.SuspendedDuring(ctx, p.Start(), p.End())
			}
			return
		},
		func() (err error) {
			findings, err = g.Inspections.FindingsBetween(ctx, end.AddDate(0, -d.Penalties.LookbackMonths, 0), end)
			return
		},
		func() (err error) {
			if complaints {
				upheld, err = g.Complaints.UpheldByOffice(ctx, p.Start(), p.End())
			}
			return
		},
		func() (err error) {
			if actions {
				overdue, err = g.Actions.OverdueByOffice(ctx, p.End())
			}
			return
		},
	)
	if err != nil {
		return out, err
	}
	out.Offices = make([]Input, 0, len(all))
	for _, o := range all {
		if o.Status != offices.Active && o.Status != offices.Suspended {
			continue
		}
		in := Input{OfficeID: o.ID, Code: o.Code, Province: o.ProvinceCode}
		if d.Peers != nil {
			in.City, in.Counters = o.CityCode, o.Counters
		}
		if s, ok := sums[o.ID]; ok {
			in.Responses, in.OverallSum, in.ExtraFeeReports = s.Responses, s.OverallSum, s.ExtraFee
		}
		if c, ok := crowd[o.ID]; ok {
			in.WaitP90Min, in.OverTargetShare, in.Served, in.CounterHours, in.Arrivals = c.WaitP90Min, c.OverTargetShare, c.Served, c.CounterHours, c.Arrivals
		}
		f := findings[o.ID]
		in.Minor, in.Major, in.Critical = f.Minor, f.Major, f.Critical
		in.LicenceSuspended = suspended[o.ID]
		in.UpheldComplaints, in.OverdueActions = upheld[o.ID], overdue[o.ID]
		out.Offices = append(out.Offices, in)
	}
	return out, nil
}

// parallel runs the functions side by side and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// LateCounts counts, for a period a run read at a moment, what came in
// since: the period's visits now in the rollups by office (to compare
// with the arrivals the run read) and the answers received after that
// moment's hour. Both reads are cheap (no sketches, an index on the hour
// received), so every run's notes can carry the previous run's late data.
func (g Sources) LateCounts(ctx context.Context, p daftar.Period, readAt time.Time) (arrivals map[int64]int64, answers map[int64]int64, err error) {
	if g.Crowding != nil {
		if arrivals, err = g.Crowding.RankingArrivals(ctx, p.Start(), p.End()); err != nil {
			return nil, nil, err
		}
	}
	answers, err = g.Surveys.AnswersReceivedAfter(ctx, surveys.RangeOf(p), readAt)
	return arrivals, answers, err
}
