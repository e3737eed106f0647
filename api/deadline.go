package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// errRequestDeadline is the cause of a request context whose time ran out,
// told apart from a client that went away (context.Canceled).
var errRequestDeadline = errors.New("api: the request ran past its deadline")

// writeGrace is how long after its deadline a request may still write its
// answer (the 503 saying the time ran out). readGrace keeps the read
// deadline of the connection just after the context's: the server's
// background read fails at the read deadline and cancels the request as if
// the client had left, so it must not win the race with the deadline.
const (
	writeGrace = 5 * time.Second
	readGrace  = time.Second
)

// timeoutOf is the deadline of a route: uploads and the routes that produce
// a file (reports, spreadsheets) get the long one, every other route the
// interactive one.
func (s *Server) timeoutOf(r route) time.Duration {
	if r.Upload || r.Doc.Produces != "" {
		return s.cfg.UploadTimeout
	}
	return s.cfg.RequestTimeout
}

// deadline bounds the request: its context ends at the route's deadline (so
// every database call under it gives up, and the answer is 503), and so do
// reading its body and, a little later, writing its answer, so a client
// that stalls cannot hold a handler either.
func (s *Server) deadline(r route) gin.HandlerFunc {
	d := s.timeoutOf(r)
	return func(c *gin.Context) {
		end := time.Now().Add(d)
		ctx, cancel := context.WithDeadlineCause(c.Request.Context(), end, errRequestDeadline)
		defer cancel()
		rc := http.NewResponseController(c.Writer)
		// Not every writer supports deadlines (httptest's recorder does
		// not); the context bounds the work either way.
		_ = rc.SetReadDeadline(end.Add(readGrace))
		_ = rc.SetWriteDeadline(end.Add(writeGrace))
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// pastDeadline reports whether the request's own deadline has passed.
func pastDeadline(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), errRequestDeadline)
}

// clientGone reports whether the client went away: its connection closed
// (or shutdown cut the request off), or reading its body broke midway.
// Nobody reads an answer then.
func clientGone(c *gin.Context) bool {
	ctx := c.Request.Context()
	if pastDeadline(ctx) {
		return false
	}
	return ctx.Err() != nil || bodyBroken(c)
}

// goneUnanswered is the one decision of fail and failPage on a request
// whose client went away: nothing is answered and the access log says what
// happened. An answer about the request itself (400, 404, ...) is still
// written when only the context ended; a broken body makes any answer
// moot, as the handler read a truncated request.
func goneUnanswered(c *gin.Context, err error) bool {
	if !clientGone(c) || (isCallersFault(err) && !bodyBroken(c)) {
		return false
	}
	c.Set(ctxOutcome, outcomeClientGone)
	c.Abort()
	return true
}

func deadlineError() *daftar.Error {
	return daftar.Unavailable("request_timeout", "the request took longer than allowed; try again shortly")
}

// retryAfterSeconds is the Retry-After of a 503: long enough for a
// restarting database or a failover, short enough for a person waiting.
const retryAfterSeconds = 5
