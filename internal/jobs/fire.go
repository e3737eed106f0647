package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/daftar-ir/daftar"
)

// firing is one occasion to run a job: a scheduled time, or a manual
// request with a key of its own.
type firing struct {
	key       string
	scheduled time.Time // zero for a manual firing
	by        string    // who asked, for a manual firing
}

// manualFiring is a fresh key: a manual firing never collides with a
// scheduled one or another manual one.
func (s *Scheduler) manualFiring(ctx context.Context) firing {
	b := make([]byte, 6)
	rand.Read(b)
	by := "system"
	if a, ok := daftar.ActorFrom(ctx); ok {
		by = a.Username
	}
	return firing{key: "manual:" + s.clock.Now().Format(time.RFC3339) + ":" + hex.EncodeToString(b), by: by}
}

// RunNow runs a job at once, under the same rules as a scheduled firing,
// and returns its recorded run: ok or failed, or skipped when it was
// already running here or on another replica. The error is the job's.
func (s *Scheduler) RunNow(ctx context.Context, name string) (Run, error) {
	e, err := s.entry(name)
	if err != nil {
		return Run{}, err
	}
	f := s.manualFiring(ctx)
	var (
		r    Run
		rerr error
		done = make(chan struct{})
	)
	ok := s.spawn(func(sctx context.Context) {
		defer close(done)
		// Cancelled by the caller, or by the scheduler's shutdown.
		runCtx, cancel := context.WithCancel(ctx)
		defer context.AfterFunc(sctx, cancel)()
		defer cancel()
		r, rerr = s.execute(runCtx, e, f)
	})
	if !ok {
		return Run{}, daftar.Unavailable("shutting_down", "the scheduler is stopping")
	}
	<-done
	return r, rerr
}

// Trigger claims a manual firing of the job and runs it in the background
// (a request need not wait for an hour-long job); it returns the claimed
// run, whose status is running, or skipped when the job was already
// running. The run's outcome is recorded in job_runs.
func (s *Scheduler) Trigger(ctx context.Context, name string) (Run, error) {
	e, err := s.entry(name)
	if err != nil {
		return Run{}, err
	}
	f := s.manualFiring(ctx)
	type claimed struct {
		r   Run
		err error
	}
	ch := make(chan claimed, 1)
	ok := s.spawn(func(sctx context.Context) {
		r, err := s.executeThen(sctx, e, f, func(r Run, err error) { ch <- claimed{r, err} })
		if err != nil {
			s.log.Error("job failed", "job", name, "firing", f.key, "error", err)
		} else {
			s.log.Info("job finished", "job", name, "firing", f.key, "status", r.Status)
		}
	})
	if !ok {
		return Run{}, daftar.Unavailable("shutting_down", "the scheduler is stopping")
	}
	select {
	case c := <-ch:
		return c.r, c.err
	case <-ctx.Done():
		return Run{}, ctx.Err()
	}
}

// execute is the wrapper every run goes through.
func (s *Scheduler) execute(ctx context.Context, e *entry, f firing) (Run, error) {
	return s.executeThen(ctx, e, f, nil)
}

// executeThen runs one firing: skip when the job is running in this
// process; claim the firing (a cluster job) or record the run (a local
// one); tell started what was claimed; run with the job's timeout, a panic
// recovered with defer so the guards are always released and later runs
// go on; record the outcome.
func (s *Scheduler) executeThen(ctx context.Context, e *entry, f firing, started func(Run, error)) (r Run, err error) {
	tell := func(r Run, err error) {
		if started != nil {
			started(r, err)
			started = nil
		}
	}
	defer func() { tell(r, err) }()

	if !e.busy.TryLock() {
		reason := "still running in this instance"
		if e.job.Kind == Cluster {
			// Account for the firing; another replica may have done so.
			return s.claimSkipped(ctx, e, f, reason)
		}
		return Run{Job: e.job.Name, Kind: e.job.Kind, Instance: s.instance, Status: StatusSkipped, Detail: reason}, nil
	}
	defer e.busy.Unlock()

	if e.job.Kind == Cluster {
		var claimed bool
		r, claimed, err = s.claim(ctx, e, f)
		if err != nil || !claimed {
			return r, err
		}
	} else {
		r = s.beginLocal(ctx, e, f)
	}
	tell(r, nil)

	a := &activeRun{job: e.job.Name}
	s.mu.Lock()
	s.active[a] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.active, a)
		s.mu.Unlock()
	}()

	runCtx, cancel := context.WithTimeout(ctx, e.job.Timeout)
	defer cancel()
	begun := time.Now()
	err = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		return e.job.Run(daftar.WithActor(runCtx, daftar.SystemActor(e.job.Name)))
	}()
	r = s.finish(ctx, r, err)
	s.log.Info("job run", "job", e.job.Name, "kind", string(e.job.Kind), "firing", f.key, "status", r.Status,
		"elapsed_ms", time.Since(begun).Milliseconds())
	return r, err
}
