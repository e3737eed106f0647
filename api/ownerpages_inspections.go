package api

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/gin-gonic/gin"
)

// The inspections of the owner's office and the corrective actions they
// opened, on the dashboard: the inspections as the owner's view of
// GET /offices/{id}/inspections gives them (each checklist item's result,
// not the inspector or their notes), and the corrective actions as
// GET /offices/{id}/corrective-actions, each due one with a "done" form
// through the same call as POST /offices/{id}/corrective-actions/{cid}/done.

// inspectionsShown and actionsShown bound the lists (the route's order:
// the newest inspections, the most urgent actions).
const (
	inspectionsShown = 5
	actionsShown     = 20
)

type inspectionsView struct {
	Total        string
	Inspections  []inspectionCard
	ActionsTotal string
	Actions      []actionCard
	MoreActions  bool
}

type inspectionCard struct {
	ID                     int64
	Day                    string
	Checklist              string
	Minor, Major, Critical string
	Failed, Passed         string
	AnyFailed              bool
	Results                []checkRow
	Findings               []template.HTML
}

type checkRow struct {
	Item      template.HTML
	Result    string
	ResultKey string
	Severity  string
}

type actionCard struct {
	ID                    int64
	Anchor                string
	Item                  template.HTML
	Severity, SeverityKey string
	State, StateKey       string
	Due                   string
	Overdue, CanDone      bool
	DoneNote              template.HTML
	ReviewNote            template.HTML
	FormAction            string
	FormNote, FormError   string
}

func (s *Server) inspectionsSection(c *gin.Context, k kit, id int64, form *ownerForm) (inspectionsView, error) {
	ctx := c.Request.Context()
	list, total, err := s.Inspections.Inspections(ctx, id, inspectionsShown, 0)
	if err != nil {
		return inspectionsView{}, err
	}
	v := inspectionsView{Total: k.Int(total)}
	lists := map[int]inspections.Checklist{}
	for _, in := range list {
		in = in.ForOwner()
		card := inspectionCard{ID: in.ID, Day: k.Digits(jalaliDay(in.InspectedOn)), Minor: k.Int(int64(in.Minor)),
			Major: k.Int(int64(in.Major)), Critical: k.Int(int64(in.Critical))}
		var cl inspections.Checklist
		if in.ChecklistVersion != nil {
			card.Checklist = k.Int(int64(*in.ChecklistVersion))
			var ok bool
			if cl, ok = lists[*in.ChecklistVersion]; !ok {
				if cl, err = s.Inspections.Checklist(ctx, *in.ChecklistVersion); err != nil {
					return inspectionsView{}, err
				}
				lists[*in.ChecklistVersion] = cl
			}
		}
		failed, passed := 0, 0
		for _, r := range in.Results {
			row := checkRow{Item: itemTitle(k, cl, r.Item), Result: k.t("result_" + r.Result), ResultKey: r.Result, Severity: k.t("severity_" + r.Severity)}
			switch r.Result {
			case inspections.ResultFail:
				failed++
			case inspections.ResultPass:
				passed++
			}
			card.Results = append(card.Results, row)
		}
		card.Failed, card.Passed, card.AnyFailed = k.Int(int64(failed)), k.Int(int64(passed)), failed > 0 || len(in.Violations) > 0
		for _, f := range in.Violations {
			card.Findings = append(card.Findings, k.Text(k.t("severity_"+f.Severity)+": "+f.Description))
		}
		v.Inspections = append(v.Inspections, card)
	}
	acts, atotal, err := s.Inspections.CorrectiveActions(ctx, inspections.ActionFilter{OfficeID: id, Limit: actionsShown})
	if err != nil {
		return inspectionsView{}, err
	}
	v.ActionsTotal, v.MoreActions = k.Int(atotal), atotal > int64(len(acts))
	f := form.done()
	for _, a := range acts {
		sid := strconv.FormatInt(a.ID, 10)
		card := actionCard{ID: a.ID, Anchor: "action-" + sid, Item: k.Text(a.Finding), Severity: k.t("severity_" + a.Severity), SeverityKey: a.Severity,
			State: k.t("action_state_" + a.State), StateKey: a.State, Due: k.Digits(jalaliDay(a.DueOn)), Overdue: a.Overdue,
			CanDone:    slices.Contains(inspections.AllowedVerbs(a.State), inspections.DoDone),
			FormAction: "/dashboard/corrective-actions/" + sid + "/done"}
		if k.lang == "en" {
			card.FormAction += "?lang=en"
		}
		if a.DoneNote != nil {
			card.DoneNote = k.Text(*a.DoneNote)
		}
		if a.ReviewNote != nil {
			card.ReviewNote = k.Text(*a.ReviewNote)
		}
		if f != nil && f.ID == a.ID {
			card.FormNote, card.FormError = f.Note, f.Error
		}
		v.Actions = append(v.Actions, card)
	}
	return v, nil
}

// itemTitle names a checklist item in the page's language; an item the
// checklist does not know keeps its code, left to right.
func itemTitle(k kit, cl inspections.Checklist, code string) template.HTML {
	if it, ok := cl.Item(code); ok {
		return k.Text(nameIn(k.lang, it.TitleFa, it.TitleEn))
	}
	return k.LTR(code)
}

// correctiveDonePage is POST /dashboard/corrective-actions/{cid}/done: the
// owner says an action is done, with what was fixed. Another office's
// action is not found (404 page); one already done or confirmed is
// refused on the dashboard (409), as is an empty note (422).
func (s *Server) correctiveDonePage(c *gin.Context) (any, error) {
	office, err := ownerOffice(c)
	if err != nil {
		return nil, err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return nil, err
	}
	k := s.kitOf(c)
	note := strings.TrimSpace(c.PostForm("note"))
	_, err = s.Inspections.Act(c.Request.Context(), office, cid, inspections.DoDone, note)
	switch {
	case err == nil:
		return redirect(k.back("action", "action-"+strconv.FormatInt(cid, 10))), nil
	case daftar.IsKind(err, daftar.KindConflict):
		return s.dashboardPage(c, http.StatusConflict, office, "", &ownerForm{Done: &noteForm{ID: cid, Note: note, Error: k.t("action_stale")}})
	case daftar.IsKind(err, daftar.KindUnprocessable):
		return s.dashboardPage(c, http.StatusUnprocessableEntity, office, "", &ownerForm{Done: &noteForm{ID: cid, Note: note, Error: k.noteProblem(err)}})
	}
	return nil, err
}
