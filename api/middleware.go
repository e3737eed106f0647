package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

const (
	ctxRequestID = "daftar.request_id"
	ctxUser      = "daftar.user"
	ctxOutcome   = "daftar.outcome"
	ctxBody      = "daftar.body"
	cookieName   = "daftar_session"
)

// outcomeClientGone marks a request whose client left before the answer
// (set by fail, read by observe); statusClientGone is the status the access
// log and metrics show for it, as nginx's 499.
const (
	outcomeClientGone = "client_gone"
	statusClientGone  = 499
)

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID takes the caller's X-Request-ID when it is sane, otherwise makes
// one, and echoes it.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !safeRequestID.MatchString(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// recoverPanics turns a panic in a handler into a logged 500 problem.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "route", c.FullPath(),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, daftar.Internal(fmt.Errorf("panic: %v", r)))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// observe writes the access log and the request metrics. It logs the route
// template, never the raw path or query (survey tokens travel in paths,
// national codes may travel in queries), and never headers.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status, size := c.Writer.Status(), max(c.Writer.Size(), 0)
	var outcome string
	if c.GetString(ctxOutcome) == outcomeClientGone {
		// Nothing was answered: log what happened, not gin's default 200.
		status, outcome = statusClientGone, "client went away; the request failed and its changes were rolled back"
	}
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route, "status", status,
		"elapsed_ms", float64(elapsed.Microseconds()) / 1000, "bytes", size, "client_ip", c.ClientIP()}
	if outcome != "" {
		attrs = append(attrs, "outcome", outcome)
	}
	if a, ok := daftar.ActorFrom(c.Request.Context()); ok {
		attrs = append(attrs, "user_id", a.UserID, "role", string(a.Role))
	}
	level := slogLevelFor(status)
	s.log.Log(c.Request.Context(), level, "http request", attrs...)
}

// limitBody bounds the request body of the route.
func (s *Server) limitBody(r route) gin.HandlerFunc {
	limit := s.cfg.MaxBodyBytes
	if r.Upload {
		limit = s.cfg.UploadMaxBytes
	}
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			s.fail(c, daftar.TooLarge("body_too_large", fmt.Sprintf("the request body is larger than %d bytes", limit)))
			return
		}
		body := &watchedBody{ReadCloser: http.MaxBytesReader(c.Writer, c.Request.Body, limit)}
		c.Set(ctxBody, body)
		c.Request.Body = body
		c.Next()
	}
}

// watchedBody remembers that reading the request body failed for a reason
// other than its end or its limit: the client's connection broke (it went
// away mid-upload), which the request context does not say until later.
type watchedBody struct {
	io.ReadCloser
	broken atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			b.broken.Store(true)
		}
	}
	return n, err
}

// bodyBroken reports whether reading the request's body failed midway.
func bodyBroken(c *gin.Context) bool {
	b, ok := c.Get(ctxBody)
	if !ok {
		return false
	}
	wb, ok := b.(*watchedBody)
	return ok && wb.broken.Load()
}

// tokenOf reads the bearer token, or the dashboard's session cookie.
func tokenOf(c *gin.Context) (string, bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", true
		}
		return strings.TrimSpace(tok), true
	}
	if ck, err := c.Cookie(cookieName); err == nil && ck != "" {
		return ck, false
	}
	return "", false
}

// authenticate resolves the token, when there is one, to the actor in the
// request context. Whether an actor is needed is the route's business: a
// public route ignores a credential that does not resolve (a stale token
// must not break the health check or the finder), and so does any route
// for a stale dashboard cookie, which is forgotten so that pages send the
// caller to the sign-in page.
func (s *Server) authenticate(r route) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, bearer := tokenOf(c)
		if tok == "" && !bearer {
			c.Next()
			return
		}
		u, err := s.signedIn(c, tok, bearer)
		switch {
		case daftar.IsKind(err, daftar.KindUnauthenticated) && (!bearer || r.Access.Public):
			if !bearer {
				c.SetCookie(cookieName, "", -1, "/", "", s.cfg.SecureCookies, true)
			}
			c.Next()
		case err != nil:
			s.fail(c, err)
		default:
			// What a signed-in caller reads is theirs: no cache keeps it.
			c.Header("Cache-Control", "no-store")
			c.Set(ctxUser, u)
			c.Request = c.Request.WithContext(daftar.WithActor(c.Request.Context(), u.Actor()))
			c.Next()
		}
	}
}

// signedIn is the account of a token; a cookie-authenticated change must
// come from Daftar's own pages.
func (s *Server) signedIn(c *gin.Context, tok string, bearer bool) (accounts.User, error) {
	u, _, err := s.Accounts.Authenticate(c.Request.Context(), tok)
	if err != nil {
		return u, err
	}
	if !bearer && unsafeMethod(c.Request.Method) && !sameOrigin(c.Request) {
		return u, daftar.Forbidden("cross_origin", "a cookie-authenticated change must come from Daftar's own pages")
	}
	return u, nil
}

// secureHeaders are on every answer: no content sniffing, and HSTS when
// the cookies are marked Secure (Daftar is served over HTTPS).
func (s *Server) secureHeaders(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	if s.cfg.SecureCookies {
		c.Header("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// publicCache lets shared caches keep an answer for anyone, unless the
// caller is signed in (what they read is then theirs, kept by no cache).
func publicCache(c *gin.Context, value string) {
	if _, ok := c.Get(ctxUser); !ok {
		c.Header("Cache-Control", value)
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// sameOrigin guards cookie-authenticated changes against cross-site
// requests, beside the cookie's SameSite=Strict.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			origin = ref
		} else {
			return r.Header.Get("Sec-Fetch-Site") == "" || r.Header.Get("Sec-Fetch-Site") == "same-origin"
		}
	}
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
	if i := strings.IndexByte(o, '/'); i >= 0 {
		o = o[:i]
	}
	return o == r.Host
}

// authorize applies the route's access rule. A page asked for without a
// session sends the browser to the sign-in page instead of answering 401.
func (s *Server) authorize(r route) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := s.allowed(r, c)
		switch {
		case err == nil:
			c.Next()
		case r.Page && daftar.IsKind(err, daftar.KindUnauthenticated):
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
		default:
			s.fail(c, err)
		}
	}
}

// allowed says why the caller may not call the route, or nil.
func (s *Server) allowed(r route, c *gin.Context) error {
	// A form of Daftar's pages (the sign-in form above all) is posted from
	// Daftar's own pages only, session or not: no login CSRF.
	if r.Page && unsafeMethod(c.Request.Method) && !sameOrigin(c.Request) {
		return daftar.Forbidden("cross_origin", "a form must be sent from Daftar's own pages")
	}
	if r.Access.Public {
		return nil
	}
	a, ok := daftar.ActorFrom(c.Request.Context())
	if !ok {
		return daftar.Unauthenticated("not_signed_in", "sign in first: send Authorization: Bearer <token>")
	}
	if !r.Access.allows(a) {
		return daftar.Forbidden("forbidden", "your role may not do this")
	}
	if r.Access.OfficeParam != "" {
		id, err := pathID(c, r.Access.OfficeParam)
		if err != nil {
			return err
		}
		// An owner asking about another office learns nothing, not even
		// that it exists.
		if !a.CanSeeOffice(id) {
			return daftar.NotFound("office_not_found", "no such office")
		}
	}
	return nil
}
