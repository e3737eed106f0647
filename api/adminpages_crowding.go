package api

import (
	"cmp"
	"html/template"
	"math"
	"slices"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/gin-gonic/gin"
)

// /admin/crowding: where people wait longest. The hotspots are the API's
// (GET /api/v1/crowding/regions, the same range rules); the map colours
// every active office by its own p90 wait over the range.

type hotspotRow struct {
	Name, Href, Offices, Parent                       string
	Arrivals, WaitP90, OverTarget, Utilisation, Model string
	Unstable                                          string
	Hot                                               bool
}

type crowdingData struct {
	staffForm
	Level, From, To, Period string
	LevelOptions            []option
	RangeText               string
	Rows                    []hotspotRow
	Pager                   pager
	Sort                    sorting
	Map, WaitChart, Share   template.HTML
	MapBands                []mapBand
	TargetText              string
	XLSX, CSV               string
}

func (s *Server) adminCrowding(c *gin.Context) { s.staffPage(s.crowdingPage)(c) }

// waitStops colour the offices on the map by p90 wait, in minutes.
var waitStops = []float64{5, 10, 20, 30, 45}

func (s *Server) crowdingPage(c *gin.Context, v *staffView) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 25, 200)
	level := c.DefaultQuery("level", geo.LevelCity)
	if level != geo.LevelCity && level != geo.LevelProvince {
		fe.Add("level", "invalid", "must be city or province")
	}
	sort := v.sortOf(&fe, "p90", "utilisation", "arrivals", "over_target")
	r := s.crowdingRange(c, &fe)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, err := s.Crowding.Regions(ctx, level, r)
	if err != nil {
		return staffResult{}, err
	}
	key := map[string]func(visits.RegionCrowding) float64{
		"p90":         func(x visits.RegionCrowding) float64 { return ptrOr(x.Figures.WaitP90, -1) },
		"utilisation": func(x visits.RegionCrowding) float64 { return ptrOr(x.Figures.Utilisation, -1) },
		"arrivals":    func(x visits.RegionCrowding) float64 { return float64(x.Figures.Arrivals) },
		"over_target": func(x visits.RegionCrowding) float64 { return ptrOr(x.Figures.OverTargetShare, -1) },
	}[sort.By]
	if sort.By != "p90" { // the service's own order is p90 first
		slices.SortStableFunc(list, func(a, b visits.RegionCrowding) int { return cmp.Compare(key(b), key(a)) })
	}
	target := s.Crowding.Config().TargetWait.Minutes()
	d := crowdingData{staffForm: v.notice(), Level: level, From: c.Query("from"), To: c.Query("to"), Period: c.Query("period"),
		LevelOptions: v.options("level_", level, geo.LevelCity, geo.LevelProvince), Sort: sort,
		Pager: v.pager(p, int64(len(list))), TargetText: v.num(target, 0),
		RangeText: v.date(time.Unix(r.From, 0)) + " – " + v.date(time.Unix(r.To-86400, 0))}
	lo, hi := min(p.Offset(), len(list)), min(p.Offset()+p.PageSize, len(list))
	for _, x := range list[lo:hi] {
		f := x.Figures
		row := hotspotRow{Name: nameIn(v.lang, x.Region.NameFa, x.Region.NameEn), Offices: v.count(int64(x.Offices)),
			Arrivals: v.count(f.Arrivals), WaitP90: v.numPtr(f.WaitP90, 1), OverTarget: v.pctPtr(f.OverTargetShare, 1),
			Utilisation: v.pctPtr(f.Utilisation, 0), Model: v.numPtr(f.ErlangCWait, 1), Unstable: v.count(int64(x.UnstableOffices)),
			Hot: f.WaitP90 != nil && *f.WaitP90 > target}
		if level == geo.LevelCity {
			row.Href = "/admin/offices?city=" + x.Region.Code
			row.Parent = v.region(x.Region.Parent())
		} else {
			row.Href = "/admin/offices?province=" + x.Region.Code
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Map, d.MapBands, err = s.crowdingMap(c, v, r); err != nil {
		return staffResult{}, err
	}
	days, err := s.Crowding.NationalByDay(ctx, s.trendRange())
	if err != nil {
		return staffResult{}, err
	}
	d.WaitChart, d.Share = v.nationalWaitChart(days, s.Crowding.Config().TargetWait.Minutes(), "crowding-wait"), v.nationalShareChart(days)
	span := []string{"from", d.From, "to", d.To, "period", d.Period}
	d.XLSX, d.CSV = v.report("crowding", "xlsx", span...), v.report("crowding", "csv", span...)
	return staffResult{page: "admin_crowding", title: "crowding_title", data: d}, nil
}

func ptrOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// mapBand is one colour of the map with the offices in it: the map's text
// alternative (its points are listed on the offices' pages).
type mapBand struct{ Label, Colour, Count string }

// crowdingMap draws every active office coloured by its p90 wait over the
// range (grey without visits).
func (s *Server) crowdingMap(c *gin.Context, v *staffView, r visits.CrowdingRange) (template.HTML, []mapBand, error) {
	ctx := c.Request.Context()
	stats, err := s.Crowding.OfficesStats(ctx, r)
	if err != nil {
		return "", nil, err
	}
	all, err := s.Offices.Summaries(ctx)
	if err != nil {
		return "", nil, err
	}
	m := chart.Map{LegendTitle: v.t("map_legend"), MissingLabel: v.t("map_no_visits"), LabelTitle: v.t("office"), ValueTitle: v.t("wait_p90")}
	colours := chart.Sequential(len(waitStops) + 1)
	prev := 0.0
	for i, up := range waitStops {
		m.Stops = append(m.Stops, chart.Stop{Upto: up, Colour: colours[i], Label: v.num(prev, 0) + "–" + v.num(up, 0)})
		prev = up
	}
	m.Stops = append(m.Stops, chart.Stop{Upto: math.Inf(1), Colour: colours[len(waitStops)], Label: v.t("more_than") + " " + v.num(prev, 0)})
	counts := make([]int64, len(m.Stops)+1) // the last: no visits
	for _, o := range all {
		if o.Status != offices.Active {
			continue
		}
		val := math.NaN()
		band := len(m.Stops)
		if st, ok := stats[o.ID]; ok && st.Figures.WaitP90 != nil {
			val = math.Round(*st.Figures.WaitP90*10) / 10
			for band = 0; band < len(m.Stops)-1 && val > m.Stops[band].Upto; band++ {
			}
		}
		counts[band]++
		m.Points = append(m.Points, chart.Point{Lat: o.Latitude, Lon: o.Longitude, Value: val,
			Label: nameIn(v.lang, o.NameFa, o.NameEn) + " | " + v.region(o.CityCode)})
	}
	bands := make([]mapBand, 0, len(counts))
	for i, st := range m.Stops {
		bands = append(bands, mapBand{Label: st.Label, Colour: st.Colour, Count: v.count(counts[i])})
	}
	bands = append(bands, mapBand{Label: v.t("map_no_visits"), Colour: "#a0a8b5", Count: v.count(counts[len(m.Stops)])})
	o := chart.ForLang(v.lang)
	o.ID, o.Title, o.Desc, o.NoData = "crowding-map", v.t("map_title"), v.t("map_desc"), v.t("no_data")
	return m.SVG(o), bands, nil
}

// nationalShareChart is the country's share of waits over the target and
// its counters' utilisation, by day.
func (v *staffView) nationalShareChart(days []visits.Group) template.HTML {
	lc := chart.LineChart{Unit: v.t("percent"), XTitle: v.t("day"), Min: 0, Max: 100}
	over := chart.Series{Name: v.t("over_target_short")}
	util := chart.Series{Name: v.t("utilisation_short")}
	for _, g := range days {
		lc.Labels = append(lc.Labels, v.dayLabel(*g.Day))
		over.Values = append(over.Values, ptrOrNaN(g.Figures.OverTargetShare)*100)
		util.Values = append(util.Values, ptrOrNaN(g.Figures.Utilisation)*100)
	}
	lc.Series = []chart.Series{over, util}
	o := chart.ForLang(v.lang)
	o.ID, o.Title, o.Desc, o.NoData = "crowding-share", v.t("share_trend"), v.t("share_trend_desc"), v.t("no_data")
	return chart.Figure(lc, o, v.t("show_as_table"))
}
