package api

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

// The sign-in pages: the form, its submission (a session cookie), signing
// out, and / sending each caller to their home.

func (s *Server) home(c *gin.Context) (any, error) {
	u, ok := c.Get(ctxUser)
	switch {
	case !ok:
		return redirect("/login"), nil
	case daftar.Role(u.(accounts.User).Role).Staff():
		return redirect("/admin"), nil
	}
	return redirect("/dashboard"), nil
}

func (s *Server) loginPage(c *gin.Context) (any, error) {
	return page{Name: "login", Title: "sign_in", Data: pageData{Next: safeNext(c.Query("next"))}}, nil
}

// safeNext keeps a redirect target on this site: a single "/" and a path
// (with its query), nothing a browser could read as another host. Control
// characters (a tab or newline that browsers drop, turning "/\t/evil" into
// "//evil"), backslashes (read as "/"), "//" and anything with a scheme or
// host are refused; the caller then goes home.
func safeNext(n string) string {
	if n == "" || len(n) > 2048 || n[0] != '/' || strings.HasPrefix(n, "//") || strings.ContainsRune(n, '\\') {
		return ""
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return ""
		}
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return n
}

func (s *Server) loginSubmit(c *gin.Context) (any, error) {
	t := translator(s.langOf(c))
	username, password := c.PostForm("username"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	again := func(status int, msg string) page {
		return page{Status: status, Name: "login", Title: "sign_in", Data: pageData{Error: msg, Next: next, Username: username}}
	}
	if strings.TrimSpace(username) == "" || password == "" || len(username) > 100 || len(password) > accounts.MaxPasswordLen {
		return again(http.StatusBadRequest, t("fill_both")), nil
	}
	res, err := s.Accounts.Login(c.Request.Context(), accounts.Attempt{Username: username, Password: password, ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	s.metrics.loginRefused(err)
	switch {
	case daftar.IsKind(err, daftar.KindTooMany):
		return again(http.StatusTooManyRequests, t("throttled")), nil
	case daftar.IsKind(err, daftar.KindUnauthenticated):
		return again(http.StatusUnauthorized, t("bad_credentials")), nil
	case err != nil:
		return nil, err
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(cookieName, res.Token, int(s.Accounts.Config().SessionTTL.Seconds()), "/", "", s.cfg.SecureCookies, true)
	if next == "" {
		next = "/admin"
		if !daftar.Role(res.User.Role).Staff() {
			next = "/dashboard"
		}
	}
	return redirect(next), nil
}

func (s *Server) logoutPage(c *gin.Context) (any, error) {
	if tok, _ := tokenOf(c); tok != "" {
		if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
			return nil, err
		}
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(cookieName, "", -1, "/", "", s.cfg.SecureCookies, true)
	return redirect("/login"), nil
}
