// Package jobs runs Daftar's scheduled jobs: one registry, cron schedules in
// Tehran time, no overlapping runs, panics recovered without stopping later
// runs, and on PostgreSQL an advisory lock so that with several replicas each
// firing runs once. On SQLite a single instance is assumed (the database is a
// file on one machine), so the in-process guard is the only lock.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/robfig/cron/v3"
)

// Job is one scheduled job.
type Job struct {
	Name string
	// Spec is a cron schedule (five fields, or descriptors like "@hourly"),
	// read in Tehran time.
	Spec string
	// Timeout bounds one run (default 1h).
	Timeout time.Duration
	Run     func(ctx context.Context) error
}

// Scheduler owns the jobs.
type Scheduler struct {
	db       *db.DB
	log      *slog.Logger
	clock    daftar.Clock
	instance string
	cron     *cron.Cron

	mu      sync.Mutex
	jobs    map[string]*entry
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

type entry struct {
	job  Job
	busy sync.Mutex // held while the job runs in this process
}

// New returns a scheduler; instance names this replica in job_runs.
func New(d *db.DB, log *slog.Logger, clock daftar.Clock, instance string) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		db: d, log: log, clock: clock, instance: instance,
		cron: cron.New(cron.WithLocation(daftar.Tehran())),
		jobs: map[string]*entry{}, ctx: ctx, cancel: cancel,
	}
}

// Register adds a job. Call before Start.
func (s *Scheduler) Register(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a function")
	}
	if j.Timeout == 0 {
		j.Timeout = time.Hour
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("jobs: %q registered twice", j.Name)
	}
	e := &entry{job: j}
	if _, err := s.cron.AddFunc(j.Spec, func() { s.fire(e) }); err != nil {
		return fmt.Errorf("jobs: %q: bad schedule %q: %w", j.Name, j.Spec, err)
	}
	s.jobs[j.Name] = e
	return nil
}

// Names lists the registered jobs.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.jobs))
	for n := range s.jobs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Start begins firing jobs on their schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs' contexts once ctx is done,
// and waits for them to return.
func (s *Scheduler) Stop(ctx context.Context) error {
	cronDone := s.cron.Stop() // a context done when running cron funcs return
	finished := make(chan struct{})
	go func() {
		<-cronDone.Done()
		s.running.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel() // ask running jobs to give up, and wait for them
		<-finished
		return ctx.Err()
	}
}

// RunNow runs a job immediately under the same guards as a scheduled run.
// It reports ran=false when the job was already running here or elsewhere.
func (s *Scheduler) RunNow(ctx context.Context, name string) (ran bool, err error) {
	s.mu.Lock()
	e, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return false, daftar.NotFound("job_not_found", "no such job")
	}
	return s.run(ctx, e)
}

func (s *Scheduler) fire(e *entry) {
	if _, err := s.run(s.ctx, e); err != nil {
		s.log.Error("job failed", "job", e.job.Name, "error", err)
	}
}

// run is the wrapper every run goes through: skip when already running in
// this process, take the cross-replica lock, recover a panic (with defer, so
// the guards are always released and later runs go on), record the run.
func (s *Scheduler) run(parent context.Context, e *entry) (ran bool, err error) {
	if !e.busy.TryLock() {
		s.log.Info("job skipped: still running", "job", e.job.Name)
		return false, nil
	}
	defer e.busy.Unlock()
	s.running.Add(1)
	defer s.running.Done()

	ctx, cancel := context.WithTimeout(parent, e.job.Timeout)
	defer cancel()
	release, got, err := s.lock(ctx, e.job.Name)
	if err != nil {
		return false, fmt.Errorf("jobs: %s: lock: %w", e.job.Name, err)
	}
	if !got {
		s.log.Info("job skipped: running on another replica", "job", e.job.Name)
		return false, nil
	}
	defer release()

	runID := s.begin(ctx, e.job.Name)
	started := time.Now()
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return e.job.Run(daftar.WithActor(ctx, daftar.SystemActor(e.job.Name)))
	}()
	s.end(runID, err)
	s.log.Info("job finished", "job", e.job.Name, "elapsed_ms", time.Since(started).Milliseconds(), "ok", err == nil)
	return true, err
}

// lock takes the job's PostgreSQL advisory lock on one pinned connection
// (advisory locks belong to a session, so the unlock must go through the same
// connection). SQLite needs none: one instance serves one file.
func (s *Scheduler) lock(ctx context.Context, name string) (release func(), got bool, err error) {
	if s.db.Dialect != db.Postgres {
		return func() {}, true, nil
	}
	conn, err := s.db.SQL.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	key := lockKey(name)
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		conn.Close()
		return nil, false, err
	}
	if !got {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("daftar-job:" + name))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

func (s *Scheduler) begin(ctx context.Context, job string) int64 {
	var id int64
	err := s.db.WithContext(ctx).Raw("INSERT INTO job_runs (job, instance, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
		job, s.instance, s.clock.Now()).Scan(&id).Error
	if err != nil {
		s.log.Warn("job run not recorded", "job", job, "error", err)
	}
	return id
}

func (s *Scheduler) end(id int64, runErr error) {
	if id == 0 {
		return
	}
	status, detail := "ok", ""
	if runErr != nil {
		status, detail = "failed", runErr.Error()
		if len(detail) > 4000 {
			detail = detail[:4000]
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.db.WithContext(ctx).Exec("UPDATE job_runs SET finished_at = ?, status = ?, detail = ? WHERE id = ?", s.clock.Now(), status, detail, id)
}

// Run is one recorded run.
type Run struct {
	ID         int64
	Job        string
	Instance   string
	StartedAt  time.Time
	FinishedAt *time.Time
	Status     string
	Detail     string
}

// Recent returns the latest runs of every job.
func Recent(ctx context.Context, d *db.DB, limit int) ([]Run, error) {
	var out []Run
	err := d.WithContext(ctx).Raw("SELECT id, job, instance, started_at, finished_at, status, detail FROM job_runs ORDER BY id DESC LIMIT ?", limit).Scan(&out).Error
	return out, err
}
