package api

import (
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

func (s *Server) login(c *gin.Context) (any, error) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
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
		return nil, err
	}
	res, err := s.Accounts.Login(c.Request.Context(), accounts.Attempt{
		Username: req.Username, Password: req.Password, ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		s.metrics.loginRefused(err)
		return nil, err
	}
	c.Header("Cache-Control", "no-store")
	return loginResponse{
		Token: res.Token, TokenType: "Bearer", ExpiresAt: utc(res.ExpiresAt), ExpiresAtJalali: jalali(res.ExpiresAt),
		Role: res.User.Role, User: userOf(res.User),
	}, nil
}

func (s *Server) logout(c *gin.Context) (any, error) {
	tok, _ := tokenOf(c)
	if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
		return nil, err
	}
	c.SetCookie(cookieName, "", -1, "/", "", s.cfg.SecureCookies, true)
	return noContent{}, nil
}

func (s *Server) me(c *gin.Context) (any, error) {
	a, _ := daftar.ActorFrom(c.Request.Context())
	u, err := s.Accounts.Get(c.Request.Context(), a.UserID)
	if err != nil {
		return nil, err
	}
	return userOf(u), nil
}
