package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// /admin/complaints: the case queue by deadline (GET /api/v1/complaints),
// one case with its steps (GET /api/v1/complaints/{id}) and the steps
// staff take on it (POST /api/v1/complaints/{id}/{action}: the same
// service call, which decides who may take which step: an inspector
// investigates and resolves only the cases assigned to them).

type complaintListRow struct {
	ID                                            int64
	Code, Filed, Office, Category, State, Outcome string
	Due, Late, Inspector, StateClass              string
	OfficeID                                      int64
	Overdue, Escalated                            bool
}

type complaintsData struct {
	staffForm
	Rows                               []complaintListRow
	Pager                              pager
	State, Category, Province, Overdue string
	Mine, OfficeID                     string
	StateOptions, CategoryOptions      []option
	ProvinceOptions                    []option
	IsInspector                        bool
	XLSX, CSV                          string
}

func (s *Server) adminComplaintsPage(c *gin.Context) { s.staffPage(s.complaintsPage)(c) }

// inspectorNames are the inspectors' usernames by account id.
func (s *Server) inspectorNames(c *gin.Context) (map[int64]string, []accounts.User, error) {
	active := false
	list, _, err := s.Accounts.List(c.Request.Context(), accounts.ListFilter{Role: string(daftar.RoleInspector), Disabled: &active, Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	for _, u := range list {
		names[u.ID] = u.Username
	}
	return names, list, nil
}

func (s *Server) complaintsPage(c *gin.Context, v *staffView) (staffResult, error) {
	p, fe := pageOf(c, 50, 200)
	f := complaints.Filter{Page: p.Page, PageSize: p.PageSize, Province: c.Query("province"),
		Category: complaints.Category(c.Query("category")), State: complaints.State(c.Query("state"))}
	if f.Province != "" {
		if r, ok := s.Gazetteer.Get(f.Province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	if f.Category != "" {
		if _, ok := complaints.RuleOf(f.Category); !ok {
			fe.Add("category", "invalid", "is not a category")
		}
	}
	if f.State != "" && !f.State.Valid() {
		fe.Add("state", "invalid", "is not a state")
	}
	f.OfficeID = intQuery(c, &fe, "office_id", 1, 1<<62)
	overdue, mine := c.Query("overdue"), c.Query("mine")
	f.Overdue = overdue == "true"
	actor, _ := daftar.ActorFrom(c.Request.Context())
	if mine == "true" {
		f.InspectorID = actor.UserID
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Complaints.List(c.Request.Context(), f)
	if err != nil {
		return staffResult{}, err
	}
	names, _, err := s.inspectorNames(c)
	if err != nil {
		return staffResult{}, err
	}
	d := complaintsData{staffForm: v.notice(), Pager: v.pager(p, total), State: string(f.State), Category: string(f.Category),
		Province: f.Province, Overdue: overdue, Mine: mine, OfficeID: c.Query("office_id"), ProvinceOptions: v.provinceOptions(f.Province),
		IsInspector: actor.Role == daftar.RoleInspector,
		XLSX:        v.report("complaints", "xlsx"), CSV: v.report("complaints", "csv")}
	for _, st := range complaints.States {
		d.StateOptions = append(d.StateOptions, option{Value: string(st), Label: v.t("cs_" + string(st)), Selected: st == f.State})
	}
	for _, r := range complaints.Categories() {
		d.CategoryOptions = append(d.CategoryOptions, option{Value: string(r.Category), Label: r.Name(v.lang), Selected: r.Category == f.Category})
	}
	for _, x := range list {
		d.Rows = append(d.Rows, v.complaintRowOf(x, names))
	}
	return staffResult{page: "admin_complaints", title: "complaints_queue", data: d}, nil
}

func (v *staffView) complaintRowOf(x complaints.Complaint, names map[int64]string) complaintListRow {
	row := complaintListRow{ID: x.ID, Code: complaints.FormatTrackingCode(x.TrackingCode), Filed: v.date(x.FiledAt), Office: x.OfficeName,
		OfficeID: x.OfficeID, State: v.t("cs_" + string(x.State)), StateClass: complaintBadge(x.State), Due: v.date(x.DueAt),
		Overdue: x.Overdue, Escalated: x.EscalatedAt != nil}
	if r, ok := complaints.RuleOf(x.Category); ok {
		row.Category = r.Name(v.lang)
	}
	if x.Outcome != "" {
		row.Outcome = v.t("co_" + string(x.Outcome))
	}
	if x.Overdue {
		row.Late = v.count(int64(x.OverdueBy.Days()))
	}
	if x.InspectorID != nil {
		row.Inspector = names[*x.InspectorID]
	}
	return row
}

func complaintBadge(s complaints.State) string {
	switch s {
	case complaints.StateResolved, complaints.StateClosed:
		return "badge-good"
	case complaints.StateNew, complaints.StateReopened:
		return "badge-warn"
	}
	return ""
}

type complaintEventRow struct {
	When, Step, From, To, Actor, Role, Note, Outcome, Inspector string
	Person                                                      string // who, when no account: the citizen, the system
}

type complaintData struct {
	staffForm
	complaintListRow
	Service, Paid, Fee, Extra, Description string
	Mobile, VisitDay, Reply, PublicNote    string
	FromSurvey                             bool
	Events                                 []complaintEventRow
	Actions                                []string // the steps its state allows a staff member
	Inspectors                             []option
	Outcomes                               []option
}

func (s *Server) adminComplaint(c *gin.Context) { s.staffPage(s.complaintCasePage)(c) }

func (s *Server) complaintCasePage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildComplaint(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildComplaint(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	x, events, err := s.Complaints.Case(c.Request.Context(), id)
	if err != nil {
		return staffResult{}, err
	}
	names, inspectors, err := s.inspectorNames(c)
	if err != nil {
		return staffResult{}, err
	}
	d := complaintData{staffForm: form, complaintListRow: v.complaintRowOf(x, names), Description: x.Description,
		Mobile: x.MobileMasked, FromSurvey: x.FromSurvey, Reply: x.OwnerReply, PublicNote: x.PublicNote,
		Paid: "—", Fee: "—"}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if sv, ok := s.Catalogue.Get(x.Service); ok {
		d.Service = nameIn(v.lang, sv.NameFa, sv.NameEn)
	}
	if x.AmountPaidRials != nil {
		d.Paid = v.count(*x.AmountPaidRials) + " " + v.t("rials")
	}
	if x.OfficialFeeRials != nil {
		d.Fee = v.count(*x.OfficialFeeRials) + " " + v.t("rials")
	}
	if e := x.ExtraRials(); e != nil {
		d.Extra = v.count(*e) + " " + v.t("rials")
	}
	if x.VisitDay != "" {
		if t, err := daftar.ParseDate(x.VisitDay); err == nil {
			d.VisitDay = v.date(t)
		}
	}
	for _, e := range events {
		row := complaintEventRow{When: v.dateTime(e.At), Step: v.word("complaint_step_", string(e.Action)), Actor: e.ActorName, Note: e.Note}
		switch {
		case e.ActorRole == "": // the citizen who filed
			row.Actor, row.Person = "", v.word("actor_", e.ActorName)
		case strings.HasPrefix(e.ActorName, "system:"): // a job
			row.Actor, row.Person = "", v.t("actor_system")
		default:
			row.Role = v.word("role_", string(e.ActorRole))
		}
		if e.From != e.To && e.To != "" {
			row.To = v.t("cs_" + string(e.To))
			if e.From != "" {
				row.From = v.t("cs_" + string(e.From))
			}
		}
		if e.Outcome != "" {
			row.Outcome = v.t("co_" + string(e.Outcome))
		}
		if e.InspectorID != nil {
			row.Inspector = names[*e.InspectorID]
		}
		d.Events = append(d.Events, row)
	}
	for _, a := range complaints.Actions {
		if a != complaints.Reply && complaints.Allowed(a, x.State) {
			d.Actions = append(d.Actions, string(a))
		}
	}
	chosen := form.Form["inspector_id"]
	for _, u := range inspectors {
		id := strconv.FormatInt(u.ID, 10)
		label, ltr := u.FullName, false
		if label == "" {
			label, ltr = u.Username, true
		}
		d.Inspectors = append(d.Inspectors, option{Value: id, Label: label, Selected: id == chosen, LTR: ltr})
	}
	for _, o := range []complaints.Outcome{complaints.Upheld, complaints.NotUpheld} {
		d.Outcomes = append(d.Outcomes, option{Value: string(o), Label: v.t("co_" + string(o)), Selected: form.Form["outcome"] == string(o)})
	}
	return staffResult{status: status, page: "admin_complaint", title: "complaints_queue", data: d}, nil
}

// complaintActionPage is POST /api/v1/complaints/{id}/{action}'s form for
// staff (an owner replies from the office's dashboard).
func (s *Server) complaintActionPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		action := complaints.Action(c.Param("action"))
		if action == complaints.Reply || !slices.Contains(complaints.Actions, action) {
			return staffResult{}, daftar.NotFound("unknown_action", "no such step")
		}
		form := formOf(c, 2100, "note", "inspector_id", "outcome")
		var fe daftar.FieldErrors
		in := complaints.ActionInput{Action: action, Note: form["note"], Outcome: complaints.Outcome(form["outcome"])}
		if action == complaints.Assign {
			if n := intField(&fe, form, "inspector_id", 1, 1<<62); n != nil {
				in.InspectorID = *n
			}
		}
		err = fe.Err(daftar.KindInvalid, "invalid_complaint_action", "the step is not valid")
		if err == nil {
			_, err = s.Complaints.Act(c.Request.Context(), id, in)
		}
		path := "/admin/complaints/" + strconv.FormatInt(id, 10)
		if err != nil {
			f, status, err := v.refused(err, string(action), form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildComplaint(c, v.at(path), f, status)
		}
		return done(path, "complaint_"+string(action), v.lang), nil
	})(c)
}
