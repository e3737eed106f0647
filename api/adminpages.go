package api

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/gin-gonic/gin"
)

// The staff workbench (/admin/*): server-rendered pages over the same
// service calls as the API routes, with the same access rules (the route
// table). Each page file holds one section: adminpages_<section>.go with
// its template admin_<section>.html. This file is what they share: the
// page adapter (one error exit), number and date formatting in the page's
// language, paging and sorting links, reading forms, and the refusal of a
// form in the reader's words.

// staffResult is what a staff page handler answers: a page, or a redirect
// after a change (post, redirect, get: a reload never repeats the change).
type staffResult struct {
	status   int
	page     string // template name
	title    string // dictionary key of the page title
	data     any
	redirect string
}

// staffHandler builds one staff page; a returned error is rendered as the
// error page in the reader's language.
type staffHandler func(c *gin.Context, v *staffView) (staffResult, error)

// staffPage adapts a staffHandler: the one place a staff page's error
// leaves.
func (s *Server) staffPage(h staffHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		v := s.staffView(c)
		res, err := h(c, v)
		if bad, query, ok := v.badFilter(c, err); ok {
			// A filter that does not parse: the page again without it,
			// saying which was wrong, rather than an error page. The page
			// is built over a copy of the request (gin keeps the query it
			// read first), and answered as the refusal it is.
			c2 := c.Copy()
			c2.Writer = c.Writer
			c2.Request = c.Request.Clone(c.Request.Context())
			c2.Request.URL.RawQuery = query
			v2 := *v
			v2.c, v2.pending = c2, &bad
			if res, err = h(c2, &v2); err == nil && res.redirect == "" {
				res.status = http.StatusBadRequest
			}
		}
		if err != nil {
			s.failPage(c, err)
			return
		}
		if res.redirect != "" {
			c.Redirect(http.StatusSeeOther, res.redirect)
			return
		}
		if res.status == 0 {
			res.status = http.StatusOK
		}
		// Staff pages show records of people and decisions: never cached.
		c.Header("Cache-Control", "no-store")
		s.render(c, res.status, res.page, res.title, pageData{Data: res.data})
	}
}

// staffView formats for one request's page: its language, words, numbers
// and dates, and the links of its lists.
type staffView struct {
	s    *Server
	c    *gin.Context
	lang string
	t    func(string) string
	fa   bool
	path string // the page the links lead back to
	// pending is a refused filter, which notice shows on the page built
	// again without it.
	pending *staffForm
}

func (s *Server) staffView(c *gin.Context) *staffView {
	lang := s.langOf(c)
	return &staffView{s: s, c: c, lang: lang, t: translator(lang), fa: lang != "en", path: c.Request.URL.Path}
}

// at makes the links lead to the page at path: a form posted elsewhere
// that shows its page again with the refusal.
func (v *staffView) at(path string) *staffView {
	v.path = path
	return v
}

// has reports whether the dictionary knows key (the translator answers a
// missing key with the key itself).
func (v *staffView) has(key string) bool { return v.t(key) != key }

// word is the translation of prefix+key, or the key itself (as an
// identifier) when the dictionary has no such word.
func (v *staffView) word(prefix, key string) string {
	if w := v.t(prefix + key); w != prefix+key {
		return w
	}
	return key
}

// digits writes the digits of free text (a round's name) in the page's
// script.
func (v *staffView) digits(s string) string {
	if v.fa {
		return daftar.PersianDigits(s)
	}
	return s
}

// count writes a whole number with thousands grouped.
func (v *staffView) count(n int64) string { return chart.FormatNumber(float64(n), 0, v.fa) }

// num writes x rounded to at most decimals places.
func (v *staffView) num(x float64, decimals int) string { return chart.FormatNumber(x, decimals, v.fa) }

// numPtr writes an optional figure; nil is a dash.
func (v *staffView) numPtr(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return v.num(*p, decimals)
}

// pct writes a share (0-1) as a percentage.
func (v *staffView) pct(share float64, decimals int) string {
	if math.IsNaN(share) {
		return "—"
	}
	return v.num(share*100, decimals) + "٪"
}

func (v *staffView) pctPtr(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return v.pct(*p, decimals)
}

// date writes a day in the Jalali calendar (Tehran).
func (v *staffView) date(t time.Time) string { return v.digits(daftar.ToJalali(t).String()) }

// dateTime writes a Jalali day and the Tehran time of day.
func (v *staffView) dateTime(t time.Time) string { return v.digits(daftar.FormatJalaliDateTime(t)) }

func (v *staffView) dateTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return v.dateTime(*t)
}

// period writes a ranking or report period: "آبان ۱۴۰۵", "Aban 1405".
func (v *staffView) period(code string) string {
	p, err := daftar.ParsePeriod(code)
	if err != nil {
		return v.digits(code)
	}
	if v.fa {
		return p.LabelFa()
	}
	return p.LabelEn()
}

// region names a region in the page's language.
func (v *staffView) region(code string) string {
	if r, ok := v.s.Gazetteer.Get(code); ok {
		return nameIn(v.lang, r.NameFa, r.NameEn)
	}
	return code
}

// link is the current page's address with some query parameters changed
// (an empty value removes one); the page number goes back to the first
// unless it is one of the changes.
func (v *staffView) link(changes ...string) string {
	q := v.c.Request.URL.Query()
	q.Del("page")
	q.Del("done")
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			q.Del(changes[i])
		} else {
			q.Set(changes[i], changes[i+1])
		}
	}
	if enc := q.Encode(); enc != "" {
		return v.path + "?" + enc
	}
	return v.path
}

// pager is a list's paging: where it is, and the links around it.
type pager struct {
	Page, Pages int
	Total       int64
	TotalText   string // the total in the page's digits
	PageText    string // "۲ / ۵"
	Prev, Next  string
}

func (v *staffView) pager(p Page, total int64) pager {
	pages := max(int((total+int64(p.PageSize)-1)/int64(p.PageSize)), 1)
	out := pager{Page: p.Page, Pages: pages, Total: total, TotalText: v.count(total),
		PageText: v.count(int64(p.Page)) + " / " + v.count(int64(pages))}
	if p.Page > 1 {
		out.Prev = v.link("page", strconv.Itoa(min(p.Page-1, pages)))
	}
	if p.Page < pages {
		out.Next = v.link("page", strconv.Itoa(p.Page+1))
	}
	return out
}

// sorting is a list's order: the key in force and, for each key a header
// offers, the link that sorts by it.
type sorting struct {
	By    string
	Links map[string]string
}

// sortOf reads ?sort= among keys (the first is the default); an unknown
// key is refused like any other bad filter.
func (v *staffView) sortOf(fe *daftar.FieldErrors, keys ...string) sorting {
	by := v.c.Query("sort")
	if by == "" {
		by = keys[0]
	}
	known := false
	links := make(map[string]string, len(keys))
	for _, k := range keys {
		known = known || k == by
		links[k] = v.link("sort", k)
	}
	if !known {
		fe.Add("sort", "invalid", "is not a sort order of this list")
		by = keys[0]
	}
	return sorting{By: by, Links: links}
}

// staffForm is what every staff page carries about its forms: the
// success of the last change, or the refusal of this one with what was
// typed, so the reader fixes it rather than typing it again.
type staffForm struct {
	Notice  string            // the last change, done
	Problem string            // why this one was refused
	Details []string          // each refused field, named, in the reader's words
	Fields  map[string]string // the refused fields, by form field name
	Form    map[string]string // what was typed
	Target  string            // which form was refused (a page may have several)
}

// badFilter recognises a GET page refused for its query: it answers the
// refusal in the reader's words and the query without the refused
// parameters.
func (v *staffView) badFilter(c *gin.Context, err error) (staffForm, string, bool) {
	de, ok := daftar.AsError(err)
	if !ok || v.pending != nil || c.Request.Method != http.MethodGet || de.Kind != daftar.KindInvalid || len(de.Fields) == 0 {
		return staffForm{}, "", false
	}
	q := c.Request.URL.Query()
	form := map[string]string{}
	for k := range q {
		form[k] = q.Get(k)
	}
	f, _, _ := v.refused(err, "filter", form)
	for _, fl := range de.Fields {
		q.Del(fieldName(fl.Field))
	}
	return f, q.Encode(), true
}

// notice reads ?done=<key> after a change's redirect, or is the refusal
// of a filter.
func (v *staffView) notice() staffForm {
	if v.pending != nil {
		return *v.pending
	}
	d := v.c.Query("done")
	if d == "" || !v.has("done_"+d) {
		return staffForm{}
	}
	return staffForm{Notice: v.t("done_" + d)}
}

// done is the redirect after a successful change: the page, with the
// change's notice.
func done(path, key string, lang string) staffResult {
	path, frag, _ := strings.Cut(path, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	path += sep + "done=" + url.QueryEscape(key)
	if lang == "en" {
		path += "&lang=en"
	}
	if frag != "" {
		path += "#" + frag
	}
	return staffResult{redirect: path}
}

// refused turns a service's refusal into the form's problem in the
// reader's words and the status to answer; other errors are returned for
// the error page.
func (v *staffView) refused(err error, target string, form map[string]string) (staffForm, int, error) {
	de, ok := daftar.AsError(err)
	if !ok || de.Kind == daftar.KindInternal {
		return staffForm{}, 0, err
	}
	f := staffForm{Problem: v.problem(de), Fields: map[string]string{}, Form: form, Target: target}
	for _, fl := range de.Fields {
		name := fieldName(fl.Field)
		f.Fields[name] = v.fieldProblem(fl)
		label := v.word("column_", name)
		if v.has("field_" + name) {
			label = v.t("field_" + name)
		}
		f.Details = append(f.Details, label+": "+f.Fields[name])
	}
	return f, statusOf(de.Kind), nil
}

// fieldName is the form field a problem names: policy.min_score is the
// form's min_score, answers.overall its overall.
func fieldName(f string) string {
	if i := strings.IndexByte(f, '['); i >= 0 {
		f = f[:i] // policy.exam_provinces[2] is the form's exam_provinces
	}
	if i := strings.LastIndexByte(f, '.'); i >= 0 {
		return f[i+1:]
	}
	return f
}

// problem says why a request was refused, in the reader's words: the
// error's own sentence when the dictionary has it, else its kind's.
func (v *staffView) problem(de *daftar.Error) string {
	if key := "err_" + de.Code; v.has(key) {
		return v.t(key)
	}
	return v.t("err_kind_" + string(de.Kind))
}

// fieldProblem says what is wrong with one field.
func (v *staffView) fieldProblem(fl daftar.FieldError) string {
	if key := "err_field_" + fl.Code; v.has(key) {
		return v.t(key)
	}
	return v.t("err_field_invalid")
}

// formOf reads the named fields of a posted form, trimmed, each at most
// limit characters (the rest is dropped: the service bounds it anyway).
func formOf(c *gin.Context, limit int, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		v := strings.TrimSpace(c.PostForm(n))
		if utf8.RuneCountInString(v) > limit {
			v = string([]rune(v)[:limit])
		}
		out[n] = v
	}
	return out
}

// confirmed reports whether an irreversible step's confirmation box was
// ticked; the refusal names the box.
func confirmed(form map[string]string) error {
	if form["confirm"] == "yes" {
		return nil
	}
	return daftar.Invalid("not_confirmed", "the step cannot be undone: tick the confirmation",
		daftar.Field("confirm", "not_confirmed", "tick to confirm"))
}

// intField reads an optional whole number typed in a form (Persian digits
// accepted); empty is nil.
func intField(fe *daftar.FieldErrors, form map[string]string, name string, lo, hi int64) *int64 {
	s := form[name]
	if s == "" {
		return nil
	}
	n, err := daftar.ParseInt(s)
	if err != nil || n < lo || n > hi {
		fe.Add(name, "out_of_range", "must be a whole number in range")
		return nil
	}
	return &n
}

// floatField reads an optional number typed in a form.
func floatField(fe *daftar.FieldErrors, form map[string]string, name string, lo, hi float64) *float64 {
	s := form[name]
	if s == "" {
		return nil
	}
	x, err := daftar.ParseFloat(s)
	if err != nil || x < lo || x > hi || math.IsNaN(x) {
		fe.Add(name, "out_of_range", "must be a number in range")
		return nil
	}
	return &x
}

// intQuery reads an optional whole-number query parameter.
func intQuery(c *gin.Context, fe *daftar.FieldErrors, name string, lo, hi int64) int64 {
	s := strings.TrimSpace(c.Query(name))
	if s == "" {
		return 0
	}
	n, err := daftar.ParseInt(s)
	if err != nil || n < lo || n > hi {
		fe.Add(name, "invalid", "must be a whole number in range")
		return 0
	}
	return n
}

// option is one choice of a select: its value, words and whether chosen.
type option struct {
	Value, Label string
	Selected     bool
	LTR          bool // the label is an identifier (a username), left to right
}

// options builds a select's choices from values, each named by the
// dictionary under prefix.
func (v *staffView) options(prefix, current string, values ...string) []option {
	out := make([]option, len(values))
	for i, val := range values {
		out[i] = option{Value: val, Label: v.word(prefix, val), Selected: val == current}
	}
	return out
}

// provinceOptions are the provinces for a filter.
func (v *staffView) provinceOptions(current string) []option {
	var out []option
	for _, r := range v.s.Gazetteer.Level("province") {
		out = append(out, option{Value: r.Code, Label: nameIn(v.lang, r.NameFa, r.NameEn), Selected: r.Code == current})
	}
	return out
}

// report is the address of a report download in the page's language.
func (v *staffView) report(kind, format string, params ...string) string {
	q := url.Values{}
	q.Set("lang", v.lang)
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] != "" {
			q.Set(params[i], params[i+1])
		}
	}
	return "/api/v1/reports/" + kind + "." + format + "?" + q.Encode()
}

// can reports whether the caller may use the route method path (as the
// route table writes it): a page offers an action only to those its route
// lets through.
func (v *staffView) can(method, path string) bool {
	actor, ok := daftar.ActorFrom(v.c.Request.Context())
	if !ok {
		return false
	}
	for _, r := range v.s.routes {
		if r.Method == method && r.Path == path {
			return r.Access.Public || r.Access.allows(actor)
		}
	}
	return false
}

// navLink is one entry of the staff navigation.
type navLink struct {
	Href, Key string
	Current   bool
}

// staffSections are the staff pages in the navigation's order, each with
// its dictionary key.
var staffSections = []struct{ path, key string }{
	{"/admin", "nav_home"}, {"/admin/offices", "nav_offices"}, {"/admin/crowding", "nav_crowding"},
	{"/admin/demand", "nav_demand"}, {"/admin/surveys", "nav_surveys"}, {"/admin/ranking", "nav_ranking"},
	{"/admin/complaints", "nav_complaints"}, {"/admin/inspections", "nav_inspections"},
	{"/admin/imports", "nav_imports"}, {"/admin/candidates", "nav_candidates"}, {"/admin/licensing", "nav_licensing"},
	{"/admin/licences", "nav_licences"}, {"/admin/users", "nav_users"}, {"/admin/audit", "nav_audit"},
}

// staffNav lists the staff pages the actor's role may open (by the route
// table), marking the one being read.
func (s *Server) staffNav(c *gin.Context, actor daftar.Actor) []navLink {
	if !actor.Role.Staff() {
		return nil
	}
	path := c.Request.URL.Path
	var out []navLink
	for _, sec := range staffSections {
		for _, r := range s.routes {
			if r.Method == http.MethodGet && r.Path == sec.path && r.Access.allows(actor) {
				cur := path == sec.path || (sec.path != "/admin" && strings.HasPrefix(path, sec.path+"/"))
				out = append(out, navLink{Href: sec.path, Key: sec.key, Current: cur})
			}
		}
	}
	return out
}
