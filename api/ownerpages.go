package api

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/reports"
	"github.com/gin-gonic/gin"
)

// The office owner's dashboard (/dashboard): their own office's waiting,
// satisfaction, ranking, licence, visits and contact details, each section
// read through the same service calls as the owner's API routes, so the
// page shows what the API answers and never more. The sections are built
// in ownerpages_*.go; this file puts them together.

// dashboardView is everything /dashboard shows.
type dashboardView struct {
	Office       officeHead
	Notice       string // after a change was saved
	Waiting      waitingView
	Satisfaction satisfactionView
	Ranking      rankingView
	Licence      licenceView
	Visits       visitsView
	Contact      contactView
	Downloads    []downloadLink
}

type officeHead struct {
	ID                   int64
	City, Status         string
	StatusKey, Counts    string
	Code, Phone          template.HTML // left to right
	Name, Address, Owner template.HTML
}

// ownerOffice is the office of the signed-in owner.
func ownerOffice(c *gin.Context) (int64, error) {
	a, _ := daftar.ActorFrom(c.Request.Context())
	if a.OfficeID == 0 {
		return 0, errors.New("owner without an office")
	}
	return a.OfficeID, nil
}

// ownerHome is GET /dashboard.
func (s *Server) ownerHome(c *gin.Context) {
	id, err := ownerOffice(c)
	if err != nil {
		s.failPage(c, err)
		return
	}
	var notice string
	if c.Query("saved") == "contact" {
		notice = translator(s.langOf(c))("contact_saved")
	}
	s.renderDashboard(c, http.StatusOK, id, notice, nil)
}

// renderDashboard gathers every section; form, when set, is a contact
// change that was refused, shown again with its errors.
func (s *Server) renderDashboard(c *gin.Context, status int, id int64, notice string, form *contactForm) {
	ctx := c.Request.Context()
	k := s.kitOf(c)
	off, err := s.Offices.Get(ctx, id)
	if err != nil {
		s.failPage(c, err)
		return
	}
	v := dashboardView{Office: s.officeHeadOf(k, off), Notice: notice}
	steps := []func() error{
		func() (err error) { v.Waiting, err = s.waitingSection(c, k, id); return },
		func() (err error) { v.Satisfaction, err = s.satisfactionSection(c, k, id); return },
		func() (err error) { v.Ranking, err = s.rankingSection(c, k, id); return },
		func() (err error) { v.Licence, err = s.licenceSection(c, k, id); return },
		func() (err error) { v.Visits, err = s.visitsSection(c, k, id); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			s.failPage(c, err)
			return
		}
	}
	v.Contact = s.contactSection(k, off, form)
	v.Downloads = s.downloadLinks(k)
	c.Header("Cache-Control", "no-store")
	s.render(c, status, "dashboard", "my_office", pageData{Data: v})
}

func (s *Server) officeHeadOf(k kit, o offices.Office) officeHead {
	h := officeHead{ID: o.ID, Name: k.Text(nameIn(k.lang, o.NameFa, o.NameEn)), Code: k.LTR(o.Code), Address: k.Text(o.Address), Owner: k.Text(o.OwnerName),
		StatusKey: o.Status, Status: k.t(o.Status), Counts: k.Int(int64(o.Counters))}
	if o.Phone != "" {
		h.Phone = k.LTR(k.Digits(o.Phone))
	}
	if city, ok := s.Gazetteer.Get(o.CityCode); ok {
		h.City = nameIn(k.lang, city.NameFa, city.NameEn)
	}
	return h
}

// downloadLink is one report the owner may download, in both formats.
type downloadLink struct {
	Label, XLSX, CSV string
}

// downloadLinks lists the report kinds an owner may read (their own
// office's rows), as the report route decides.
func (s *Server) downloadLinks(k kit) []downloadLink {
	var out []downloadLink
	for _, kind := range s.Reports.Kinds() {
		if !s.ownerMayRead(kind) {
			continue
		}
		base := "/api/v1/reports/" + kind
		out = append(out, downloadLink{Label: k.t("report_" + kind), XLSX: base + ".xlsx?lang=" + k.lang, CSV: base + ".csv?lang=" + k.lang})
	}
	return out
}

// ownerMayRead is the report route's rule for owners: every kind but the
// staff's.
func (s *Server) ownerMayRead(kind string) bool { return !reports.StaffOnly(kind) }
