package jobs_test

import (
	"context"
	"log/slog"
	"strings"
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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// replicas opens n schedulers, each with its own pool, on one fresh
// PostgreSQL database.
func replicas(t *testing.T, n int) ([]*jobs.Scheduler, *db.DB) {
	t.Helper()
	url := dbtest.NewPostgresDatabase(t)
	var out []*jobs.Scheduler
	var first *db.DB
	for i := 0; i < n; i++ {
		d, err := db.Open(context.Background(), db.Config{URL: url}, nil)
		must(t, err)
		t.Cleanup(func() { d.Close() })
		if first == nil {
			first = d
		}
		out = append(out, newScheduler(d, string(rune('a'+i))))
	}
	return out, first
}

// onPostgres runs fn when PostgreSQL is among the engines of this run.
func onPostgres(t *testing.T, fn func(t *testing.T)) {
	for _, e := range dbtest.Engines(t) {
		if e == db.Postgres {
			t.Run("postgres", fn)
		}
	}
}

// A panic is recovered and recorded, and the job runs again next time.
func TestPanicDoesNotStopLaterRuns(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		var n atomic.Int32
		must(t, s.Register(jobs.Job{Name: "flaky", Spec: "@yearly", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
			if n.Add(1) == 1 {
				panic("boom")
			}
			return nil
		}}))
		r, err := s.RunNow(context.Background(), "flaky")
		if r.Status != jobs.StatusFailed || err == nil || !strings.Contains(err.Error(), "panic: boom") {
			t.Fatalf("first run: %+v err=%v, want a recovered panic", r, err)
		}
		r, err = s.RunNow(context.Background(), "flaky")
		if r.Status != jobs.StatusOK || err != nil {
			t.Fatalf("second run after a panic: %+v err=%v", r, err)
		}
		runs, err := jobs.Recent(context.Background(), d, "", 10)
		must(t, err)
		if len(runs) != 2 || runs[0].Status != "ok" || runs[1].Status != "failed" || runs[0].RequestedBy == "" || runs[0].Instance != "a" {
			t.Fatalf("recorded runs: %+v", runs)
		}
	})
}

// Two firings never overlap in one process; the second is recorded as
// skipped.
func TestNoOverlapInProcess(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		release := make(chan struct{})
		started := make(chan struct{})
		must(t, s.Register(jobs.Job{Name: "slow", Spec: "@yearly", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
			close(started)
			<-release
			return nil
		}}))
		done := make(chan jobs.Run)
		go func() { r, _ := s.RunNow(context.Background(), "slow"); done <- r }()
		<-started
		r, err := s.FireAt(context.Background(), "slow", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if r.Status != jobs.StatusSkipped || err != nil || r.ID == 0 {
			t.Fatalf("overlapping firing: %+v err=%v, want a recorded skip", r, err)
		}
		close(release)
		if r := <-done; r.Status != jobs.StatusOK {
			t.Fatalf("first run: %+v", r)
		}
	})
}

// Replicas firing the same scheduled times together run each cluster
// firing exactly once, whichever gets there first, and every replica runs
// the local refresh at every firing.
func TestEachFiringOnceAcrossReplicas(t *testing.T) {
	onPostgres(t, func(t *testing.T) {
		reps, d := replicas(t, 3)
		var mu sync.Mutex
		ranCluster := map[string]int{} // firing -> runs
		ranLocal := map[string]int{}   // instance -> runs
		for _, s := range reps {
			inst := s.Instance()
			must(t, s.Register(jobs.Job{Name: "sms", Spec: "* * * * *", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
				time.Sleep(2 * time.Millisecond)
				return nil
			}}))
			must(t, s.Register(jobs.Job{Name: "profiles", Spec: "* * * * *", Kind: jobs.Local, Run: func(ctx context.Context) error {
				mu.Lock()
				ranLocal[inst]++
				mu.Unlock()
				return nil
			}}))
		}
		const firings = 25
		base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		for i := 0; i < firings; i++ {
			// One firing at a time, as the clock brings them, each fired
			// by every replica at once.
			var wg sync.WaitGroup
			at := base.Add(time.Duration(i) * time.Minute)
			for _, s := range reps {
				wg.Add(2)
				go func() {
					defer wg.Done()
					r, err := s.FireAt(context.Background(), "sms", at)
					if err != nil {
						t.Error(err)
					}
					if r.Status == jobs.StatusOK {
						mu.Lock()
						ranCluster[at.Format(time.RFC3339)]++
						mu.Unlock()
					}
				}()
				go func() {
					defer wg.Done()
					if _, err := s.FireAt(context.Background(), "profiles", at); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		for i := 0; i < firings; i++ {
			key := base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
			if ranCluster[key] > 1 {
				t.Errorf("firing %s ran %d times", key, ranCluster[key])
			}
		}
		runs, err := jobs.Recent(context.Background(), d, "sms", 1000)
		must(t, err)
		perFiring := map[string]int{}
		ok := 0
		for _, r := range runs {
			if r.Firing == nil || r.ScheduledAt == nil {
				t.Fatalf("a cluster run without its firing: %+v", r)
			}
			perFiring[*r.Firing]++
			if r.Status == jobs.StatusOK {
				ok++
			}
		}
		if len(perFiring) != firings || len(runs) != firings {
			t.Fatalf("%d rows for %d firings (%d distinct), want one each", len(runs), firings, len(perFiring))
		}
		// Three replicas fire together, and a firing may find the previous
		// one still running only if a run outlasts a firing: here none does,
		// so each ran.
		if ok != firings {
			t.Errorf("%d of %d firings ran: %+v", ok, firings, runs)
		}
		for _, s := range reps {
			if ranLocal[s.Instance()] != firings {
				t.Errorf("local refresh ran %d times on %s, want %d", ranLocal[s.Instance()], s.Instance(), firings)
			}
		}
		local, err := jobs.Recent(context.Background(), d, "profiles", 1000)
		must(t, err)
		if len(local) != 3*firings {
			t.Errorf("%d local runs recorded, want %d", len(local), 3*firings)
		}
	})
}

// While a cluster job runs on one replica, a firing on another is recorded
// as skipped, naming where it runs; a manual firing too.
func TestSkippedWhileRunningElsewhere(t *testing.T) {
	onPostgres(t, func(t *testing.T) {
		reps, _ := replicas(t, 2)
		release := make(chan struct{})
		started := make(chan struct{}, 2)
		for _, s := range reps {
			must(t, s.Register(jobs.Job{Name: "rollups", Spec: "40 2 * * *", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
				started <- struct{}{}
				<-release
				return nil
			}}))
		}
		day := time.Date(2026, 3, 1, 23, 10, 0, 0, time.UTC)
		done := make(chan jobs.Run)
		go func() { r, _ := reps[0].FireAt(context.Background(), "rollups", day); done <- r }()
		<-started
		r, err := reps[1].FireAt(context.Background(), "rollups", day.Add(24*time.Hour))
		if err != nil || r.Status != jobs.StatusSkipped || !strings.Contains(r.Detail, "running on a") {
			t.Fatalf("next firing on b while a runs: %+v %v", r, err)
		}
		r, err = reps[1].RunNow(context.Background(), "rollups")
		if err != nil || r.Status != jobs.StatusSkipped {
			t.Fatalf("run now on b while a runs: %+v %v", r, err)
		}
		close(release)
		if r := <-done; r.Status != jobs.StatusOK || r.Instance != "a" {
			t.Fatalf("a's run: %+v", r)
		}
		// Once it is over, b runs the next one.
		r, err = reps[1].FireAt(context.Background(), "rollups", day.Add(48*time.Hour))
		<-started
		if err != nil || r.Status != jobs.StatusOK || r.Instance != "b" {
			t.Fatalf("b after a finished: %+v %v", r, err)
		}
	})
}

// A run left "running" by an instance that died does not block the job
// for ever: past its timeout it is recorded as abandoned and the job runs.
func TestAbandonedRunIsRetired(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		clock := daftar.NewManualClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		dead := jobs.New(d, slog.New(slog.DiscardHandler), clock, "dead")
		alive := jobs.New(d, slog.New(slog.DiscardHandler), clock, "alive")
		gate := make(chan struct{})
		job := jobs.Job{Name: "expire", Spec: "5 0 * * *", Kind: jobs.Cluster, Timeout: 10 * time.Minute}
		job.Run = func(ctx context.Context) error { <-gate; return nil }
		must(t, dead.Register(job))
		job.Run = func(ctx context.Context) error { return nil }
		must(t, alive.Register(job))
		// "dead" claims a firing and, as far as the others can tell, never
		// finishes it (its run blocks until the test ends).
		go dead.FireAt(context.Background(), "expire", clock.Now())
		waitFor(t, func() bool {
			runs, _ := jobs.Recent(context.Background(), d, "expire", 5)
			return len(runs) == 1 && runs[0].Status == jobs.StatusRunning
		})
		r, err := alive.FireAt(context.Background(), "expire", clock.Now().Add(24*time.Hour))
		if err != nil || r.Status != jobs.StatusSkipped {
			t.Fatalf("within the timeout: %+v %v, want skipped", r, err)
		}
		clock.Advance(48 * time.Hour)
		r, err = alive.FireAt(context.Background(), "expire", clock.Now())
		if err != nil || r.Status != jobs.StatusOK {
			t.Fatalf("past the timeout: %+v %v, want a run", r, err)
		}
		runs, err := jobs.Recent(context.Background(), d, "expire", 5)
		must(t, err)
		old := runs[len(runs)-1]
		if old.Instance != "dead" || old.Status != jobs.StatusFailed || !strings.Contains(old.Detail, "abandoned") {
			t.Fatalf("the dead instance's run: %+v", old)
		}
		close(gate)
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached")
}

// Stop lets a running job finish within its budget; past the budget it
// cancels the job and names it as cut off. With nothing running nothing is
// cut off.
func TestStopWithinBudget(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		t.Run("idle", func(t *testing.T) {
			s := newScheduler(d, "a")
			must(t, s.Register(jobs.Job{Name: "work", Spec: "@yearly", Kind: jobs.Cluster, Run: func(ctx context.Context) error { return nil }}))
			s.Start()
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // no budget at all: nothing runs, so nothing is cut off
			if cut := s.Stop(ctx); len(cut) != 0 {
				t.Fatalf("idle stop cut off %v", cut)
			}
			must(t, s.Wait(context.Background()))
		})
		t.Run("finishes in time", func(t *testing.T) {
			s := newScheduler(d, "a")
			started := make(chan struct{})
			var finished atomic.Bool
			must(t, s.Register(jobs.Job{Name: "work", Spec: "@yearly", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
				close(started)
				time.Sleep(100 * time.Millisecond)
				finished.Store(true)
				return nil
			}}))
			s.Start()
			go s.RunNow(context.Background(), "work")
			<-started
			if cut := s.Stop(context.Background()); len(cut) != 0 || !finished.Load() {
				t.Fatalf("Stop returned (cut off %v) before the running job finished (%v)", cut, finished.Load())
			}
		})
		t.Run("cut off", func(t *testing.T) {
			s := newScheduler(d, "a")
			started := make(chan struct{})
			must(t, s.Register(jobs.Job{Name: "endless", Spec: "@yearly", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
				close(started)
				<-ctx.Done()
				return ctx.Err()
			}}))
			s.Start()
			done := make(chan jobs.Run)
			go func() { r, _ := s.RunNow(context.Background(), "endless"); done <- r }()
			<-started
			budget, cancel := context.WithCancel(context.Background())
			cancel()
			if cut := s.Stop(budget); len(cut) != 1 || cut[0] != "endless" {
				t.Fatalf("cut off %v, want [endless]", cut)
			}
			must(t, s.Wait(context.Background()))
			if r := <-done; r.Status != jobs.StatusFailed || !strings.Contains(r.Detail, "context canceled") {
				t.Fatalf("the cut-off run was recorded as %+v", r)
			}
			if _, err := s.RunNow(context.Background(), "endless"); !daftar.IsKind(err, daftar.KindUnavailable) {
				t.Fatalf("run now after stop: %v", err)
			}
		})
	})
}

// Each manual firing has its own key, so running a job by hand twice runs
// it twice (and never takes a scheduled firing's place); Trigger answers at
// once with the claimed run and records the outcome later.
func TestManualFirings(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		var block atomic.Bool
		release := make(chan struct{})
		must(t, s.Register(jobs.Job{Name: "drafts", Spec: "30 1 * * *", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
			if block.Load() {
				<-release
			}
			return nil
		}}))
		ctx := daftar.WithActor(context.Background(), daftar.Actor{UserID: 7, Username: "ops", Role: daftar.RoleAdmin})
		a, err := s.RunNow(ctx, "drafts")
		must(t, err)
		b, err := s.RunNow(ctx, "drafts")
		must(t, err)
		if a.Status != jobs.StatusOK || b.Status != jobs.StatusOK || *a.Firing == *b.Firing || !strings.HasPrefix(*a.Firing, "manual:") ||
			a.RequestedBy != "ops" || a.ScheduledAt != nil {
			t.Fatalf("manual runs: %+v %+v", a, b)
		}
		sched, err := s.FireAt(context.Background(), "drafts", time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC))
		if err != nil || sched.Status != jobs.StatusOK || sched.RequestedBy != "" {
			t.Fatalf("the scheduled firing after manual ones: %+v %v", sched, err)
		}
		block.Store(true)
		tr, err := s.Trigger(ctx, "drafts")
		if err != nil || tr.Status != jobs.StatusRunning || tr.ID == 0 {
			t.Fatalf("trigger: %+v %v", tr, err)
		}
		close(release)
		waitFor(t, func() bool {
			runs, _ := jobs.Recent(context.Background(), d, "drafts", 1)
			return len(runs) == 1 && runs[0].ID == tr.ID && runs[0].Status == jobs.StatusOK
		})
		if _, err := s.Trigger(ctx, "nope"); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown job: %v", err)
		}
	})
}

func TestRegisterRefusesBadInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newScheduler(d, "a")
		ok := func(context.Context) error { return nil }
		for _, j := range []jobs.Job{
			{Name: "x", Spec: "not a schedule", Run: ok},
			{Name: "", Spec: "@daily", Run: ok},
			{Name: "x", Spec: "@daily"},
			{Name: "x", Spec: "@every 5s", Run: ok},
			{Name: "x", Spec: "@daily", Kind: "everywhere", Run: ok},
			{Name: "x", Spec: "@daily", Run: ok}, // no kind declared
		} {
			if err := s.Register(j); err == nil {
				t.Errorf("%+v accepted", j)
			}
		}
		must(t, s.Register(jobs.Job{Name: "y", Spec: "@daily", Kind: jobs.Local, Run: ok}))
		must(t, s.Register(jobs.Job{Name: "z", Spec: "*/5 * * * * *", Kind: jobs.Cluster, Run: ok}))
		if err := s.Register(jobs.Job{Name: "y", Spec: "@daily", Kind: jobs.Local, Run: ok}); err == nil {
			t.Fatal("duplicate accepted")
		}
		if _, err := s.RunNow(context.Background(), "nope"); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown job: %v", err)
		}
		list := s.Jobs()
		if len(list) != 2 || list[0].Name != "y" || list[0].Kind != jobs.Local || list[1].Next.IsZero() || list[1].Next.Second()%5 != 0 {
			t.Fatalf("jobs: %+v", list)
		}
	})
}

// Two replicas on their real schedules, a cluster job and a local refresh
// every second: every firing is claimed once and run once, the refresh runs
// on both; once one replica stops, the other takes every firing.
func TestSchedulesAcrossReplicasOverTime(t *testing.T) {
	onPostgres(t, func(t *testing.T) {
		reps, d := replicas(t, 2)
		var mu sync.Mutex
		ran := map[string]int{}
		for _, s := range reps {
			must(t, s.Register(jobs.Job{Name: "tick", Spec: "* * * * * *", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
				mu.Lock()
				ran[time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)]++
				mu.Unlock()
				return nil
			}}))
			must(t, s.Register(jobs.Job{Name: "refresh", Spec: "* * * * * *", Kind: jobs.Local, Run: func(ctx context.Context) error { return nil }}))
			s.Start()
		}
		time.Sleep(3500 * time.Millisecond)
		if cut := reps[0].Stop(context.Background()); len(cut) != 0 {
			t.Fatalf("a cut off %v", cut)
		}
		stoppedA := time.Now().UTC()
		time.Sleep(3 * time.Second)
		reps[1].Stop(context.Background())

		runs, err := jobs.Recent(context.Background(), d, "tick", 100)
		must(t, err)
		byFiring := map[string]jobs.Run{}
		var first, last time.Time
		for _, r := range runs {
			if _, dup := byFiring[*r.Firing]; dup {
				t.Fatalf("firing %s recorded twice", *r.Firing)
			}
			byFiring[*r.Firing] = r
			if r.Status != jobs.StatusOK {
				t.Errorf("firing %s: %s (%s)", *r.Firing, r.Status, r.Detail)
			}
			if first.IsZero() || r.ScheduledAt.Before(first) {
				first = *r.ScheduledAt
			}
			if r.ScheduledAt.After(last) {
				last = *r.ScheduledAt
			}
			if r.ScheduledAt.After(stoppedA.Add(time.Second)) && r.Instance != "b" {
				t.Errorf("firing %s after a stopped ran on %s", *r.Firing, r.Instance)
			}
		}
		if len(runs) < 5 {
			t.Fatalf("only %d firings in 6.5 s", len(runs))
		}
		for at := first; !at.After(last); at = at.Add(time.Second) {
			if _, ok := byFiring[at.Format(time.RFC3339)]; !ok {
				t.Errorf("firing %s was never run", at.Format(time.RFC3339))
			}
		}
		total := 0
		for _, n := range ran {
			total += n
		}
		if total != len(runs) {
			t.Errorf("the job ran %d times for %d firings", total, len(runs))
		}
		local, err := jobs.Recent(context.Background(), d, "refresh", 100)
		must(t, err)
		on := map[string]int{}
		for _, r := range local {
			on[r.Instance]++
		}
		if on["a"] < 2 || on["b"] < 5 {
			t.Errorf("the local refresh ran %v times per instance", on)
		}
	})
}
