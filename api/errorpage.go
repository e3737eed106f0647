package api

import (
	"fmt"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// failPage answers an error with a page: the status of its kind, a title
// and a sentence for that status in the caller's language (never the
// English detail of the error), and the request id to quote to support.
// Internal errors are logged, as fail does.
func (s *Server) failPage(c *gin.Context, err error) {
	err = classify(c.Request.Context(), err)
	if goneUnanswered(c, err) {
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
	setRetryAfter(c, status, de)
	s.errorPage(c, status)
}

// errorPageData is what the error page shows beside its title and text.
type errorPageData struct {
	Status string // in the page's digits
}

// errorPage renders the error page of a status.
func (s *Server) errorPage(c *gin.Context, status int) {
	key := fmt.Sprintf("error_%d", status)
	if _, ok := dictionary()[key]; !ok {
		key = "error_400"
		if status >= 500 {
			key = "error_500"
		}
	}
	lang := s.langOf(c)
	code := itoa(status)
	if lang == "fa" {
		code = daftar.PersianDigits(code)
	}
	c.Abort()
	s.render(c, status, "error", key, pageData{Error: translator(lang)(key + "_text"), Data: errorPageData{Status: code}})
}
