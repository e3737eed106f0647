package archtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxLines bounds a source file: past it a file holds more than one
// purpose and should be split by concern.
const maxLines = 800

func TestNoSourceFileOverMaxLines(t *testing.T) {
	root := moduleRoot(t)
	var long []string
	for _, s := range moduleSources(t) {
		b, err := os.ReadFile(filepath.Join(root, s.path))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			long = append(long, s.path)
		}
	}
	if len(long) > 0 {
		t.Errorf("files over %d lines (split them by purpose):\n  %s", maxLines, strings.Join(long, "\n  "))
	}
}
