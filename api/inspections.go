package api

import (
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/gin-gonic/gin"
)

// Inspections: recording against a checklist, the checklists themselves,
// corrective actions, and (in inspections_plan.go) the worklist and
// assignments.

type violationBody struct {
	Code        string `json:"code" doc:"a short code of the rule broken, 1-40 characters"`
	Severity    string `json:"severity" doc:"minor, major or critical"`
	Description string `json:"description"`
}

type resultRequest struct {
	Item   string `json:"item" doc:"the checklist item's code"`
	Result string `json:"result" doc:"pass, fail or not_applicable"`
	Note   string `json:"note,omitempty"`
}

type inspectionRequest struct {
	InspectedOn      string          `json:"inspected_on" doc:"the day, ISO (2026-11-20) or Jalali (1405/08/29)"`
	ChecklistVersion int             `json:"checklist_version,omitempty" doc:"with results: the checklist version answered (default the current one)"`
	Results          []resultRequest `json:"results,omitempty" doc:"one answer for every item of the checklist version; each failed item opens a corrective action, each passed one confirms the item's pending action"`
	Violations       []violationBody `json:"violations,omitempty" doc:"free-text findings outside the checklist (the shape from before checklists, still accepted): each with code, severity (minor, major, critical) and description, and each opens a corrective action"`
	Notes            string          `json:"notes,omitempty"`
}

type resultResponse struct {
	Item     string `json:"item"`
	Result   string `json:"result"`
	Severity string `json:"severity"`
	Note     string `json:"note"`
}

type actionChangesResponse struct {
	Opened    []int64 `json:"opened" doc:"corrective actions opened by failures"`
	Reopened  []int64 `json:"reopened" doc:"actions the owner had marked done, failed again"`
	Confirmed []int64 `json:"confirmed" doc:"pending actions whose item passed"`
}

type inspectionResponse struct {
	ID                int64                  `json:"id"`
	OfficeID          int64                  `json:"office_id"`
	InspectedOn       string                 `json:"inspected_on" doc:"YYYY-MM-DD, Tehran"`
	InspectedOnJalali string                 `json:"inspected_on_jalali"`
	Inspector         string                 `json:"inspector"`
	InspectorID       *int64                 `json:"inspector_id"`
	ChecklistVersion  *int                   `json:"checklist_version" doc:"null when only free-text findings were recorded"`
	Results           []resultResponse       `json:"results"`
	Violations        []violationBody        `json:"violations"`
	Notes             string                 `json:"notes"`
	Minor             int                    `json:"minor" doc:"failed items and findings of this severity: what the ranking's compliance counts"`
	Major             int                    `json:"major"`
	Critical          int                    `json:"critical"`
	AssignmentID      *int64                 `json:"assignment_id" doc:"the assignment this inspection did"`
	CreatedAt         time.Time              `json:"created_at"`
	CorrectiveActions *actionChangesResponse `json:"corrective_actions,omitempty" doc:"only in the answer to recording"`
}

func inspectionOf(in inspections.Inspection) inspectionResponse {
	out := inspectionResponse{ID: in.ID, OfficeID: in.OfficeID, InspectedOn: in.InspectedOn, InspectedOnJalali: jalaliDay(in.InspectedOn),
		Inspector: in.Inspector, InspectorID: in.InspectorID, ChecklistVersion: in.ChecklistVersion, Results: []resultResponse{},
		Violations: []violationBody{}, Notes: in.Notes, Minor: in.Minor, Major: in.Major, Critical: in.Critical, AssignmentID: in.AssignmentID,
		CreatedAt: utc(in.CreatedAt)}
	for _, r := range in.Results {
		out.Results = append(out.Results, resultResponse(r))
	}
	for _, v := range in.Violations {
		out.Violations = append(out.Violations, violationBody(v))
	}
	if a := in.Actions; a != nil {
		out.CorrectiveActions = &actionChangesResponse{Opened: a.Opened, Reopened: a.Reopened, Confirmed: a.Confirmed}
	}
	return out
}

// jalaliDay renders a Tehran day YYYY-MM-DD as its Jalali date.
func jalaliDay(day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, daftar.Tehran())
	if err != nil {
		return ""
	}
	return daftar.ToJalali(t).String()
}

func (s *Server) recordInspection(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req inspectionRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	if err := s.officeExists(c, id); err != nil {
		return nil, err
	}
	in := inspections.NewInspection{InspectedOn: req.InspectedOn, ChecklistVersion: req.ChecklistVersion, Notes: req.Notes}
	for _, r := range req.Results {
		in.Results = append(in.Results, inspections.ResultInput(r))
	}
	for _, v := range req.Violations {
		in.Violations = append(in.Violations, inspections.Violation(v))
	}
	insp, err := s.Inspections.RecordInspection(c.Request.Context(), id, in)
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: inspectionOf(insp)}, nil
}

func (s *Server) listInspections(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	p := q.page(50, 500)
	if err := q.err(); err != nil {
		return nil, err
	}
	if err := s.officeExists(c, id); err != nil {
		return nil, err
	}
	list, total, err := s.Inspections.Inspections(c.Request.Context(), id, p.PageSize, p.Offset())
	if err != nil {
		return nil, err
	}
	out := make([]inspectionResponse, len(list))
	for i, in := range list {
		out[i] = inspectionOf(in)
	}
	return listOf(out, p, total), nil
}

// Checklists.

type checklistItemBody struct {
	Code     string `json:"code" doc:"lower-case letters, digits and _, unique in the version"`
	TitleFa  string `json:"title_fa"`
	TitleEn  string `json:"title_en"`
	Severity string `json:"severity" doc:"minor, major or critical: a failure is due in 20, 10 or 5 working days"`
}

type checklistRequest struct {
	Title string              `json:"title"`
	Items []checklistItemBody `json:"items" doc:"1 to 100 items, in the order inspectors answer them"`
}

type checklistItemResponse struct {
	checklistItemBody
	DueWorkingDays int `json:"due_working_days" doc:"working days after the inspection's day a failure's corrective action is due"`
}

type checklistResponse struct {
	Version         int                     `json:"version"`
	Title           string                  `json:"title"`
	Items           []checklistItemResponse `json:"items"`
	CreatedAt       time.Time               `json:"created_at"`
	CreatedAtJalali string                  `json:"created_at_jalali"`
	CreatedBy       string                  `json:"created_by"`
}

func checklistOf(cl inspections.Checklist) checklistResponse {
	out := checklistResponse{Version: cl.Version, Title: cl.Title, Items: []checklistItemResponse{}, CreatedAt: utc(cl.CreatedAt),
		CreatedAtJalali: jalali(cl.CreatedAt), CreatedBy: cl.CreatedBy}
	for _, it := range cl.Items {
		out.Items = append(out.Items, checklistItemResponse{checklistItemBody: checklistItemBody(it), DueWorkingDays: inspections.DueWorkingDays(it.Severity)})
	}
	return out
}

func (s *Server) listChecklists(c *gin.Context) (any, error) {
	list, err := s.Inspections.Checklists(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make([]checklistResponse, len(list))
	for i, cl := range list {
		out[i] = checklistOf(cl)
	}
	return listOf(out, Page{Page: 1, PageSize: len(out)}, int64(len(out))), nil
}

func (s *Server) publishChecklist(c *gin.Context) (any, error) {
	var req checklistRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	cl := inspections.Checklist{Title: req.Title}
	for _, it := range req.Items {
		cl.Items = append(cl.Items, inspections.Item(it))
	}
	out, err := s.Inspections.PublishChecklist(c.Request.Context(), cl)
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: checklistOf(out)}, nil
}

// Corrective actions.

type actionEventResponse struct {
	Event        string    `json:"event" doc:"open, done, confirm or reopen"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Note         string    `json:"note"`
	InspectionID *int64    `json:"inspection_id" doc:"the inspection that did it; null when a person did"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
	AtJalali     string    `json:"at_jalali"`
}

type correctiveActionResponse struct {
	ID                 int64                 `json:"id"`
	OfficeID           int64                 `json:"office_id"`
	InspectionID       int64                 `json:"inspection_id"`
	Item               string                `json:"item" doc:"the checklist item's code, or a free-text finding's"`
	Severity           string                `json:"severity"`
	Finding            string                `json:"finding"`
	State              string                `json:"state" doc:"open, done, confirmed or reopened"`
	DueOn              string                `json:"due_on" doc:"YYYY-MM-DD, Tehran: fixed by the end of that day"`
	DueOnJalali        string                `json:"due_on_jalali"`
	Overdue            bool                  `json:"overdue"`
	DoneAt             *time.Time            `json:"done_at"`
	DoneNote           *string               `json:"done_note"`
	ReviewedAt         *time.Time            `json:"reviewed_at"`
	ReviewNote         *string               `json:"review_note"`
	ReviewInspectionID *int64                `json:"review_inspection_id"`
	ConfirmedAt        *time.Time            `json:"confirmed_at"`
	Reopened           int                   `json:"reopened" doc:"times reopened"`
	Version            int64                 `json:"version"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
	AllowedActions     []string              `json:"allowed_actions" doc:"what its state allows: done (the owner), confirm and reopen (staff)"`
	History            []actionEventResponse `json:"history,omitempty" doc:"in the answer to one action"`
}

func correctiveActionOf(a inspections.CorrectiveAction) correctiveActionResponse {
	out := correctiveActionResponse{ID: a.ID, OfficeID: a.OfficeID, InspectionID: a.InspectionID, Item: a.Item, Severity: a.Severity,
		Finding: a.Finding, State: a.State, DueOn: a.DueOn, DueOnJalali: jalaliDay(a.DueOn), Overdue: a.Overdue, DoneAt: utcPtr(a.DoneAt),
		DoneNote: a.DoneNote, ReviewedAt: utcPtr(a.ReviewedAt), ReviewNote: a.ReviewNote, ReviewInspectionID: a.ReviewInspectionID,
		ConfirmedAt: utcPtr(a.ConfirmedAt), Reopened: a.Reopened, Version: a.Version, CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt),
		AllowedActions: inspections.AllowedVerbs(a.State)}
	for _, h := range a.History {
		out.History = append(out.History, actionEventResponse{Event: h.Event, From: h.From, To: h.To, Note: h.Note, InspectionID: h.InspectionID,
			Actor: h.Actor, At: utc(h.At), AtJalali: jalali(h.At)})
	}
	return out
}

// actionStates are the states a corrective action can be in.
var actionStates = []string{inspections.ActionOpen, inspections.ActionDone, inspections.ActionConfirmed, inspections.ActionReopened}

func (s *Server) listCorrectiveActions(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c).strictly()
	p := q.page(50, 500)
	f := inspections.ActionFilter{OfficeID: id, Limit: p.PageSize, Offset: p.Offset(), State: q.oneOf("state", actionStates),
		Overdue: q.boolean("overdue")}
	if err := q.err(); err != nil {
		return nil, err
	}
	if err := s.officeExists(c, id); err != nil {
		return nil, err
	}
	list, total, err := s.Inspections.CorrectiveActions(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]correctiveActionResponse, len(list))
	for i, a := range list {
		out[i] = correctiveActionOf(a)
	}
	return listOf(out, p, total), nil
}

func (s *Server) getCorrectiveAction(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return nil, err
	}
	a, err := s.Inspections.CorrectiveAction(c.Request.Context(), id, cid)
	if err != nil {
		return nil, err
	}
	return tagged(correctiveActionOf(a), a.Version), nil
}

type noteRequest struct {
	Note string `json:"note" doc:"required for done (what was fixed), reopen and cancel; optional for confirm"`
}

func (s *Server) correctiveActionAct(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return nil, err
	}
	var req noteRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	a, err := s.Inspections.Act(c.Request.Context(), id, cid, c.Param("action"), req.Note)
	if err != nil {
		return nil, err
	}
	return tagged(correctiveActionOf(a), a.Version), nil
}
