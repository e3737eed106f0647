package api

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// The complaints against the owner's office on the dashboard, as the
// owner's route GET /offices/{id}/complaints shows them (never the
// citizen's contact, the tracking code or the visit day), each with its
// state and deadline, and a reply form where the case still takes one:
// the same service call as POST /complaints/{id}/reply.

// complaintsShown is how many complaints the dashboard lists, soonest
// deadline first (the route's order); the complaints report has them all.
const complaintsShown = 20

type complaintsView struct {
	Total, Shown string
	More         bool
	Items        []complaintCard
	Report       string
}

type complaintCard struct {
	ID                   int64
	Anchor               string
	Category, State, Key string
	Filed, Due           string
	Overdue, CanReply    bool
	Service, Paid, Fee   string
	Description          template.HTML
	Reply, RepliedAt     string
	ReplyHTML            template.HTML
	Outcome, OutcomeKey  string
	PublicNote           template.HTML
	FormNote, FormError  string
	FormAction           string
}

func (s *Server) complaintsSection(c *gin.Context, k kit, id int64, form *ownerForm) (complaintsView, error) {
	list, total, err := s.Complaints.OfficeComplaints(c.Request.Context(), id, complaints.Filter{Page: 1, PageSize: complaintsShown})
	if err != nil {
		return complaintsView{}, err
	}
	v := complaintsView{Total: k.Int(total), Shown: k.Int(int64(len(list))), More: total > int64(len(list)),
		Report: "/api/v1/reports/complaints.xlsx?lang=" + k.lang}
	f := form.reply()
	for _, x := range list {
		card := complaintCard{ID: x.ID, Anchor: "complaint-" + strconv.FormatInt(x.ID, 10), State: k.t("cs_" + string(x.State)), Key: string(x.State),
			Filed: k.Digits(x.FiledOn.String()), Due: k.Date(x.DueAt), Overdue: x.Overdue,
			CanReply: complaints.Allowed(complaints.Reply, x.State), Description: k.Text(x.Description),
			FormAction: "/dashboard/complaints/" + strconv.FormatInt(x.ID, 10) + "/reply"}
		if k.lang == "en" {
			card.FormAction += "?lang=en"
		}
		if r, ok := complaints.RuleOf(x.Category); ok {
			card.Category = r.Name(k.lang)
		}
		if x.Service != "" {
			if sv, ok := s.Catalogue.Get(x.Service); ok {
				card.Service = nameIn(k.lang, sv.NameFa, sv.NameEn)
			}
		}
		if x.AmountPaidRials != nil {
			card.Paid = k.Rials(*x.AmountPaidRials)
		}
		if x.OfficialFeeRials != nil {
			card.Fee = k.Rials(*x.OfficialFeeRials)
		}
		if x.OwnerReply != "" {
			card.ReplyHTML = k.Text(x.OwnerReply)
			if x.RepliedAt != nil {
				card.RepliedAt = k.Date(*x.RepliedAt)
			}
		}
		if x.Outcome != "" {
			card.Outcome, card.OutcomeKey = k.t("co_"+string(x.Outcome)), string(x.Outcome)
			card.PublicNote = k.Text(x.PublicNote)
		}
		if f != nil && f.ID == x.ID {
			card.FormNote, card.FormError = f.Note, f.Error
		}
		v.Items = append(v.Items, card)
	}
	return v, nil
}

// replyComplaintPage is POST /dashboard/complaints/{id}/reply: the owner's
// answer to a complaint, through the same call as the API's reply. A case
// of another office is not found (404 page); one that no longer takes a
// reply (decided meanwhile) is refused on the dashboard (409), as is an
// empty or overlong answer (422), with what was typed.
func (s *Server) replyComplaintPage(c *gin.Context) (any, error) {
	office, err := ownerOffice(c)
	if err != nil {
		return nil, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	k := s.kitOf(c)
	note := strings.TrimSpace(c.PostForm("note"))
	_, err = s.Complaints.Act(c.Request.Context(), id, complaints.ActionInput{Action: complaints.Reply, Note: note})
	switch {
	case err == nil:
		return redirect(k.back("reply", "complaint-"+strconv.FormatInt(id, 10))), nil
	case daftar.IsKind(err, daftar.KindConflict):
		return s.dashboardPage(c, http.StatusConflict, office, "", &ownerForm{Reply: &noteForm{ID: id, Note: note, Error: k.t("reply_stale")}})
	case daftar.IsKind(err, daftar.KindUnprocessable):
		return s.dashboardPage(c, http.StatusUnprocessableEntity, office, "", &ownerForm{Reply: &noteForm{ID: id, Note: note, Error: k.noteProblem(err)}})
	}
	return nil, err
}
