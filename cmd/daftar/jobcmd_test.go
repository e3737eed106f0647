package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// daftar job list shows every job with its kind; daftar job run runs a
// cluster job once, as a manual firing recorded under this host's /cli
// instance, and refuses a local refresh or an unknown job.
func TestJobCommands(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_INSTANCE": "ops-host", "LOG_LEVEL": "error"}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			runCmd := func(args ...string) (int, string, string) {
				var out, errb bytes.Buffer
				code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
				return code, out.String(), errb.String()
			}
			code, out, errs := runCmd("job", "list")
			if code != 0 {
				t.Fatalf("job list: %d %s", code, errs)
			}
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^licences-expire\s+cluster\s+5 0 \* \* \*\s+\d{4}/\d\d/\d\d \d\d:\d\d\s+never$`),
				regexp.MustCompile(`(?m)^finder-profiles\s+local\s`),
				regexp.MustCompile(`(?m)^ranking-grades\s+local\s`),
				regexp.MustCompile(`(?m)^jobs-prune\s+cluster\s`),
			} {
				if !want.MatchString(out) {
					t.Errorf("job list does not match %s:\n%s", want, out)
				}
			}
			if code, out, errs := runCmd("job", "run", "licences-expire"); code != 0 || !strings.Contains(out, "licences-expire: ok on ops-host/cli") {
				t.Fatalf("job run: %d %q %q", code, out, errs)
			}
			if code, _, errs := runCmd("job", "run", "finder-profiles"); code != 2 || !strings.Contains(errs, "local refresh") {
				t.Fatalf("job run of a local refresh: %d %q", code, errs)
			}
			if code, _, errs := runCmd("job", "run", "no-such-job"); code != 2 || !strings.Contains(errs, "no job") {
				t.Fatalf("job run of an unknown job: %d %q", code, errs)
			}
			code, out, _ = runCmd("job", "list")
			if code != 0 || !regexp.MustCompile(`(?m)^licences-expire\s.*ok on ops-host/cli at `).MatchString(out) {
				t.Fatalf("job list after a run:\n%s", out)
			}
			// Schedules can be overridden by name; a name that is no job,
			// a bad schedule or a malformed setting stops the command.
			env["DAFTAR_JOB_SCHEDULES"] = "ranking-draft=0 5 * * *; finder-profiles=*/10 * * * * *"
			if code, out, errs := runCmd("job", "list"); code != 0 || !regexp.MustCompile(`(?m)^ranking-draft\s+cluster\s+0 5 \* \* \*\s`).MatchString(out) ||
				!regexp.MustCompile(`(?m)^finder-profiles\s+local\s+\*/10 \* \* \* \* \*\s`).MatchString(out) {
				t.Fatalf("overridden schedules: %d %s %s", code, out, errs)
			}
			for value, want := range map[string]string{"no-such=* * * * *": "no such job", "ranking-draft=never": "bad schedule", "ranking-draft": "NAME=CRON"} {
				env["DAFTAR_JOB_SCHEDULES"] = value
				if code, _, errs := runCmd("job", "list"); code == 0 || !strings.Contains(errs, want) {
					t.Errorf("DAFTAR_JOB_SCHEDULES=%q: %d %q, want an error saying %q", value, code, errs, want)
				}
			}
		})
	}
}

// docs/operations.md's table of jobs names every registered job with its
// kind, and nothing else.
func TestOperationsDocListsEveryJob(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (cluster|local) \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = m[2]
	}
	a := openTestApp(t)
	for _, j := range a.jobs.Jobs() {
		if documented[j.Name] != string(j.Kind) {
			t.Errorf("docs/operations.md lists %s as %q, it is registered as %s", j.Name, documented[j.Name], j.Kind)
		}
		delete(documented, j.Name)
	}
	for name := range documented {
		t.Errorf("docs/operations.md lists %s, which is no registered job", name)
	}
}

// openTestApp builds the app over a fresh SQLite file, with every job
// registered (the SMS drain too).
func openTestApp(t *testing.T) *app {
	t.Helper()
	env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_SMS_GATEWAY": "log", "LOG_LEVEL": "error"}
	cfg, _, err := loadConfig("test", nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg, newLogger(cfg, &bytes.Buffer{}), daftar.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a
}
