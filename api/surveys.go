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
func (s *Server) surveyPage(c *gin.Context) (any, error) {
	token := c.Param("token")
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer") // the token is in the URL
	inv, tmpl, err := s.Surveys.Open(c.Request.Context(), token)
	if err != nil {
		return s.surveyClosed(c, err)
	}
	return page{Name: "survey", Title: "survey", Data: pageData{Data: s.surveyPageData(c, token, inv, tmpl, nil, nil)}}, nil
}

// surveyClosed is the page saying why a link cannot be answered; other
// errors pass on.
func (s *Server) surveyClosed(c *gin.Context, err error) (any, error) {
	tr := translator(s.langOf(c))
	de, ok := daftar.AsError(err)
	if !ok {
		return nil, err
	}
	msg := tr("survey_unknown")
	switch de.Code {
	case "survey_answered":
		msg = tr("survey_answered")
	case "survey_expired":
		msg = tr("survey_expired")
	case "survey_not_found":
	default:
		return nil, err
	}
	return page{Status: statusOf(de.Kind), Name: "message", Title: "survey_gone", Data: pageData{Error: msg}}, nil
}

type surveyAnswerRequest struct {
	Answers map[string]any `json:"answers" doc:"by question id: overall, courtesy, waiting, fees_clear (1-5), extra_fee (true/false), recommend (0-10), comment (text)"`
}

// surveyAnswerResponse is the same for every recorded answer: whether a
// stuffing signal flagged it is for staff (GET /api/v1/survey-flags), never
// for the submitter, who would learn which signal to dodge.
type surveyAnswerResponse struct {
	Status string `json:"status"`
}

// submitSurvey is POST /api/v1/survey-responses/{token}: JSON from apps, a
// form from the survey page (answered with pages).
func (s *Server) submitSurvey(c *gin.Context) (any, error) {
	token := c.Param("token")
	form := strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") || strings.HasPrefix(c.ContentType(), "multipart/form-data")
	if ok, wait := s.surveyLimiter.allow(c.ClientIP(), s.Clock.Now()); !ok {
		if form {
			c.Header("Retry-After", itoa(int(wait.Seconds())+1))
			return page{Status: http.StatusTooManyRequests, Name: "message", Title: "survey_gone", Data: pageData{Error: translator(s.langOf(c))("survey_slow_down")}}, nil
		}
		return nil, daftar.TooMany("survey_rate_limited", "too many answers from this address; try again later").With("retry_after_seconds", int(wait.Seconds())+1)
	}
	raw, given, err := surveyAnswersOf(c, form)
	if err != nil {
		return nil, err
	}
	_, err = s.Surveys.Submit(c.Request.Context(), surveys.Submission{Token: token, Answers: raw, ClientIP: c.ClientIP()})
	if !form {
		if err != nil {
			return nil, err
		}
		return reply{Status: http.StatusCreated, Body: surveyAnswerResponse{Status: "recorded"}}, nil
	}
	tr := translator(s.langOf(c))
	switch {
	case err == nil:
		return s.surveyThanks(c, token), nil
	case daftar.IsKind(err, daftar.KindUnprocessable):
		de, _ := daftar.AsError(err)
		errs := map[string]string{}
		for _, f := range de.Fields {
			errs[strings.TrimPrefix(f.Field, "answers.")] = f.Message
		}
		inv, tmpl, oerr := s.Surveys.Open(c.Request.Context(), token)
		if oerr != nil {
			return s.surveyClosed(c, oerr)
		}
		return page{Status: http.StatusUnprocessableEntity, Name: "survey", Title: "survey", Data: pageData{Error: tr("survey_fix"), Data: s.surveyPageData(c, token, inv, tmpl, given, errs)}}, nil
	}
	return s.surveyClosed(c, err)
}

// surveyAnswersOf reads the answers of a form or a JSON body; given keeps
// a form's values to show again beside their errors.
func surveyAnswersOf(c *gin.Context, form bool) (raw map[string]any, given map[string]string, err error) {
	given = map[string]string{}
	if form {
		if err := c.Request.ParseForm(); err != nil {
			return nil, nil, daftar.Invalid("malformed_form", "the form could not be read")
		}
		raw = map[string]any{}
		for k, v := range c.Request.PostForm {
			if k == "lang" || len(v) == 0 {
				continue
			}
			raw[k] = v[0]
			given[k] = v[0]
		}
		return raw, given, nil
	}
	var req surveyAnswerRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, nil, err
	}
	if req.Answers == nil {
		return nil, nil, daftar.Invalid("invalid_answers", "answers are required", daftar.Field("answers", "required", "an object of answers by question id"))
	}
	return req.Answers, given, nil
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
	Comments     []surveyComment `json:"comments" doc:"staff: the latest, each with its visit day and overall score; owners: the texts alone, in random order, only for a whole month or quarter that has ended with at least min_responses answers"`
	// CommentsWithheld says an owner is shown no comments under that rule.
	CommentsWithheld bool `json:"comments_withheld" doc:"owners: no comments, since the range is not a whole ended period with at least min_responses answers"`
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

// surveyComment is a comment; the day and score go to staff only.
type surveyComment struct {
	VisitDay *string `json:"visit_day,omitempty"`
	Overall  *int    `json:"overall,omitempty"`
	Comment  string  `json:"comment"`
}

func pf(v float64) *float64 { return &v }

// summaryOf renders figures; withhold hides them (an owner below the minimum).
func summaryOf(f *surveys.Figures, sp span, cfg surveys.Config, withhold bool, comments []surveyComment) surveySummary {
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
	out.Comments = append(out.Comments, comments...)
	return out
}

var surveyRangeQuery = []param{
	{Name: "period", Type: "string", Description: "Jalali month (1405-08) or quarter (1405-Q3); default the current month"},
	{Name: "from", Type: "string", Description: "first day, ISO (2026-10-23) or Jalali (1405/08/01)"},
	{Name: "to", Type: "string", Description: "last day, inclusive"},
}

func (s *Server) officeSurveySummary(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	sp := q.span()
	if err := q.err(); err != nil {
		return nil, err
	}
	if err := s.officeExists(c, id); err != nil {
		return nil, err
	}
	r := surveys.RangeOfTimes(sp.From, sp.To)
	figs, err := s.Surveys.FiguresFor(c.Request.Context(), r, []int64{id})
	if err != nil {
		return nil, err
	}
	a, _ := daftar.ActorFrom(c.Request.Context())
	if a.Role.Staff() {
		list, err := s.Surveys.Comments(c.Request.Context(), id, r, 20)
		if err != nil {
			return nil, err
		}
		comments := make([]surveyComment, len(list))
		for i, cm := range list {
			comments[i] = surveyComment{VisitDay: &cm.VisitDay, Overall: &cm.Overall, Comment: cm.Comment}
		}
		return summaryOf(figs[id], sp, s.Surveys.Config(), false, comments), nil
	}
	// Owners: figures at the minimum, comments under the k-anonymity rule.
	var texts []string
	shown := false
	if p, err := daftar.ParsePeriod(sp.Period); err == nil && sp.Period != "" {
		if texts, shown, err = s.Surveys.OwnerComments(c.Request.Context(), id, p, 20); err != nil {
			return nil, err
		}
	}
	comments := make([]surveyComment, len(texts))
	for i, t := range texts {
		comments[i] = surveyComment{Comment: t}
	}
	out := summaryOf(figs[id], sp, s.Surveys.Config(), true, comments)
	out.CommentsWithheld = !shown
	return out, nil
}

func (s *Server) surveysSummary(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(100, 2000)
	sp := q.span()
	if err := q.err(); err != nil {
		return nil, err
	}
	figs, err := s.Surveys.FiguresFor(c.Request.Context(), surveys.RangeOfTimes(sp.From, sp.To), nil)
	if err != nil {
		return nil, err
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
	return listOf(out, p, int64(len(ids))), nil
}

func (s *Server) listSurveyTemplates(c *gin.Context) (any, error) {
	list, err := s.Surveys.Templates(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return listOf(list, Page{Page: 1, PageSize: len(list)}, int64(len(list))), nil
}

type templateRequest struct {
	TitleFa   string             `json:"title_fa"`
	TitleEn   string             `json:"title_en"`
	Questions []surveys.Question `json:"questions"`
}

func (s *Server) publishSurveyTemplate(c *gin.Context) (any, error) {
	var req templateRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	t, err := s.Surveys.Publish(c.Request.Context(), surveys.Template{TitleFa: req.TitleFa, TitleEn: req.TitleEn, Questions: req.Questions})
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: t}, nil
}

var flagReasons = []string{surveys.FlagTooFast, surveys.FlagBurst, surveys.FlagIdentical}

var flagsQuery = append([]param{
	{Name: "office_id", Type: "integer"},
	{Name: "reason", Type: "string", Enum: flagReasons},
	{Name: "overruled", Type: "boolean"},
}, pageQuery...)

func (s *Server) listSurveyFlags(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	f := surveys.FlagFilter{Limit: p.PageSize, Offset: p.Offset(), Reason: q.oneOf("reason", flagReasons),
		OfficeID: q.id("office_id"), Overruled: q.boolean("overruled")}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Surveys.Flags(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	return listOf(list, p, total), nil
}

type overruleRequest struct {
	Note string `json:"note" doc:"why the answer is judged genuine"`
}

func (s *Server) overruleSurveyFlag(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req overruleRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	return s.Surveys.Overrule(c.Request.Context(), id, req.Note)
}
