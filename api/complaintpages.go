package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// The citizens' complaint pages: /complaint files one (the form posts to
// POST /api/v1/complaints and is answered with pages), /complaint/track
// follows one. Both are server-rendered, usable without JavaScript, and
// keep what was typed when something must be corrected.

type complaintOption struct {
	Value, Label string
	Checked      bool
}

type feeRow struct{ Name, Fee string }

type complaintFormView struct {
	Token       string // the survey link's token, carried in a hidden field
	OfficeID    int64  // the office named by the link that brought the citizen
	OfficeName  string
	VisitDay    string
	Code        string
	Category    string
	Service     string
	Amount      string
	Description string
	Mobile      string
	Categories  []complaintOption
	Services    []complaintOption
	Fees        []feeRow // the catalogue's official fees, for the table
	FeeService  string   // the chosen service's name and its official fee
	Fee         string
	MaxDesc     int
	Errors      map[string]string
}

// complaintFormOf lays the form out in the caller's language with what was
// typed.
func (s *Server) complaintFormOf(c *gin.Context, v complaintFormView) complaintFormView {
	lang := s.langOf(c)
	tr := translator(lang)
	num := numberFormatter(lang)
	v.MaxDesc = s.Complaints.Config().DescriptionMax
	v.Categories = nil
	for _, r := range complaints.Categories() {
		v.Categories = append(v.Categories, complaintOption{Value: string(r.Category), Label: r.Name(lang),
			Checked: v.Category == string(r.Category)})
	}
	v.Services = []complaintOption{{Value: "", Label: tr("complaint_service_none")}}
	for _, svc := range s.Catalogue.All() {
		label := nameIn(lang, svc.NameFa, svc.NameEn)
		if svc.FeeRials > 0 {
			label += " — " + num(svc.FeeRials) + " " + tr("rials")
		}
		v.Services = append(v.Services, complaintOption{Value: svc.Code, Label: label, Checked: v.Service == svc.Code})
		v.Fees = append(v.Fees, feeRow{Name: nameIn(lang, svc.NameFa, svc.NameEn), Fee: num(svc.FeeRials) + " " + tr("rials")})
		if v.Service == svc.Code {
			v.FeeService, v.Fee = nameIn(lang, svc.NameFa, svc.NameEn), num(svc.FeeRials)+" "+tr("rials")
		}
	}
	return v
}

// complaintPage is GET /complaint: the form, with the office filled in
// when the citizen came from a survey link (?survey_token=) or an office's
// page (?office_id= or ?office=CODE).
func (s *Server) complaintPage(c *gin.Context) (any, error) {
	c.Header("Cache-Control", "no-store")
	// A survey token may be in the URL: it is sent to no other site. Not
	// no-referrer, under which the browser posts the form with Origin:
	// null and the same-origin check refuses it.
	c.Header("Referrer-Policy", "same-origin")
	v := complaintFormView{Code: strings.TrimSpace(c.Query("office")), Service: c.Query("service"), Category: c.Query("category")}
	if id, err := strconv.ParseInt(daftar.NormalizeDigits(c.Query("office_id")), 10, 64); err == nil && id > 0 {
		v.OfficeID = id
	}
	v.Token = strings.TrimSpace(c.Query("survey_token"))
	notice, err := s.formOffice(c, &v)
	if err != nil {
		return nil, err
	}
	return page{Name: "complaint", Title: "complaint_title", Data: pageData{Error: notice, Data: s.complaintFormOf(c, v)}}, nil
}

// formOffice fills in the office (and the visit's day) the form is about,
// from the survey link or the office id it carries, and says why when the
// link is not known.
func (s *Server) formOffice(c *gin.Context, v *complaintFormView) (notice string, err error) {
	ctx, lang := c.Request.Context(), s.langOf(c)
	if v.Token != "" {
		visit, err := s.Surveys.VisitOfLink(ctx, v.Token)
		switch {
		case err == nil:
			v.OfficeID, v.VisitDay = visit.OfficeID, dayIn(lang, visit.VisitDay)
			if v.Service == "" {
				v.Service = visit.ServiceCode
			}
		case daftar.IsKind(err, daftar.KindNotFound):
			v.Token, notice = "", translator(lang)("survey_unknown")
		default:
			return "", err
		}
	}
	if v.OfficeID == 0 {
		return notice, nil
	}
	o, err := s.Offices.Get(ctx, v.OfficeID)
	switch {
	case err == nil:
		v.OfficeName = nameIn(lang, o.NameFa, o.NameEn)
	case daftar.IsKind(err, daftar.KindNotFound):
		v.OfficeID, v.Token, v.VisitDay = 0, "", ""
	default:
		return "", err
	}
	return notice, nil
}

// fileComplaintForm takes the /complaint page's form: cross-site posts are
// refused like the dashboard's, a flood gets 429, bad fields the form again
// with what was typed and each field's problem, success the receipt. It is
// answered with pages, errors too, though its route is the API's.
func (s *Server) fileComplaintForm(c *gin.Context) (any, error) {
	markPage(c)
	tr := translator(s.langOf(c))
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "same-origin")
	if !sameOrigin(c.Request) {
		return page{Status: http.StatusForbidden, Name: "message", Title: "forbidden_page", Data: pageData{Error: tr("complaint_cross_site")}}, nil
	}
	if ok, wait := s.complaintLimiter.allow(c.ClientIP(), s.Clock.Now()); !ok {
		c.Header("Retry-After", itoa(int(wait.Seconds())+1))
		return page{Status: http.StatusTooManyRequests, Name: "message", Title: "complaint_title", Data: pageData{Error: tr("complaint_slow_down")}}, nil
	}
	if err := c.Request.ParseForm(); err != nil {
		return nil, daftar.Invalid("malformed_form", "the form could not be read")
	}
	form := c.Request.PostForm
	v := complaintFormView{Token: form.Get("survey_token"), Code: form.Get("code"), Category: form.Get("category"),
		Service: form.Get("service"), Amount: form.Get("amount_paid_rials"), Description: form.Get("description"),
		Mobile: form.Get("mobile")}
	if id, err := strconv.ParseInt(form.Get("office_id"), 10, 64); err == nil && id > 0 {
		v.OfficeID = id
	}
	r, err := s.Complaints.File(c.Request.Context(), complaints.Filing{OfficeID: v.OfficeID, OfficeCode: v.Code,
		Category: v.Category, Service: v.Service, AmountPaid: v.Amount, Description: v.Description, Mobile: v.Mobile,
		SurveyToken: v.Token})
	switch {
	case err == nil:
		return page{Status: http.StatusCreated, Name: "complaint_filed", Title: "complaint_filed", Data: pageData{Data: s.receiptView(c, r)}}, nil
	case !daftar.IsKind(err, daftar.KindUnprocessable):
		return nil, err
	}
	if _, err := s.formOffice(c, &v); err != nil {
		return nil, err
	}
	de, _ := daftar.AsError(err)
	v.Errors = map[string]string{}
	for _, f := range de.Fields {
		field := f.Field
		if field == "office_id" && v.OfficeID == 0 {
			field = "code" // the page asks for the code
		}
		v.Errors[field] = complaintFieldMessage(tr, f)
	}
	return page{Status: http.StatusUnprocessableEntity, Name: "complaint", Title: "complaint_title",
		Data: pageData{Error: tr("complaint_fix"), Data: s.complaintFormOf(c, v)}}, nil
}

// complaintFieldMessage is a field's problem in the page's language: the
// dictionary's words for its code, the domain's message otherwise.
func complaintFieldMessage(tr func(string) string, f daftar.FieldError) string {
	for _, key := range []string{"cf_" + f.Field + "_" + f.Code, "cf_" + f.Code} {
		if w := tr(key); w != key {
			return w
		}
	}
	return f.Message
}

type receiptView struct {
	Code, Due, Filed, Office, TrackURL string
}

func (s *Server) receiptView(c *gin.Context, r complaints.Receipt) receiptView {
	lang := s.langOf(c)
	return receiptView{Code: complaints.FormatTrackingCode(r.TrackingCode), Due: dateIn(lang, r.DueAt),
		Filed: dateTimeIn(lang, r.FiledAt), Office: r.OfficeName,
		TrackURL: "/complaint/track?code=" + r.TrackingCode + langAmp(lang)}
}

func langAmp(lang string) string {
	if lang == "en" {
		return "&lang=en"
	}
	return ""
}

// dateIn is a day in Jalali, in Persian digits on Persian pages.
func dateIn(lang string, t time.Time) string {
	d := daftar.ToJalali(t)
	if lang == "en" {
		return d.String()
	}
	return d.Persian()
}

// dateTimeIn is a moment in Jalali with its Tehran time.
func dateTimeIn(lang string, t time.Time) string {
	s := daftar.FormatJalaliDateTime(t)
	if lang == "en" {
		return s
	}
	return daftar.PersianDigits(s)
}

// dayIn renders an ISO day (YYYY-MM-DD) in Jalali.
func dayIn(lang, iso string) string {
	t, err := time.ParseInLocation("2006-01-02", iso, daftar.Tehran())
	if err != nil {
		return iso
	}
	return dateIn(lang, t)
}

type trackStepView struct{ State, At string }

type trackView struct {
	Code                                       string
	Found                                      bool
	Office, Category, State, StateKey, Outcome string
	OutcomeKey, Note, Filed, Due, Resolved     string
	Overdue                                    bool
	Steps                                      []trackStepView
}

// complaintTrackPage is GET /complaint/track: the form, and with ?code=
// where the case stands.
func (s *Server) complaintTrackPage(c *gin.Context) (any, error) {
	lang := s.langOf(c)
	tr := translator(lang)
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "same-origin") // the code is in the URL: no other site gets it
	code := strings.TrimSpace(c.Query("code"))
	v := trackView{Code: code}
	show := func(status int, notice string) page {
		return page{Status: status, Name: "complaint_track", Title: "complaint_track", Data: pageData{Error: notice, Data: v}}
	}
	if code == "" {
		return show(http.StatusOK, ""), nil
	}
	if ok, wait := s.trackLimiter.allow(c.ClientIP(), s.Clock.Now()); !ok {
		c.Header("Retry-After", itoa(int(wait.Seconds())+1))
		return show(http.StatusTooManyRequests, tr("complaint_slow_down")), nil
	}
	t, err := s.Complaints.Track(c.Request.Context(), code)
	if daftar.IsKind(err, daftar.KindNotFound) {
		return show(http.StatusNotFound, tr("complaint_not_found")), nil
	}
	if err != nil {
		return nil, err
	}
	v.Found, v.Code = true, complaints.FormatTrackingCode(t.TrackingCode)
	v.Office, v.State, v.StateKey = t.OfficeName, tr("cs_"+string(t.State)), string(t.State)
	if r, ok := complaints.RuleOf(t.Category); ok {
		v.Category = r.Name(lang)
	}
	if t.Outcome != "" {
		v.Outcome, v.OutcomeKey = tr("co_"+string(t.Outcome)), string(t.Outcome)
	}
	v.Note, v.Filed, v.Due, v.Overdue = t.PublicNote, dateTimeIn(lang, t.FiledAt), dateIn(lang, t.DueAt), t.Overdue
	if t.ResolvedAt != nil {
		v.Resolved = dateTimeIn(lang, *t.ResolvedAt)
	}
	for _, st := range t.Steps {
		v.Steps = append(v.Steps, trackStepView{State: tr("cs_" + string(st.State)), At: dateTimeIn(lang, st.At)})
	}
	return show(http.StatusOK, ""), nil
}

// surveyThanks is the page after a survey answer: thanks, and the way to
// file a complaint about the same visit.
func (s *Server) surveyThanks(c *gin.Context, token string) page {
	tr := translator(s.langOf(c))
	c.Header("Referrer-Policy", "no-referrer")
	return page{Status: http.StatusCreated, Name: "survey_thanks", Title: "thanks", Data: pageData{Error: tr("thanks_text"),
		Data: map[string]string{"ComplaintURL": "/complaint?survey_token=" + url.QueryEscape(token) + langAmp(s.langOf(c))}}}
}
