package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// noStdin fails the test when a command reads standard input: help and
// argument errors must never prompt.
type noStdin struct{ t *testing.T }

func (r noStdin) Read([]byte) (int, error) {
	r.t.Error("the command read standard input")
	return 0, os.ErrClosed
}

// cli runs the program on args with env; stdin nil means it must not read.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	var in io.Reader = noStdin{t}
	if stdin != "" {
		in = strings.NewReader(stdin)
	}
	code := run(context.Background(), args, func(k string) string { return env[k] }, in, &out, &errb)
	return code, out.String(), errb.String()
}

// walk lists every command path of the tree: serve, user create, ...
func walk(list []command, prefix []command, fn func(path []command)) {
	for _, c := range list {
		p := append(append([]command{}, prefix...), c)
		fn(p)
		walk(c.subs, p, fn)
	}
}

func names(path []command) []string {
	out := make([]string, len(path))
	for i, c := range path {
		out[i] = c.name
	}
	return out
}

// TestCLIHelp runs the help forms of every command through run(): daftar
// -h, --help and help list every command; CMD -h, CMD --help and help CMD
// print that command's own usage with each of its own flags (serve: every
// setting) and exit 0, without opening a database or reading standard
// input; --version and version name the module.
func TestCLIHelp(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DAFTAR_DATA_DIR": filepath.Join(dir, "data")}
	for _, form := range [][]string{{"-h"}, {"--help"}, {"help"}, {"-help"}} {
		code, out, errs := cli(t, env, "", form...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", form, code, errs)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  "+c.name) {
				t.Errorf("%v does not list %s:\n%s", form, c.name, out)
			}
		}
		if strings.Contains(out, "--database-url") {
			t.Errorf("%v lists the server's flags instead of the commands", form)
		}
	}
	checked := 0
	walk(commands(), nil, func(path []command) {
		c := path[len(path)-1]
		n := names(path)
		for _, args := range [][]string{append(append([]string{}, n...), "-h"), append(append([]string{}, n...), "--help"),
			append([]string{"help"}, n...)} {
			code, out, errs := cli(t, env, "", args...)
			if code != 0 || errs != "" {
				t.Errorf("%q: exit %d, stderr %q", args, code, errs)
				continue
			}
			if want := "usage: daftar " + strings.Join(n, " "); !strings.Contains(out, want) {
				t.Errorf("%q: no %q in:\n%s", args, want, out)
			}
			for _, f := range c.flags {
				if !strings.Contains(out, dashes(f.name)+" ") {
					t.Errorf("%q does not list its flag %s:\n%s", args, dashes(f.name), out)
				}
			}
			for _, s := range c.subs {
				if !strings.Contains(out, "  "+s.name+" ") {
					t.Errorf("%q does not list %s:\n%s", args, s.name, out)
				}
			}
			if c.name == "serve" {
				for _, s := range settings() {
					if !strings.Contains(out, "--"+s.flag+" ") || !strings.Contains(out, s.env) {
						t.Errorf("serve -h does not list --%s (%s)", s.flag, s.env)
					}
				}
			}
			if c.quiet && !strings.Contains(out, "-v ") {
				t.Errorf("%q does not list -v", args)
			}
			checked++
		}
	})
	if checked < 3*16 {
		t.Fatalf("only %d help forms checked", checked)
	}
	// Help in the middle of a command line, and the commands that used to
	// take -h for an argument.
	for _, args := range [][]string{{"report", "offices.xlsx", "-h"}, {"import", "exam-results", "-h"},
		{"user", "create", "newbie", "-h"}, {"user", "create", "-h"}, {"demand", "--province", "THR", "-h"}} {
		if code, out, _ := cli(t, env, "", args...); code != 0 || !strings.Contains(out, "usage: daftar "+args[0]) {
			t.Errorf("%q: exit %d\n%s", args, code, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("help created %v", entries)
	}
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		code, out, _ := cli(t, env, "", args...)
		if code != 0 || !strings.HasPrefix(out, "daftar ") || !strings.Contains(out, "module github.com/daftar-ir/daftar") ||
			!strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
}

// TestCLIUsageErrors: a mistake on the command line exits 2 with one
// message naming it (and where the usage is), before any database is
// opened or any password asked for.
func TestCLIUsageErrors(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DAFTAR_DATA_DIR": filepath.Join(dir, "data")}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"user"}, "user needs one of: create, passwd, disable"},
		{[]string{"user", "create"}, "user create needs USERNAME"},
		{[]string{"user", "create", "--role", "ministry"}, "user create needs USERNAME"},
		{[]string{"user", "create", "newbie"}, "needs --role"},
		{[]string{"user", "create", "newbie", "--role", "boss"}, `"boss" is not a role`},
		{[]string{"user", "create", "--role", "office_owner", "newbie"}, "needs --office"},
		{[]string{"user", "create", "--role", "ministry", "--office", "THR-0001", "newbie"}, "only for --role office_owner"},
		{[]string{"user", "create", "--role", "ministry", "X"}, "username: 3-64 characters"},
		{[]string{"user", "passwd", "--role", "ministry", "newbie"}, "unknown flag --role for user passwd"},
		{[]string{"import"}, "import needs one of: exam-results, visits"},
		{[]string{"import", "nonsense", "f.csv"}, `unknown kind "nonsense"`},
		{[]string{"import", "exam-results"}, "import exam-results needs FILE"},
		{[]string{"import", "exam-results", "a.csv", "--score-max", "0"}, "--score-max must be"},
		{[]string{"report"}, "report needs KIND.xlsx|KIND.csv"},
		{[]string{"report", "offices.pdf"}, "a report is KIND.xlsx or KIND.csv"},
		{[]string{"report", "nonsense.xlsx"}, `no report "nonsense"`},
		{[]string{"demand", "extra"}, "demand takes no arguments"},
		{[]string{"demand", "--top", "0"}, "--top must be"},
		{[]string{"demand", "--bogus"}, "unknown flag --bogus for demand"},
		{[]string{"migrate", "--bogus=1"}, "unknown flag --bogus=1 for migrate"},
		{[]string{"version", "--database-url", "x"}, "unknown flag --database-url for version"},
		{[]string{"audit"}, "audit needs one of: verify"},
		{[]string{"seed", "other"}, `unknown subcommand "other"`},
	}
	for _, c := range cases {
		code, out, errs := cli(t, env, "", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
		if n := strings.Count(errs, "daftar: "); n != 1 {
			t.Errorf("%q: said %d times: %q", c.args, n, errs)
		}
		if out != "" {
			t.Errorf("%q printed %q on standard output", c.args, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a usage error created %v", entries)
	}
}

// TestCLIWithDatabase: flags after or before the arguments; --office by
// code or id, and which it could not find; a taken username refused
// before the password is asked for; an unknown --province refused with
// the known codes; one-shot commands keep the log off the terminal unless
// -v; an import's error said once.
func TestCLIWithDatabase(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"DAFTAR_DATA_DIR": dir}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			code, out, errs := cli(t, env, "", "migrate")
			if code != 0 || !strings.Contains(out, "schema at version") || errs != "" {
				t.Fatalf("migrate: %d %q %q", code, out, errs)
			}
			if code, _, errs := cli(t, env, "", "migrate", "-v"); code != 0 || !strings.Contains(errs, `"level":"INFO"`) {
				t.Fatalf("migrate -v shows no log: %d %q", code, errs)
			}

			code, out, errs = cli(t, env, "a-strong-password-1405\n", "user", "create", "--role", "ministry", "newbie", "--name", "کاربر تازه")
			if code != 0 || !strings.Contains(out, "created user newbie") || strings.Contains(errs, `"level"`) {
				t.Fatalf("flags before the username: %d %q %q", code, out, errs)
			}
			code, _, errs = cli(t, env, "", "user", "create", "newbie", "--role", "inspector")
			if code != 1 || !strings.Contains(errs, "an account named newbie exists") {
				t.Fatalf("taken username: %d %q", code, errs)
			}

			// An office to own, by code or id.
			cfg, _, err := loadConfig("test", nil, func(k string) string { return env[k] }, os.Stderr)
			if err != nil {
				t.Fatal(err)
			}
			a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), daftar.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			ocode, lat, lon, city, counters := "THR-0001", 35.70, 51.40, "tehran", 2
			off, err := a.offices.Create(daftar.WithActor(context.Background(), daftar.SystemActor("test")), offices.Input{Code: &ocode,
				NameFa: &ocode, City: &city, Latitude: &lat, Longitude: &lon, Counters: &counters, Services: []string{"criminal_record"}})
			a.close()
			if err != nil {
				t.Fatal(err)
			}
			pw := "a-strong-password-1405\n"
			if code, out, errs := cli(t, env, pw, "user", "create", "owner1", "--role", "office_owner", "--office", "thr-0001"); code != 0 ||
				!strings.Contains(out, "created user owner1") {
				t.Fatalf("--office by code: %d %q %q", code, out, errs)
			}
			if code, out, errs := cli(t, env, pw, "user", "create", "owner2", "--role=office_owner", "--office="+strconv.FormatInt(off.ID, 10)); code != 0 ||
				!strings.Contains(out, "created user owner2") {
				t.Fatalf("--office by id: %d %q %q", code, out, errs)
			}
			if code, _, errs := cli(t, env, "", "user", "create", "owner3", "--role", "office_owner", "--office", "THR-9999"); code != 1 ||
				!strings.Contains(errs, `no office has the code "THR-9999"`) {
				t.Fatalf("unknown office code: %d %q", code, errs)
			}
			if code, _, errs := cli(t, env, "", "user", "create", "owner3", "--role", "office_owner", "--office", "987654"); code != 1 ||
				!strings.Contains(errs, "no office has the id 987654") {
				t.Fatalf("unknown office id: %d %q", code, errs)
			}

			code, out, errs = cli(t, env, "", "demand", "--province", "XYZ")
			if code != 2 || !strings.Contains(errs, `"XYZ" is not a province`) || !strings.Contains(errs, "THR") || out != "" {
				t.Fatalf("unknown province: %d %q %q", code, out, errs)
			}
			code, out, errs = cli(t, env, "", "demand", "--province", "thr", "--top", "100")
			if code != 0 || !strings.Contains(out, "Tehran") || strings.Contains(out, "Mashhad") || strings.Contains(errs, `"level"`) {
				t.Fatalf("demand --province thr: %d %q %q", code, out, errs)
			}

			// The header rounds the target as the explanations do, and one
			// office is "1 active office".
			code, out, errs = cli(t, env, "", "demand", "--explain", "--province", "THR", "--top", "100")
			target := regexp.MustCompile(`target ([0-9,]+) residents per office`).FindStringSubmatch(out)
			if code != 0 || target == nil || !strings.Contains(out, "at "+target[1]+" residents per office") ||
				!strings.Contains(out, "1 active office (") || strings.Contains(out, " 1 active offices") {
				t.Fatalf("demand --explain: %d %q %q", code, out, errs)
			}

			bad := filepath.Join(dir, "no-header.csv")
			os.WriteFile(bad, []byte("a,b,c\n1,2,3\n"), 0o600)
			code, _, errs = cli(t, env, "", "import", "exam-results", bad)
			if code != 1 || strings.Count(errs, "no header row was found") != 1 {
				t.Fatalf("the import's error: %d %q", code, errs)
			}
		})
	}
}

// TestImportScoreMaxCommand: import exam-results --score-max takes a file
// of standard scores; the report states the scale.
func TestImportScoreMaxCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DAFTAR_DATA_DIR": dir}
	file := filepath.Join("..", "..", "licensing", "testdata", "exam-standard-scores.csv")
	code, out, errs := cli(t, env, "", "import", "exam-results", file, "--dry-run")
	if code != 1 || !strings.Contains(out, "scores out of 100 (the default; --score-max for another scale)") ||
		!strings.Contains(out, "6 refused") || !strings.Contains(out, "give score_max") {
		t.Fatalf("default scale: %d %q %q", code, out, errs)
	}
	code, out, errs = cli(t, env, "", "import", "--score-max", "12000", "exam-results", file, "--exam-year", "1405")
	if code != 0 || !strings.Contains(out, "scores out of 12000 (as given)") || !strings.Contains(out, "5 accepted") ||
		!strings.Contains(out, `row 7, score "12750": the score must be between 0 and 12000`) {
		t.Fatalf("--score-max 12000: %d %q %q", code, out, errs)
	}
}

// TestThousands: the demand header rounds as the explanations do (half
// away from zero: 34,302.5 is 34,303, where %.0f said 34302).
func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{34302.5: "34,303", 34302.49: "34,302", 999: "999", 1000: "1,000", 1234567.8: "1,234,568", 0: "0"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestBuildShort: the one-word version prefers -ldflags, then a released
// module version, then the VCS revision.
func TestBuildShort(t *testing.T) {
	for _, c := range []struct {
		b    build
		want string
	}{
		{build{ldflags: "v1.2.0", module: "v1.1.0", revision: "abc"}, "v1.2.0"},
		{build{ldflags: "dev", module: "v1.1.0"}, "v1.1.0"},
		{build{ldflags: "dev", module: "(devel)", revision: "0123456789abcdef0123", modified: true}, "devel+0123456789ab-dirty"},
		{build{ldflags: "dev", module: "(devel)"}, "devel"},
	} {
		if got := c.b.short(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
	d := strings.Join(build{ldflags: "v1.2.0", module: "v0.0.0-20261201-abc", path: "github.com/daftar-ir/daftar", revision: "abc", time: "2026-12-01T09:00:00Z", goVer: "go1.26.8"}.details(), "\n")
	for _, want := range []string{"module github.com/daftar-ir/daftar v0.0.0-20261201-abc", "revision abc (2026-12-01T09:00:00Z)", "version set at build time: v1.2.0", "go1.26.8"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}
