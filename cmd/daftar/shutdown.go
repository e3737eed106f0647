package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
)

// shutdown is the way from SIGTERM to exit, within one budget
// (DAFTAR_SHUTDOWN_TIMEOUT). Requests and jobs in flight drain together
// until the drain deadline, a little before the end of the budget; what is
// still running then is cut off (connections closed, job contexts
// cancelled) and given the rest of the budget to return; the database is
// closed last, and the process exits when the budget is spent at the
// latest. Nothing waits when nothing runs, so an idle process exits at once.
type shutdown struct {
	budget  time.Duration
	clock   daftar.Clock
	log     *slog.Logger
	servers []httpStopper
	jobs    jobsStopper
	// background, when set, stops other work using the database (the
	// demo seeding of a first start) and waits for it until ctx ends.
	background func(ctx context.Context) error
	closeDB    func() error
}

// httpStopper is an *http.Server as shutdown uses it.
type httpStopper interface {
	Shutdown(ctx context.Context) error
	Close() error
}

// jobsStopper is the scheduler as shutdown uses it.
type jobsStopper interface {
	Stop(ctx context.Context) (cutOff []string)
	Wait(ctx context.Context) error
}

// shutdownPlan splits the budget: the drain gets all of it but a reserve
// (a fifth, at most two seconds) in which what was cut off returns, its
// failure is recorded, and the database closes.
func shutdownPlan(budget time.Duration) (drain time.Duration) {
	return budget - min(budget/5, 2*time.Second)
}

// shutdownReport says what the shutdown had to cut off.
type shutdownReport struct {
	RequestsCutOff bool
	JobsCutOff     []string
	Late           []string // steps still not done when the budget ran out
}

func (sd shutdown) run() shutdownReport {
	var rep shutdownReport
	start := sd.clock.Now()
	drainCtx, cancelDrain := context.WithDeadline(context.Background(), start.Add(shutdownPlan(sd.budget)))
	defer cancelDrain()
	hardCtx, cancelHard := context.WithDeadline(context.Background(), start.Add(sd.budget))
	defer cancelHard()
	sd.log.Info("shutting down: letting requests and jobs in flight finish", "budget", sd.budget.String())

	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, srv := range sd.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(drainCtx); err != nil {
				// Requests still running: close their connections, which
				// cancels their contexts, so their transactions roll back.
				srv.Close()
				mu.Lock()
				rep.RequestsCutOff = true
				mu.Unlock()
			}
		}()
	}
	if sd.jobs != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cut := sd.jobs.Stop(drainCtx)
			mu.Lock()
			rep.JobsCutOff = cut
			mu.Unlock()
		}()
	}
	var backgroundErr error
	if sd.background != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			backgroundErr = sd.background(hardCtx)
		}()
	}
	wg.Wait()
	if backgroundErr != nil {
		rep.Late = append(rep.Late, "background work")
	}
	if rep.RequestsCutOff {
		sd.log.Warn("shutdown: requests cut off", "after", sd.clock.Now().Sub(start).String())
	}
	if len(rep.JobsCutOff) > 0 {
		sd.log.Warn("shutdown: jobs cut off", "jobs", rep.JobsCutOff)
	}
	if sd.jobs != nil {
		if err := sd.jobs.Wait(hardCtx); err != nil {
			rep.Late = append(rep.Late, "jobs")
		}
	}
	if sd.closeDB != nil {
		closed := make(chan error, 1)
		go func() { closed <- sd.closeDB() }()
		select {
		case err := <-closed:
			if err != nil {
				sd.log.Warn("closing the database", "error", err)
			}
			sd.log.Info("database closed")
		case <-hardCtx.Done():
			rep.Late = append(rep.Late, "database")
		}
	}
	if len(rep.Late) > 0 {
		sd.log.Warn("shutdown: budget spent; exiting with work unfinished", "unfinished", rep.Late)
	}
	sd.log.Info("stopped", "elapsed_ms", sd.clock.Now().Sub(start).Milliseconds())
	return rep
}
