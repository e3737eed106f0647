package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestImportExamResultsCommand runs `daftar import exam-results` on each
// engine: a dry run, the import, the same file again, XLSX, a file refused
// as a whole and an unreadable one.
func TestImportExamResultsCommand(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"DAFTAR_DATA_DIR": dir, "LOG_LEVEL": "error"}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			runCmd := func(args ...string) (int, string, string) {
				var out, errb bytes.Buffer
				code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
				return code, out.String(), errb.String()
			}
			sample := filepath.Join("..", "..", "licensing", "testdata", "exam-sample.csv")
			code, out, errs := runCmd("import", "exam-results", sample, "--dry-run", "--exam-year", "۱۴۰۴")
			if code != 0 || !strings.Contains(out, "dry run") || !strings.Contains(out, "12 accepted (10 passed, 2 not passed)") ||
				!strings.Contains(out, "exam year 1404") {
				t.Fatalf("dry run: %d %q %q", code, out, errs)
			}
			code, out, errs = runCmd("import", "exam-results", "--exam-year=1404", sample)
			if code != 0 || !strings.Contains(out, "exam import 1 created") || !strings.Contains(out, "status accepted") {
				t.Fatalf("import: %d %q %q", code, out, errs)
			}
			code, out, _ = runCmd("import", "exam-results", sample)
			if code != 0 || !strings.Contains(out, "already imported as import 1") {
				t.Fatalf("again: %d %q", code, out)
			}
			// The XLSX sample holds the same people: for the same year every
			// row is refused as already imported, and the command fails.
			xlsx := filepath.Join("..", "..", "licensing", "testdata", "exam-sample.xlsx")
			code, out, errs = runCmd("import", "exam-results", xlsx, "--exam-year", "1404", "--show", "2")
			if code != 1 || !strings.Contains(out, "status refused") || !strings.Contains(out, "already imported") ||
				!strings.Contains(out, "and 10 more") || !strings.Contains(errs, "refused") {
				t.Fatalf("xlsx, same year: %d %q %q", code, out, errs)
			}
			if strings.Contains(out, "0084575948") {
				t.Fatal("a full national code was printed")
			}
			// For another year it goes in whole (the leading zeros Excel
			// dropped are restored).
			code, out, errs = runCmd("import", "exam-results", xlsx, "--exam-year", "1405", "--sheet", "نتایج")
			if code != 0 || !strings.Contains(out, "12 accepted") || !strings.Contains(out, "xlsx, sheet نتایج") {
				t.Fatalf("xlsx: %d %q %q", code, out, errs)
			}
			junk := filepath.Join(dir, "photo.csv")
			os.WriteFile(junk, []byte("\x89PNG\r\n\x1a\nnot a sheet"), 0o600)
			if code, _, errs := runCmd("import", "exam-results", junk); code != 1 || !strings.Contains(errs, "image") {
				t.Fatalf("junk: %d %q", code, errs)
			}
			if code, _, _ := runCmd("import", "exam-results"); code != 2 {
				t.Fatalf("no file: exit %d, want 2", code)
			}
			if code, _, _ := runCmd("import", "nonsense", sample); code != 2 {
				t.Fatalf("unknown kind: exit %d, want 2", code)
			}
		})
	}
}

// TestSeedDemo: the demo dataset holds an exam year of about 2,000 passed
// candidates, most of them through the document review, and the licensing
// history (checkDemoLicensing).
func TestSeedDemo(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"seed", "demo"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("seed demo: %d %s", code, errb.String())
			}
			cfg, _, err := loadConfig("test", nil, func(k string) string { return env[k] }, &errb)
			if err != nil {
				t.Fatal(err)
			}
			d, err := db.Open(context.Background(), cfg.dbConfig(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var states []struct {
				State string
				N     int
			}
			d.Gorm.Raw("SELECT state, COUNT(*) AS n FROM candidates GROUP BY state ORDER BY state").Scan(&states)
			got := map[string]int{}
			total := 0
			for _, s := range states {
				got[s.State] = s.N
				total += s.N
			}
			if total != demoExamPassed+demoExamNotPassed || got["not_passed"] != demoExamNotPassed || got["approved"] < 1200 ||
				got["documents_submitted"] == 0 || got["rejected"] == 0 || got["passed"] == 0 {
				t.Fatalf("demo candidates by state: %v", got)
			}
			var imports int64
			d.Gorm.Table("exam_imports").Count(&imports)
			if imports != 1 {
				t.Fatalf("%d demo imports", imports)
			}
			checkDemoLicensing(t, cfg)
			checkDemoRanking(t, cfg)
			checkLicensingCLI(t, env)
		})
	}
}
