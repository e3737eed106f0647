package daftar

import "context"

// Role is what an account may do.
type Role string

const (
	RoleAdmin       Role = "admin"        // judiciary: everything
	RoleMinistry    Role = "ministry"     // exam intake, licensing rounds, reports
	RoleInspector   Role = "inspector"    // read everything, record inspections
	RoleOfficeOwner Role = "office_owner" // their own office only
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAdmin, RoleMinistry, RoleInspector, RoleOfficeOwner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Staff reports whether the role reads across offices (everyone but owners).
func (r Role) Staff() bool { return r == RoleAdmin || r == RoleMinistry || r == RoleInspector }

// Actor is who is acting: a signed-in user, or the system itself (jobs, CLI).
type Actor struct {
	UserID   int64
	Username string
	Role     Role
	// OfficeID binds an office owner to one office; zero for everyone else.
	OfficeID int64
}

// SystemActor is used by scheduled jobs and the command line.
func SystemActor(name string) Actor { return Actor{Username: "system:" + name, Role: RoleAdmin} }

// CanSeeOffice reports whether the actor may read the office.
func (a Actor) CanSeeOffice(officeID int64) bool {
	if a.Role == RoleOfficeOwner {
		return a.OfficeID != 0 && a.OfficeID == officeID
	}
	return a.Role.Valid()
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
