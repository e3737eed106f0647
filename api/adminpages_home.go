package api

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// /admin: the national cards, each a door to its page.

// trendDays is how far back the national trends on the staff pages reach.
const trendDays = 30

type homeFigure struct{ Label, Value, Href string }

type homeShortage struct{ Name, Shortage, Href string }

type homeLicence struct{ Number, Holder, City, Until, Href string }

type homeImport struct{ Name, Status, StatusClass, When, Rows, Refused, Href string }

type homeRun struct{ Period, State, StateClass, Ranked, When, Href string }

type homeData struct {
	Network          []homeFigure
	Shortages        []homeShortage
	ShortageTotal    string
	WaitChart        template.HTML
	SatisfactionChrt template.HTML
	Expiring         []homeLicence
	ExpiringTotal    string
	FlagsOpen        string
	Imports          []homeImport
	Runs             []homeRun
	Overdue          []complaintListRow
	OverdueTotal     string
	ShowImports      bool
	ShowLicensing    bool
}

func (s *Server) adminHome(c *gin.Context) { s.staffPage(s.homePage)(c) }

func (s *Server) homePage(c *gin.Context, v *staffView) (staffResult, error) {
	ctx := c.Request.Context()
	d := homeData{ShowImports: v.can(http.MethodGet, "/admin/imports"), ShowLicensing: v.can(http.MethodGet, "/admin/licences")}
	counts, err := s.Offices.Count(ctx)
	if err != nil {
		return staffResult{}, err
	}
	d.Network = []homeFigure{
		{v.t("offices_total"), v.count(counts.Total), "/admin/offices"},
		{v.t("offices_active"), v.count(counts.ByStatus[offices.Active]), "/admin/offices?status=active"},
		{v.t("offices_suspended"), v.count(counts.ByStatus[offices.Suspended]), "/admin/offices?status=suspended"},
	}

	dem, err := s.Demand.Compute(ctx, licensing.DemandQuery{})
	if err != nil {
		return staffResult{}, err
	}
	d.ShortageTotal = v.count(int64(dem.Model.Shortage))
	for _, r := range dem.Regions {
		if len(d.Shortages) == 5 || r.Shortage == 0 {
			break
		}
		d.Shortages = append(d.Shortages, homeShortage{Name: nameIn(v.lang, r.NameFa, r.NameEn), Shortage: v.count(int64(r.Shortage)),
			Href: "/admin/demand?city=" + r.Region + "#whatif"})
	}

	days, err := s.Crowding.NationalByDay(ctx, s.trendRange())
	if err != nil {
		return staffResult{}, err
	}
	d.WaitChart = v.nationalWaitChart(days, s.Crowding.Config().TargetWait.Minutes(), "home-wait")
	if d.SatisfactionChrt, err = s.satisfactionChart(c, v); err != nil {
		return staffResult{}, err
	}

	open := false
	_, flags, err := s.Surveys.Flags(ctx, surveys.FlagFilter{Overruled: &open, Limit: 1})
	if err != nil {
		return staffResult{}, err
	}
	d.FlagsOpen = v.count(flags)

	if d.ShowLicensing {
		yes := true
		list, total, err := s.Licences.List(ctx, licensing.LicenceFilter{Expiring: &yes, Limit: 5})
		if err != nil {
			return staffResult{}, err
		}
		d.ExpiringTotal = v.count(total)
		for _, l := range list {
			d.Expiring = append(d.Expiring, homeLicence{Number: l.Number, Holder: l.HolderName, City: v.region(l.Region),
				Until: v.date(l.ValidUntil), Href: "/admin/licences/" + strconv.FormatInt(l.ID, 10)})
		}
	}
	if d.ShowImports {
		list, _, err := s.Exams.List(ctx, licensing.ImportFilter{Limit: 3})
		if err != nil {
			return staffResult{}, err
		}
		for _, r := range list {
			d.Imports = append(d.Imports, homeImport{Name: r.FileName, Status: v.word("import_status_", r.Status), StatusClass: importBadge(r.Status),
				When: v.dateTime(r.CreatedAt), Rows: v.count(int64(r.Rows)), Refused: v.count(int64(r.Refused)),
				Href: "/admin/imports/" + strconv.FormatInt(r.ID, 10)})
		}
	}
	late, lateTotal, err := s.Complaints.List(ctx, complaints.Filter{Overdue: true, Page: 1, PageSize: 5})
	if err != nil {
		return staffResult{}, err
	}
	d.OverdueTotal = v.count(lateTotal)
	for _, x := range late {
		d.Overdue = append(d.Overdue, v.complaintRowOf(x, nil))
	}
	runs, _, err := s.Ranking.Runs(ctx, 3, 0)
	if err != nil {
		return staffResult{}, err
	}
	for _, r := range runs {
		d.Runs = append(d.Runs, homeRun{Period: v.period(r.Period), State: v.word("run_state_", r.State), StateClass: runBadge(r.State),
			Ranked: v.count(int64(r.Ranked)), When: v.dateTime(r.CreatedAt), Href: "/admin/ranking?run=" + strconv.FormatInt(r.ID, 10)})
	}
	return staffResult{page: "admin_home", title: "admin_home", data: d}, nil
}

func importBadge(status string) string {
	switch status {
	case licensing.ImportAccepted:
		return "badge-good"
	case licensing.ImportRefused:
		return "badge-bad"
	}
	return "badge-warn"
}

func runBadge(state string) string {
	if state == "published" {
		return "badge-good"
	}
	return "badge-warn"
}

// trendRange is the last trendDays whole days before today (Tehran).
func (s *Server) trendRange() visits.CrowdingRange {
	today := daftar.DayStart(s.Clock.Now().Unix())
	return visits.CrowdingRange{From: today - trendDays*86400, To: today}
}

// dayLabel is a day as "۱۰ آذر" (or "10 Azar").
func (v *staffView) dayLabel(unix int64) string {
	j := daftar.ToJalali(time.Unix(unix, 0))
	return v.digits(strconv.Itoa(j.Day)) + " " + daftar.JalaliMonthName(j.Month, v.lang)
}

// nationalWaitChart is the country's p90 and median wait by day over the
// trend window, against the wait target.
func (v *staffView) nationalWaitChart(days []visits.Group, target float64, id string) template.HTML {
	lc := chart.LineChart{Unit: v.t("minutes"), XTitle: v.t("day")}
	p90 := chart.Series{Name: v.t("wait_p90_short")}
	p50 := chart.Series{Name: v.t("wait_p50_short")}
	for _, g := range days {
		lc.Labels = append(lc.Labels, v.dayLabel(*g.Day))
		p90.Values = append(p90.Values, ptrOrNaN(g.Figures.WaitP90))
		p50.Values = append(p50.Values, ptrOrNaN(g.Figures.WaitP50))
	}
	lc.Series = []chart.Series{p90, p50}
	lc.Target = &chart.Target{Value: target, Label: v.t("wait_target")}
	o := chart.ForLang(v.lang)
	o.ID, o.Title, o.Desc, o.NoData = id, v.t("national_wait_trend"), v.t("national_wait_trend_desc"), v.t("no_data")
	return chart.Figure(lc, o, v.t("show_as_table"))
}

func ptrOrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// satisfactionChart is the country's mean overall satisfaction (1-5) by
// week over the last eight weeks, counted answers only.
func (s *Server) satisfactionChart(c *gin.Context, v *staffView) (template.HTML, error) {
	today := time.Unix(daftar.DayStart(s.Clock.Now().Unix()), 0)
	lc := chart.LineChart{XTitle: v.t("week_from"), Min: 1, Max: 5}
	mean := chart.Series{Name: v.t("satisfaction_mean")}
	for w := 8; w >= 1; w-- {
		from := today.AddDate(0, 0, -7*w)
		m, err := s.Surveys.NationalMean(c.Request.Context(), surveys.RangeOfTimes(from, from.AddDate(0, 0, 7)))
		if err != nil {
			return "", err
		}
		if m == 0 {
			m = math.NaN() // no answers that week
		}
		lc.Labels = append(lc.Labels, v.dayLabel(from.Unix()))
		mean.Values = append(mean.Values, m)
	}
	lc.Series = []chart.Series{mean}
	o := chart.ForLang(v.lang)
	o.Format = chart.Persian(2)
	if !v.fa {
		o.Format = chart.Latin(2)
	}
	o.ID, o.Title, o.Desc, o.NoData = "home-satisfaction", v.t("satisfaction_trend"), v.t("satisfaction_trend_desc"), v.t("no_data")
	return chart.Figure(lc, o, v.t("show_as_table")), nil
}
