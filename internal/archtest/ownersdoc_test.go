package archtest

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/owners"
)

var updateDocs = flag.Bool("update", false, "rewrite the owner map in docs/CONTRIBUTING.md")

const (
	ownersBegin = "<!-- owners:begin (generated from internal/owners by `go test ./internal/archtest -run TestOwnerMapInDocs -update`) -->"
	ownersEnd   = "<!-- owners:end -->"
)

// ownerMap renders internal/owners as a table: one row a package, its
// tables in alphabetical order.
func ownerMap() string {
	byPkg := map[string][]string{}
	for table, pkg := range owners.Tables() {
		byPkg[pkg] = append(byPkg[pkg], table)
	}
	pkgs := make([]string, 0, len(byPkg))
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var b strings.Builder
	b.WriteString("| package | tables it owns |\n|---|---|\n")
	for _, p := range pkgs {
		ts := byPkg[p]
		sort.Strings(ts)
		b.WriteString("| `" + p + "` | `" + strings.Join(ts, "`, `") + "` |\n")
	}
	return b.String()
}

// The owner map in docs/CONTRIBUTING.md is internal/owners, so it cannot
// drift from what the ownership test enforces.
func TestOwnerMapInDocs(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "docs", "CONTRIBUTING.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, ownersBegin), strings.Index(doc, ownersEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/CONTRIBUTING.md has no owner map between %q and %q", ownersBegin, ownersEnd)
	}
	want := doc[:i+len(ownersBegin)] + "\n" + ownerMap() + doc[j:]
	if want == doc {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the owner map in docs/CONTRIBUTING.md differs from internal/owners; run: go test ./internal/archtest -run TestOwnerMapInDocs -update")
}
