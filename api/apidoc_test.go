package api

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateAPIDoc = flag.Bool("update", false, "rewrite the generated part of docs/api.md from the route table")

const (
	apiDocPath  = "../docs/api.md"
	apiDocBegin = "<!-- routes: generated from api/routes.go by api/apidoc_test.go; do not edit by hand -->"
	apiDocEnd   = "<!-- routes: end -->"
)

// TestAPIDoc: docs/api.md's route tables are the route table's, so the
// document cannot drift from the server. After changing a route, run
//
//	go test ./api/ -run TestAPIDoc -update
//
// and read the diff.
func TestAPIDoc(t *testing.T) {
	b, err := os.ReadFile(apiDocPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, apiDocBegin), strings.Index(doc, apiDocEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated part between %q and %q", apiDocPath, apiDocBegin, apiDocEnd)
	}
	want := apiDocBegin + "\n" + routeTables((&Server{}).table()) + apiDocEnd
	got := doc[i : j+len(apiDocEnd)]
	if got == want {
		return
	}
	if *updateAPIDoc {
		if err := os.WriteFile(apiDocPath, []byte(doc[:i]+want+doc[j+len(apiDocEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the routes of %s", filepath.Clean(apiDocPath))
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for k := 0; k < max(len(gl), len(wl)); k++ {
		g, w := "", ""
		if k < len(gl) {
			g = gl[k]
		}
		if k < len(wl) {
			w = wl[k]
		}
		if g != w {
			t.Fatalf("%s is out of date with api/routes.go (run: go test ./api/ -run TestAPIDoc -update)\nline %d:\n  doc:    %s\n  routes: %s",
				apiDocPath, k+1, g, w)
		}
	}
}

// sectionTitles name the route table's tags; a tag not named here is
// titled by itself, so a new capability's routes still appear.
var sectionTitles = map[string]string{
	"operations": "Operations", "auth": "Sign-in", "users": "Users", "reference": "Reference data",
	"offices": "Offices", "visits": "Visits, crowding and the finder", "surveys": "Surveys",
	"ranking": "Ranking", "inspections": "Inspections", "licensing": "Licensing", "reports": "Reports", "audit": "Audit log",
}

// routeTables renders the routes as one Markdown table per section, in
// the order the route table first names each section; pages come last.
func routeTables(routes []route) string {
	var order []string
	bySection := map[string][]route{}
	for _, r := range routes {
		sec := r.Doc.Tag
		if r.Page {
			sec = "pages"
		}
		if sec == "" {
			sec = "other"
		}
		if _, ok := bySection[sec]; !ok && sec != "pages" {
			order = append(order, sec)
		}
		bySection[sec] = append(bySection[sec], r)
	}
	order = append(order, "pages")
	var b bytes.Buffer
	for _, sec := range order {
		list := bySection[sec]
		if len(list) == 0 {
			continue
		}
		title := sectionTitles[sec]
		switch {
		case sec == "pages":
			title = "Pages (HTML, Persian; English with ?lang=en)"
		case title == "":
			title = strings.ToUpper(sec[:1]) + sec[1:]
		}
		fmt.Fprintf(&b, "\n### %s\n\n| method | path | who | what | answers |\n|---|---|---|---|---|\n", title)
		for _, r := range list {
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", r.Method, openAPIPath(r.Path), cell(who(r.Access)),
				cell(r.Doc.Summary), answers(r))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// who says in words who may call a route.
func who(a access) string {
	var s string
	switch {
	case a.Public:
		return "anyone"
	case slices.Equal(a.Roles, allRoles):
		s = "signed in"
	case slices.Equal(a.Roles, staffOnly):
		s = "staff"
	default:
		names := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			names[i] = string(r)
		}
		s = strings.Join(names, ", ")
	}
	if a.OfficeParam != "" {
		s += "; an office owner only for their own office"
	}
	return s
}

// answers lists a route's statuses: success first, then the errors it may
// answer besides 500.
func answers(r route) string {
	ok, errs := r.statuses()
	if r.Page {
		return fmt.Sprint(ok) + " HTML"
	}
	parts := []string{fmt.Sprint(ok)}
	for _, e := range errs {
		parts = append(parts, fmt.Sprint(e))
	}
	return strings.Join(parts, ", ")
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
