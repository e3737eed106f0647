package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem document, the body of every error.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Code      string              `json:"code"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []daftar.FieldError `json:"errors,omitempty"`
	Extra     map[string]any      `json:"details,omitempty"`
}

// statusOf is the one place where an error kind becomes an HTTP status.
func statusOf(k daftar.Kind) int {
	switch k {
	case daftar.KindInvalid:
		return http.StatusBadRequest
	case daftar.KindUnauthenticated:
		return http.StatusUnauthorized
	case daftar.KindForbidden:
		return http.StatusForbidden
	case daftar.KindNotFound:
		return http.StatusNotFound
	case daftar.KindConflict:
		return http.StatusConflict
	case daftar.KindGone:
		return http.StatusGone
	case daftar.KindPrecondition:
		return http.StatusPreconditionFailed
	case daftar.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case daftar.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case daftar.KindTooMany:
		return http.StatusTooManyRequests
	case daftar.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers with the problem for err and stops the handler chain.
// Unclassified errors are logged with the request id and answered with a
// bare 500: internal details never reach the caller.
func (s *Server) fail(c *gin.Context, err error) {
	err = classify(c.Request.Context(), err)
	if goneUnanswered(c, err) {
		return
	}
	if wantsPage(c) {
		s.failPage(c, err)
		return
	}
	de, ok := daftar.AsError(err)
	if !ok || de.Kind == daftar.KindInternal {
		s.log.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		de = daftar.Internal(err)
	}
	if de.Kind == daftar.KindUnavailable && de.Err != nil {
		s.log.WarnContext(c.Request.Context(), "unavailable", "request_id", requestID(c), "route", c.FullPath(), "code", de.Code, "error", de.Err.Error())
	}
	status := statusOf(de.Kind)
	p := Problem{
		Type:      "https://daftar.ir/problems/" + de.Code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    de.Message,
		Code:      de.Code,
		RequestID: requestID(c),
		Errors:    de.Fields,
		Extra:     de.Extra,
	}
	setRetryAfter(c, status, de)
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="daftar"`)
	}
	c.Abort()
	writeProblem(c, p)
}

// classify gives an error its kind where the cause decides it: a body over
// the limit is 413; a request past its deadline, or a database that is not
// answering (internal/db decides which failures those are), is 503.
func classify(ctx context.Context, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return daftar.TooLarge("body_too_large", "the request body is larger than allowed")
	}
	if de, ok := daftar.AsError(err); ok && de.Kind != daftar.KindInternal {
		return err
	}
	if pastDeadline(ctx) {
		e := deadlineError()
		e.Err = err
		return e
	}
	return db.Classify(err)
}

// isCallersFault is true for the errors that say what was wrong with the
// request itself; those are answered even when the request context ended.
func isCallersFault(err error) bool {
	switch daftar.KindOf(err) {
	case daftar.KindInternal, daftar.KindUnavailable:
		return false
	}
	return true
}

// setRetryAfter tells a throttled or turned-away caller when to come back.
func setRetryAfter(c *gin.Context, status int, de *daftar.Error) {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if ra, ok := de.Extra["retry_after_seconds"].(int); ok {
			c.Header("Retry-After", itoa(ra))
		} else if status == http.StatusServiceUnavailable {
			c.Header("Retry-After", itoa(retryAfterSeconds))
		}
	}
}

func writeProblem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.Status(p.Status)
	body, _ := jsonMarshal(p)
	c.Writer.Write(body)
}

const ctxPage = "daftar.page"

// markPage makes errors on a dashboard route render as pages.
func markPage(c *gin.Context) { c.Set(ctxPage, true) }

// wantsPage says whether an error is answered with an HTML page: on a page
// route, and on any request outside /api/ from a browser (it accepts
// text/html), such as a mistyped dashboard address. API clients always get
// problem+json.
func wantsPage(c *gin.Context) bool {
	if c.GetBool(ctxPage) {
		return true
	}
	p := c.Request.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return false
	}
	return acceptsHTML(c.GetHeader("Accept"))
}

// acceptsHTML reads an Accept header for text/html (or XHTML) with a
// quality above zero.
func acceptsHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		params := strings.Split(part, ";")
		typ := strings.ToLower(strings.TrimSpace(params[0]))
		if typ != "text/html" && typ != "application/xhtml+xml" {
			continue
		}
		q := 1.0
		for _, p := range params[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}
