package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// Complaints: filing and tracking (public, rate-limited per client
// address), the staff queue and the steps of a case, and an office's
// complaints for its owner.

// rialsField is an amount as the citizen sends it: a JSON number or a
// string in any digits ("۲۵۰٬۰۰۰"); the domain reads and checks it.
type rialsField struct{ raw string }

func (r *rialsField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		r.raw = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		r.raw = s
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeOf(int64(0))}
	}
	r.raw = n.String()
	return nil
}

// jsonKind names the kind of a JSON value for an error message.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "value"
}

func (r *rialsField) OpenAPISchema() map[string]any {
	return map[string]any{"description": "a positive whole number of rials: a JSON integer, or a string in Persian, Arabic-Indic or ASCII digits with optional thousands separators",
		"oneOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}, "nullable": true}
}

type complaintRequest struct {
	OfficeID    int64      `json:"office_id" required:"false" doc:"the office complained of (or code)"`
	Code        string     `json:"code" required:"false" doc:"the office's code, e.g. THR-0001 (or office_id)"`
	Category    string     `json:"category" doc:"extra_fee, refused_service, misconduct, privacy, delay, other"`
	Service     string     `json:"service" required:"false" doc:"catalogue code of the service concerned"`
	AmountPaid  rialsField `json:"amount_paid_rials" required:"false" doc:"required for extra_fee"`
	Description string     `json:"description" doc:"10 to 2000 characters; national codes and mobile numbers in it are masked"`
	Mobile      string     `json:"mobile" required:"false" doc:"optional; kept encrypted, only for the notice of the decision, never shown to the office"`
	SurveyToken string     `json:"survey_token" required:"false" doc:"the survey link's token, when filed from the survey's thank-you page: ties the complaint to the visit's office and day"`
}

func (r complaintRequest) filing() complaints.Filing {
	return complaints.Filing{OfficeID: r.OfficeID, OfficeCode: r.Code, Category: r.Category, Service: r.Service,
		AmountPaid: r.AmountPaid.raw, Description: r.Description, Mobile: r.Mobile, SurveyToken: r.SurveyToken}
}

type complaintReceipt struct {
	TrackingCode        string    `json:"tracking_code" doc:"keep it to follow the case; ten symbols, also shown grouped"`
	TrackingCodeDisplay string    `json:"tracking_code_display" doc:"e.g. 7KQ2M-XD9RF"`
	State               string    `json:"state"`
	OfficeName          string    `json:"office_name"`
	FiledAt             time.Time `json:"filed_at"`
	FiledAtJalali       string    `json:"filed_at_jalali"`
	DueAt               time.Time `json:"due_at" doc:"the expected answer date: the end of the day the category's working days run out"`
	DueAtJalali         string    `json:"due_at_jalali"`
	TrackURL            string    `json:"track_url"`
}

func receiptOf(r complaints.Receipt) complaintReceipt {
	return complaintReceipt{TrackingCode: r.TrackingCode, TrackingCodeDisplay: complaints.FormatTrackingCode(r.TrackingCode),
		State: string(r.State), OfficeName: r.OfficeName, FiledAt: utc(r.FiledAt), FiledAtJalali: jalali(r.FiledAt),
		DueAt: utc(r.DueAt), DueAtJalali: daftar.ToJalali(r.DueAt).String(), TrackURL: "/complaint/track?code=" + r.TrackingCode}
}

// limitComplaints counts one public complaints request from the client
// address against limiter: 429 past it.
func (s *Server) limitComplaints(c *gin.Context, l *rateLimiter) error {
	ok, wait := l.allow(c.ClientIP(), s.Clock.Now())
	if ok {
		return nil
	}
	secs := int(wait.Seconds()) + 1
	c.Header("Retry-After", itoa(secs))
	return daftar.TooMany("complaints_rate_limited", "too many requests from this address; try again later").
		With("retry_after_seconds", secs)
}

// fileComplaint is POST /api/v1/complaints: JSON, or the /complaint page's
// form (answered with pages).
func (s *Server) fileComplaint(c *gin.Context) (any, error) {
	if isForm(c) {
		return s.fileComplaintForm(c)
	}
	if err := s.limitComplaints(c, s.complaintLimiter); err != nil {
		return nil, err
	}
	var req complaintRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	r, err := s.Complaints.File(c.Request.Context(), req.filing())
	if err != nil {
		return nil, err
	}
	c.Header("Cache-Control", "no-store")
	return reply{Status: http.StatusCreated, Body: receiptOf(r)}, nil
}

func isForm(c *gin.Context) bool {
	ct := c.ContentType()
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

type trackingStep struct {
	State    string    `json:"state"`
	At       time.Time `json:"at"`
	AtJalali string    `json:"at_jalali"`
}

type trackingResponse struct {
	TrackingCode     string         `json:"tracking_code"`
	OfficeName       string         `json:"office_name"`
	Category         string         `json:"category"`
	State            string         `json:"state"`
	Outcome          *string        `json:"outcome" doc:"upheld or not_upheld once resolved"`
	PublicNote       string         `json:"public_note" doc:"the decision's note, once resolved"`
	FiledAt          time.Time      `json:"filed_at"`
	FiledAtJalali    string         `json:"filed_at_jalali"`
	DueAt            time.Time      `json:"due_at"`
	DueAtJalali      string         `json:"due_at_jalali"`
	ResolvedAt       *time.Time     `json:"resolved_at"`
	ResolvedAtJalali *string        `json:"resolved_at_jalali"`
	ClosedAt         *time.Time     `json:"closed_at"`
	ClosedAtJalali   *string        `json:"closed_at_jalali"`
	Overdue          bool           `json:"overdue"`
	Steps            []trackingStep `json:"steps"`
}

func outcomePtr(o complaints.Outcome) *string {
	if o == "" {
		return nil
	}
	s := string(o)
	return &s
}

func trackingOf(t complaints.Tracking) trackingResponse {
	out := trackingResponse{TrackingCode: t.TrackingCode, OfficeName: t.OfficeName, Category: string(t.Category),
		State: string(t.State), Outcome: outcomePtr(t.Outcome), PublicNote: t.PublicNote, FiledAt: utc(t.FiledAt),
		FiledAtJalali: jalali(t.FiledAt), DueAt: utc(t.DueAt), DueAtJalali: daftar.ToJalali(t.DueAt).String(),
		ResolvedAt: utcPtr(t.ResolvedAt), ResolvedAtJalali: jalaliPtr(t.ResolvedAt), ClosedAt: utcPtr(t.ClosedAt),
		ClosedAtJalali: jalaliPtr(t.ClosedAt), Overdue: t.Overdue, Steps: []trackingStep{}}
	for _, st := range t.Steps {
		out.Steps = append(out.Steps, trackingStep{State: string(st.State), At: utc(st.At), AtJalali: jalali(st.At)})
	}
	return out
}

// trackComplaint is GET /api/v1/complaints/track/{tracking_code}.
func (s *Server) trackComplaint(c *gin.Context) (any, error) {
	if err := s.limitComplaints(c, s.trackLimiter); err != nil {
		return nil, err
	}
	c.Header("Cache-Control", "no-store")
	t, err := s.Complaints.Track(c.Request.Context(), c.Param("tracking_code"))
	if err != nil {
		return nil, err
	}
	return trackingOf(t), nil
}

// complaintResponse is a case as staff see it.
type complaintResponse struct {
	ID                 int64      `json:"id"`
	TrackingCode       string     `json:"tracking_code"`
	OfficeID           int64      `json:"office_id"`
	OfficeCode         string     `json:"office_code"`
	OfficeName         string     `json:"office_name"`
	Province           string     `json:"province"`
	City               string     `json:"city"`
	Category           string     `json:"category"`
	Service            *string    `json:"service"`
	AmountPaidRials    *int64     `json:"amount_paid_rials"`
	OfficialFeeRials   *int64     `json:"official_fee_rials" doc:"the catalogue's fee for the service at filing"`
	ExtraRials         *int64     `json:"extra_rials" doc:"amount paid above the official fee"`
	Description        string     `json:"description"`
	HasMobile          bool       `json:"has_mobile"`
	MobileMasked       *string    `json:"mobile_masked" doc:"last four digits, on a single case only"`
	FromSurvey         bool       `json:"from_survey"`
	VisitDay           *string    `json:"visit_day" doc:"the survey visit's day, when filed from a survey"`
	State              string     `json:"state"`
	Outcome            *string    `json:"outcome"`
	PublicNote         string     `json:"public_note"`
	OwnerReply         string     `json:"owner_reply"`
	RepliedAt          *time.Time `json:"replied_at"`
	InspectorID        *int64     `json:"inspector_id"`
	FiledAt            time.Time  `json:"filed_at"`
	FiledAtJalali      string     `json:"filed_at_jalali"`
	DueAt              time.Time  `json:"due_at"`
	DueAtJalali        string     `json:"due_at_jalali"`
	ResolvedAt         *time.Time `json:"resolved_at"`
	ClosedAt           *time.Time `json:"closed_at"`
	EscalatedAt        *time.Time `json:"escalated_at" doc:"when the escalation job flagged it overdue"`
	UpdatedAt          time.Time  `json:"updated_at"`
	Version            int64      `json:"version"`
	Overdue            bool       `json:"overdue"`
	OverdueWorkingDays float64    `json:"overdue_working_days"`
	AllowedActions     []string   `json:"allowed_actions" doc:"the actions its state allows"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func complaintOf(c complaints.Complaint) complaintResponse {
	out := complaintResponse{ID: c.ID, TrackingCode: c.TrackingCode, OfficeID: c.OfficeID, OfficeCode: c.OfficeCode,
		OfficeName: c.OfficeName, Province: c.Province, City: c.City, Category: string(c.Category), Service: strPtr(c.Service),
		AmountPaidRials: c.AmountPaidRials, OfficialFeeRials: c.OfficialFeeRials, ExtraRials: c.ExtraRials(),
		Description: c.Description, HasMobile: c.HasMobile, MobileMasked: strPtr(c.MobileMasked), FromSurvey: c.FromSurvey,
		VisitDay: strPtr(c.VisitDay), State: string(c.State), Outcome: outcomePtr(c.Outcome), PublicNote: c.PublicNote,
		OwnerReply: c.OwnerReply, RepliedAt: utcPtr(c.RepliedAt), InspectorID: c.InspectorID, FiledAt: utc(c.FiledAt),
		FiledAtJalali: jalali(c.FiledAt), DueAt: utc(c.DueAt), DueAtJalali: daftar.ToJalali(c.DueAt).String(),
		ResolvedAt: utcPtr(c.ResolvedAt), ClosedAt: utcPtr(c.ClosedAt), EscalatedAt: utcPtr(c.EscalatedAt),
		UpdatedAt: utc(c.UpdatedAt), Version: c.Version, Overdue: c.Overdue, OverdueWorkingDays: c.OverdueBy.Days(),
		AllowedActions: []string{}}
	for _, a := range complaints.Actions {
		if complaints.Allowed(a, c.State) {
			out.AllowedActions = append(out.AllowedActions, string(a))
		}
	}
	return out
}

type complaintEventResponse struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	AtJalali    string    `json:"at_jalali"`
	Action      string    `json:"action"`
	From        string    `json:"from_state"`
	To          string    `json:"to_state"`
	ActorID     *int64    `json:"actor_id"`
	ActorName   string    `json:"actor_name"`
	ActorRole   string    `json:"actor_role"`
	Note        string    `json:"note"`
	InspectorID *int64    `json:"inspector_id"`
	Outcome     *string   `json:"outcome"`
}

type complaintDetail struct {
	complaintResponse
	Events []complaintEventResponse `json:"events"`
}

// ownerComplaintResponse is a complaint as the office's owner sees it:
// never the citizen's contact, the tracking code, the visit day or staff
// notes.
type ownerComplaintResponse struct {
	ID               int64      `json:"id"`
	OfficeID         int64      `json:"office_id"`
	Category         string     `json:"category"`
	Service          *string    `json:"service"`
	AmountPaidRials  *int64     `json:"amount_paid_rials"`
	OfficialFeeRials *int64     `json:"official_fee_rials"`
	Description      string     `json:"description"`
	State            string     `json:"state"`
	Outcome          *string    `json:"outcome"`
	PublicNote       string     `json:"public_note"`
	OwnerReply       string     `json:"owner_reply"`
	RepliedAt        *time.Time `json:"replied_at"`
	FiledOn          string     `json:"filed_on" doc:"the Jalali day of filing (no time)"`
	DueAt            time.Time  `json:"due_at"`
	DueAtJalali      string     `json:"due_at_jalali"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	Overdue          bool       `json:"overdue"`
	CanReply         bool       `json:"can_reply"`
}

func ownerComplaintOf(v complaints.OwnerView) ownerComplaintResponse {
	return ownerComplaintResponse{ID: v.ID, OfficeID: v.OfficeID, Category: string(v.Category), Service: strPtr(v.Service),
		AmountPaidRials: v.AmountPaidRials, OfficialFeeRials: v.OfficialFeeRials, Description: v.Description,
		State: string(v.State), Outcome: outcomePtr(v.Outcome), PublicNote: v.PublicNote, OwnerReply: v.OwnerReply,
		RepliedAt: utcPtr(v.RepliedAt), FiledOn: v.FiledOn.String(), DueAt: utc(v.DueAt),
		DueAtJalali: daftar.ToJalali(v.DueAt).String(), ResolvedAt: utcPtr(v.ResolvedAt), Overdue: v.Overdue,
		CanReply: complaints.Allowed(complaints.Reply, v.State)}
}

var complaintsQuery = append([]param{
	{Name: "office_id", Type: "integer"},
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "category", Type: "string", Enum: []string{"extra_fee", "refused_service", "misconduct", "privacy", "delay", "other"}},
	{Name: "state", Type: "string", Enum: []string{"new", "triaged", "assigned", "investigating", "resolved", "closed", "reopened"}},
	{Name: "overdue", Type: "boolean", Description: "only open cases past their deadline"},
	{Name: "inspector_id", Type: "integer"},
}, pageQuery...)

// complaintFilter reads the queue's filters. The province is passed on
// as given (an unknown one matches nothing); the queue's page checks it.
func complaintFilter(q *query) (complaints.Filter, Page) {
	p := q.page(50, 200)
	f := complaints.Filter{Page: p.Page, PageSize: p.PageSize, Province: q.text("province", 32),
		Category: complaints.Category(q.text("category", 32)), State: complaints.State(q.text("state", 32)),
		OfficeID: q.id("office_id"), InspectorID: q.id("inspector_id")}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	return f, p
}

// listComplaints is GET /api/v1/complaints, the staff queue.
func (s *Server) listComplaints(c *gin.Context) (any, error) {
	q := s.query(c).strictly()
	f, p := complaintFilter(q)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Complaints.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	items := make([]complaintResponse, len(list))
	for i, x := range list {
		items[i] = complaintOf(x)
	}
	return listOf(items, p, total), nil
}

// getComplaint is GET /api/v1/complaints/{id}: one case with its steps.
func (s *Server) getComplaint(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	x, evs, err := s.Complaints.Case(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	out := complaintDetail{complaintResponse: complaintOf(x), Events: []complaintEventResponse{}}
	for _, e := range evs {
		out.Events = append(out.Events, complaintEventResponse{ID: e.ID, At: utc(e.At), AtJalali: jalali(e.At),
			Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID, ActorName: e.ActorName,
			ActorRole: string(e.ActorRole), Note: e.Note, InspectorID: e.InspectorID, Outcome: outcomePtr(e.Outcome)})
	}
	return out, nil
}

type complaintActionRequest struct {
	Note        string `json:"note" required:"false" doc:"required for reply (the owner's answer), resolve (public) and reopen"`
	InspectorID int64  `json:"inspector_id" required:"false" doc:"assign: the inspector who takes the case"`
	Outcome     string `json:"outcome" required:"false" doc:"resolve: upheld or not_upheld"`
}

// complaintAction is POST /api/v1/complaints/{id}/{action}. The owner of
// the office gets the case as owners see it.
func (s *Server) complaintAction(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req complaintActionRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	x, err := s.Complaints.Act(ctx, id, complaints.ActionInput{Action: complaints.Action(c.Param("action")), Note: req.Note,
		InspectorID: req.InspectorID, Outcome: complaints.Outcome(req.Outcome)})
	if err != nil {
		return nil, err
	}
	if a, _ := daftar.ActorFrom(ctx); a.Role == daftar.RoleOfficeOwner {
		return ownerComplaintOf(x.ForOwner()), nil
	}
	return complaintOf(x), nil
}

// officeComplaints is GET /api/v1/offices/{id}/complaints.
func (s *Server) officeComplaints(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c).strictly()
	f, p := complaintFilter(q)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Complaints.OfficeComplaints(c.Request.Context(), id, f)
	if err != nil {
		return nil, err
	}
	items := make([]ownerComplaintResponse, len(list))
	for i, v := range list {
		items[i] = ownerComplaintOf(v)
	}
	return listOf(items, p, total), nil
}
