package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestImportVisitsCommand runs `daftar import visits` on each engine: a
// good file with bad rows, the same file again, and files refused whole.
// Off a terminal the progress bar draws nothing.
func TestImportVisitsCommand(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"DAFTAR_DATA_DIR": dir, "LOG_LEVEL": "error"}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			getenv := func(k string) string { return env[k] }
			ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
			cfg, _, err := loadConfig("test", nil, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), daftar.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			code, lat, lon, city := "THR-0001", 35.70, 51.40, "tehran"
			if _, err := a.offices.Create(ctx, offices.Input{Code: &code, NameFa: &code, City: &city, Latitude: &lat, Longitude: &lon,
				Counters: func() *int { n := 3; return &n }(), Services: []string{"criminal_record"}}); err != nil {
				t.Fatal(err)
			}
			a.close()

			day := time.Now().In(daftar.Tehran()).AddDate(0, 0, -1).Format("2006-01-02")
			at := func(hm string) string { return day + " " + hm }
			file := filepath.Join(dir, "visits.csv")
			body := "office,ticket,service,arrived_at,called_at,finished_at,outcome,counter,channel,mobile\n" +
				fmt.Sprintf("THR-0001,A1,criminal_record,%s,%s,%s,served,1,walk_in,09121234567\n", at("09:00"), at("09:10"), at("09:20")) +
				fmt.Sprintf("THR-0001,A2,criminal_record,%s,%s,%s,served,2,,\n", at("09:05"), at("09:30"), at("09:45")) +
				fmt.Sprintf("THR-0001,A3,criminal_record,%s,,%s,cancelled,,,\n", at("10:00"), at("10:40")) +
				fmt.Sprintf("THR-0001,A4,petition,%s,%s,%s,served,1,,\n", at("10:00"), at("10:10"), at("10:20")) + // not offered
				fmt.Sprintf("THR-0001,A1,criminal_record,%s,%s,%s,served,1,,\n", at("09:00"), at("09:10"), at("09:20")) // repeated
			os.WriteFile(file, []byte(body), 0o600)
			runCmd := func(args ...string) (int, string, string) {
				var out, errb bytes.Buffer
				code := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
				return code, out.String(), errb.String()
			}
			code2, out, errs := runCmd("import", "visits", file)
			if code2 != 0 || !strings.Contains(out, "5 rows: 3 accepted, 1 duplicates, 1 refused") ||
				!strings.Contains(out, "line 5") || !strings.Contains(out, "does not offer petition") || !strings.Contains(out, "line 6") {
				t.Fatalf("import: %d %q %q", code2, out, errs)
			}
			if errs != "" {
				t.Fatalf("stderr off a terminal: %q", errs)
			}
			if strings.Contains(out, "09121234567") {
				t.Fatal("a mobile number was printed")
			}
			code2, out, _ = runCmd("import", "visits", "--show", "1", file)
			if code2 != 0 || !strings.Contains(out, "0 accepted, 4 duplicates, 1 refused") || !strings.Contains(out, "and 4 more") {
				t.Fatalf("again: %d %q", code2, out)
			}
			// The rollups are in: the crowding of that day reads three.
			d, err := db.Open(ctx, cfg.dbConfig(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var arrivals int64
			d.Gorm.Raw("SELECT COALESCE(SUM(arrivals), 0) FROM crowding_days").Scan(&arrivals)
			if arrivals != 3 {
				t.Fatalf("rollups hold %d arrivals", arrivals)
			}
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("office,ticket,colour\n"), 0o600)
			if code, _, errs := runCmd("import", "visits", bad); code != 1 || !strings.Contains(errs, "colour") {
				t.Fatalf("bad file: %d %q", code, errs)
			}
			if code, _, _ := runCmd("import", "visits", filepath.Join(dir, "missing.csv")); code != 1 {
				t.Fatalf("missing file: %d", code)
			}
			if code, _, _ := runCmd("import", "visits"); code != 2 {
				t.Fatalf("no file: %d", code)
			}
		})
	}
}
