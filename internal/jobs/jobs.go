// Package jobs runs Daftar's scheduled jobs: one registry, cron schedules in
// Tehran time, no overlapping runs, panics recovered without stopping later
// runs, and every run recorded in job_runs with the instance that ran it.
//
// A job is one of two kinds, declared where it is registered:
//
//   - a cluster job (rollups, expiry, drafts, SMS) runs once per firing
//     across every replica: the replica that runs a firing claims it with a
//     unique (job, firing) row, taken in one transaction with the job's lock
//     (pg_advisory_xact_lock on PostgreSQL; SQLite's single writer), so a
//     replica whose clock is a little late finds the firing taken. While a
//     run is under way anywhere, later firings are recorded as skipped.
//   - a local refresh (the finder's profiles, the grades it shows) reloads
//     one process's memory from the shared database, so it runs on every
//     replica at every firing, and is recorded per instance.
//
// The firing of a schedule is its scheduled time, which every replica
// computes alike from the spec; a manual firing (RunNow, Trigger) has a key
// of its own. The scheduler is its own wrapper around robfig/cron's
// parser: no cron.Cron runner, so none of its chain pitfalls (a recovered
// panic that leaves SkipIfStillRunning's slot taken for good).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/robfig/cron/v3"
)

// Kind says where a job runs.
type Kind string

const (
	// Cluster jobs run once per firing across all replicas.
	Cluster Kind = "cluster"
	// Local jobs run on every replica: they refresh in-memory state from the
	// shared database.
	Local Kind = "local"
)

// Job is one scheduled job.
type Job struct {
	Name string
	// Spec is a cron schedule read in Tehran time: five fields, six with
	// seconds first, or a descriptor such as "@hourly". "@every" is refused:
	// its firings depend on when each replica started, so replicas would
	// not agree on them.
	Spec string
	// Kind is Cluster or Local.
	Kind Kind
	// Timeout bounds one run (default 1h). A cluster run still marked
	// running past it is taken to be abandoned by an instance that died.
	Timeout time.Duration
	Run     func(ctx context.Context) error
}

// Info describes a registered job.
type Info struct {
	Name    string
	Spec    string
	Kind    Kind
	Timeout time.Duration
	// Next is the job's next scheduled firing.
	Next time.Time
}

// parser reads five-field specs, six-field specs with seconds first, and
// descriptors.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler owns the jobs.
type Scheduler struct {
	db       *db.DB
	log      *slog.Logger
	clock    daftar.Clock
	instance string

	mu       sync.Mutex
	jobs     map[string]*entry
	started  bool
	stopped  bool
	active   map[*activeRun]struct{}
	stopping chan struct{} // closed by Stop: no new firings

	// ctx is the parent of every run; cancelled when Stop's budget ends.
	ctx     context.Context
	cancel  context.CancelFunc
	loops   sync.WaitGroup // the schedule loops
	running sync.WaitGroup // the runs under way
}

type entry struct {
	job      Job
	schedule cron.Schedule
	busy     sync.Mutex // held while the job runs in this process
}

type activeRun struct{ job string }

// New returns a scheduler; instance names this replica in job_runs.
func New(d *db.DB, log *slog.Logger, clock daftar.Clock, instance string) *Scheduler {
	if instance == "" {
		instance = "daftar"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		db: d, log: log, clock: clock, instance: instance,
		jobs: map[string]*entry{}, active: map[*activeRun]struct{}{},
		stopping: make(chan struct{}), ctx: ctx, cancel: cancel,
	}
}

// Instance is the name this scheduler records its runs under.
func (s *Scheduler) Instance() string { return s.instance }

// Recent returns the latest recorded runs, newest first: of one job, or of
// every job when job is empty.
func (s *Scheduler) Recent(ctx context.Context, job string, limit int) ([]Run, error) {
	return Recent(ctx, s.db, job, limit)
}

// Has reports whether a job of that name is registered.
func (s *Scheduler) Has(name string) bool {
	_, err := s.entry(name)
	return err == nil
}

// Register adds a job. Call before Start.
func (s *Scheduler) Register(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a function")
	}
	if j.Kind != Cluster && j.Kind != Local {
		// No default: where a job runs is a decision, made where it is
		// registered.
		return fmt.Errorf("jobs: %q: kind %q: declare it jobs.Cluster (once per firing across replicas) or jobs.Local (on every replica)", j.Name, j.Kind)
	}
	if strings.HasPrefix(strings.TrimSpace(j.Spec), "@every") {
		return fmt.Errorf("jobs: %q: %q has no firing times that replicas agree on; use a cron schedule", j.Name, j.Spec)
	}
	sched, err := parser.Parse(j.Spec)
	if err != nil {
		return fmt.Errorf("jobs: %q: bad schedule %q: %w", j.Name, j.Spec, err)
	}
	if j.Timeout == 0 {
		j.Timeout = time.Hour
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("jobs: %q registered after Start", j.Name)
	}
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("jobs: %q registered twice", j.Name)
	}
	s.jobs[j.Name] = &entry{job: j, schedule: sched}
	return nil
}

// Jobs lists the registered jobs by name, each with its next firing.
func (s *Scheduler) Jobs() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]Info, 0, len(s.jobs))
	for _, e := range s.jobs {
		out = append(out, Info{Name: e.job.Name, Spec: e.job.Spec, Kind: e.job.Kind, Timeout: e.job.Timeout, Next: e.next(now)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names lists the registered jobs.
func (s *Scheduler) Names() []string {
	var out []string
	for _, j := range s.Jobs() {
		out = append(out, j.Name)
	}
	return out
}

// next is the job's first firing after t, in UTC.
func (e *entry) next(t time.Time) time.Time {
	return e.schedule.Next(t.In(daftar.Tehran())).UTC()
}

// Start begins firing jobs on their schedules.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	for _, e := range s.jobs {
		s.loops.Add(1)
		go s.loop(e)
	}
}

// loop fires one job at each of its scheduled times until Stop. Each
// firing runs in its own goroutine, so a run that outlasts the next firing
// makes that firing a recorded skip rather than a silent gap.
func (s *Scheduler) loop(e *entry) {
	defer s.loops.Done()
	at := e.next(s.clock.Now())
	for {
		t := time.NewTimer(max(0, at.Sub(s.clock.Now())))
		select {
		case <-s.stopping:
			t.Stop()
			return
		case <-t.C:
		}
		f := firing{key: at.Format(time.RFC3339), scheduled: at}
		if !s.spawn(func(ctx context.Context) { s.fireScheduled(ctx, e, f) }) {
			return
		}
		// From the later of the firing and now: a clock set back never
		// fires the same time twice, and a machine that slept skips what it
		// missed rather than firing a burst.
		now := s.clock.Now()
		if now.Before(at) {
			now = at
		}
		at = e.next(now)
	}
}

func (s *Scheduler) fireScheduled(ctx context.Context, e *entry, f firing) {
	r, err := s.execute(ctx, e, f)
	switch {
	case err != nil:
		s.log.Error("job failed", "job", e.job.Name, "firing", f.key, "status", r.Status, "error", err)
	case r.Status == StatusSkipped:
		s.log.Info("job skipped", "job", e.job.Name, "firing", f.key, "reason", r.Detail)
	}
}

// spawn runs fn under the scheduler's context unless it is stopping.
func (s *Scheduler) spawn(fn func(ctx context.Context)) bool {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return false
	}
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		fn(s.ctx)
	}()
	return true
}

// Stop stops firing jobs and lets the runs under way finish until ctx is
// done; then it cancels them and returns the names of those it cut off
// (none when every run finished in time, or none was running). Wait then
// waits for the cancelled runs to return.
func (s *Scheduler) Stop(ctx context.Context) (cutOff []string) {
	s.mu.Lock()
	if !s.stopped {
		s.stopped = true
		close(s.stopping)
	}
	s.mu.Unlock()
	s.loops.Wait() // returns at once: the loops only wait on timers
	finished := make(chan struct{})
	go func() {
		s.running.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		s.cancel()
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for a := range s.active {
		cutOff = append(cutOff, a.job)
	}
	s.mu.Unlock()
	s.cancel()
	sort.Strings(cutOff)
	return cutOff
}

// Wait waits for every run to return, or for ctx.
func (s *Scheduler) Wait(ctx context.Context) error {
	finished := make(chan struct{})
	go func() {
		s.running.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Scheduler) entry(name string) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[name]
	if !ok {
		return nil, daftar.NotFound("job_not_found", "no such job")
	}
	return e, nil
}
