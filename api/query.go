package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/gin-gonic/gin"
)

// query reads a request's query parameters, collecting every problem so
// that one answer names all the fields at fault (Persian digits accepted
// wherever a number is read). Each reader returns the zero value for an
// absent or refused parameter.
type query struct {
	s      *Server
	c      *gin.Context
	fe     daftar.FieldErrors
	strict bool // a value sent empty is refused, not read as absent
}

func (s *Server) query(c *gin.Context) *query { return &query{s: s, c: c} }

// strictly makes the number, id, boolean and one-of readers refuse a
// parameter sent with no value (?overdue=) instead of reading it as absent,
// as the complaints, inspections and jobs filters always have.
func (q *query) strictly() *query {
	q.strict = true
	return q
}

// raw is a parameter's value and whether there is one to read: an absent
// parameter is not read, nor an empty one unless the query is strict.
func (q *query) raw(name string) (string, bool) {
	v, ok := q.c.GetQuery(name)
	if q.strict {
		return v, ok
	}
	return v, v != ""
}

// err is the invalid_query problem naming every refused field, or nil.
func (q *query) err() error {
	return q.fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid")
}

// errAs is err with another code and message (an upload's form fields).
func (q *query) errAs(code, msg string) error { return q.fe.Err(daftar.KindInvalid, code, msg) }

// add records a problem found by the handler itself.
func (q *query) add(field, code, msg string) { q.fe.Add(field, code, msg) }

// has reports whether a problem names field.
func (q *query) has(field string) bool { return hasField(q.fe, field) }

// page reads page and page_size.
func (q *query) page(defSize, maxSize int) Page {
	p, fe := pageOf(q.c, defSize, maxSize)
	q.fe = append(q.fe, fe...)
	return p
}

// text reads a string of at most maxLen bytes, trimmed.
func (q *query) text(name string, maxLen int) string { return queryString(q.c, &q.fe, name, maxLen) }

// region reads a region code of the gazetteer at level ("" for any level).
func (q *query) region(name, level string) string {
	v := q.text(name, 64)
	q.checkRegion(name, v, level)
	return v
}

// checkRegion refuses v, the value of name read otherwise, unless it is
// empty or a region code at level ("" for any level).
func (q *query) checkRegion(name, v, level string) {
	if v == "" || q.has(name) {
		return
	}
	r, ok := q.s.Gazetteer.Get(v)
	switch {
	case !ok && level == "":
		q.fe.Add(name, "unknown", "is not a region code")
	case !ok || (level != "" && r.Level != level):
		q.fe.Add(name, "unknown", "is not a "+level+" code")
	}
}

// province reads a province code; city a city code.
func (q *query) province(name string) string { return q.region(name, geo.LevelProvince) }
func (q *query) city(name string) string     { return q.region(name, geo.LevelCity) }

// oneOf reads a value that must be one of allowed.
func (q *query) oneOf(name string, allowed []string) string {
	v, ok := q.raw(name)
	if ok && !slices.Contains(allowed, v) {
		q.fe.Add(name, "invalid", "must be one of "+strings.Join(allowed, ", "))
	}
	return v
}

// oneOfOr is oneOf with a default for an absent parameter.
func (q *query) oneOfOr(name, def string, allowed []string) string {
	if _, ok := q.raw(name); !ok {
		return def
	}
	return q.oneOf(name, allowed)
}

// id reads a positive record id.
func (q *query) id(name string) int64 { return q.intIn(name, 1, 1<<62) }

// intIn reads a whole number from lo to hi.
func (q *query) intIn(name string, lo, hi int64) int64 {
	v, ok := q.raw(name)
	if !ok {
		return 0
	}
	n, err := daftar.ParseInt(v)
	if err != nil || n < lo || n > hi {
		q.fe.Add(name, "invalid", fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return 0
	}
	return n
}

// intOr is intIn with a default for an absent parameter.
func (q *query) intOr(name string, def, lo, hi int64) int64 {
	if _, ok := q.raw(name); !ok {
		return def
	}
	return q.intIn(name, lo, hi)
}

// number reads a finite number from lo to hi; nil when absent.
func (q *query) number(name string, lo, hi float64) *float64 {
	v, ok := q.raw(name)
	if !ok {
		return nil
	}
	f, err := daftar.ParseFloat(v)
	if err != nil || f < lo || f > hi || f != f {
		q.fe.Add(name, "out_of_range", "must be a number from "+fmtNum(lo)+" to "+fmtNum(hi))
		return nil
	}
	return &f
}

// boolean reads true or false; nil when absent.
func (q *query) boolean(name string) *bool {
	v, ok := q.raw(name)
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.fe.Add(name, "invalid", "must be true or false")
		return nil
	}
	return &b
}

// span reads period, or from and to (the current Jalali month without
// either).
func (q *query) span() span { return spanOf(q.c, q.s.Clock.Now(), &q.fe) }

// service reads a service code of the catalogue.
func (q *query) service(name string) string {
	v := q.text(name, 64)
	if v != "" {
		if _, ok := q.s.Catalogue.Get(v); !ok {
			q.fe.Add(name, "unknown", "is not a service code")
		}
	}
	return v
}

// officeParam reads the :id of an office route and checks that the office
// exists (404 otherwise); the route's access rule has already kept owners
// to their own office.
func (s *Server) officeParam(c *gin.Context) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	return id, s.officeExists(c, id)
}

// officeExists is 404 for an office that does not exist.
func (s *Server) officeExists(c *gin.Context, id int64) error {
	_, err := s.Offices.Get(c.Request.Context(), id)
	return err
}
