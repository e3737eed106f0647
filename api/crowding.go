package api

import (
	"math"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/gin-gonic/gin"
)

// crowdingFigures are the figures of one group; times in minutes, rounded
// to 0.01. A figure is null when there is nothing to compute it from.
type crowdingFigures struct {
	Arrivals        int64    `json:"arrivals"`
	Served          int64    `json:"served"`
	NoShows         int64    `json:"no_shows"`
	Cancelled       int64    `json:"cancelled"`
	Referred        int64    `json:"referred"`
	WaitP50Min      *float64 `json:"wait_p50_min" doc:"waits are arrival to call of served and referred visits"`
	WaitP90Min      *float64 `json:"wait_p90_min"`
	WaitP95Min      *float64 `json:"wait_p95_min"`
	WaitMaxMin      *float64 `json:"wait_max_min"`
	WaitMeanMin     *float64 `json:"wait_mean_min"`
	ServiceMeanMin  *float64 `json:"service_mean_min" doc:"call to finish"`
	ServiceP90Min   *float64 `json:"service_p90_min"`
	OverTargetShare *float64 `json:"over_target_share" doc:"share of waits longer than the target (target_min)"`
	QueueMax        *int64   `json:"queue_max" doc:"longest queue, rebuilt from arrival and call times"`
	QueueMean       *float64 `json:"queue_mean" doc:"time-weighted mean queue over the open hours"`
	Utilisation     *float64 `json:"utilisation" doc:"busy counter time over open counter time"`
	CountersOpen    *float64 `json:"counters_open" doc:"mean counters open"`
	ArrivalsPerHour *float64 `json:"arrivals_per_open_hour"`
	ErlangCWaitMin  *float64 `json:"erlang_c_wait_min" doc:"expected wait of an M/M/c queue with the observed arrival rate, mean service time and counters; null when that queue is unstable"`
	ErlangCStable   *bool    `json:"erlang_c_stable" doc:"false when the observed load reaches the counters (the model's queue grows without bound)"`
	OpenHours       float64  `json:"open_hours"`
}

func round2(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := math.Round(*p*100) / 100
	return &v
}

func round4(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := math.Round(*p*10000) / 10000
	return &v
}

func figuresOf(f visits.Figures) crowdingFigures {
	return crowdingFigures{Arrivals: f.Arrivals, Served: f.Served, NoShows: f.NoShows, Cancelled: f.Cancelled, Referred: f.Referred,
		WaitP50Min: round2(f.WaitP50), WaitP90Min: round2(f.WaitP90), WaitP95Min: round2(f.WaitP95), WaitMaxMin: round2(f.WaitMax),
		WaitMeanMin: round2(f.WaitMean), ServiceMeanMin: round2(f.ServiceMean), ServiceP90Min: round2(f.ServiceP90),
		OverTargetShare: round4(f.OverTargetShare), QueueMax: f.QueueMax, QueueMean: round2(f.QueueMean),
		Utilisation: round4(f.Utilisation), CountersOpen: round2(f.Counters), ArrivalsPerHour: round2(f.ArrivalsPerHour),
		ErlangCWaitMin: round2(f.ErlangCWait), ErlangCStable: f.ErlangCStable, OpenHours: math.Round(f.OpenHours*100) / 100}
}

type crowdingGroup struct {
	Hour       *int    `json:"hour,omitempty" doc:"by=hour: hour of day in Tehran, 0-23"`
	Weekday    *string `json:"weekday,omitempty" doc:"by=weekday: sat, sun, mon, tue, wed, thu or fri"`
	Date       *string `json:"date,omitempty" doc:"by=day: the Tehran day, ISO"`
	DateJalali *string `json:"date_jalali,omitempty"`
	crowdingFigures
}

type officeCrowdingResponse struct {
	OfficeID   int64           `json:"office_id"`
	From       string          `json:"from" doc:"first day, ISO"`
	To         string          `json:"to" doc:"last day (inclusive), ISO"`
	FromJalali string          `json:"from_jalali"`
	ToJalali   string          `json:"to_jalali"`
	By         string          `json:"by"`
	TargetMin  float64         `json:"target_min"`
	Total      crowdingFigures `json:"total"`
	Items      []crowdingGroup `json:"items"`
}

var crowdingRangeQuery = []param{
	{Name: "from", Type: "string", Description: "first day: ISO (2026-10-23) or Jalali (1405/08/01, Persian digits accepted); default 29 days before to"},
	{Name: "to", Type: "string", Description: "last day, inclusive; default today (Tehran)"},
	{Name: "period", Type: "string", Description: "instead of from/to: a Jalali month (1405-08) or quarter (1405-Q3)"},
}

var officeCrowdingQuery = append([]param{{Name: "by", Type: "string", Enum: []string{visits.ByHour, visits.ByWeekday, visits.ByDay}, Description: "grouping (default hour)"}}, crowdingRangeQuery...)

// crowdingRange reads from/to (or period) as whole Tehran days.
func (s *Server) crowdingRange(c *gin.Context, fe *daftar.FieldErrors) visits.CrowdingRange {
	maxDays := s.Crowding.Config().MaxRangeDays
	now := s.Clock.Now()
	p, from, to := strings.TrimSpace(c.Query("period")), strings.TrimSpace(c.Query("from")), strings.TrimSpace(c.Query("to"))
	if p != "" {
		if from != "" || to != "" {
			fe.Add("period", "conflict", "give either period or from/to, not both")
			return visits.CrowdingRange{}
		}
		per, err := daftar.ParsePeriod(p)
		if err != nil {
			fe.Add("period", "invalid", "must be a Jalali month like 1405-08 or a quarter like 1405-Q3")
			return visits.CrowdingRange{}
		}
		return visits.CrowdingRange{From: per.Start().Unix(), To: per.End().Unix()}
	}
	last := now
	if to != "" {
		t, err := daftar.ParseDate(to)
		if err != nil {
			fe.Add("to", "invalid", "must be a date like 2026-11-21 or 1405/08/30")
			return visits.CrowdingRange{}
		}
		last = t
	}
	first := time.Unix(daftar.DayStart(last.Unix())-29*86400, 0)
	if from != "" {
		t, err := daftar.ParseDate(from)
		if err != nil {
			fe.Add("from", "invalid", "must be a date like 2026-10-23 or 1405/08/01")
			return visits.CrowdingRange{}
		}
		first = t
	}
	r, err := visits.NewCrowdingRange(first, last, maxDays)
	if err != nil {
		if de, ok := daftar.AsError(err); ok {
			*fe = append(*fe, de.Fields...)
		}
	}
	return r
}

func dayStrings(unix int64) (iso, jal string) {
	t := time.Unix(unix, 0)
	return daftar.TehranDate(t), daftar.ToJalali(t).String()
}

func (s *Server) officeCrowding(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	by := q.oneOfOr("by", visits.ByHour, []string{visits.ByHour, visits.ByWeekday, visits.ByDay})
	r := s.crowdingRange(c, &q.fe)
	if err := q.err(); err != nil {
		return nil, err
	}
	oc, err := s.Crowding.Office(c.Request.Context(), id, r, by)
	if err != nil {
		return nil, err
	}
	out := officeCrowdingResponse{OfficeID: id, By: by, TargetMin: oc.Target.Minutes(), Total: figuresOf(oc.Total), Items: []crowdingGroup{}}
	out.From, out.FromJalali = dayStrings(r.From)
	out.To, out.ToJalali = dayStrings(r.To - 86400)
	for _, g := range oc.Groups {
		item := crowdingGroup{Hour: g.Hour, crowdingFigures: figuresOf(g.Figures)}
		if g.Weekday != nil {
			k := geo.DayKey(time.Weekday((*g.Weekday + 6) % 7))
			item.Weekday = &k
		}
		if g.Day != nil {
			iso, jal := dayStrings(*g.Day)
			item.Date, item.DateJalali = &iso, &jal
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

type regionCrowdingItem struct {
	Region          string  `json:"region" doc:"region code"`
	Level           string  `json:"level" doc:"city or province"`
	NameFa          string  `json:"name_fa"`
	NameEn          string  `json:"name_en"`
	Parent          *string `json:"parent" doc:"the province of a city"`
	Population      int64   `json:"population"`
	Offices         int     `json:"offices" doc:"offices with visits in the range"`
	UnstableOffices int     `json:"unstable_offices" doc:"offices whose observed load reaches their counters (Erlang C unstable)"`
	crowdingFigures
}

type regionsCrowdingResponse struct {
	ListResponse[regionCrowdingItem]
	From       string  `json:"from"`
	To         string  `json:"to"`
	FromJalali string  `json:"from_jalali"`
	ToJalali   string  `json:"to_jalali"`
	Level      string  `json:"level"`
	TargetMin  float64 `json:"target_min"`
}

var regionsCrowdingQuery = append(append([]param{{Name: "level", Type: "string", Enum: []string{geo.LevelCity, geo.LevelProvince, visits.LevelAll}, Description: "default city"}}, crowdingRangeQuery...), pageQuery...)

func (s *Server) regionsCrowding(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	level := q.oneOfOr("level", geo.LevelCity, []string{geo.LevelCity, geo.LevelProvince, visits.LevelAll})
	r := s.crowdingRange(c, &q.fe)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, err := s.Crowding.Regions(c.Request.Context(), level, r)
	if err != nil {
		return nil, err
	}
	items := make([]regionCrowdingItem, len(list))
	for i, rc := range list {
		it := regionCrowdingItem{Region: rc.Region.Code, Level: rc.Level, NameFa: rc.Region.NameFa, NameEn: rc.Region.NameEn,
			Population: rc.Population, Offices: rc.Offices, UnstableOffices: rc.UnstableOffices, crowdingFigures: figuresOf(rc.Figures)}
		if parent := rc.Region.Parent(); parent != "" {
			it.Parent = &parent
		}
		items[i] = it
	}
	out := regionsCrowdingResponse{ListResponse: pageFrom(items, p), Level: level, TargetMin: s.Crowding.Config().TargetWait.Minutes()}
	out.From, out.FromJalali = dayStrings(r.From)
	out.To, out.ToJalali = dayStrings(r.To - 86400)
	return out, nil
}
