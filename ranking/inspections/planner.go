package inspections

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Office is an office as the worklist names it.
type Office struct {
	ID       int64
	Code     string
	Name     string
	Province string
	City     string
}

// OfficeSource lists the offices that are open to inspect (active ones).
type OfficeSource interface {
	ActiveOffices(ctx context.Context) ([]Office, error)
}

// SurveyFigures are an office's survey figures over the risk window.
type SurveyFigures struct {
	Responses    int64 // counted answers
	Flagged      int64 // answers left out by a stuffing flag
	ExtraFeeRate float64
	ExtraFeeLow  float64 // Wilson 95% interval of the rate
	ExtraFeeHigh float64
	Adjusted     float64 // overall satisfaction pulled toward the national mean
}

// SurveySource gives the survey figures over [from, to) of the given
// offices, of every office when ids is nil.
type SurveySource interface {
	RiskFigures(ctx context.Context, from, to time.Time, ids []int64) (map[int64]SurveyFigures, error)
}

// ComplaintCounts are an office's complaints over the risk window: upheld
// ones, and those still open.
type ComplaintCounts struct {
	Upheld, Open int
}

// ComplaintSource gives every office's complaint counts over [from, to).
type ComplaintSource interface {
	RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]ComplaintCounts, error)
}

// Accounts looks up the inspector an assignment goes to.
type Accounts interface {
	Get(ctx context.Context, id int64) (accounts.User, error)
}

// Sources are what the planner reads from other packages.
type Sources struct {
	Offices    OfficeSource
	Surveys    SurveySource
	Complaints ComplaintSource
	Accounts   Accounts
}

// Planner plans inspections: the risk worklist and the assignments made
// from it.
type Planner struct {
	s   *Service
	src Sources
	cfg RiskConfig
}

// NewPlanner returns the planner; every source is required (a missing one
// is named).
func NewPlanner(s *Service, src Sources, cfg RiskConfig) (*Planner, error) {
	if err := deps.Check("inspections planner", "inspections", s, "offices", src.Offices, "surveys", src.Surveys, "complaints", src.Complaints,
		"accounts", src.Accounts); err != nil {
		return nil, err
	}
	return &Planner{s: s, src: src, cfg: cfg.withDefaults()}, nil
}

// WorkItem is one office of the worklist.
type WorkItem struct {
	Office          Office
	Score           float64
	Reasons         []Reason
	Inputs          RiskInputs
	LastInspectedOn *string
	// Assignment is the office's open assignment, if any.
	Assignment *Assignment
}

// WorklistFilter selects and pages the worklist.
type WorklistFilter struct {
	Province   string
	Unassigned bool // only offices without an open assignment
	Limit      int
	Offset     int
}

// Worklist ranks the active offices by risk score, highest first (the
// office id breaks ties), and returns a page with the total.
func (p *Planner) Worklist(ctx context.Context, f WorklistFilter) ([]WorkItem, int64, error) {
	all, err := p.items(ctx, 0)
	if err != nil {
		return nil, 0, err
	}
	var kept []WorkItem
	for _, it := range all {
		if f.Province != "" && it.Office.Province != f.Province {
			continue
		}
		if f.Unassigned && it.Assignment != nil {
			continue
		}
		kept = append(kept, it)
	}
	total := int64(len(kept))
	if f.Limit <= 0 {
		f.Limit = 50
	}
	start := min(len(kept), max(0, f.Offset))
	return kept[start:min(len(kept), start+f.Limit)], total, nil
}

// items scores every active office, or only the one given (0: all): the
// survey figures of one office cost a thousandth of everyone's.
func (p *Planner) items(ctx context.Context, only int64) ([]WorkItem, error) {
	now := p.s.clock.Now()
	today, _ := time.ParseInLocation("2006-01-02", daftar.TehranDate(now), daftar.Tehran())
	from := today.AddDate(0, 0, -p.cfg.WindowDays)
	offices, err := p.src.Offices.ActiveOffices(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if only != 0 {
		i := slices.IndexFunc(offices, func(o Office) bool { return o.ID == only })
		if i < 0 {
			return nil, nil
		}
		offices, ids = []Office{offices[i]}, []int64{only}
	}
	survey, err := p.src.Surveys.RiskFigures(ctx, from, now, ids)
	if err != nil {
		return nil, err
	}
	complaints, err := p.src.Complaints.RiskByOffice(ctx, from, now)
	if err != nil {
		return nil, err
	}
	overdue, err := p.s.overdueBySeverity(ctx, now)
	if err != nil {
		return nil, err
	}
	last, err := p.s.LastInspected(ctx, now)
	if err != nil {
		return nil, err
	}
	open, err := p.openAssignments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]WorkItem, 0, len(offices))
	for _, o := range offices {
		in := RiskInputs{Overdue: overdue[o.ID]}
		c := complaints[o.ID]
		in.UpheldComplaints, in.OpenComplaints = c.Upheld, c.Open
		if sf, ok := survey[o.ID]; ok {
			in.Responses, in.Flagged = sf.Responses, sf.Flagged
			in.ExtraFeeRate, in.ExtraFeeLow, in.ExtraFeeHigh, in.Adjusted = sf.ExtraFeeRate, sf.ExtraFeeLow, sf.ExtraFeeHigh, sf.Adjusted
		}
		it := WorkItem{Office: o}
		if day, ok := last[o.ID]; ok {
			t, _ := time.ParseInLocation("2006-01-02", day, daftar.Tehran())
			d := int(today.Sub(t).Hours()/24 + 0.5)
			in.DaysSinceInspection = &d
			it.LastInspectedOn = &day
		}
		if a, ok := open[o.ID]; ok {
			it.Assignment = &a
		}
		it.Inputs = in
		it.Score, it.Reasons = Risk(in, p.cfg)
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Office.ID < out[j].Office.ID
	})
	return out, nil
}
