package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

//go:embed web/templates/*.html web/static/*
var webFS embed.FS

// pages holds one parsed template set per page (layout, the partials
// (files named _*.html, shared by several pages) and the page).
type pages map[string]*template.Template

func loadPages() (pages, error) {
	names, err := fs.Glob(webFS, "web/templates/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(webFS, "web/templates/_*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	funcs := template.FuncMap{"t": func(string) string { return "" }, "num": func(any) string { return "" }, "brief": briefOfficeName}
	for _, n := range names {
		base := strings.TrimSuffix(n[strings.LastIndex(n, "/")+1:], ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(webFS, append(append([]string{"web/templates/layout.html"}, partials...), n)...)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", base, err)
		}
		out[base] = t
	}
	return out, nil
}

// pageData is what every page template receives.
type pageData struct {
	Lang, Dir, Title string
	LangQuery        string // "?lang=en" or ""
	LangAmp          string // "&lang=en" or ""
	User             *accounts.User
	Staff            bool
	Licensing        bool      // may read the licensing rounds (admin, ministry)
	Nav              []navLink // the staff pages the caller may open
	Error            string
	RequestID        string
	Next, Username   string
	Data             any
}

// render writes a page in the caller's language.
func (s *Server) render(c *gin.Context, status int, page, title string, d pageData) {
	lang := s.langOf(c)
	t := translator(lang)
	d.Lang, d.Dir, d.Title, d.RequestID = lang, "rtl", t(title), requestID(c)
	if lang == "en" {
		d.Dir, d.LangQuery, d.LangAmp = "ltr", "?lang=en", "&lang=en"
	}
	if u, ok := c.Get(ctxUser); ok {
		user := u.(accounts.User)
		d.User = &user
		d.Staff = daftar.Role(user.Role).Staff()
		d.Licensing = user.Role == string(daftar.RoleAdmin) || user.Role == string(daftar.RoleMinistry)
		d.Nav = s.staffNav(c, user.Actor())
	}
	tmpl, ok := s.pages[page]
	if !ok {
		c.String(http.StatusInternalServerError, "no such page")
		return
	}
	tmpl, err := tmpl.Clone()
	if err == nil {
		tmpl = tmpl.Funcs(template.FuncMap{"t": t, "num": numberFormatter(lang)})
	}
	var buf bytes.Buffer
	if err == nil {
		err = tmpl.ExecuteTemplate(&buf, "layout", d)
	}
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "render", "page", page, "error", err.Error())
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
	if c.Writer.Header().Get("Cache-Control") == "" {
		c.Header("Cache-Control", "no-store")
	}
	if c.Writer.Header().Get("Referrer-Policy") == "" {
		c.Header("Referrer-Policy", "same-origin")
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// mountDashboard serves the static files; the pages are in the route table.
func (s *Server) mountDashboard(e *gin.Engine) error {
	var err error
	if s.pages, err = loadPages(); err != nil {
		return err
	}
	static, err := fs.Sub(webFS, "web/static")
	if err != nil {
		return err
	}
	e.Group("/static", staticHeaders(static)).StaticFS("", http.FS(static))
	return nil
}

func nameIn(lang, fa, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return fa
}

type officeRow struct {
	ID                                 int64
	Code, Name, City, Province, Status string
	Owner, Address, Phone              string
	Counters                           int
	Latitude, Longitude                float64
	Services                           []string
	Hours                              []dayHours
}

type dayHours struct {
	Day   string
	Spans string
}

func (s *Server) officeRowOf(lang string, o offices.Office) officeRow {
	r := officeRow{ID: o.ID, Code: o.Code, Name: nameIn(lang, o.NameFa, o.NameEn), Status: o.Status, Owner: o.OwnerName,
		Address: o.Address, Phone: o.Phone, Counters: o.Counters, Latitude: o.Latitude, Longitude: o.Longitude}
	if city, ok := s.Gazetteer.Get(o.CityCode); ok {
		r.City = nameIn(lang, city.NameFa, city.NameEn)
	}
	if p, ok := s.Gazetteer.Get(o.ProvinceCode); ok {
		r.Province = nameIn(lang, p.NameFa, p.NameEn)
	}
	for _, code := range o.Services {
		if sv, ok := s.Catalogue.Get(code); ok {
			r.Services = append(r.Services, nameIn(lang, sv.NameFa, sv.NameEn))
		}
	}
	for i, key := range []string{"sat", "sun", "mon", "tue", "wed", "thu", "fri"} {
		var spans []string
		for _, sp := range o.Hours[i] {
			spans = append(spans, sp.String())
		}
		r.Hours = append(r.Hours, dayHours{Day: key, Spans: strings.Join(spans, "، ")})
	}
	return r
}

func (s *Server) showOffice(c *gin.Context, id int64) (any, error) {
	o, err := s.Offices.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Office": s.officeRowOf(s.langOf(c), o)}
	if data["Complaints"], data["ComplaintsTotal"], err = s.officeComplaintRows(c, id); err != nil {
		return nil, err
	}
	return page{Name: "office", Title: "offices", Data: pageData{Data: data}}, nil
}
