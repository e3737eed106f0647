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
	Problem      string // why a reply or a "done" was refused
	Waiting      waitingView
	Satisfaction satisfactionView
	Ranking      rankingView
	Licence      licenceView
	Complaints   complaintsView
	Inspections  inspectionsView
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
func (s *Server) ownerHome(c *gin.Context) (any, error) {
	id, err := ownerOffice(c)
	if err != nil {
		return nil, err
	}
	var notice string
	if key := c.Query("saved"); key == "contact" || key == "reply" || key == "action" {
		notice = translator(s.langOf(c))(key + "_saved")
	}
	return s.dashboardPage(c, http.StatusOK, id, notice, nil)
}

// dashboardPage gathers every section; form, when set, is a change that
// was refused, shown again in its section with its errors.
func (s *Server) dashboardPage(c *gin.Context, status int, id int64, notice string, form *ownerForm) (any, error) {
	ctx := c.Request.Context()
	k := s.kitOf(c)
	off, err := s.Offices.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	v := dashboardView{Office: s.officeHeadOf(k, off), Notice: notice}
	for _, f := range []*noteForm{form.reply(), form.done()} {
		if f != nil {
			v.Problem = f.Error
		}
	}
	steps := []func() error{
		func() (err error) { v.Waiting, err = s.waitingSection(c, k, id); return },
		func() (err error) { v.Satisfaction, err = s.satisfactionSection(c, k, id); return },
		func() (err error) { v.Ranking, err = s.rankingSection(c, k, id); return },
		func() (err error) { v.Licence, err = s.licenceSection(c, k, id); return },
		func() (err error) { v.Complaints, err = s.complaintsSection(c, k, id, form); return },
		func() (err error) { v.Inspections, err = s.inspectionsSection(c, k, id, form); return },
		func() (err error) { v.Visits, err = s.visitsSection(c, k, id); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	v.Contact = s.contactSection(k, off, form.contact())
	v.Downloads = s.downloadLinks(k)
	c.Header("Cache-Control", "no-store")
	return page{Status: status, Name: "dashboard", Title: "my_office", Data: pageData{Data: v}}, nil
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

// ownerForm is a change the dashboard refused, shown again in its section
// with what was typed: one of the contact details, a reply to a complaint
// or a corrective action marked done.
type ownerForm struct {
	Contact *contactForm
	Reply   *noteForm
	Done    *noteForm
}

// noteForm is a refused note on one record (a complaint, an action).
type noteForm struct {
	ID    int64
	Note  string
	Error string
}

func (f *ownerForm) contact() *contactForm {
	if f == nil {
		return nil
	}
	return f.Contact
}

func (f *ownerForm) reply() *noteForm {
	if f == nil {
		return nil
	}
	return f.Reply
}

func (f *ownerForm) done() *noteForm {
	if f == nil {
		return nil
	}
	return f.Done
}

// back is the dashboard after a saved change, at its section, saying so.
func (k kit) back(saved, section string) string {
	path := "/dashboard?saved=" + saved
	if k.lang == "en" {
		path += "&lang=en"
	}
	return path + "#" + section
}

// noteProblem says why a note was refused, in the page's words.
func (k kit) noteProblem(err error) string {
	de, _ := daftar.AsError(err)
	for _, f := range de.Fields {
		if f.Field == "note" {
			if w := k.t("note_err_" + f.Code); w != "note_err_"+f.Code {
				return w
			}
		}
	}
	return k.t("note_err_invalid")
}
