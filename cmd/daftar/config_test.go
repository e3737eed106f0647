package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestConfigSwitches: a switch may be given bare (the README's serve
// --demo), with a value, or through the environment; flags beat the
// environment; a bad value is refused naming the flag.
func TestConfigSwitches(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		args []string
		env  map[string]string
		demo bool
		jobs bool
	}{
		{nil, nil, false, true},
		{[]string{"--demo"}, nil, true, true},
		{[]string{"-demo=true", "-jobs=false"}, nil, true, false},
		{[]string{"--demo=false"}, map[string]string{"DAFTAR_DEMO": "1"}, false, true},
		{nil, map[string]string{"DAFTAR_DEMO": "true", "DAFTAR_JOBS": "false"}, true, false},
	}
	for _, c := range cases {
		cfg, rest, err := loadConfig("test", c.args, env(c.env), io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if cfg.Demo != c.demo || cfg.Jobs != c.jobs || len(rest) != 0 {
			t.Errorf("%v %v: demo %v jobs %v rest %v", c.args, c.env, cfg.Demo, cfg.Jobs, rest)
		}
	}
	for _, args := range [][]string{{"--demo=maybe"}, {"--listen"}, {"--licence-years", "0"}, {"--min-office-distance", "-5"},
		{"--licence-expiry-warning", "soon"}, {"--demand-window-days", "3"}} {
		if _, _, err := loadConfig("test", args, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	cfg, _, err := loadConfig("test", []string{"--min-office-distance", "750", "--licence-years=3", "--licence-expiry-warning=720h"}, env(nil), io.Discard)
	if err != nil || cfg.MinOfficeDistanceM != 750 || cfg.LicenceYears != 3 || cfg.ExpiryWarning.Hours() != 720 || cfg.DemandWindowDays != 90 {
		t.Fatalf("licensing settings: %+v %v", cfg, err)
	}
}

// TestReadmeFirstCommand: the README's first command (environment, then
// go run ./cmd/daftar and its arguments) is one that run accepts: a
// serve with the demo switched on and the admin password given. (That
// command once passed --demo bare, which the flags refused.)
func TestReadmeFirstCommand(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "```sh\n")
	if !ok {
		t.Fatal("the README has no sh block")
	}
	line, _, _ := strings.Cut(after, "\n")
	fields := strings.Fields(line)
	env := map[string]string{}
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		k, v, _ := strings.Cut(fields[0], "=")
		env[k] = v
		fields = fields[1:]
	}
	if len(fields) < 3 || fields[0] != "go" || fields[1] != "run" || fields[2] != "./cmd/daftar" {
		t.Fatalf("the README's first command is not go run ./cmd/daftar: %q", line)
	}
	args := fields[3:]
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("the README's first command does not serve: %q", line)
	}
	cfg, rest, err := loadConfig("serve", args[1:], func(k string) string { return env[k] }, io.Discard)
	if err != nil || len(rest) != 0 {
		t.Fatalf("%q: %v (rest %v)", line, err, rest)
	}
	if !cfg.Demo || cfg.AdminPassword == "" || cfg.DatabaseURL != "" {
		t.Fatalf("%q: demo %v, admin password set %v, database %q", line, cfg.Demo, cfg.AdminPassword != "", cfg.DatabaseURL)
	}
}
