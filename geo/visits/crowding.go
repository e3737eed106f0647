package visits

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Crowding answers the crowding figures of an office, a city or a province
// from the rollups, never from the raw visits.
type Crowding struct {
	db      *db.DB
	gaz     *geo.Gazetteer
	offices *offices.Register
	cfg     CrowdingConfig
}

// CrowdingConfig holds the crowding settings.
type CrowdingConfig struct {
	// TargetWait is the wait a citizen should not exceed (default 30m):
	// over_target_share is the share of waits longer than this.
	TargetWait time.Duration
	// MaxRangeDays bounds a query's range (default 731).
	MaxRangeDays int
}

func (c CrowdingConfig) withDefaults() CrowdingConfig {
	if c.TargetWait == 0 {
		c.TargetWait = 30 * time.Minute
	}
	if c.MaxRangeDays == 0 {
		c.MaxRangeDays = 731
	}
	return c
}

// NewCrowding returns the crowding queries.
func NewCrowding(d *db.DB, register *offices.Register, cfg CrowdingConfig) (*Crowding, error) {
	if err := deps.Check("crowding", "database", d, "office register", register); err != nil {
		return nil, err
	}
	return &Crowding{db: d, gaz: register.Gazetteer(), offices: register, cfg: cfg.withDefaults()}, nil
}

// Config returns the effective configuration.
func (c *Crowding) Config() CrowdingConfig { return c.cfg }

// Figures are the crowding figures of one group, times in minutes. A
// figure is nil when there is nothing to compute it from.
type Figures struct {
	Arrivals, Served, NoShows, Cancelled, Referred int64

	WaitP50, WaitP90, WaitP95, WaitMax, WaitMean *float64
	ServiceMean, ServiceP90                      *float64
	// OverTargetShare is the share of waits (served and referred visits)
	// longer than the target.
	OverTargetShare *float64
	// QueueMax is the longest queue seen; QueueMean its time-weighted mean
	// over the open hours.
	QueueMax  *int64
	QueueMean *float64
	// Utilisation is busy counter time over open counter time (it can
	// exceed 1 when counters serve past closing).
	Utilisation *float64
	// Counters is the mean number of counters open; ArrivalsPerHour the
	// arrivals per open hour.
	Counters        *float64
	ArrivalsPerHour *float64
	// ErlangCWait is the expected wait of an M/M/c queue with the observed
	// arrival rate (of citizens served), mean service time and counters;
	// nil when that queue is unstable (ErlangCStable false) or undefined.
	ErlangCWait   *float64
	ErlangCStable *bool
	// OpenHours is the open time the figures cover.
	OpenHours float64
}

func fp(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// erlang computes the Erlang C wait (seconds) for counts.
func erlang(c *Counts) (wait float64, stable, defined bool) {
	if c.OpenS <= 0 || c.Services == 0 || c.CounterS <= 0 {
		return 0, false, false
	}
	lambda := float64(c.Served+c.Referred) / float64(c.OpenS)
	service := float64(c.ServiceSum) / float64(c.Services)
	servers := int(math.Round(float64(c.CounterS) / float64(c.OpenS)))
	if servers < 1 || service <= 0 {
		return 0, false, false
	}
	w, ok := ErlangCWait(lambda, service, servers)
	return w, ok, true
}

// Figures computes the figures of s for a target wait in seconds.
func (s *Stats) Figures(target int64) Figures {
	c := &s.Counts
	f := Figures{Arrivals: c.Arrivals, Served: c.Served, NoShows: c.NoShows, Cancelled: c.Cancelled, Referred: c.Referred,
		OpenHours: float64(c.OpenS) / 3600}
	// A percentile never exceeds the maximum, which is exact: clamping
	// can only bring a sketch's estimate closer.
	clamp := func(v float64, hi int64) float64 { return min(v, float64(hi)) }
	if n := s.Wait.Count(); n > 0 {
		q := s.Wait.Quantiles(0.5, 0.9, 0.95)
		f.WaitP50, f.WaitP90, f.WaitP95 = fp(clamp(q[0], c.WaitMax)/60), fp(clamp(q[1], c.WaitMax)/60), fp(clamp(q[2], c.WaitMax)/60)
		f.WaitMax = fp(float64(c.WaitMax) / 60)
		f.OverTargetShare = fp(s.Wait.CountAbove(target) / float64(n))
	}
	if c.Waits > 0 {
		f.WaitMean = fp(float64(c.WaitSum) / float64(c.Waits) / 60)
	}
	if c.Services > 0 {
		f.ServiceMean = fp(float64(c.ServiceSum) / float64(c.Services) / 60)
	}
	if s.Service.Count() > 0 {
		f.ServiceP90 = fp(min(s.Service.Quantile(0.9), float64(c.ServiceMax)) / 60)
	}
	if c.OpenS > 0 || c.QueueArea > 0 || c.Arrivals > 0 {
		qm := c.QueueMax
		f.QueueMax = &qm
	}
	if c.OpenS > 0 {
		f.QueueMean = fp(float64(c.QueueArea) / float64(c.OpenS))
		f.Counters = fp(float64(c.CounterS) / float64(c.OpenS))
		f.ArrivalsPerHour = fp(float64(c.Arrivals) / (float64(c.OpenS) / 3600))
	}
	if c.CounterS > 0 {
		f.Utilisation = fp(float64(c.BusyS) / float64(c.CounterS))
	}
	if w, stable, defined := erlang(c); defined {
		f.ErlangCStable = &stable
		if stable {
			f.ErlangCWait = fp(w / 60)
		}
	}
	return f
}

// Groupings of the office figures.
const (
	ByHour    = "hour"
	ByWeekday = "weekday"
	ByDay     = "day"
)

// CrowdingRange is a range of whole Tehran days [From, To) in Unix seconds.
type CrowdingRange struct{ From, To int64 }

// Days is the length of the range in days.
func (r CrowdingRange) Days() int { return int((r.To - r.From) / 86400) }

// NewCrowdingRange makes the range from the first to the last day
// (inclusive) as Tehran dates; the first error names the field.
func NewCrowdingRange(first, last time.Time, maxDays int) (CrowdingRange, error) {
	r := CrowdingRange{From: daftar.DayStart(first.Unix()), To: daftar.DayStart(last.Unix()) + 86400}
	if r.To <= r.From {
		return r, daftar.Invalid("invalid_range", "the range ends before it begins",
			daftar.Field("to", "before_from", "must not be before from"))
	}
	if maxDays > 0 && r.Days() > maxDays {
		return r, daftar.Invalid("invalid_range", "the range is too long",
			daftar.Field("to", "range_too_long", fmt.Sprintf("the range may span at most %d days", maxDays)))
	}
	return r, nil
}

// Group is one line of an office's figures: an hour of the day, a weekday
// or a day.
type Group struct {
	Hour    *int   // by hour: 0-23 (Tehran)
	Weekday *int   // by weekday: 0 Saturday ... 6 Friday
	Day     *int64 // by day: Unix second the Tehran day begins
	Figures Figures
}

// OfficeCrowding is the answer for one office.
type OfficeCrowding struct {
	OfficeID int64
	Range    CrowdingRange
	By       string
	Target   time.Duration
	Total    Figures
	Groups   []Group
}

// plan splits a range into whole Jalali months (read from crowding_months)
// and the days around them (read from crowding_days).
type plan struct {
	monthFrom, monthTo int64 // [monthFrom, monthTo) of whole months; equal when none
	edges              []CrowdingRange
}

func planRange(r CrowdingRange) plan {
	m := daftar.MonthStart(r.From)
	if m < r.From {
		m = daftar.MonthEnd(r.From)
	}
	end := m
	for daftar.MonthEnd(end) <= r.To && end < r.To {
		end = daftar.MonthEnd(end)
	}
	if end == m {
		return plan{edges: []CrowdingRange{r}}
	}
	p := plan{monthFrom: m, monthTo: end}
	if r.From < m {
		p.edges = append(p.edges, CrowdingRange{r.From, m})
	}
	if end < r.To {
		p.edges = append(p.edges, CrowdingRange{end, r.To})
	}
	return p
}

// edgeWhere is the SQL condition and arguments selecting the edge days.
func (p plan) edgeWhere() (string, []any) {
	var parts []string
	var args []any
	for _, e := range p.edges {
		parts = append(parts, "(day_at >= ? AND day_at < ?)")
		args = append(args, e.From, e.To)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

func (c *Crowding) target() int64 { return int64(c.cfg.TargetWait / time.Second) }

// Office returns an office's figures over a range, grouped by hour of
// day, weekday or day. Hours and weekdays with no visits and no opening
// are left out, as are days with no visits.
func (c *Crowding) Office(ctx context.Context, officeID int64, r CrowdingRange, by string) (OfficeCrowding, error) {
	out := OfficeCrowding{OfficeID: officeID, Range: r, By: by, Target: c.cfg.TargetWait}
	var total Stats
	rows := 0
	switch by {
	case ByHour:
		// One round trip: whole months and the days around them.
		var hours [24]*Stats
		var parts []string
		var args []any
		p := planRange(r)
		if p.monthTo > p.monthFrom {
			parts = append(parts, "SELECT hours FROM crowding_months WHERE office_id = ? AND month_at >= ? AND month_at < ?")
			args = append(args, officeID, p.monthFrom, p.monthTo)
		}
		if len(p.edges) > 0 {
			where, eargs := p.edgeWhere()
			parts = append(parts, "SELECT hours FROM crowding_days WHERE office_id = ? AND "+where)
			args = append(append(args, officeID), eargs...)
		}
		err := c.db.Query(ctx, strings.Join(parts, " UNION ALL "), args, func(scan func(...any) error) error {
			var b []byte
			if err := scan(&b); err != nil {
				return err
			}
			rows++
			return mergeHours(b, &hours)
		})
		if err != nil {
			return out, err
		}
		for h, st := range hours {
			if st == nil {
				continue
			}
			total.Merge(st)
			hour := h
			out.Groups = append(out.Groups, Group{Hour: &hour, Figures: st.Figures(c.target())})
			putStats(st)
		}
	case ByDay, ByWeekday:
		var weekdays [7]*Stats
		err := c.db.Query(ctx, "SELECT day_at, weekday, "+statsSelect+" FROM crowding_days WHERE office_id = ? AND day_at >= ? AND day_at < ? ORDER BY day_at",
			[]any{officeID, r.From, r.To}, func(scan func(...any) error) error {
				var row rollupRow
				if err := scan(append([]any{&row.At, &row.Weekday}, row.scanTargets()...)...); err != nil {
					return err
				}
				rows++
				st, err := row.stats()
				if err != nil {
					return err
				}
				total.Merge(st)
				if by == ByDay {
					day := row.At
					out.Groups = append(out.Groups, Group{Day: &day, Figures: st.Figures(c.target())})
					return nil
				}
				if row.Weekday < 0 || row.Weekday > 6 {
					return fmt.Errorf("crowding_days: weekday %d", row.Weekday)
				}
				if weekdays[row.Weekday] == nil {
					weekdays[row.Weekday] = &Stats{}
				}
				weekdays[row.Weekday].Merge(st)
				return nil
			})
		if err != nil {
			return out, err
		}
		for wd, st := range weekdays {
			if st != nil {
				w := wd
				out.Groups = append(out.Groups, Group{Weekday: &w, Figures: st.Figures(c.target())})
			}
		}
	default:
		return out, daftar.Invalid("invalid_query", "the query is not valid",
			daftar.Field("by", "invalid", "must be hour, weekday or day"))
	}
	if rows == 0 {
		// No figures: is there such an office at all?
		exists, err := c.offices.Exists(ctx, nil, officeID)
		if err != nil {
			return out, err
		}
		if !exists {
			return out, daftar.NotFound("office_not_found", "no such office")
		}
	}
	out.Total = total.Figures(c.target())
	return out, nil
}

// stats decodes a row's totals (not its hours).
func (r *rollupRow) stats() (*Stats, error) {
	st := &Stats{Counts: r.Counts}
	if err := st.Wait.MergeEncoded(r.WaitSketch); err != nil {
		return nil, err
	}
	if err := st.Service.MergeEncoded(r.ServiceSketch); err != nil {
		return nil, err
	}
	return st, nil
}

// Region levels of the hotspots.
const (
	LevelAll = "all"
)

// RegionCrowding is one city or province of the hotspots.
type RegionCrowding struct {
	Region     *geo.Region
	Level      string
	Population int64
	// Offices is the number of offices with visits in the range.
	Offices int
	Figures Figures
	// ErlangCWait, for a region, is the arrival-weighted mean of its
	// offices' Erlang C waits over those whose queue is stable; unstable
	// offices are counted in UnstableOffices.
	UnstableOffices int
}

// Regions returns the cities and/or provinces with visits in the range,
// ordered by p90 wait (longest first), then utilisation, then code.
func (c *Crowding) Regions(ctx context.Context, level string, r CrowdingRange) ([]RegionCrowding, error) {
	if level != geo.LevelCity && level != geo.LevelProvince && level != LevelAll {
		return nil, daftar.Invalid("invalid_query", "the query is not valid",
			daftar.Field("level", "invalid", "must be city, province or all"))
	}
	all, err := c.offices.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	where := make(map[int64]offices.Summary, len(all))
	for _, o := range all {
		where[o.ID] = o
	}
	perOffice := map[int64]*Counts{}
	regions := map[string]*Stats{}
	add := func(code string, st *Stats) {
		acc := regions[code]
		if acc == nil {
			acc = &Stats{}
			regions[code] = acc
		}
		acc.Merge(st)
	}
	scanRow := func(scan func(...any) error) error {
		var row rollupRow
		if err := scan(append([]any{&row.OfficeID}, row.scanTargets()[:countsFields+2]...)...); err != nil {
			return err
		}
		o, ok := where[row.OfficeID]
		if !ok {
			return nil
		}
		st, err := row.stats()
		if err != nil {
			return err
		}
		pc := perOffice[row.OfficeID]
		if pc == nil {
			pc = &Counts{}
			perOffice[row.OfficeID] = pc
		}
		pc.Add(&st.Counts)
		if level != geo.LevelProvince {
			add(o.CityCode, st)
		}
		if level != geo.LevelCity {
			add(o.ProvinceCode, st)
		}
		return nil
	}
	if err := c.eachOfficeRollup(ctx, r, scanRow); err != nil {
		return nil, err
	}
	// Erlang C per office, weighted by arrivals into each region.
	type erl struct {
		weighted, weight float64
		unstable, count  int
	}
	erls := map[string]*erl{}
	note := func(code string, cnt *Counts, w float64, stable, defined bool) {
		e := erls[code]
		if e == nil {
			e = &erl{}
			erls[code] = e
		}
		e.count++
		if !defined {
			return
		}
		if !stable {
			e.unstable++
			return
		}
		e.weighted += w * float64(cnt.Arrivals)
		e.weight += float64(cnt.Arrivals)
	}
	for id, cnt := range perOffice {
		o := where[id]
		w, stable, defined := erlang(cnt)
		if level != geo.LevelProvince {
			note(o.CityCode, cnt, w, stable, defined)
		}
		if level != geo.LevelCity {
			note(o.ProvinceCode, cnt, w, stable, defined)
		}
	}
	out := make([]RegionCrowding, 0, len(regions))
	for code, st := range regions {
		reg, ok := c.gaz.Get(code)
		if !ok {
			continue
		}
		rc := RegionCrowding{Region: reg, Level: reg.Level, Population: reg.Population, Figures: st.Figures(c.target())}
		if e := erls[code]; e != nil {
			rc.Offices, rc.UnstableOffices = e.count, e.unstable
			rc.Figures.ErlangCWait, rc.Figures.ErlangCStable = nil, nil
			if e.weight > 0 {
				rc.Figures.ErlangCWait = fp(e.weighted / e.weight / 60)
			}
			stable := e.unstable == 0
			rc.Figures.ErlangCStable = &stable
		}
		out = append(out, rc)
	}
	slices.SortFunc(out, func(a, b RegionCrowding) int {
		if c := cmpDesc(a.Figures.WaitP90, b.Figures.WaitP90); c != 0 {
			return c
		}
		if c := cmpDesc(a.Figures.Utilisation, b.Figures.Utilisation); c != 0 {
			return c
		}
		return cmp.Compare(a.Region.Code, b.Region.Code)
	})
	return out, nil
}

// cmpDesc orders larger values first and nil last.
func cmpDesc(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*b, *a)
}
