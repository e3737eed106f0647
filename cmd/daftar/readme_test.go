package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeSection returns the README's text under a "## title" heading.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("the README has no section %q", title)
	}
	if i := strings.Index(after, "\n## "); i >= 0 {
		after = after[:i]
	}
	return after
}

var (
	envName  = regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
	codeCell = regexp.MustCompile("^`([^`]*)`$")
)

// TestReadmeConfiguration: the README's configuration table names every
// setting the commands read (settings() in config.go) and nothing else,
// and where a row gives its defaults as code, they are the settings'
// defaults.
func TestReadmeConfiguration(t *testing.T) {
	byEnv := map[string]setting{}
	for _, s := range settings() {
		byEnv[s.env] = s
	}
	listed := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(readmeSection(t, "Configuration"), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 {
			t.Fatalf("a configuration row without three cells: %q", line)
		}
		rows++
		var vars []string
		for _, m := range envName.FindAllStringSubmatch(cells[0], -1) {
			vars = append(vars, m[1])
		}
		for _, v := range vars {
			if _, ok := byEnv[v]; !ok {
				t.Errorf("the README lists %s, which is no setting", v)
			}
			listed[v] = true
		}
		defs := strings.Split(strings.TrimSpace(cells[1]), ", ")
		if len(defs) != len(vars) {
			continue
		}
		for i, d := range defs {
			if m := codeCell.FindStringSubmatch(strings.TrimSpace(d)); m != nil && m[1] != byEnv[vars[i]].def {
				t.Errorf("the README gives %s the default %q; it is %q", vars[i], m[1], byEnv[vars[i]].def)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no configuration table found")
	}
	for _, s := range settings() {
		if !listed[s.env] {
			t.Errorf("the README's configuration table does not list %s (--%s, default %q)", s.env, s.flag, s.def)
		}
	}
}

// TestReadmeCommands: the README's list of commands names every command.
func TestReadmeCommands(t *testing.T) {
	text := readmeSection(t, "Commands")
	for _, c := range commands() {
		if !strings.Contains(text, "daftar "+c.name) {
			t.Errorf("the README's commands do not show daftar %s", c.name)
		}
		for _, s := range c.subs {
			if !strings.Contains(text, "daftar "+c.name+" "+s.name) {
				t.Errorf("the README's commands do not show daftar %s %s", c.name, s.name)
			}
		}
	}
}
