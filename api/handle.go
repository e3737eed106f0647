package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// handle is the shape of a handler: it parses the request, makes one
// service call and returns what to answer, or an error. Errors leave through
// fail, the one place that writes them (problem+json, or a page on page
// routes); a handler never writes an error itself.
type handle = func(c *gin.Context) (any, error)

// reply is an answer that is more than a 200 with a JSON body.
type reply struct {
	Status   int    // default 200
	Body     any    // written as JSON
	ETag     int64  // > 0: the record version, sent as a strong ETag
	Location string // a created record's address
}

// created is 201 with the new record and where it lives.
func created(body any, location string) reply {
	return reply{Status: http.StatusCreated, Body: body, Location: location}
}

// tagged is 200 with a record and its version as the ETag.
func tagged(body any, version int64) reply { return reply{Body: body, ETag: version} }

// file is a download: a spreadsheet or a CSV, never cached.
type file struct {
	ContentType string
	Name        string // Content-Disposition: attachment; filename=...
	Data        []byte
}

// redirect is 303 See Other to a path of this site.
type redirect string

// page is an HTML page rendered in the caller's language.
type page struct {
	Status int // default 200
	Name   string
	Title  string
	Data   pageData
}

// noContent is 204 with no body.
type noContent struct{}

// document is a JSON document already encoded (the OpenAPI document).
type document []byte

// adapt turns a handle into a gin handler: an error goes to fail, a value
// is written by its type (a bare value is 200 JSON).
func (s *Server) adapt(h handle) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := h(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.answer(c, v)
	}
}

func (s *Server) answer(c *gin.Context, v any) {
	switch v := v.(type) {
	case reply:
		status := v.Status
		if status == 0 {
			status = http.StatusOK
		}
		if v.ETag > 0 {
			c.Header("ETag", etagOf(v.ETag))
		}
		if v.Location != "" {
			c.Header("Location", v.Location)
		}
		writeJSON(c, status, v.Body)
	case file:
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, v.Name))
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, v.ContentType, v.Data)
	case redirect:
		c.Redirect(http.StatusSeeOther, string(v))
	case page:
		status := v.Status
		if status == 0 {
			status = http.StatusOK
		}
		s.render(c, status, v.Name, v.Title, v.Data)
	case noContent:
		c.Status(http.StatusNoContent)
	case document:
		c.Data(http.StatusOK, "application/json", v)
	default:
		writeJSON(c, http.StatusOK, v)
	}
}

// handlerOf is the gin handler of a route: a handle adapted, or a plain gin
// handler for the few that stream or serve files themselves.
func (s *Server) handlerOf(r route) (gin.HandlerFunc, error) {
	switch h := r.Handler.(type) {
	case handle:
		return s.adapt(h), nil
	case gin.HandlerFunc:
		return h, nil
	case func(*gin.Context):
		return h, nil
	}
	return nil, fmt.Errorf("api: route %s %s: a handler is a func(*gin.Context) (any, error), not %T", r.Method, r.Path, r.Handler)
}
