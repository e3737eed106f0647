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
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/licensing"
)

// stepCtx is cancelled at its at-th use: every statement a driver runs asks
// its context for Done, so cancelling at the n-th ask stops the work just
// before (or while) its n-th step, as a kill -9 would at that moment.
type stepCtx struct {
	context.Context
	cancel context.CancelFunc
	asked  atomic.Int64
	at     int64
}

func newStepCtx(parent context.Context, at int64) *stepCtx {
	ctx, cancel := context.WithCancel(parent)
	return &stepCtx{Context: ctx, cancel: cancel, at: at}
}

func (c *stepCtx) Done() <-chan struct{} {
	if c.asked.Add(1) == c.at {
		c.cancel()
	}
	return c.Context.Done()
}

// cancelledAtEveryStep runs do with its context cancelled at step 1, 2, 3,
// ... until it completes, and after each attempt asks state whether the
// data and its audit event are both there (true) or both absent (false);
// anything in between fails the test. It returns the steps tried.
func cancelledAtEveryStep(t *testing.T, base context.Context, do func(ctx context.Context) error, state func() (complete bool, err error)) int {
	t.Helper()
	for at := int64(1); at < 20000; at++ {
		ctx := newStepCtx(base, at)
		err := do(ctx)
		ctx.cancel()
		complete, serr := state()
		if serr != nil {
			t.Fatalf("step %d: %v (the import said %v)", at, serr, err)
		}
		if err == nil && !complete {
			t.Fatalf("step %d: the import succeeded but left nothing", at)
		}
		if complete {
			return int(at)
		}
	}
	t.Fatal("the import never completed")
	return 0
}

// counts reads the given COUNT(*) statements.
func counts(d *db.DB, queries ...string) ([]int64, error) {
	out := make([]int64, len(queries))
	for i, q := range queries {
		if err := d.SQL.QueryRow(q).Scan(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bothOrNeither says whether every count is at its full value (true), all
// are zero (false), or else names the mixture as an error.
func bothOrNeither(got, full []int64, names []string) (bool, error) {
	zero, whole := true, true
	for i := range got {
		zero = zero && got[i] == 0
		whole = whole && got[i] == full[i]
	}
	if !zero && !whole {
		var parts []string
		for i := range got {
			parts = append(parts, fmt.Sprintf("%s %d (of %d)", names[i], got[i], full[i]))
		}
		return false, fmt.Errorf("data and audit apart: %s", strings.Join(parts, ", "))
	}
	return whole, nil
}

// TestImportsCancelledAtEveryStep: the visits import and the exam-results
// import, cancelled at each of their steps in turn, leave either the whole
// file with its audit event or nothing at all, never the data without its
// event (the visits import once wrote its event in a second transaction).
func TestImportsCancelledAtEveryStep(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			cfg, _, err := loadConfig("test", nil, func(k string) string { return env[k] }, io.Discard)
			must(t, err)
			ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
			a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), daftar.SystemClock{})
			must(t, err)
			defer a.close()

			t.Run("visits", func(t *testing.T) {
				code, lat, lon, city := "THR-0001", 35.70, 51.40, "tehran"
				_, err := a.offices.Create(ctx, offices.Input{Code: &code, NameFa: &code, City: &city, Latitude: &lat, Longitude: &lon,
					Counters: func() *int { n := 3; return &n }(), Services: []string{"criminal_record"}})
				must(t, err)
				day := time.Now().In(daftar.Tehran()).AddDate(0, 0, -1).Format("2006-01-02")
				var b strings.Builder
				b.WriteString("office,ticket,service,arrived_at,called_at,finished_at,outcome,counter,channel,mobile\n")
				for i := 0; i < 40; i++ {
					fmt.Fprintf(&b, "THR-0001,T%d,criminal_record,%s 09:%02d,%s 09:%02d,%s 10:%02d,served,%d,walk_in,\n", i, day, i, day, i+5, day, i, 1+i%3)
				}
				file := b.String()
				names := []string{"visits", "rollup days", "audit events"}
				queries := []string{"SELECT COUNT(*) FROM visits", "SELECT COUNT(*) FROM crowding_days",
					"SELECT COUNT(*) FROM audit_events WHERE action = 'visits.import'"}
				full := []int64{40, 1, 1}
				steps := cancelledAtEveryStep(t, ctx, func(ctx context.Context) error {
					_, err := a.importVisits(ctx, strings.NewReader(file), "visits.csv", visits.ImportOptions{ChunkRows: 10})
					return err
				}, func() (bool, error) {
					got, err := counts(a.db, queries...)
					if err != nil {
						return false, err
					}
					return bothOrNeither(got, full, names)
				})
				t.Logf("visits import: cancelled at each of its first %d steps, then complete", steps-1)
			})

			t.Run("exam results", func(t *testing.T) {
				sample, err := os.ReadFile(filepath.Join("..", "..", "licensing", "testdata", "exam-sample.csv"))
				must(t, err)
				names := []string{"imports", "candidates", "audit events"}
				queries := []string{"SELECT COUNT(*) FROM exam_imports", "SELECT COUNT(*) FROM candidates",
					"SELECT COUNT(*) FROM audit_events WHERE action = 'exam_import.create'"}
				full := []int64{1, 12, 1}
				steps := cancelledAtEveryStep(t, ctx, func(ctx context.Context) error {
					_, _, err := a.exams.Import(ctx, licensing.ImportInput{Content: bytes.NewReader(sample), Size: int64(len(sample)),
						FileName: "exam-sample.csv", ExamYear: 1404})
					return err
				}, func() (bool, error) {
					got, err := counts(a.db, queries...)
					if err != nil {
						return false, err
					}
					return bothOrNeither(got, full, names)
				})
				t.Logf("exam import: cancelled at each of its first %d steps, then complete", steps-1)
			})
		})
	}
}
