package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token           string       `json:"token" doc:"send as Authorization: Bearer <token>"`
	TokenType       string       `json:"token_type"`
	ExpiresAt       time.Time    `json:"expires_at"`
	ExpiresAtJalali string       `json:"expires_at_jalali"`
	Role            string       `json:"role"`
	User            userResponse `json:"user"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var fe daftar.FieldErrors
	if strings.TrimSpace(req.Username) == "" {
		fe.Add("username", "required", "is required")
	} else if len(req.Username) > 100 {
		fe.Add("username", "too_long", "must be at most 100 bytes")
	}
	if req.Password == "" {
		fe.Add("password", "required", "is required")
	} else if len(req.Password) > accounts.MaxPasswordLen {
		fe.Add("password", "too_long", "must be at most 128 bytes")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_login", "username and password are required"); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Accounts.Login(c.Request.Context(), accounts.Attempt{
		Username: req.Username, Password: req.Password, ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	writeJSON(c, http.StatusOK, loginResponse{
		Token: res.Token, TokenType: "Bearer", ExpiresAt: utc(res.ExpiresAt), ExpiresAtJalali: jalali(res.ExpiresAt),
		Role: res.User.Role, User: userOf(res.User),
	})
}

func (s *Server) logout(c *gin.Context) {
	tok, _ := tokenOf(c)
	if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
		s.fail(c, err)
		return
	}
	c.SetCookie(cookieName, "", -1, "/", "", s.cfg.SecureCookies, true)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	a, _ := daftar.ActorFrom(c.Request.Context())
	u, err := s.Accounts.Get(c.Request.Context(), a.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, userOf(u))
}
