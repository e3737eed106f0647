package api

import (
	"log/slog"
	"slices"

	"github.com/daftar-ir/daftar"
)

// access is a route's rule of who may call it.
type access struct {
	Public bool
	Roles  []daftar.Role
	// OfficeParam names the path parameter holding an office id that the
	// caller must be allowed to see (owners: only their own).
	OfficeParam string
}

var (
	allRoles  = []daftar.Role{daftar.RoleAdmin, daftar.RoleMinistry, daftar.RoleInspector, daftar.RoleOfficeOwner}
	staffOnly = []daftar.Role{daftar.RoleAdmin, daftar.RoleMinistry, daftar.RoleInspector}

	anyone      = access{Public: true}
	signedIn    = access{Roles: allRoles}
	staff       = access{Roles: staffOnly}
	adminOnly   = access{Roles: []daftar.Role{daftar.RoleAdmin}}
	adminOrMin  = access{Roles: []daftar.Role{daftar.RoleAdmin, daftar.RoleMinistry}}
	officeOwner = access{Roles: allRoles, OfficeParam: "id"} // owner of it, or staff
	officeAdmin = access{Roles: []daftar.Role{daftar.RoleAdmin, daftar.RoleOfficeOwner}, OfficeParam: "id"}
)

func (a access) allows(actor daftar.Actor) bool { return slices.Contains(a.Roles, actor.Role) }

// describe says who may call, for the OpenAPI document.
func (a access) describe() string {
	if a.Public {
		return "anyone"
	}
	s := ""
	for i, r := range a.Roles {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	if a.OfficeParam != "" {
		s += " (office owners: their own office only)"
	}
	return s
}

func slogLevelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400 && status != 401 && status != 404:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
