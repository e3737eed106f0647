package api

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// /admin/offices and /admin/offices/{id}: the register (GET
// /api/v1/offices), and one office with its waiting, survey, ranking and
// licence at a glance.

type officeListRow struct {
	ID                                         int64
	Code, Name, City, Province, Status, Counts string
}

type officesData struct {
	staffForm
	Rows                    []officeListRow
	Pager                   pager
	Q, Province, City       string
	CityName                string
	ProvinceOptions, Status []option
	XLSX, CSV               string
}

func (s *Server) officesPage(c *gin.Context) { s.staffPage(s.adminOffices)(c) }

func (s *Server) adminOffices(c *gin.Context, v *staffView) (staffResult, error) {
	p, fe := pageOf(c, 50, 200)
	f := offices.Filter{Query: queryString(c, &fe, "q", 200), Status: c.Query("status"), Province: c.Query("province"),
		City: c.Query("city"), Limit: p.PageSize, Offset: p.Offset()}
	if f.Province != "" {
		if r, ok := s.Gazetteer.Get(f.Province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	d := officesData{staffForm: v.notice(), Q: f.Query, Province: f.Province, City: f.City}
	if f.City != "" {
		r, ok := s.Gazetteer.Get(f.City)
		if !ok || r.Level != geo.LevelCity {
			fe.Add("city", "unknown", "is not a city code")
		} else {
			d.CityName = nameIn(v.lang, r.NameFa, r.NameEn)
		}
	}
	if f.Status != "" && !validOfficeStatus(f.Status) {
		fe.Add("status", "invalid", "is not a status")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the filter is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Offices.List(c.Request.Context(), f)
	if err != nil {
		return staffResult{}, err
	}
	d.Pager = v.pager(p, total)
	d.ProvinceOptions = v.provinceOptions(f.Province)
	d.Status = v.options("", f.Status, offices.Statuses...)
	d.XLSX, d.CSV = v.report("offices", "xlsx"), v.report("offices", "csv")
	for _, o := range list {
		d.Rows = append(d.Rows, officeListRow{ID: o.ID, Code: o.Code, Name: nameIn(v.lang, o.NameFa, o.NameEn), City: v.region(o.CityCode),
			Province: v.region(o.ProvinceCode), Status: o.Status, Counts: v.count(int64(o.Counters))})
	}
	return staffResult{page: "admin_offices", title: "offices", data: d}, nil
}

func validOfficeStatus(st string) bool {
	for _, v := range offices.Statuses {
		if v == st {
			return true
		}
	}
	return false
}

type officeHours struct{ Day, Spans string }

type officeData struct {
	staffForm
	ID                                     int64
	Code, Name, Status, City, Province     string
	CityCode, Owner, Address, Phone, Where string
	Counters                               string
	Hours                                  []officeHours
	Services                               []string
	RangeText                              string
	Crowding                               []homeFigure
	WaitChart                              template.HTML
	Survey                                 []homeFigure
	SurveyPeriod                           string
	SurveyWithheld                         bool
	Ranking                                []homeFigure
	RankingPeriod                          string
	Licences                               []homeLicence
	Complaints                             []complaintListRow
	ComplaintsTotal                        string
	Inspections                            []inspectionRow
	Actions                                []correctiveRow
	CanRecord                              bool
}

// correctiveRow is one of an office's corrective actions.
type correctiveRow struct {
	Item, Severity, SeverityClass, State, Due, Finding string
	Overdue                                            bool
}

func (s *Server) officePage(c *gin.Context) { s.staffPage(s.adminOffice)(c) }

func (s *Server) adminOffice(c *gin.Context, v *staffView) (staffResult, error) {
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	o, err := s.Offices.Get(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	d := officeData{staffForm: v.notice(), ID: o.ID, Code: o.Code, Name: nameIn(v.lang, o.NameFa, o.NameEn), Status: o.Status,
		City: v.region(o.CityCode), CityCode: o.CityCode, Province: v.region(o.ProvinceCode), Owner: o.OwnerName, Address: v.digits(o.Address),
		Phone: o.Phone, Counters: v.count(int64(o.Counters)),
		Where: v.num(o.Latitude, 4) + "، " + v.num(o.Longitude, 4)}
	for i, key := range []string{"sat", "sun", "mon", "tue", "wed", "thu", "fri"} {
		var spans []string
		for _, sp := range o.Hours[i] {
			spans = append(spans, v.digits(strings.Replace(sp.String(), "-", " "+v.t("until")+" ", 1)))
		}
		d.Hours = append(d.Hours, officeHours{Day: v.t(key), Spans: strings.Join(spans, "، ")})
	}
	for _, code := range o.Services {
		if sv, ok := s.Catalogue.Get(code); ok {
			d.Services = append(d.Services, nameIn(v.lang, sv.NameFa, sv.NameEn))
		}
	}

	r := s.trendRange()
	d.RangeText = v.date(time.Unix(r.From, 0)) + " – " + v.date(time.Unix(r.To-86400, 0))
	oc, err := s.Crowding.Office(ctx, id, r, visits.ByHour)
	if err != nil {
		return staffResult{}, err
	}
	t := oc.Total
	d.Crowding = []homeFigure{{Label: v.t("arrivals"), Value: v.count(t.Arrivals)}, {Label: v.t("wait_p90"), Value: v.numPtr(t.WaitP90, 1)},
		{Label: v.t("over_target"), Value: v.pctPtr(t.OverTargetShare, 1)}, {Label: v.t("utilisation"), Value: v.pctPtr(t.Utilisation, 0)}}
	bc := chart.BarChart{Labels: chart.HourLabels(v.fa), Values: make([]float64, 24), Unit: v.t("minutes"), XTitle: v.t("hour"),
		ValueTitle: v.t("wait_p90"), Highlight: 3, HighlightLabel: v.t("busy_hours")}
	for i := range bc.Values {
		bc.Values[i] = math.NaN()
	}
	for _, g := range oc.Groups {
		if g.Hour != nil && g.Figures.WaitP90 != nil {
			bc.Values[*g.Hour] = *g.Figures.WaitP90
		}
	}
	opt := chart.ForLang(v.lang)
	opt.ID, opt.Title, opt.Desc, opt.NoData = "office-hours", v.t("office_wait_by_hour"), v.t("office_wait_by_hour_desc"), v.t("no_data")
	d.WaitChart = chart.Figure(bc, opt, v.t("show_as_table"))

	month := daftar.MonthOf(s.Clock.Now())
	d.SurveyPeriod = v.period(month.String())
	figs, err := s.Surveys.FiguresFor(ctx, surveys.RangeOf(month), []int64{id})
	if err != nil {
		return staffResult{}, err
	}
	if f := figs[id]; f != nil {
		d.SurveyWithheld = f.Withheld
		d.Survey = []homeFigure{{Label: v.t("responses"), Value: v.count(f.Responses)}, {Label: v.t("adjusted_satisfaction"), Value: v.num(f.Adjusted, 2)},
			{Label: v.t("extra_fee_rate"), Value: v.pct(f.ExtraFeeRate, 1)}, {Label: v.t("flagged_answers"), Value: v.count(f.Flagged)}}
	}
	res, err := s.Ranking.OfficeResults(ctx, id, 1)
	if err != nil {
		return staffResult{}, err
	}
	if len(res) == 1 {
		x := res[0].Result
		d.RankingPeriod = v.period(res[0].Run.Period)
		d.Ranking = []homeFigure{{Label: v.t("grade"), Value: v.word("grade_", ptrString(x.Grade))}, {Label: v.t("score"), Value: v.numPtr(x.Score, 1)},
			{Label: v.t("rank_national"), Value: intPtr(v, x.RankNational)}, {Label: v.t("rank_province"), Value: intPtr(v, x.RankProvince)}}
	}
	lic, _, err := s.Licences.List(ctx, licensing.LicenceFilter{OfficeID: id, Limit: 10})
	if err != nil {
		return staffResult{}, err
	}
	for _, l := range lic {
		d.Licences = append(d.Licences, homeLicence{Number: l.Number, Holder: l.HolderName, City: v.word("licence_", l.State),
			Until: v.date(l.ValidUntil), Href: "/admin/licences/" + strconv.FormatInt(l.ID, 10)})
	}
	comps, ctotal, err := s.Complaints.List(ctx, complaints.Filter{OfficeID: id, Page: 1, PageSize: 5})
	if err != nil {
		return staffResult{}, err
	}
	d.ComplaintsTotal = v.count(ctotal)
	for _, x := range comps {
		d.Complaints = append(d.Complaints, v.complaintRowOf(x, nil))
	}
	insp, _, err := s.Inspections.Inspections(ctx, id, 3, 0)
	if err != nil {
		return staffResult{}, err
	}
	for _, in := range insp {
		d.Inspections = append(d.Inspections, inspectionRow{When: v.isoDate(in.InspectedOn), Inspector: in.Inspector,
			Findings: v.count(int64(in.Critical)) + " " + v.t("severity_critical") + v.t("comma") + v.count(int64(in.Major)) + " " + v.t("severity_major") +
				v.t("comma") + v.count(int64(in.Minor)) + " " + v.t("severity_minor")})
	}
	acts, _, err := s.Inspections.CorrectiveActions(ctx, inspections.ActionFilter{OfficeID: id, Limit: 10})
	if err != nil {
		return staffResult{}, err
	}
	titles := map[string]string{}
	if cl, err := s.Inspections.Checklist(ctx, 0); err == nil {
		for _, it := range cl.Items {
			titles[it.Code] = nameIn(v.lang, it.TitleFa, it.TitleEn)
		}
	}
	for _, a := range acts {
		if a.State == inspections.ActionConfirmed {
			continue
		}
		item := titles[a.Item]
		if item == "" {
			item = a.Finding
		}
		d.Actions = append(d.Actions, correctiveRow{Item: item, Severity: v.word("severity_", a.Severity), SeverityClass: severityBadge(a.Severity),
			State: v.word("action_state_", a.State), Due: v.isoDate(a.DueOn), Overdue: a.Overdue})
	}
	d.CanRecord = v.can(http.MethodGet, "/admin/inspections/offices/:id")
	return staffResult{page: "admin_office", title: "offices", data: d}, nil
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func intPtr(v *staffView, p *int) string {
	if p == nil {
		return "—"
	}
	return v.count(int64(*p))
}
