package api

import (
	"fmt"

	"github.com/daftar-ir/daftar"
)

// reportRule says who may read a report kind: the access rule of the API
// routes whose records it holds. Staff names the route whose rule applies
// to staff roles; Owner the route, scoped to the caller's office, that lets
// an office owner see their own office's rows of it ("" for none).
type reportRule struct {
	Staff, Owner string // "GET /api/v1/..." as in the route table
}

// reportRules is one row per report kind. A kind without a row is refused
// to everyone, and the report access tests fail naming it: a new kind adds
// its row here.
var reportRules = map[string]reportRule{
	"offices":     {Staff: "GET /api/v1/offices", Owner: "GET /api/v1/offices/:id"},
	"crowding":    {Staff: "GET /api/v1/offices/:id/crowding", Owner: "GET /api/v1/offices/:id/crowding"},
	"surveys":     {Staff: "GET /api/v1/surveys/summary", Owner: "GET /api/v1/offices/:id/surveys/summary"},
	"rankings":    {Staff: "GET /api/v1/ranking/runs/:id/results", Owner: "GET /api/v1/offices/:id/ranking"},
	"candidates":  {Staff: "GET /api/v1/candidates"},
	"allocations": {Staff: "GET /api/v1/licensing-rounds/:id/allocations"},
	"licences":    {Staff: "GET /api/v1/licences"},
	"demand":      {Staff: "GET /api/v1/demand"},
	"complaints":  {Staff: "GET /api/v1/complaints", Owner: "GET /api/v1/offices/:id/complaints"},
	"inspections": {Staff: "GET /api/v1/offices/:id/inspections"},
}

// reportAccess is a report kind's rule resolved against the route table.
type reportAccess struct {
	staff access
	owner bool // office owners read their own office's rows
}

// resolveReportRules checks every rule against the route table: a rule
// naming a route that does not exist is a start-up error.
func resolveReportRules(routes []route) (map[string]reportAccess, error) {
	byKey := map[string]route{}
	for _, r := range routes {
		byKey[r.Method+" "+r.Path] = r
	}
	out := map[string]reportAccess{}
	for kind, rule := range reportRules {
		st, ok := byKey[rule.Staff]
		if !ok {
			return nil, fmt.Errorf("api: report %s: no route %q", kind, rule.Staff)
		}
		ra := reportAccess{staff: access{Roles: staffRolesOf(st.Access)}}
		if rule.Owner != "" {
			ow, ok := byKey[rule.Owner]
			if !ok {
				return nil, fmt.Errorf("api: report %s: no route %q", kind, rule.Owner)
			}
			if ow.Access.OfficeParam == "" || !ow.Access.allows(daftar.Actor{Role: daftar.RoleOfficeOwner}) {
				return nil, fmt.Errorf("api: report %s: %q does not let owners see their own office", kind, rule.Owner)
			}
			ra.owner = true
		}
		out[kind] = ra
	}
	return out, nil
}

// staffRolesOf is the staff roles a route allows.
func staffRolesOf(a access) []daftar.Role {
	var out []daftar.Role
	for _, r := range a.Roles {
		if r.Staff() {
			out = append(out, r)
		}
	}
	return out
}

// mayRead reports whether the actor may read a report kind; owners read
// their own office's rows only. A kind without a rule is nobody's.
func (s *Server) mayRead(kind string, a daftar.Actor) bool {
	ra, ok := s.reportAccess[kind]
	switch {
	case !ok:
		return false
	case a.Role == daftar.RoleOfficeOwner:
		return ra.owner && a.OfficeID != 0
	}
	return ra.staff.allows(a)
}
