package daftar

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdLink finds Markdown links and images: [text](target) and ![alt](target).
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// TestDocsLinks: the README and every page in docs/ stand on their own in a
// clone: each relative link names a file of the repository (and, with a
// #fragment, one of its headings), and nothing points outside it (no
// ../shared, no path above the repository).
func TestDocsLinks(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	links := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.Contains(text, "../shared") {
			t.Errorf("%s mentions ../shared, which a clone does not have", page)
		}
		for _, m := range mdLink.FindAllStringSubmatch(inlineCode.ReplaceAllString(withoutFences(text), "``"), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links++
			file, frag, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
				if rel, err := filepath.Rel(".", path); err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s: %s points outside the repository", page, target)
					continue
				}
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: %s does not exist (%s)", page, target, path)
					continue
				}
			}
			if frag != "" && strings.HasSuffix(path, ".md") {
				if !hasAnchor(t, path, frag) {
					t.Errorf("%s: %s has no heading #%s", page, path, frag)
				}
			}
		}
	}
	if links < 10 {
		t.Fatalf("only %d relative links found: the link pattern is broken", links)
	}
}

// withoutFences blanks fenced code blocks, where brackets are not links
// and # starts no heading.
func withoutFences(s string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			b.WriteString("\n")
			continue
		}
		if fenced {
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

var inlineCode = regexp.MustCompile("`[^`]*`")

// hasAnchor reports whether a Markdown file has a heading whose GitHub
// anchor is frag.
func hasAnchor(t *testing.T, path, frag string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(withoutFences(string(b)), "\n") {
		if h, ok := strings.CutPrefix(line, "#"); ok && anchorOf(strings.TrimLeft(h, "#")) == frag {
			return true
		}
	}
	return false
}

// anchorOf is GitHub's anchor of a heading: lower case, punctuation
// dropped, spaces as hyphens.
func anchorOf(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestAnchorOf pins the anchor rule the link check relies on.
func TestAnchorOf(t *testing.T) {
	for h, want := range map[string]string{
		" Fixed wire names":                             "fixed-wire-names",
		" A `daftar` binary":                            "a-daftar-binary",
		" What the first start does, and how long it":   "what-the-first-start-does-and-how-long-it",
		" Pages (HTML, Persian; English with ?lang=en)": "pages-html-persian-english-with-langen",
	} {
		if got := anchorOf(h); got != want {
			t.Errorf("anchorOf(%q) = %q, want %q", h, got, want)
		}
	}
}
