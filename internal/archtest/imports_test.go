package archtest

import (
	"strings"
	"testing"
)

// TestInternalImportsNoDomain: internal/ is plumbing, so it imports only
// the root vocabulary and other internal packages; where plumbing needs a
// domain fact (accounts asking whether an office exists) the domain hands
// it an interface through a constructor.
func TestInternalImportsNoDomain(t *testing.T) {
	n := 0
	for _, s := range moduleSources(t) {
		if s.pkg != "internal" && !strings.HasPrefix(s.pkg, "internal/") {
			continue
		}
		n++
		local, _ := imports(s.file)
		for _, path := range local {
			if path != "" && path != "internal" && !strings.HasPrefix(path, "internal/") {
				t.Errorf("%s imports %s, a domain package", s.path, path)
			}
		}
	}
	if n == 0 {
		t.Fatal("no internal package found")
	}
}
