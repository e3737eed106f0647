package api

import (
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// The complaints of one office for its page (the owner's dashboard); the
// staff's queue and cases are adminpages_complaints.go.

// officeComplaintRow is a complaint on the office's page, as its owner
// sees it (staff see the same there).
type officeComplaintRow struct {
	ID                                        int64
	Filed, Category, State, StateKey, Outcome string
	Due, Description, Reply, PublicNote       string
	Overdue                                   bool
}

// officeComplaintRows are the latest complaints against an office for its
// page (the owner's dashboard), soonest deadline first.
func (s *Server) officeComplaintRows(c *gin.Context, officeID int64) ([]officeComplaintRow, int64, error) {
	lang := s.langOf(c)
	tr := translator(lang)
	list, total, err := s.Complaints.OfficeComplaints(c.Request.Context(), officeID, complaints.Filter{PageSize: 10})
	if err != nil {
		return nil, 0, err
	}
	rows := make([]officeComplaintRow, len(list))
	for i, v := range list {
		rows[i] = officeComplaintRow{ID: v.ID, Filed: v.FiledOn.Persian(), State: tr("cs_" + string(v.State)),
			StateKey: string(v.State), Due: dateIn(lang, v.DueAt), Description: v.Description, Reply: v.OwnerReply,
			PublicNote: v.PublicNote, Overdue: v.Overdue}
		if lang == "en" {
			rows[i].Filed = v.FiledOn.String()
		}
		if r, ok := complaints.RuleOf(v.Category); ok {
			rows[i].Category = r.Name(lang)
		}
		if v.Outcome != "" {
			rows[i].Outcome = tr("co_" + string(v.Outcome))
		}
	}
	return rows, total, nil
}
