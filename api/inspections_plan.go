package api

import (
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/gin-gonic/gin"
)

// The inspections worklist (offices by risk, with the reasons) and the
// assignments planned from it.

// riskLabels name each risk signal for people.
var riskLabels = map[string][2]string{
	inspections.ReasonUpheldComplaints: {"شکایت‌های واردشده", "Upheld complaints"},
	inspections.ReasonOpenComplaints:   {"شکایت‌های در جریان", "Open complaints"},
	inspections.ReasonExtraFee:         {"گزارش دریافت وجه اضافه در نظرسنجی", "Extra fees reported in surveys"},
	inspections.ReasonSurveyFlags:      {"پاسخ‌های مشکوک نظرسنجی", "Flagged survey answers"},
	inspections.ReasonLowSatisfaction:  {"رضایت پایین", "Low satisfaction"},
	inspections.ReasonOverdueActions:   {"اقدام اصلاحی معوق", "Overdue corrective actions"},
	inspections.ReasonSinceInspection:  {"مدت از آخرین بازرسی", "Time since the last inspection"},
}

type riskReason struct {
	Code    string   `json:"code" doc:"upheld_complaints, open_complaints, extra_fee_rate, survey_flags, low_satisfaction, overdue_actions or since_last_inspection"`
	Points  float64  `json:"points" doc:"this signal's share of the score"`
	Value   float64  `json:"value" doc:"the figure: a count, the extra-fee rate, the adjusted satisfaction, or days since the last inspection (-1: never)"`
	Low     *float64 `json:"low,omitempty" doc:"extra_fee_rate: the Wilson 95% interval's lower bound, which the points are taken from"`
	High    *float64 `json:"high,omitempty"`
	LabelFa string   `json:"label_fa"`
	LabelEn string   `json:"label_en"`
	Detail  string   `json:"detail"`
}

type worklistItem struct {
	OfficeID              int64               `json:"office_id"`
	Code                  string              `json:"code"`
	Name                  string              `json:"name"`
	Province              string              `json:"province"`
	City                  string              `json:"city"`
	Score                 float64             `json:"score" doc:"risk points, 0-100: the sum of the reasons' points (see docs/complaints.md)"`
	Reasons               []riskReason        `json:"reasons" doc:"every signal that adds points, the largest first"`
	LastInspectedOn       *string             `json:"last_inspected_on"`
	LastInspectedOnJalali *string             `json:"last_inspected_on_jalali"`
	Assignment            *assignmentResponse `json:"assignment" doc:"the office's open assignment, if any"`
}

func worklistItemOf(it inspections.WorkItem) worklistItem {
	out := worklistItem{OfficeID: it.Office.ID, Code: it.Office.Code, Name: it.Office.Name, Province: it.Office.Province, City: it.Office.City,
		Score: it.Score, Reasons: []riskReason{}, LastInspectedOn: it.LastInspectedOn}
	if it.LastInspectedOn != nil {
		j := jalaliDay(*it.LastInspectedOn)
		out.LastInspectedOnJalali = &j
	}
	for _, r := range it.Reasons {
		l := riskLabels[r.Code]
		out.Reasons = append(out.Reasons, riskReason{Code: r.Code, Points: r.Points, Value: r.Value, Low: r.Low, High: r.High,
			LabelFa: l[0], LabelEn: l[1], Detail: r.Detail})
	}
	if it.Assignment != nil {
		a := assignmentOf(*it.Assignment)
		out.Assignment = &a
	}
	return out
}

func (s *Server) worklist(c *gin.Context) (any, error) {
	q := s.query(c).strictly()
	p := q.page(50, 500)
	f := inspections.WorklistFilter{Limit: p.PageSize, Offset: p.Offset(), Province: q.province("province")}
	if b := q.boolean("unassigned"); b != nil {
		f.Unassigned = *b
	}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Planner.Worklist(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]worklistItem, len(list))
	for i, it := range list {
		out[i] = worklistItemOf(it)
	}
	return listOf(out, p, total), nil
}

type assignmentRequest struct {
	OfficeID    int64  `json:"office_id"`
	InspectorID int64  `json:"inspector_id" doc:"an active inspector's account id"`
	DueOn       string `json:"due_on" doc:"the day, ISO or Jalali: today or later, within a year"`
	Reason      string `json:"reason" doc:"why this office, 1-500 characters"`
}

type assignmentResponse struct {
	ID             int64     `json:"id"`
	OfficeID       int64     `json:"office_id"`
	InspectorID    int64     `json:"inspector_id"`
	Inspector      string    `json:"inspector"`
	DueOn          string    `json:"due_on"`
	DueOnJalali    string    `json:"due_on_jalali"`
	Reason         string    `json:"reason"`
	RiskScore      *float64  `json:"risk_score" doc:"the office's worklist score when it was assigned"`
	State          string    `json:"state" doc:"assigned, done (an inspection of the office was recorded) or cancelled"`
	InspectionID   *int64    `json:"inspection_id"`
	Note           string    `json:"note"`
	Overdue        bool      `json:"overdue"`
	Version        int64     `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	UpdatedAt      time.Time `json:"updated_at"`
	AllowedActions []string  `json:"allowed_actions"`
}

func assignmentOf(a inspections.Assignment) assignmentResponse {
	out := assignmentResponse{ID: a.ID, OfficeID: a.OfficeID, InspectorID: a.InspectorID, Inspector: a.Inspector, DueOn: a.DueOn,
		DueOnJalali: jalaliDay(a.DueOn), Reason: a.Reason, RiskScore: a.RiskScore, State: a.State, InspectionID: a.InspectionID, Note: a.Note,
		Overdue: a.Overdue, Version: a.Version, CreatedAt: utc(a.CreatedAt), CreatedBy: a.CreatedBy, UpdatedAt: utc(a.UpdatedAt), AllowedActions: []string{}}
	if a.State == inspections.AssignmentAssigned {
		out.AllowedActions = []string{inspections.AssignmentCancel}
	}
	return out
}

func (s *Server) createAssignment(c *gin.Context) (any, error) {
	var req assignmentRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	a, err := s.Planner.Assign(c.Request.Context(), inspections.NewAssignment(req))
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: assignmentOf(a)}, nil
}

// assignmentStates are the states an assignment can be in.
var assignmentStates = []string{inspections.AssignmentAssigned, inspections.AssignmentDone, inspections.AssignmentCancelled}

func (s *Server) listAssignments(c *gin.Context) (any, error) {
	q := s.query(c).strictly()
	p := q.page(50, 500)
	f := inspections.AssignmentFilter{Limit: p.PageSize, Offset: p.Offset(), OfficeID: q.id("office_id"),
		InspectorID: q.id("inspector_id"), State: q.oneOf("state", assignmentStates)}
	if b := q.boolean("overdue"); b != nil {
		f.Overdue = *b
	}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Planner.Assignments(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]assignmentResponse, len(list))
	for i, a := range list {
		out[i] = assignmentOf(a)
	}
	return listOf(out, p, total), nil
}

func (s *Server) getAssignment(c *gin.Context) (any, error) {
	id, err := pathID(c, "aid")
	if err != nil {
		return nil, err
	}
	a, err := s.Planner.Assignment(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return assignmentOf(a), nil
}

func (s *Server) assignmentAct(c *gin.Context) (any, error) {
	id, err := pathID(c, "aid")
	if err != nil {
		return nil, err
	}
	var req noteRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	a, err := s.Planner.ActOnAssignment(c.Request.Context(), id, c.Param("action"), req.Note)
	if err != nil {
		return nil, err
	}
	return assignmentOf(a), nil
}

// planners are who plan and record inspections.
var planners = access{Roles: []daftar.Role{daftar.RoleAdmin, daftar.RoleInspector}}

var worklistQuery = append([]param{
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "unassigned", Type: "boolean", Description: "only offices without an open assignment"},
}, pageQuery...)

var assignmentsQuery = append([]param{
	{Name: "office_id", Type: "integer"},
	{Name: "inspector_id", Type: "integer"},
	{Name: "state", Type: "string", Enum: assignmentStates},
	{Name: "overdue", Type: "boolean", Description: "only assigned ones past their due day"},
}, pageQuery...)

var correctiveActionsQuery = append([]param{
	{Name: "state", Type: "string", Enum: actionStates},
	{Name: "overdue", Type: "boolean"},
}, pageQuery...)
