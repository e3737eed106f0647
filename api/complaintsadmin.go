package api

import (
	"fmt"
	"net/url"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/gin-gonic/gin"
)

// The staff's complaints queue page, /admin/complaints: the same filters
// and order as GET /api/v1/complaints; the steps themselves are taken
// through the API.

type provinceRow struct{ Code, Name string }

type complaintRow struct {
	ID                            int64
	Code, Filed, Office, Category string
	State, StateKey, Outcome, Due string
	Overdue, Escalated            bool
	OverdueDays                   string
}

func (s *Server) adminComplaintsPage(c *gin.Context) (any, error) {
	lang := s.langOf(c)
	tr := translator(lang)
	q := s.query(c).strictly()
	f, p := complaintFilter(q)
	q.checkRegion("province", f.Province, geo.LevelProvince)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Complaints.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	num := numberFormatter(lang)
	rows := make([]complaintRow, len(list))
	for i, x := range list {
		rows[i] = complaintRow{ID: x.ID, Code: complaints.FormatTrackingCode(x.TrackingCode), Filed: dateIn(lang, x.FiledAt),
			Office: x.OfficeName, State: tr("cs_" + string(x.State)), StateKey: string(x.State), Due: dateIn(lang, x.DueAt),
			Overdue: x.Overdue, Escalated: x.EscalatedAt != nil, OverdueDays: num(x.OverdueBy.Days())}
		if r, ok := complaints.RuleOf(x.Category); ok {
			rows[i].Category = r.Name(lang)
		}
		if x.Outcome != "" {
			rows[i].Outcome = tr("co_" + string(x.Outcome))
		}
	}
	var provinces []provinceRow
	for _, r := range s.Gazetteer.Level(geo.LevelProvince) {
		provinces = append(provinces, provinceRow{Code: r.Code, Name: nameIn(lang, r.NameFa, r.NameEn)})
	}
	var cats, states []complaintOption
	for _, r := range complaints.Categories() {
		cats = append(cats, complaintOption{Value: string(r.Category), Label: r.Name(lang), Checked: f.Category == r.Category})
	}
	for _, st := range complaints.States {
		states = append(states, complaintOption{Value: string(st), Label: tr("cs_" + string(st)), Checked: f.State == st})
	}
	pagesN := int((total + int64(p.PageSize) - 1) / int64(p.PageSize))
	link := func(page int) string {
		q := url.Values{}
		for _, k := range []string{"state", "category", "province", "overdue", "office_id", "lang", "page_size"} {
			if v := c.Query(k); v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", fmt.Sprint(page))
		return "/admin/complaints?" + q.Encode()
	}
	data := map[string]any{"Rows": rows, "Total": total, "Page": p.Page, "Pages": max(pagesN, 1), "Province": f.Province,
		"ProvinceOptions": provinces, "Categories": cats, "States": states, "Overdue": f.Overdue}
	if p.Page > 1 {
		data["Prev"] = link(p.Page - 1)
	}
	if p.Page < pagesN {
		data["Next"] = link(p.Page + 1)
	}
	return page{Name: "admin_complaints", Title: "complaints_queue", Data: pageData{Data: data}}, nil
}

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
