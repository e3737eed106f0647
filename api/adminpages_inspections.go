package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/gin-gonic/gin"
)

// /admin/inspections (admins and inspectors, as the API's planners): the
// risk worklist (GET /api/v1/inspections/worklist) with each score's
// reasons, the assignments (GET and POST /api/v1/inspections/assignments,
// cancel), and recording an inspection against the current checklist
// (POST /api/v1/offices/{id}/inspections). Each form makes its route's one
// service call.

type worklistRow struct {
	OfficeID                        int64
	Office, Code, City, Score, Last string
	Reasons                         []string
	Assigned                        bool
	Inspector, Due                  string
	Overdue                         bool
}

type assignmentRow struct {
	ID                                        int64
	OfficeID                                  int64
	Office, Inspector, Due, State, StateClass string
	Reason, Note                              string
	Open, Overdue                             bool
}

type inspectionsData struct {
	staffForm
	Worklist             []worklistRow
	WorkPager            pager
	Province, Unassigned string
	ProvinceOptions      []option
	Assignments          []assignmentRow
	AssignPager          pager
	AssignState          string
	AssignStates         []option
	Inspectors           []option
	Today                string
	XLSX, CSV            string
}

func (s *Server) adminInspections(c *gin.Context) { s.staffPage(s.inspectionsPage)(c) }

func (s *Server) inspectionsPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildInspections(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildInspections(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 25, 200)
	ap := Page{Page: int(max(intQuery(c, &fe, "assign_page", 1, 1_000_000), 1)), PageSize: 20}
	province, unassigned := c.Query("province"), c.Query("unassigned")
	if province != "" {
		if r, ok := s.Gazetteer.Get(province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	state := c.DefaultQuery("assignments", inspections.AssignmentAssigned)
	switch state {
	case inspections.AssignmentAssigned, inspections.AssignmentDone, inspections.AssignmentCancelled, "all":
	default:
		fe.Add("assignments", "invalid", "must be assigned, done, cancelled or all")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	work, total, err := s.Planner.Worklist(ctx, inspections.WorklistFilter{Province: province, Unassigned: unassigned == "true",
		Limit: p.PageSize, Offset: p.Offset()})
	if err != nil {
		return staffResult{}, err
	}
	af := inspections.AssignmentFilter{State: state, Limit: ap.PageSize, Offset: ap.Offset()}
	if state == "all" {
		af.State = ""
	}
	assigns, atotal, err := s.Planner.Assignments(ctx, af)
	if err != nil {
		return staffResult{}, err
	}
	_, inspectors, err := s.inspectorNames(c)
	if err != nil {
		return staffResult{}, err
	}
	d := inspectionsData{staffForm: form, WorkPager: v.pager(p, total), AssignPager: v.pagerOf(ap, atotal, "assign_page"),
		Province: province, Unassigned: unassigned, ProvinceOptions: v.provinceOptions(province), AssignState: state,
		AssignStates: v.options("assign_state_", state, inspections.AssignmentAssigned, inspections.AssignmentDone, inspections.AssignmentCancelled, "all"),
		Today:        v.digits(daftar.ToJalali(s.Clock.Now()).String()),
		XLSX:         v.report("inspections", "xlsx"), CSV: v.report("inspections", "csv")}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	for _, u := range inspectors {
		id := strconv.FormatInt(u.ID, 10)
		label, ltr := u.FullName, false
		if label == "" {
			label, ltr = u.Username, true
		}
		d.Inspectors = append(d.Inspectors, option{Value: id, Label: label, Selected: id == d.Form["inspector_id"], LTR: ltr})
	}
	for _, w := range work {
		row := worklistRow{OfficeID: w.Office.ID, Office: w.Office.Name, Code: w.Office.Code, City: v.region(w.Office.City),
			Score: v.num(w.Score, 1), Last: v.t("never_inspected")}
		if w.LastInspectedOn != nil {
			if t, err := daftar.ParseDate(*w.LastInspectedOn); err == nil {
				row.Last = v.date(t)
			}
		}
		for _, r := range w.Reasons {
			row.Reasons = append(row.Reasons, v.riskReason(r))
		}
		if a := w.Assignment; a != nil {
			row.Assigned, row.Inspector, row.Due, row.Overdue = true, a.Inspector, v.isoDate(a.DueOn), a.Overdue
		}
		d.Worklist = append(d.Worklist, row)
	}
	var ids []int64
	for _, a := range assigns {
		ids = append(ids, a.OfficeID)
	}
	labels, err := s.Offices.Labels(ctx, nil, ids)
	if err != nil {
		return staffResult{}, err
	}
	for _, a := range assigns {
		l := labels[a.OfficeID]
		d.Assignments = append(d.Assignments, assignmentRow{ID: a.ID, OfficeID: a.OfficeID, Office: nameIn(v.lang, l.NameFa, l.NameEn),
			Inspector: a.Inspector, Due: v.isoDate(a.DueOn), State: v.word("assign_state_", a.State), StateClass: assignmentBadge(a),
			Reason: a.Reason, Note: a.Note, Open: a.State == inspections.AssignmentAssigned, Overdue: a.Overdue})
	}
	return staffResult{status: status, page: "admin_inspections", title: "inspections_title", data: d}, nil
}

func assignmentBadge(a inspections.Assignment) string {
	switch {
	case a.Overdue:
		return "badge-bad"
	case a.State == inspections.AssignmentDone:
		return "badge-good"
	case a.State == inspections.AssignmentAssigned:
		return "badge-warn"
	}
	return ""
}

// isoDate writes a stored Tehran day (2026-12-20) in the Jalali calendar.
func (v *staffView) isoDate(day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, daftar.Tehran())
	if err != nil {
		return v.digits(day)
	}
	return v.date(t)
}

// riskReason says one share of a risk score in the reader's words: the
// signal, its figure and its points.
func (v *staffView) riskReason(r inspections.Reason) string {
	var figure string
	switch r.Code {
	case inspections.ReasonExtraFee:
		figure = v.pct(r.Value, 1)
		if r.Low != nil && r.High != nil {
			figure += " (" + v.pct(*r.Low, 1) + " – " + v.pct(*r.High, 1) + ")"
		}
	case inspections.ReasonLowSatisfaction:
		figure = v.num(r.Value, 2)
	case inspections.ReasonSinceInspection:
		if r.Value < 0 {
			figure = v.t("never_inspected")
		} else {
			figure = v.count(int64(r.Value)) + " " + v.t("days")
		}
	default:
		figure = v.count(int64(r.Value))
	}
	return v.word("risk_", r.Code) + ": " + figure + " (" + v.num(r.Points, 1) + " " + v.t("points") + ")"
}

// assignPage is POST /api/v1/inspections/assignments's form.
func (s *Server) assignPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		form := formOf(c, 600, "office_id", "inspector_id", "due_on", "reason")
		var fe daftar.FieldErrors
		in := inspections.NewAssignment{DueOn: form["due_on"], Reason: form["reason"]}
		if n := intField(&fe, form, "office_id", 1, 1<<62); n != nil {
			in.OfficeID = *n
		}
		if n := intField(&fe, form, "inspector_id", 1, 1<<62); n != nil {
			in.InspectorID = *n
		}
		err := fe.Err(daftar.KindInvalid, "invalid_assignment", "the assignment is not valid")
		if err == nil {
			_, err = s.Planner.Assign(c.Request.Context(), in)
		}
		if err != nil {
			f, status, err := v.refused(err, "assign-"+form["office_id"], form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildInspections(c, v.at("/admin/inspections"), f, status)
		}
		return done("/admin/inspections#assignments", "inspection_assigned", v.lang), nil
	})(c)
}

// cancelAssignmentPage is POST /api/v1/inspections/assignments/{id}/cancel's form.
func (s *Server) cancelAssignmentPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		form := formOf(c, 600, "note")
		if _, err := s.Planner.ActOnAssignment(c.Request.Context(), id, inspections.AssignmentCancel, form["note"]); err != nil {
			f, status, err := v.refused(err, "cancel-"+strconv.FormatInt(id, 10), form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildInspections(c, v.at("/admin/inspections"), f, status)
		}
		return done("/admin/inspections#assignments", "assignment_cancelled", v.lang), nil
	})(c)
}

type checklistRow struct {
	Code, Title, Severity, SeverityClass string
	Result, Note, Error                  string
}

type inspectionRow struct {
	When, Inspector, Findings, Checklist string
}

type recordData struct {
	staffForm
	OfficeID           int64
	Office, Code, City string
	Version            int
	Title              string
	Items              []checklistRow
	Results            []option
	Today              string
	Recent             []inspectionRow
	AssignedTo         string
	AssignedDue        string
	VersionText        string
}

func (s *Server) recordInspectionForm(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		return s.buildRecord(c, v, v.notice(), http.StatusOK)
	})(c)
}

func (s *Server) buildRecord(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	o, err := s.Offices.Get(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	cl, err := s.Inspections.Checklist(ctx, 0)
	if err != nil {
		return staffResult{}, err
	}
	d := recordData{staffForm: form, OfficeID: o.ID, Office: nameIn(v.lang, o.NameFa, o.NameEn), Code: o.Code, City: v.region(o.CityCode),
		Version: cl.Version, VersionText: v.count(int64(cl.Version)), Title: cl.Title, Today: v.digits(daftar.ToJalali(s.Clock.Now()).String())}
	if d.Form == nil {
		d.Form = map[string]string{"inspected_on": d.Today}
	}
	for _, it := range cl.Items {
		d.Items = append(d.Items, checklistRow{Code: it.Code, Title: nameIn(v.lang, it.TitleFa, it.TitleEn), Severity: v.word("severity_", it.Severity),
			SeverityClass: severityBadge(it.Severity), Result: d.Form["result_"+it.Code], Note: d.Form["note_"+it.Code]})
	}
	for _, r := range []string{inspections.ResultPass, inspections.ResultFail, inspections.ResultNotApplicable} {
		d.Results = append(d.Results, option{Value: r, Label: v.t("result_" + r)})
	}
	recent, _, err := s.Inspections.Inspections(ctx, id, 5, 0)
	if err != nil {
		return staffResult{}, err
	}
	for _, in := range recent {
		row := inspectionRow{When: v.isoDate(in.InspectedOn), Inspector: in.Inspector,
			Findings: v.count(int64(in.Critical)) + " " + v.t("severity_critical") + v.t("comma") + v.count(int64(in.Major)) + " " + v.t("severity_major") +
				v.t("comma") + v.count(int64(in.Minor)) + " " + v.t("severity_minor")}
		if in.ChecklistVersion != nil {
			row.Checklist = v.count(int64(*in.ChecklistVersion))
		}
		d.Recent = append(d.Recent, row)
	}
	open, _, err := s.Planner.Assignments(ctx, inspections.AssignmentFilter{OfficeID: id, State: inspections.AssignmentAssigned, Limit: 1})
	if err != nil {
		return staffResult{}, err
	}
	if len(open) == 1 {
		d.AssignedTo, d.AssignedDue = open[0].Inspector, v.isoDate(open[0].DueOn)
	}
	return staffResult{status: status, page: "admin_inspection", title: "inspections_title", data: d}, nil
}

func severityBadge(sev string) string {
	switch sev {
	case inspections.SeverityCritical:
		return "badge-bad"
	case inspections.SeverityMajor:
		return "badge-warn"
	}
	return ""
}

// recordInspectionPage is POST /api/v1/offices/{id}/inspections's form:
// an answer to every item of the checklist version shown.
func (s *Server) recordInspectionPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		names := []string{"inspected_on", "notes", "checklist_version"}
		if err := c.Request.ParseForm(); err != nil {
			return staffResult{}, daftar.Invalid("malformed_form", "the form could not be read")
		}
		for k := range c.Request.PostForm {
			if strings.HasPrefix(k, "result_") || strings.HasPrefix(k, "note_") {
				names = append(names, k)
			}
		}
		form := formOf(c, 2100, names...)
		var fe daftar.FieldErrors
		in := inspections.NewInspection{InspectedOn: form["inspected_on"], Notes: form["notes"]}
		if n := intField(&fe, form, "checklist_version", 1, 1_000_000); n != nil {
			in.ChecklistVersion = int(*n)
		}
		for _, k := range names {
			if code, ok := strings.CutPrefix(k, "result_"); ok {
				in.Results = append(in.Results, inspections.ResultInput{Item: code, Result: form[k], Note: form["note_"+code]})
			}
		}
		err = fe.Err(daftar.KindInvalid, "invalid_inspection", "the inspection is not valid")
		if err == nil {
			if _, err = s.Offices.Get(c.Request.Context(), id); err == nil {
				_, err = s.Inspections.RecordInspection(c.Request.Context(), id, in)
			}
		}
		if err != nil {
			f, status, err := v.refused(err, "record", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildRecord(c, v.at("/admin/inspections/offices/"+strconv.FormatInt(id, 10)), f, status)
		}
		return done("/admin/offices/"+strconv.FormatInt(id, 10)+"#inspections", "inspection_recorded", v.lang), nil
	})(c)
}
