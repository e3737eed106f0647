package jobs

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// Run statuses as job_runs stores them.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// abandonGrace is how long past its timeout a cluster run still marked
// running is waited for before it is taken for abandoned.
const abandonGrace = time.Minute

const runColumns = "id, job, kind, firing, scheduled_at, instance, requested_by, started_at, finished_at, status, detail"

// claim takes the firing for this instance, in one transaction holding the
// job's lock: it retires runs abandoned by instances that died, records
// the firing as skipped when a run of the job is still under way anywhere,
// and otherwise claims it as running. claimed is false when the firing was
// skipped or was already taken (by a replica whose clock ran ahead).
func (s *Scheduler) claim(ctx context.Context, e *entry, f firing) (r Run, claimed bool, err error) {
	now := s.clock.Now()
	r = s.newRun(e, f, now)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := lockJob(ctx, tx, e.job.Name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, detail = ?
			WHERE job = ? AND kind = ? AND status = ? AND started_at < ?`,
			StatusFailed, now, "abandoned: its instance stopped before it finished",
			e.job.Name, string(Cluster), StatusRunning, now.Add(-e.job.Timeout-abandonGrace)); err != nil {
			return err
		}
		var busyOn string
		if err := tx.Query(ctx, "SELECT instance FROM job_runs WHERE job = ? AND kind = ? AND status = ? LIMIT 1",
			[]any{e.job.Name, string(Cluster), StatusRunning}, func(scan func(...any) error) error { return scan(&busyOn) }); err != nil {
			return err
		}
		if busyOn != "" {
			r.Status, r.Detail, r.FinishedAt = StatusSkipped, "still running on "+busyOn, &now
		}
		id, err := insertRun(ctx, tx, r)
		if err != nil {
			return err
		}
		r.ID = id
		return nil
	})
	if err != nil {
		return r, false, err
	}
	if r.ID == 0 {
		// Another replica claimed this firing first.
		r.Status, r.Detail = StatusSkipped, "taken by another instance"
		return r, false, nil
	}
	return r, r.Status == StatusRunning, nil
}

// claimSkipped accounts for a cluster firing that this instance cannot run
// because the job is running here already.
func (s *Scheduler) claimSkipped(ctx context.Context, e *entry, f firing, reason string) (Run, error) {
	now := s.clock.Now()
	r := s.newRun(e, f, now)
	r.Status, r.Detail, r.FinishedAt = StatusSkipped, reason, &now
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := lockJob(ctx, tx, e.job.Name); err != nil {
			return err
		}
		id, err := insertRun(ctx, tx, r)
		r.ID = id
		return err
	})
	return r, err
}

// beginLocal records a local run; the refresh goes on if that fails.
func (s *Scheduler) beginLocal(ctx context.Context, e *entry, f firing) Run {
	r := s.newRun(e, f, s.clock.Now())
	r.Firing = nil // local runs claim nothing
	id, err := insertRun(ctx, s.db, r)
	if err != nil {
		s.log.Warn("job run not recorded", "job", e.job.Name, "error", err)
	}
	r.ID = id
	return r
}

func (s *Scheduler) newRun(e *entry, f firing, now time.Time) Run {
	r := Run{Job: e.job.Name, Kind: e.job.Kind, Instance: s.instance, RequestedBy: f.by, StartedAt: now, Status: StatusRunning}
	key := f.key
	r.Firing = &key
	if !f.scheduled.IsZero() {
		at := f.scheduled
		r.ScheduledAt = &at
	}
	return r
}

// insertRun writes the run unless its firing is taken, and returns its id
// (0 when taken).
func insertRun(ctx context.Context, q db.Querier, r Run) (int64, error) {
	var id int64
	err := q.Query(ctx, `INSERT INTO job_runs (job, kind, firing, scheduled_at, instance, requested_by, started_at, finished_at, status, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job, firing) DO NOTHING RETURNING id`,
		[]any{r.Job, string(r.Kind), r.Firing, r.ScheduledAt, r.Instance, r.RequestedBy, r.StartedAt, r.FinishedAt, r.Status, r.Detail},
		func(scan func(...any) error) error { return scan(&id) })
	return id, err
}

// finish records how the run ended. It outlives the run's context (a run
// cut off at shutdown is still recorded as failed), within a few seconds.
func (s *Scheduler) finish(ctx context.Context, r Run, runErr error) Run {
	now := s.clock.Now()
	r.FinishedAt = &now
	r.Status, r.Detail = StatusOK, ""
	if runErr != nil {
		r.Status, r.Detail = StatusFailed, runErr.Error()
		if len(r.Detail) > 4000 {
			r.Detail = r.Detail[:4000]
		}
	}
	if r.ID == 0 {
		return r
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := s.db.Exec(ctx, "UPDATE job_runs SET finished_at = ?, status = ?, detail = ? WHERE id = ?", now, r.Status, r.Detail, r.ID); err != nil {
		s.log.Warn("job outcome not recorded", "job", r.Job, "run", r.ID, "error", err)
	}
	return r
}

// lockJob serialises the claims of one job across replicas for the rest of
// the transaction. SQLite needs none: its transactions take the write lock
// when they begin, and one file has one writer.
func lockJob(ctx context.Context, tx *db.Tx, name string) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", lockKey(name))
	return err
}

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("daftar-job:" + name))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}
