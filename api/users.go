package api

import (
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

type userResponse struct {
	ID                int64      `json:"id"`
	Username          string     `json:"username"`
	FullName          string     `json:"full_name"`
	Role              string     `json:"role"`
	OfficeID          *int64     `json:"office_id"`
	Disabled          bool       `json:"disabled"`
	Version           int64      `json:"version"`
	LastLoginAt       *time.Time `json:"last_login_at"`
	LastLoginAtJalali *string    `json:"last_login_at_jalali"`
	CreatedAt         time.Time  `json:"created_at"`
	CreatedAtJalali   string     `json:"created_at_jalali"`
}

func userOf(u accounts.User) userResponse {
	return userResponse{ID: u.ID, Username: u.Username, FullName: u.FullName, Role: u.Role, OfficeID: u.OfficeID,
		Disabled: u.Disabled, Version: u.Version, LastLoginAt: utcPtr(u.LastLoginAt), LastLoginAtJalali: jalaliPtr(u.LastLoginAt),
		CreatedAt: utc(u.CreatedAt), CreatedAtJalali: jalali(u.CreatedAt)}
}

type createUserRequest struct {
	Username string `json:"username"`
	FullName string `json:"full_name,omitempty"`
	Password string `json:"password" doc:"10 to 128 characters"`
	Role     string `json:"role" doc:"admin, ministry, inspector or office_owner"`
	OfficeID *int64 `json:"office_id,omitempty" doc:"required for office_owner, refused otherwise"`
}

func (s *Server) createUser(c *gin.Context) (any, error) {
	var req createUserRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	u, err := s.Accounts.Create(c.Request.Context(), accounts.NewUser{Username: req.Username, FullName: req.FullName,
		Password: req.Password, Role: daftar.Role(req.Role), OfficeID: req.OfficeID})
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: userOf(u)}, nil
}

var usersQuery = append([]param{
	{Name: "role", Type: "string", Enum: []string{"admin", "ministry", "inspector", "office_owner"}},
	{Name: "office_id", Type: "integer"},
	{Name: "disabled", Type: "boolean"},
	{Name: "q", Type: "string", Description: "text in username or name"},
}, pageQuery...)

func (s *Server) listUsers(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	f := accounts.ListFilter{Query: q.text("q", 100), Role: q.oneOf("role", roleNames()), OfficeID: q.id("office_id"),
		Disabled: q.boolean("disabled"), Limit: p.PageSize, Offset: p.Offset()}
	if err := q.err(); err != nil {
		return nil, err
	}
	users, total, err := s.Accounts.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]userResponse, len(users))
	for i, u := range users {
		out[i] = userOf(u)
	}
	return listOf(out, p, total), nil
}

func roleNames() []string {
	out := make([]string, len(daftar.Roles))
	for i, r := range daftar.Roles {
		out[i] = string(r)
	}
	return out
}

type updateUserRequest struct {
	FullName opt[string] `json:"full_name"`
	Role     opt[string] `json:"role"`
	OfficeID opt[int64]  `json:"office_id" doc:"null unbinds"`
	Disabled opt[bool]   `json:"disabled" doc:"true ends every session of the account"`
	Password opt[string] `json:"password"`
	Version  opt[int64]  `json:"version" doc:"the version read; a stale one is refused with 409"`
}

func (s *Server) updateUser(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req updateUserRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	var fe daftar.FieldErrors
	for name, o := range map[string]bool{"full_name": req.FullName.Null, "role": req.Role.Null, "disabled": req.Disabled.Null, "password": req.Password.Null} {
		if o {
			fe.Add(name, "null", "may not be null")
		}
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_user", "the change is not valid"); err != nil {
		return nil, err
	}
	p := accounts.Patch{FullName: req.FullName.ptr(), Disabled: req.Disabled.ptr(), Password: req.Password.ptr()}
	if r := req.Role.ptr(); r != nil {
		role := daftar.Role(*r)
		p.Role = &role
	}
	if req.OfficeID.Set {
		office := req.OfficeID.ptr()
		p.OfficeID = &office
	}
	if p.Version, err = versionFrom(c, req.Version.ptr(), func() (int64, error) {
		u, err := s.Accounts.Get(c.Request.Context(), id)
		return u.Version, err
	}); err != nil {
		return nil, err
	}
	u, err := s.Accounts.Update(c.Request.Context(), id, p)
	if err != nil {
		return nil, err
	}
	return userOf(u), nil
}
