package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/jobs"
)

func newScheduler(d *db.DB, instance string) *jobs.Scheduler {
	return jobs.New(d, slog.New(slog.DiscardHandler), daftar.SystemClock{}, instance)
}

// A panic is recovered and recorded, and the job runs again next time.
func TestPanicDoesNotStopLaterRuns(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		var n atomic.Int32
		s.Register(jobs.Job{Name: "flaky", Spec: "@yearly", Run: func(ctx context.Context) error {
			if n.Add(1) == 1 {
				panic("boom")
			}
			return nil
		}})
		ran, err := s.RunNow(context.Background(), "flaky")
		if !ran || err == nil {
			t.Fatalf("first run: ran=%v err=%v, want a recovered panic", ran, err)
		}
		ran, err = s.RunNow(context.Background(), "flaky")
		if !ran || err != nil {
			t.Fatalf("second run after a panic: ran=%v err=%v", ran, err)
		}
		runs, _ := jobs.Recent(context.Background(), d, 10)
		if len(runs) != 2 || runs[0].Status != "ok" || runs[1].Status != "failed" {
			t.Fatalf("recorded runs: %+v", runs)
		}
	})
}

// Two firings never overlap in one process.
func TestNoOverlapInProcess(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		release := make(chan struct{})
		started := make(chan struct{})
		s.Register(jobs.Job{Name: "slow", Spec: "@yearly", Run: func(ctx context.Context) error {
			close(started)
			<-release
			return nil
		}})
		done := make(chan bool)
		go func() { ran, _ := s.RunNow(context.Background(), "slow"); done <- ran }()
		<-started
		ran, err := s.RunNow(context.Background(), "slow")
		if ran || err != nil {
			t.Fatalf("overlapping run: ran=%v err=%v", ran, err)
		}
		close(release)
		if !<-done {
			t.Fatal("first run did not run")
		}
	})
}

// With PostgreSQL, two replicas firing together run the job once.
func TestOneRunAcrossReplicas(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		if e != db.Postgres {
			continue
		}
		t.Run("postgres", func(t *testing.T) {
			url := dbtest.NewPostgresDatabase(t)
			var count atomic.Int32
			gate := make(chan struct{})
			var replicas []*jobs.Scheduler
			for i := 0; i < 3; i++ {
				d, err := db.Open(context.Background(), db.Config{URL: url}, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				s := newScheduler(d, string(rune('a'+i)))
				s.Register(jobs.Job{Name: "monthly", Spec: "@monthly", Run: func(ctx context.Context) error {
					count.Add(1)
					<-gate
					return nil
				}})
				replicas = append(replicas, s)
			}
			var wg sync.WaitGroup
			var ranCount atomic.Int32
			for _, s := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if ran, _ := s.RunNow(context.Background(), "monthly"); ran {
						ranCount.Add(1)
					}
				}()
			}
			// Let every replica try while the first holds the lock.
			time.Sleep(300 * time.Millisecond)
			close(gate)
			wg.Wait()
			if count.Load() != 1 || ranCount.Load() != 1 {
				t.Fatalf("job ran %d times (reported %d), want once", count.Load(), ranCount.Load())
			}
		})
	}
}

// Stop waits for a running job to finish.
func TestStopWaitsForRunningJobs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		started := make(chan struct{})
		var finished atomic.Bool
		s.Register(jobs.Job{Name: "work", Spec: "@yearly", Run: func(ctx context.Context) error {
			close(started)
			time.Sleep(200 * time.Millisecond)
			finished.Store(true)
			return nil
		}})
		s.Start()
		go s.RunNow(context.Background(), "work")
		<-started
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !finished.Load() {
			t.Fatal("Stop returned before the running job finished")
		}
	})
}

func TestRegisterRefusesBadInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		ok := func(context.Context) error { return nil }
		if err := s.Register(jobs.Job{Name: "x", Spec: "not a schedule", Run: ok}); err == nil {
			t.Fatal("bad spec accepted")
		}
		if err := s.Register(jobs.Job{Name: "", Spec: "@daily", Run: ok}); err == nil {
			t.Fatal("nameless job accepted")
		}
		s.Register(jobs.Job{Name: "y", Spec: "@daily", Run: ok})
		if err := s.Register(jobs.Job{Name: "y", Spec: "@daily", Run: ok}); err == nil {
			t.Fatal("duplicate accepted")
		}
		if _, err := s.RunNow(context.Background(), "nope"); !errors.Is(err, err) || !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown job: %v", err)
		}
	})
}
