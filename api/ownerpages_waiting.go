package api

import (
	"html/template"
	"math"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/gin-gonic/gin"
)

// waitingView is the dashboard's waiting section: today and the last 30
// days (the crowding route's default range), each figure beside the
// median of the office's city peers, and three charts.
type waitingView struct {
	Tables                 []waitingTable // today, then the 30 days
	Target                 string
	ByHour, ByDay, ByWeekd template.HTML
}

type waitingTable struct {
	Key   string // today or days30
	Title string
	Range string // the days covered, in words
	Empty bool   // no visits in the range
	Peers string // how many peers the medians are over
	Rows  []figureRow
}

// figureRow is one figure of a section, with its key (for tests and
// anchors), the office's value and the peers' median.
type figureRow struct {
	Key, Label, Value, Peer string
}

func (s *Server) waitingSection(c *gin.Context, k kit, id int64) (waitingView, error) {
	ctx := c.Request.Context()
	now := s.Clock.Now()
	v := waitingView{Target: k.Minutes(ptrF(s.Crowding.Config().TargetWait.Minutes()))}
	today, err := visits.NewCrowdingRange(now, now, 0)
	if err != nil {
		return v, err
	}
	// The crowding route's default: the 30 days ending today.
	month, err := visits.NewCrowdingRange(time.Unix(daftar.DayStart(now.Unix())-29*86400, 0), now, 0)
	if err != nil {
		return v, err
	}
	for _, t := range []struct {
		key string
		r   visits.CrowdingRange
	}{{"today", today}, {"days30", month}} {
		oc, err := s.Crowding.Office(ctx, id, t.r, visits.ByHour)
		if err != nil {
			return v, err
		}
		peers, err := s.Crowding.CityPeers(ctx, id, t.r)
		if err != nil {
			return v, err
		}
		tab := waitingTableOf(k, t.r, oc.Total, peers)
		tab.Key, tab.Title = t.key, k.t("waiting_"+t.key)
		v.Tables = append(v.Tables, tab)
	}
	// Charts over the 30 days.
	byHour, err := s.Crowding.Office(ctx, id, month, visits.ByHour)
	if err != nil {
		return v, err
	}
	hb := chart.BarChart{Highlight: 3, HighlightLabel: k.t("busy_hours"), Unit: k.t("minutes"), XTitle: k.t("hour_of_day"), ValueTitle: k.t("fig_wait_p50")}
	for _, g := range byHour.Groups {
		hb.Labels = append(hb.Labels, k.Num(float64(*g.Hour), 0))
		hb.Values = append(hb.Values, valueOr(g.Figures.WaitP50))
	}
	v.ByHour = k.Figure(hb, k.Chart(k.t("chart_wait_by_hour"), k.t("chart_wait_by_hour_desc")))

	byDay, err := s.Crowding.Office(ctx, id, month, visits.ByDay)
	if err != nil {
		return v, err
	}
	target := s.Crowding.Config().TargetWait.Minutes()
	lc := chart.LineChart{Target: &chart.Target{Value: target, Label: k.t("target")}, Unit: k.t("minutes"), XTitle: k.t("day")}
	p90 := chart.Series{Name: k.t("fig_wait_p90")}
	for _, g := range byDay.Groups {
		lc.Labels = append(lc.Labels, k.DayShort(time.Unix(*g.Day, 0)))
		p90.Values = append(p90.Values, valueOr(g.Figures.WaitP90))
	}
	lc.Series = []chart.Series{p90}
	v.ByDay = k.Figure(lc, k.Chart(k.t("chart_p90_by_day"), k.t("chart_p90_by_day_desc")))

	byWd, err := s.Crowding.Office(ctx, id, month, visits.ByWeekday)
	if err != nil {
		return v, err
	}
	wb := chart.BarChart{Unit: k.t("visits_unit"), XTitle: k.t("weekday"), ValueTitle: k.t("own_arrivals")}
	for _, g := range byWd.Groups {
		wb.Labels = append(wb.Labels, k.Weekday(*g.Weekday))
		wb.Values = append(wb.Values, float64(g.Figures.Arrivals))
	}
	o := k.Chart(k.t("chart_arrivals_by_weekday"), k.t("chart_arrivals_by_weekday_desc"))
	o.Format = chart.Persian(0)
	if !k.fa() {
		o.Format = chart.Latin(0)
	}
	v.ByWeekd = k.Figure(wb, o)
	return v, nil
}

// waitingTableOf lays out one range's figures beside the peers' medians.
func waitingTableOf(k kit, r visits.CrowdingRange, f visits.Figures, p visits.PeerFigures) waitingTable {
	first, last := time.Unix(r.From, 0), time.Unix(r.To-86400, 0)
	t := waitingTable{Range: k.Date(first), Peers: k.Int(int64(p.Offices)), Empty: f.Arrivals == 0}
	if r.Days() > 1 {
		t.Range = k.Date(first) + " " + k.t("until") + " " + k.Date(last)
	}
	count := func(n int64) *float64 { x := float64(n); return &x }
	var qmax *float64
	if f.QueueMax != nil {
		qmax = count(*f.QueueMax)
	}
	t.Rows = []figureRow{
		{"arrivals", k.t("own_arrivals"), k.Int(f.Arrivals), k.NumP(p.Arrivals, 1)},
		{"served", k.t("served"), k.Int(f.Served), k.NumP(p.Served, 1)},
		{"wait_p50", k.t("fig_wait_p50"), k.Minutes(round2(f.WaitP50)), k.Minutes(p.WaitP50)},
		{"wait_p90", k.t("fig_wait_p90"), k.Minutes(round2(f.WaitP90)), k.Minutes(p.WaitP90)},
		{"over_target_share", k.t("over_target_share"), k.PctP(round4(f.OverTargetShare), 1), k.PctP(p.OverTargetShare, 1)},
		{"utilisation", k.t("utilisation"), k.PctP(round4(f.Utilisation), 0), k.PctP(p.Utilisation, 0)},
		{"queue_max", k.t("queue_max"), k.NumP(qmax, 0), k.NumP(p.QueueMax, 1)},
		{"queue_mean", k.t("queue_mean"), k.NumP(round2(f.QueueMean), 1), k.NumP(p.QueueMean, 1)},
	}
	return t
}

func ptrF(v float64) *float64 { return &v }

// valueOr is the figure, NaN (not drawn) when there is none.
func valueOr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
