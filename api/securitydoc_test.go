package api

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
)

const (
	securityDocPath     = "../docs/security.md"
	securityRolesBegin  = "<!-- access: generated from api/routes.go by api/securitydoc_test.go; do not edit by hand -->"
	securityRolesEnd    = "<!-- access: end -->"
	securityReportBegin = "<!-- report-access: generated from api/reportaccess.go by api/securitydoc_test.go; do not edit by hand -->"
	securityReportEnd   = "<!-- report-access: end -->"
)

// ownedByHandler are the routes an office owner may call whose handler
// keeps them to their own office (the route's rule cannot say it: it has
// no office in its path). The owner walk (TestHostileOwnerWalk) checks it.
var ownedByHandler = map[string]bool{"GET /api/v1/offices": true, "GET /api/v1/reports/:file": true, "GET /dashboard": true}

// TestSecurityDoc: the role tables of docs/security.md are the route
// table's and the report rules', so the document says what the server
// does. After changing a route or a rule: go test ./api/ -run TestSecurityDoc -update.
func TestSecurityDoc(t *testing.T) {
	b, err := os.ReadFile(securityDocPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	routes := (&Server{}).table()
	reports, err := resolveReportRules(routes)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ begin, end, body string }{
		{securityRolesBegin, securityRolesEnd, roleTable(routes)},
		{securityReportBegin, securityReportEnd, reportTable(reports)},
	} {
		i, j := strings.Index(doc, part.begin), strings.Index(doc, part.end)
		if i < 0 || j < i {
			t.Fatalf("%s has no generated part between %q and %q", securityDocPath, part.begin, part.end)
		}
		want := part.begin + "\n" + part.body + part.end
		if doc[i:j+len(part.end)] == want {
			continue
		}
		if !*updateAPIDoc {
			t.Fatalf("%s is out of date with the route table (run: go test ./api/ -run TestSecurityDoc -update)", securityDocPath)
		}
		doc = doc[:i] + want + doc[j+len(part.end):]
		if err := os.WriteFile(securityDocPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote a table of %s", filepath.Clean(securityDocPath))
	}
}

// roleTable is one row per route: who may call it.
func roleTable(routes []route) string {
	var b bytes.Buffer
	b.WriteString("\n| route | admin | ministry | inspector | office owner | signed out |\n|---|---|---|---|---|---|\n")
	for _, r := range routes {
		key := r.Method + " " + r.Path
		cells := []string{}
		for _, role := range daftar.Roles {
			c := "—"
			switch {
			case r.Access.Public || r.Access.allows(daftar.Actor{Role: role}):
				c = "yes"
				if role == daftar.RoleOfficeOwner && (r.Access.OfficeParam != "" || ownedByHandler[key]) {
					c = "own office"
				}
			}
			cells = append(cells, c)
		}
		anyone := "—"
		if r.Access.Public {
			anyone = "yes"
		} else if r.Page {
			anyone = "sign-in page"
		}
		fmt.Fprintf(&b, "| %s `%s` | %s | %s |\n", r.Method, openAPIPath(r.Path), strings.Join(cells, " | "), anyone)
	}
	b.WriteString("\n")
	return b.String()
}

// reportTable is one row per report kind.
func reportTable(rules map[string]reportAccess) string {
	kinds := make([]string, 0, len(rules))
	for k := range rules {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b bytes.Buffer
	b.WriteString("\n| report kind | admin | ministry | inspector | office owner | follows |\n|---|---|---|---|---|---|\n")
	for _, k := range kinds {
		ra := rules[k]
		var cells []string
		for _, role := range daftar.Roles {
			c := "—"
			if role == daftar.RoleOfficeOwner {
				if ra.owner {
					c = "own office"
				}
			} else if ra.staff.allows(daftar.Actor{Role: role}) {
				c = "yes"
			}
			cells = append(cells, c)
		}
		rule := reportRules[k]
		named := func(key string) string {
			method, path, _ := strings.Cut(key, " ")
			return method + " `" + openAPIPath(path) + "`"
		}
		follows := named(rule.Staff)
		if rule.Owner != "" && rule.Owner != rule.Staff {
			follows += "; owners: " + named(rule.Owner)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k, strings.Join(cells, " | "), follows)
	}
	b.WriteString("\n")
	return b.String()
}
