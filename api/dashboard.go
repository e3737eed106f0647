package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

//go:embed web/templates/*.html web/static/*
var webFS embed.FS

// pages holds one parsed template set per page (layout + the page).
type pages map[string]*template.Template

func loadPages() (pages, error) {
	names, err := fs.Glob(webFS, "web/templates/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	funcs := template.FuncMap{"t": func(string) string { return "" }, "num": func(any) string { return "" }}
	for _, n := range names {
		base := strings.TrimSuffix(n[strings.LastIndex(n, "/")+1:], ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(webFS, "web/templates/layout.html", n)
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
	Licensing        bool // may read the licensing rounds (admin, ministry)
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
	c.Header("X-Content-Type-Options", "nosniff")
	if c.Writer.Header().Get("Referrer-Policy") == "" {
		c.Header("Referrer-Policy", "same-origin")
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// failPage renders an error as a page (the status from statusOf).
func (s *Server) failPage(c *gin.Context, err error) {
	de, ok := daftar.AsError(err)
	if !ok || de.Kind == daftar.KindInternal {
		s.log.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		de = daftar.Internal(err)
	}
	status := statusOf(de.Kind)
	title := "error_page"
	switch status {
	case http.StatusNotFound:
		title = "not_found_page"
	case http.StatusForbidden:
		title = "forbidden_page"
	}
	c.Abort()
	s.render(c, status, "error", title, pageData{Error: de.Message})
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

func (s *Server) home(c *gin.Context) {
	u, ok := c.Get(ctxUser)
	switch {
	case !ok:
		c.Redirect(http.StatusSeeOther, "/login")
	case daftar.Role(u.(accounts.User).Role).Staff():
		c.Redirect(http.StatusSeeOther, "/admin")
	default:
		c.Redirect(http.StatusSeeOther, "/dashboard")
	}
}

func (s *Server) loginPage(c *gin.Context) {
	s.render(c, http.StatusOK, "login", "sign_in", pageData{Next: safeNext(c.Query("next"))})
}

// safeNext keeps a redirect target on this site.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.Contains(n, "\\") {
		return ""
	}
	return n
}

func (s *Server) loginSubmit(c *gin.Context) {
	t := translator(s.langOf(c))
	username, password := c.PostForm("username"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	if strings.TrimSpace(username) == "" || password == "" || len(username) > 100 || len(password) > accounts.MaxPasswordLen {
		s.render(c, http.StatusBadRequest, "login", "sign_in", pageData{Error: t("fill_both"), Next: next, Username: username})
		return
	}
	res, err := s.Accounts.Login(c.Request.Context(), accounts.Attempt{Username: username, Password: password, ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		msg, status := t("bad_credentials"), http.StatusUnauthorized
		if daftar.IsKind(err, daftar.KindTooMany) {
			msg, status = t("throttled"), http.StatusTooManyRequests
		} else if !daftar.IsKind(err, daftar.KindUnauthenticated) {
			s.failPage(c, err)
			return
		}
		s.render(c, status, "login", "sign_in", pageData{Error: msg, Next: next, Username: username})
		return
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(cookieName, res.Token, int(s.Accounts.Config().SessionTTL.Seconds()), "/", "", s.cfg.SecureCookies, true)
	if next == "" {
		next = "/admin"
		if !daftar.Role(res.User.Role).Staff() {
			next = "/dashboard"
		}
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logoutPage(c *gin.Context) {
	if tok, _ := tokenOf(c); tok != "" {
		if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
			s.failPage(c, err)
			return
		}
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(cookieName, "", -1, "/", "", s.cfg.SecureCookies, true)
	c.Redirect(http.StatusSeeOther, "/login")
}

type countFigure struct {
	Label string
	Value int64
}

type provinceRow struct {
	Code, Name         string
	Population, Active int64
	PerOffice          int64
}

func (s *Server) adminHome(c *gin.Context) {
	ctx := c.Request.Context()
	counts, err := s.Offices.Count(ctx)
	if err != nil {
		s.failPage(c, err)
		return
	}
	byStatus, total, active := counts.ByStatus, counts.Total, counts.ActiveByProvince
	users, _ := s.Accounts.Count(ctx)
	lang := s.langOf(c)
	var rows []provinceRow
	for _, p := range s.Gazetteer.Level(geo.LevelProvince) {
		r := provinceRow{Code: p.Code, Name: nameIn(lang, p.NameFa, p.NameEn), Population: p.Population, Active: active[p.Code]}
		if r.Active > 0 {
			r.PerOffice = int64(math.Round(float64(p.Population) / float64(r.Active)))
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].PerOffice > rows[j].PerOffice })
	s.render(c, http.StatusOK, "admin_home", "admin_home", pageData{Data: map[string]any{
		"Counts": []countFigure{{"offices_total", total}, {"offices_active", byStatus[offices.Active]},
			{"offices_suspended", byStatus[offices.Suspended]}, {"users_total", users}},
		"Provinces": rows,
	}})
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

func (s *Server) officesPage(c *gin.Context) {
	lang := s.langOf(c)
	p, fe := pageOf(c, 50, 200)
	f := offices.Filter{Query: queryString(c, &fe, "q", 200), Status: c.Query("status"), Province: c.Query("province"), Limit: p.PageSize, Offset: p.Offset()}
	if f.Province != "" {
		if r, ok := s.Gazetteer.Get(f.Province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	if f.Status != "" && !validOfficeStatus(f.Status) {
		fe.Add("status", "invalid", "is not a status")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the filter is not valid"); err != nil {
		s.failPage(c, err)
		return
	}
	list, total, err := s.Offices.List(c.Request.Context(), f)
	if err != nil {
		s.failPage(c, err)
		return
	}
	rows := make([]officeRow, len(list))
	for i, o := range list {
		rows[i] = s.officeRowOf(lang, o)
	}
	var provinces []provinceRow
	for _, r := range s.Gazetteer.Level(geo.LevelProvince) {
		provinces = append(provinces, provinceRow{Code: r.Code, Name: nameIn(lang, r.NameFa, r.NameEn)})
	}
	pagesN := int((total + int64(p.PageSize) - 1) / int64(p.PageSize))
	link := func(page int) string {
		q := url.Values{}
		for _, k := range []string{"q", "status", "province", "lang", "page_size"} {
			if v := c.Query(k); v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", fmt.Sprint(page))
		return "/admin/offices?" + q.Encode()
	}
	data := map[string]any{"Offices": rows, "Total": total, "Page": p.Page, "Pages": max(pagesN, 1), "Q": f.Query,
		"Province": f.Province, "Status": f.Status, "Statuses": offices.Statuses, "ProvinceOptions": provinces}
	if p.Page > 1 {
		data["Prev"] = link(p.Page - 1)
	}
	if p.Page < pagesN {
		data["Next"] = link(p.Page + 1)
	}
	s.render(c, http.StatusOK, "offices", "offices", pageData{Data: data})
}

func validOfficeStatus(st string) bool {
	for _, v := range offices.Statuses {
		if v == st {
			return true
		}
	}
	return false
}

func (s *Server) officePage(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.failPage(c, err)
		return
	}
	s.showOffice(c, id)
}

func (s *Server) showOffice(c *gin.Context, id int64) {
	o, err := s.Offices.Get(c.Request.Context(), id)
	if err != nil {
		s.failPage(c, err)
		return
	}
	s.render(c, http.StatusOK, "office", "offices", pageData{Data: map[string]any{"Office": s.officeRowOf(s.langOf(c), o)}})
}
