package archtest

import (
	"sort"
	"strings"
	"testing"
)

// Every package says what it is for in a package doc comment, so a
// newcomer knows which room they are in.
func TestEveryPackageHasADoc(t *testing.T) {
	documented := map[string]bool{}
	for _, s := range moduleSources(t) {
		if _, ok := documented[s.pkg]; !ok {
			documented[s.pkg] = false
		}
		if s.file.Doc != nil && strings.TrimSpace(s.file.Doc.Text()) != "" {
			documented[s.pkg] = true
		}
	}
	var missing []string
	for p, ok := range documented {
		if !ok {
			missing = append(missing, "./"+p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("packages without a package doc comment:\n  %s", strings.Join(missing, "\n  "))
	}
}
