package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/gin-gonic/gin"
)

type surveyQuestionView struct {
	ID, Kind, Label, Low, High, Error, Value string
	Required                                 bool
	MaxLen                                   int
	Options                                  []surveyOption
}

type surveyOption struct {
	Value, Label string
	Checked      bool
}

// surveyPageData lays a template out for the page in the caller's language.
func (s *Server) surveyPageData(c *gin.Context, token string, inv surveys.Invitation, tmpl surveys.Template, given map[string]string, errs map[string]string) map[string]any {
	lang := s.langOf(c)
	tr := translator(lang)
	digits := func(n int) string {
		if lang == "fa" {
			return daftar.PersianDigits(fmt.Sprint(n))
		}
		return fmt.Sprint(n)
	}
	var qs []surveyQuestionView
	for _, q := range tmpl.Questions {
		v := surveyQuestionView{ID: q.ID, Kind: q.Kind, Label: nameIn(lang, q.LabelFa, q.LabelEn), Required: q.Required,
			MaxLen: q.MaxLen, Error: errs[q.ID], Value: given[q.ID], Low: nameIn(lang, q.LowFa, q.LowEn), High: nameIn(lang, q.HighFa, q.HighEn)}
		switch q.Kind {
		case surveys.KindScale:
			for n := q.Min; n <= q.Max; n++ {
				v.Options = append(v.Options, surveyOption{Value: fmt.Sprint(n), Label: digits(n), Checked: given[q.ID] == fmt.Sprint(n)})
			}
		case surveys.KindBool:
			v.Options = []surveyOption{{"true", tr("yes"), given[q.ID] == "true"}, {"false", tr("no"), given[q.ID] == "false"}}
		}
		qs = append(qs, v)
	}
	day := inv.VisitDay
	if t, err := time.ParseInLocation("2006-01-02", inv.VisitDay, daftar.Tehran()); err == nil {
		day = daftar.ToJalali(t).String()
		if lang == "fa" {
			day = daftar.ToJalali(t).Persian()
		}
	}
	return map[string]any{"Token": token, "Title": nameIn(lang, tmpl.TitleFa, tmpl.TitleEn), "Office": inv.OfficeName, "Day": day, "Questions": qs}
}

// surveyPage is GET /s/{token}: the survey, server-rendered, usable without
// JavaScript.
func (s *Server) surveyPage(c *gin.Context) {
	token := c.Param("token")
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer") // the token is in the URL
	inv, tmpl, err := s.Surveys.Open(c.Request.Context(), token)
	if err != nil {
		s.surveyClosed(c, err)
		return
	}
	s.render(c, http.StatusOK, "survey", "survey", pageData{Data: s.surveyPageData(c, token, inv, tmpl, nil, nil)})
}

// surveyClosed renders why a link cannot be answered.
func (s *Server) surveyClosed(c *gin.Context, err error) {
	tr := translator(s.langOf(c))
	de, ok := daftar.AsError(err)
	if !ok {
		s.failPage(c, err)
		return
	}
	msg := tr("survey_unknown")
	switch de.Code {
	case "survey_answered":
		msg = tr("survey_answered")
	case "survey_expired":
		msg = tr("survey_expired")
	case "survey_not_found":
	default:
		s.failPage(c, err)
		return
	}
	s.render(c, statusOf(de.Kind), "message", "survey_gone", pageData{Error: msg})
}

type surveyAnswerRequest struct {
	Answers map[string]any `json:"answers" doc:"by question id: overall, courtesy, waiting, fees_clear (1-5), extra_fee (true/false), recommend (0-10), comment (text)"`
}

type surveyAnswerResponse struct {
	Status string   `json:"status"`
	Flags  []string `json:"flags,omitempty" doc:"never shown to the citizen on the page; stuffing signals raised"`
}

// submitSurvey is POST /api/v1/survey-responses/{token}: JSON from apps, a
// form from the survey page (answered with pages).
func (s *Server) submitSurvey(c *gin.Context) {
	token := c.Param("token")
	form := strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") || strings.HasPrefix(c.ContentType(), "multipart/form-data")
	if ok, wait := s.surveyLimiter.allow(c.ClientIP(), s.Clock.Now()); !ok {
		err := daftar.TooMany("survey_rate_limited", "too many answers from this address; try again later").With("retry_after_seconds", int(wait.Seconds())+1)
		if form {
			c.Header("Retry-After", itoa(int(wait.Seconds())+1))
			s.render(c, http.StatusTooManyRequests, "message", "survey_gone", pageData{Error: translator(s.langOf(c))("survey_slow_down")})
			return
		}
		s.fail(c, err)
		return
	}
	var raw map[string]any
	given := map[string]string{}
	if form {
		if err := c.Request.ParseForm(); err != nil {
			s.fail(c, daftar.Invalid("malformed_form", "the form could not be read"))
			return
		}
		raw = map[string]any{}
		for k, v := range c.Request.PostForm {
			if k == "lang" || len(v) == 0 {
				continue
			}
			raw[k] = v[0]
			given[k] = v[0]
		}
	} else {
		var req surveyAnswerRequest
		if err := bindJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		if req.Answers == nil {
			s.fail(c, daftar.Invalid("invalid_answers", "answers are required", daftar.Field("answers", "required", "an object of answers by question id")))
			return
		}
		raw = req.Answers
	}
	res, err := s.Surveys.Submit(c.Request.Context(), surveys.Submission{Token: token, Answers: raw, ClientIP: c.ClientIP()})
	if !form {
		if err != nil {
			s.fail(c, err)
			return
		}
		writeJSON(c, http.StatusCreated, surveyAnswerResponse{Status: "recorded", Flags: res.Flags})
		return
	}
	tr := translator(s.langOf(c))
	switch {
	case err == nil:
		s.surveyThanks(c, token)
	case daftar.IsKind(err, daftar.KindUnprocessable):
		de, _ := daftar.AsError(err)
		errs := map[string]string{}
		for _, f := range de.Fields {
			errs[strings.TrimPrefix(f.Field, "answers.")] = f.Message
		}
		inv, tmpl, oerr := s.Surveys.Open(c.Request.Context(), token)
		if oerr != nil {
			s.surveyClosed(c, oerr)
			return
		}
		s.render(c, http.StatusUnprocessableEntity, "survey", "survey", pageData{Error: tr("survey_fix"), Data: s.surveyPageData(c, token, inv, tmpl, given, errs)})
	default:
		s.surveyClosed(c, err)
	}
}

// surveySummary is the wire form of an office's survey figures. Figures
// are null when withheld (fewer responses than the minimum) from an owner.
type surveySummary struct {
	OfficeID     int64           `json:"office_id"`
	Period       string          `json:"period,omitempty"`
	From         string          `json:"from"`
	To           string          `json:"to" doc:"exclusive"`
	MinResponses int             `json:"min_responses"`
	Withheld     bool            `json:"withheld" doc:"fewer responses than min_responses: figures hidden from owners and the public"`
	Invitations  int64           `json:"invitations"`
	Responses    int64           `json:"responses"`
	Flagged      int64           `json:"flagged" doc:"responses left out by a stuffing signal"`
	ResponseRate *float64        `json:"response_rate"`
	Means        *surveyMeans    `json:"means"`
	CSAT         *float64        `json:"csat" doc:"share of overall 4 or 5"`
	NPS          *float64        `json:"nps"`
	ExtraFee     *extraFee       `json:"extra_fee"`
	Adjusted     *float64        `json:"adjusted_satisfaction" doc:"overall satisfaction pulled toward the national mean for small samples: (w·national + sum) / (w + n)"`
	NationalMean *float64        `json:"national_mean"`
	PriorWeight  float64         `json:"prior_weight"`
	Comments     []surveyComment `json:"comments"`
}

type surveyMeans struct {
	Overall   float64 `json:"overall"`
	Courtesy  float64 `json:"courtesy"`
	Waiting   float64 `json:"waiting"`
	FeesClear float64 `json:"fees_clear"`
	Recommend float64 `json:"recommend"`
}

type extraFee struct {
	Rate float64 `json:"rate"`
	Low  float64 `json:"wilson_low"`
	High float64 `json:"wilson_high"`
}

type surveyComment struct {
	VisitDay string `json:"visit_day"`
	Overall  int    `json:"overall"`
	Comment  string `json:"comment"`
}

func pf(v float64) *float64 { return &v }

// summaryOf renders figures; withhold hides them (an owner below the minimum).
func summaryOf(f *surveys.Figures, sp span, cfg surveys.Config, withhold bool, comments []surveys.Comment) surveySummary {
	out := surveySummary{OfficeID: f.OfficeID, Period: sp.Period, From: daftar.TehranDate(sp.From),
		To: daftar.TehranDate(sp.To), MinResponses: cfg.MinResponses, Withheld: f.Withheld,
		Invitations: f.Invitations, Responses: f.Responses, Flagged: f.Flagged, PriorWeight: cfg.PriorWeight, Comments: []surveyComment{}}
	if withhold && f.Withheld {
		return out
	}
	out.ResponseRate, out.NationalMean = pf(f.ResponseRate), pf(f.NationalMean)
	if f.Responses > 0 {
		out.Means = &surveyMeans{f.MeanOverall, f.MeanCourtesy, f.MeanWaiting, f.MeanFeesClear, f.MeanRecommend}
		out.CSAT, out.NPS, out.Adjusted = pf(f.CSAT), pf(f.NPS), pf(f.Adjusted)
		out.ExtraFee = &extraFee{f.ExtraFeeRate, f.ExtraFeeLow, f.ExtraFeeHigh}
	}
	for _, cm := range comments {
		out.Comments = append(out.Comments, surveyComment(cm))
	}
	return out
}

var surveyRangeQuery = []param{
	{Name: "period", Type: "string", Description: "Jalali month (1405-08) or quarter (1405-Q3); default the current month"},
	{Name: "from", Type: "string", Description: "first day, ISO (2026-10-23) or Jalali (1405/08/01)"},
	{Name: "to", Type: "string", Description: "last day, inclusive"},
}

func (s *Server) officeSurveySummary(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var fe daftar.FieldErrors
	sp := spanOf(c, s.Clock.Now(), &fe)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Offices.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	r := surveys.RangeOfTimes(sp.From, sp.To)
	figs, err := s.Surveys.FiguresFor(c.Request.Context(), r, []int64{id})
	if err != nil {
		s.fail(c, err)
		return
	}
	a, _ := daftar.ActorFrom(c.Request.Context())
	withhold := !a.Role.Staff()
	f := figs[id]
	var comments []surveys.Comment
	if !(withhold && f.Withheld) {
		if comments, err = s.Surveys.Comments(c.Request.Context(), id, r, 20); err != nil {
			s.fail(c, err)
			return
		}
	}
	writeJSON(c, http.StatusOK, summaryOf(f, sp, s.Surveys.Config(), withhold, comments))
}

func (s *Server) surveysSummary(c *gin.Context) {
	p, fe := pageOf(c, 100, 2000)
	sp := spanOf(c, s.Clock.Now(), &fe)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	figs, err := s.Surveys.FiguresFor(c.Request.Context(), surveys.RangeOfTimes(sp.From, sp.To), nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]int64, 0, len(figs))
	for id := range figs {
		ids = append(ids, id)
	}
	sortInt64(ids)
	start := min(p.Offset(), len(ids))
	end := min(start+p.PageSize, len(ids))
	out := make([]surveySummary, 0, end-start)
	for _, id := range ids[start:end] {
		out = append(out, summaryOf(figs[id], sp, s.Surveys.Config(), false, nil))
	}
	writeJSON(c, http.StatusOK, listOf(out, p, int64(len(ids))))
}

func (s *Server) listSurveyTemplates(c *gin.Context) {
	list, err := s.Surveys.Templates(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, Page{Page: 1, PageSize: len(list)}, int64(len(list))))
}

type templateRequest struct {
	TitleFa   string             `json:"title_fa"`
	TitleEn   string             `json:"title_en"`
	Questions []surveys.Question `json:"questions"`
}

func (s *Server) publishSurveyTemplate(c *gin.Context) {
	var req templateRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.Surveys.Publish(c.Request.Context(), surveys.Template{TitleFa: req.TitleFa, TitleEn: req.TitleEn, Questions: req.Questions})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, t)
}

var flagsQuery = append([]param{
	{Name: "office_id", Type: "integer"},
	{Name: "reason", Type: "string", Enum: []string{surveys.FlagTooFast, surveys.FlagBurst, surveys.FlagIdentical}},
	{Name: "overruled", Type: "boolean"},
}, pageQuery...)

func (s *Server) listSurveyFlags(c *gin.Context) {
	p, fe := pageOf(c, 50, 500)
	f := surveys.FlagFilter{Limit: p.PageSize, Offset: p.Offset(), Reason: c.Query("reason")}
	if v := c.Query("office_id"); v != "" {
		n, err := daftar.ParseInt(v)
		if err != nil || n <= 0 {
			fe.Add("office_id", "invalid", "must be an office id")
		}
		f.OfficeID = n
	}
	if f.Reason != "" && f.Reason != surveys.FlagTooFast && f.Reason != surveys.FlagBurst && f.Reason != surveys.FlagIdentical {
		fe.Add("reason", "invalid", "must be too_fast, burst or identical_pattern")
	}
	if v := c.Query("overruled"); v != "" {
		b := v == "true"
		if v != "true" && v != "false" {
			fe.Add("overruled", "invalid", "must be true or false")
		}
		f.Overruled = &b
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Surveys.Flags(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, p, total))
}

type overruleRequest struct {
	Note string `json:"note" doc:"why the answer is judged genuine"`
}

func (s *Server) overruleSurveyFlag(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req overruleRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.Surveys.Overrule(c.Request.Context(), id, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, f)
}
