package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/gin-gonic/gin"
)

// /admin/surveys: every office's survey figures for a period (GET
// /api/v1/surveys/summary, staff detail) and the stuffing flags to review
// (GET /api/v1/survey-flags), each overruled with a reason (POST
// /api/v1/survey-flags/{id}/overrule, the same service call).

type surveyRow struct {
	ID                                     int64
	Code, Name, City                       string
	Invitations, Responses, Rate, Adjusted string
	CSAT, NPS, ExtraFee, ExtraFeeCI        string
	Flagged                                string
	Withheld                               bool
}

type flagRow struct {
	ID                                     int64
	Office, OfficeCode, Reason, Help, When string
	Detail                                 string
	Overruled                              bool
	OverruledBy, OverruledAt, Note         string
}

type surveysData struct {
	staffForm
	Period, From, To, PeriodText string
	Province, MinResponses       string
	ProvinceOptions              []option
	Rows                         []surveyRow
	Pager                        pager
	Sort                         sorting
	MinResponsesRule             string
	Flags                        []flagRow
	FlagPager                    pager
	FlagReason, FlagState        string
	FlagReasons, FlagStates      []option
	CanOverrule                  bool
	XLSX, CSV                    string
}

func (s *Server) adminSurveys(c *gin.Context) { s.staffPage(s.surveysPage)(c) }

func (s *Server) surveysPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildSurveys(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildSurveys(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 50, 500)
	sp := spanOf(c, s.Clock.Now(), &fe)
	sort := v.sortOf(&fe, "adjusted", "responses", "extra_fee", "flagged")
	province := c.Query("province")
	if province != "" {
		if r, ok := s.Gazetteer.Get(province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	minResp := intQuery(c, &fe, "min_responses", 0, 1_000_000)
	fp := Page{Page: int(max(intQuery(c, &fe, "flags_page", 1, 1_000_000), 1)), PageSize: 20}
	ff := surveys.FlagFilter{Reason: c.Query("reason"), Limit: fp.PageSize, Offset: fp.Offset()}
	if ff.Reason != "" && !slices.Contains(flagReasons, ff.Reason) {
		fe.Add("reason", "invalid", "is not a flag reason")
	}
	flagState := c.DefaultQuery("flags", "open")
	switch flagState {
	case "open", "overruled":
		b := flagState == "overruled"
		ff.Overruled = &b
	case "all":
	default:
		fe.Add("flags", "invalid", "must be open, overruled or all")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	figs, err := s.Surveys.FiguresFor(ctx, surveys.RangeOfTimes(sp.From, sp.To), nil)
	if err != nil {
		return staffResult{}, err
	}
	all, err := s.Offices.Summaries(ctx)
	if err != nil {
		return staffResult{}, err
	}
	where := make(map[int64]int, len(all))
	for i, o := range all {
		where[o.ID] = i
	}
	var list []*surveys.Figures
	for id, f := range figs {
		i, ok := where[id]
		if !ok || (province != "" && all[i].ProvinceCode != province) || f.Responses < minResp {
			continue
		}
		list = append(list, f)
	}
	key := map[string]func(*surveys.Figures) float64{
		"adjusted":  func(f *surveys.Figures) float64 { return -f.Adjusted }, // the weakest first
		"responses": func(f *surveys.Figures) float64 { return float64(f.Responses) },
		"extra_fee": func(f *surveys.Figures) float64 { return f.ExtraFeeLow },
		"flagged":   func(f *surveys.Figures) float64 { return float64(f.Flagged) },
	}[sort.By]
	slices.SortFunc(list, func(a, b *surveys.Figures) int {
		if c := cmp.Compare(key(b), key(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.OfficeID, b.OfficeID)
	})
	cfg := s.Surveys.Config()
	d := surveysData{staffForm: form, Period: v.digits(sp.Period), From: c.Query("from"), To: c.Query("to"), Province: province,
		MinResponses: c.Query("min_responses"), ProvinceOptions: v.provinceOptions(province), Sort: sort,
		Pager: v.pager(p, int64(len(list))), MinResponsesRule: v.count(int64(cfg.MinResponses)),
		FlagReason: ff.Reason, FlagState: flagState, FlagReasons: v.options("flag_reason_", ff.Reason, flagReasons...),
		FlagStates:  v.options("flags_", flagState, "open", "overruled", "all"),
		CanOverrule: v.can(http.MethodPost, "/admin/surveys/flags/:id/overrule")}
	if sp.Period != "" {
		d.PeriodText = v.period(sp.Period)
	} else {
		d.PeriodText = v.date(sp.From) + " – " + v.date(sp.To.AddDate(0, 0, -1))
	}
	span := []string{"period", sp.Period, "from", d.From, "to", d.To}
	d.XLSX, d.CSV = v.report("surveys", "xlsx", span...), v.report("surveys", "csv", span...)
	lo, hi := min(p.Offset(), len(list)), min(p.Offset()+p.PageSize, len(list))
	for _, f := range list[lo:hi] {
		o := all[where[f.OfficeID]]
		row := surveyRow{ID: o.ID, Code: o.Code, Name: nameIn(v.lang, o.NameFa, o.NameEn), City: v.region(o.CityCode),
			Invitations: v.count(f.Invitations), Responses: v.count(f.Responses), Flagged: v.count(f.Flagged), Withheld: f.Withheld,
			Rate: v.pct(f.ResponseRate, 0), Adjusted: "—", CSAT: "—", NPS: "—", ExtraFee: "—"}
		if f.Responses > 0 {
			row.Adjusted, row.CSAT, row.NPS = v.num(f.Adjusted, 2), v.pct(f.CSAT, 0), v.num(f.NPS, 0)
			row.ExtraFee = v.pct(f.ExtraFeeRate, 1)
			row.ExtraFeeCI = v.pct(f.ExtraFeeLow, 1) + " – " + v.pct(f.ExtraFeeHigh, 1)
		}
		d.Rows = append(d.Rows, row)
	}

	flags, total, err := s.Surveys.Flags(ctx, ff)
	if err != nil {
		return staffResult{}, err
	}
	d.FlagPager = v.flagPager(fp, total)
	for _, f := range flags {
		row := flagRow{ID: f.ID, Reason: v.word("flag_reason_", f.Reason), Help: v.t("flag_help_" + f.Reason), When: v.dateTime(f.CreatedAt),
			Overruled: f.OverruledAt != nil, OverruledAt: v.dateTimePtr(f.OverruledAt)}
		if !v.fa {
			row.Detail = f.Detail // the signal's own sentence is English
		}
		if i, ok := where[f.OfficeID]; ok {
			row.Office, row.OfficeCode = nameIn(v.lang, all[i].NameFa, all[i].NameEn), all[i].Code
		}
		if f.OverruledBy != nil {
			row.OverruledBy = *f.OverruledBy
		}
		if f.OverruleNote != nil {
			row.Note = *f.OverruleNote
		}
		d.Flags = append(d.Flags, row)
	}
	return staffResult{status: status, page: "admin_surveys", title: "surveys_title", data: d}, nil
}

// flagPager pages the flags with their own parameter, beside the figures'.
func (v *staffView) flagPager(p Page, total int64) pager {
	out := v.pager(p, total)
	out.Prev, out.Next = "", ""
	if p.Page > 1 {
		out.Prev = v.link("flags_page", strconv.Itoa(min(p.Page-1, out.Pages))) + "#flags"
	}
	if p.Page < out.Pages {
		out.Next = v.link("flags_page", strconv.Itoa(p.Page+1)) + "#flags"
	}
	return out
}

// overruleFlag is the page's form for POST
// /api/v1/survey-flags/{id}/overrule: the same service call, the reason
// required by it.
func (s *Server) overruleFlag(c *gin.Context) { s.staffPage(s.overruleFlagPage)(c) }

func (s *Server) overruleFlagPage(c *gin.Context, v *staffView) (staffResult, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	form := formOf(c, 600, "note")
	if _, err := s.Surveys.Overrule(c.Request.Context(), id, form["note"]); err != nil {
		f, status, err := v.refused(err, "flag-"+strconv.FormatInt(id, 10), form)
		if err != nil {
			return staffResult{}, err
		}
		return s.buildSurveys(c, v.at("/admin/surveys"), f, status)
	}
	return done("/admin/surveys?flags=overruled#flags", "flag_overruled", v.lang), nil
}
