package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/gin-gonic/gin"
)

// /admin/users (admins only, as the /api/v1/users routes): the accounts,
// a new one (POST /api/v1/users), and one account's role, office,
// disabling and password (PATCH /api/v1/users/{id}, with the version read).

type userRow struct {
	ID                                          int64
	Username, FullName, Role, Office, LastLogin string
	OfficeCode, OfficeHref                      string
	Disabled                                    bool
}

type usersData struct {
	staffForm
	Rows                  []userRow
	Pager                 pager
	Q, Role, Disabled     string
	RoleOptions, NewRoles []option
	DisabledOptions       []option
	MinPassword           string
}

func (s *Server) adminUsers(c *gin.Context) { s.staffPage(s.usersPage)(c) }

func (s *Server) usersPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildUsers(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildUsers(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 50, 500)
	f := accounts.ListFilter{Query: queryString(c, &fe, "q", 100), Limit: p.PageSize, Offset: p.Offset()}
	if f.Role = c.Query("role"); f.Role != "" && !daftar.Role(f.Role).Valid() {
		fe.Add("role", "invalid", "is not a role")
	}
	disabled := c.Query("disabled")
	switch disabled {
	case "true", "false":
		b := disabled == "true"
		f.Disabled = &b
	case "":
	default:
		fe.Add("disabled", "invalid", "must be true or false")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Accounts.List(ctx, f)
	if err != nil {
		return staffResult{}, err
	}
	newRole := ""
	if form.Form != nil {
		newRole = form.Form["role"]
	}
	d := usersData{staffForm: form, Pager: v.pager(p, total), Q: f.Query, Role: f.Role, Disabled: disabled,
		RoleOptions: v.options("role_", f.Role, roleNames()...), NewRoles: v.options("role_", newRole, roleNames()...),
		DisabledOptions: v.options("account_disabled_", disabled, "false", "true"), MinPassword: v.count(accounts.MinPasswordLen)}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	rows, err := s.userRows(c, v, list)
	if err != nil {
		return staffResult{}, err
	}
	d.Rows = rows
	return staffResult{status: status, page: "admin_users", title: "users_title", data: d}, nil
}

func (s *Server) userRows(c *gin.Context, v *staffView, list []accounts.User) ([]userRow, error) {
	var ids []int64
	for _, u := range list {
		if u.OfficeID != nil {
			ids = append(ids, *u.OfficeID)
		}
	}
	labels := map[int64]offices.Label{}
	if len(ids) > 0 {
		var err error
		if labels, err = s.Offices.Labels(c.Request.Context(), nil, ids); err != nil {
			return nil, err
		}
	}
	out := make([]userRow, 0, len(list))
	for _, u := range list {
		row := userRow{ID: u.ID, Username: u.Username, FullName: u.FullName, Role: v.word("role_", u.Role), Disabled: u.Disabled,
			LastLogin: v.dateTimePtr(u.LastLoginAt)}
		if u.OfficeID != nil {
			l := labels[*u.OfficeID]
			row.Office, row.OfficeCode, row.OfficeHref = nameIn(v.lang, l.NameFa, l.NameEn), l.Code, "/admin/offices/"+strconv.FormatInt(*u.OfficeID, 10)
		}
		out = append(out, row)
	}
	return out, nil
}

// officeOf reads the office an owner is bound to: its code (THR-0001) or
// its number, as typed.
func (s *Server) officeOf(c *gin.Context, fe *daftar.FieldErrors, typed string) *int64 {
	typed = strings.TrimSpace(daftar.NormalizeDigits(typed))
	if typed == "" {
		return nil
	}
	if n, err := strconv.ParseInt(typed, 10, 64); err == nil && n > 0 {
		return &n
	}
	list, _, err := s.Offices.List(c.Request.Context(), offices.Filter{Query: typed, Limit: 5})
	if err == nil {
		for _, o := range list {
			if strings.EqualFold(o.Code, typed) {
				return &o.ID
			}
		}
	}
	fe.Add("office_id", "unknown", "no office with that code")
	return nil
}

// createUserPage is POST /api/v1/users's form.
func (s *Server) createUserPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		form := formOf(c, 200, "username", "full_name", "role", "office")
		var fe daftar.FieldErrors
		in := accounts.NewUser{Username: form["username"], FullName: form["full_name"], Role: daftar.Role(form["role"]),
			Password: c.PostForm("password"), OfficeID: s.officeOf(c, &fe, form["office"])}
		err := fe.Err(daftar.KindInvalid, "invalid_user", "the account is not valid")
		var u accounts.User
		if err == nil {
			u, err = s.Accounts.Create(c.Request.Context(), in)
		}
		if err != nil {
			f, status, err := v.refused(err, "create", form) // the password is never typed back
			if err != nil {
				return staffResult{}, err
			}
			return s.buildUsers(c, v.at("/admin/users"), f, status)
		}
		return done("/admin/users/"+strconv.FormatInt(u.ID, 10), "user_created", v.lang), nil
	})(c)
}

type userData struct {
	staffForm
	userRow
	Version            int64
	Created, RoleValue string
	OfficeCode         string
	Roles              []option
	Self               bool
	MinPassword        string
}

func (s *Server) adminUser(c *gin.Context) { s.staffPage(s.userPage)(c) }

func (s *Server) userPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildUser(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildUser(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	u, err := s.Accounts.Get(c.Request.Context(), id)
	if err != nil {
		return staffResult{}, err
	}
	rows, err := s.userRows(c, v, []accounts.User{u})
	if err != nil {
		return staffResult{}, err
	}
	actor, _ := daftar.ActorFrom(c.Request.Context())
	d := userData{staffForm: form, userRow: rows[0], Version: u.Version, Created: v.dateTime(u.CreatedAt), RoleValue: u.Role,
		Self: actor.UserID == u.ID, MinPassword: v.count(accounts.MinPasswordLen)}
	role := u.Role
	if form.Form != nil && form.Form["role"] != "" {
		role = form.Form["role"]
	}
	d.Roles = v.options("role_", role, roleNames()...)
	if u.OfficeID != nil {
		if l, err := s.Offices.Labels(c.Request.Context(), nil, []int64{*u.OfficeID}); err == nil {
			d.OfficeCode = l[*u.OfficeID].Code
		}
	}
	if form.Form != nil {
		if o, ok := form.Form["office"]; ok {
			d.OfficeCode = o
		}
	}
	return staffResult{status: status, page: "admin_user", title: "users_title", data: d}, nil
}

// updateUserPage is PATCH /api/v1/users/{id}'s form, one change at a
// time: the account's role and office, enabling or disabling it, or a new
// password.
func (s *Server) updateUserPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		form := formOf(c, 200, "change", "full_name", "role", "office", "version")
		var fe daftar.FieldErrors
		p := accounts.Patch{}
		if n := intField(&fe, form, "version", 1, 1<<62); n != nil {
			p.Version = *n
		} else if form["version"] == "" {
			fe.Add("version", "required", "the version read")
		}
		key := ""
		switch form["change"] {
		case "profile":
			name, role := form["full_name"], daftar.Role(form["role"])
			office := s.officeOf(c, &fe, form["office"])
			p.FullName, p.Role, p.OfficeID, key = &name, &role, &office, "user_updated"
		case "disable", "enable":
			b := form["change"] == "disable"
			p.Disabled, key = &b, "user_"+form["change"]+"d"
		case "password":
			pw := c.PostForm("password")
			p.Password, key = &pw, "password_set"
		default:
			fe.Add("change", "invalid", "what to change")
		}
		err = fe.Err(daftar.KindInvalid, "invalid_user", "the change is not valid")
		if err == nil {
			_, err = s.Accounts.Update(c.Request.Context(), id, p)
		}
		path := "/admin/users/" + strconv.FormatInt(id, 10)
		if err != nil {
			f, status, err := v.refused(err, form["change"], form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildUser(c, v.at(path), f, status)
		}
		return done(path, key, v.lang), nil
	})(c)
}
