package jobs

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// Run is one recorded run, or one skipped firing.
type Run struct {
	ID   int64
	Job  string
	Kind Kind
	// Firing is the claimed firing of a cluster run: its scheduled time
	// (RFC 3339, UTC) or a manual key; nil for a local run.
	Firing *string
	// ScheduledAt is the scheduled time; nil for a manual firing.
	ScheduledAt *time.Time
	Instance    string
	// RequestedBy names who asked for a manual firing; empty for a
	// scheduled one.
	RequestedBy string
	StartedAt   time.Time
	FinishedAt  *time.Time
	Status      string
	Detail      string
}

// Recent returns the latest runs, newest first: of one job, or of every job
// when job is empty.
func Recent(ctx context.Context, d *db.DB, job string, limit int) ([]Run, error) {
	q := "SELECT " + runColumns + " FROM job_runs"
	var args []any
	if job != "" {
		q += " WHERE job = ?"
		args = append(args, job)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	var out []Run
	err := d.Query(ctx, q, args, func(scan func(...any) error) error {
		var r Run
		var kind string
		if err := scan(&r.ID, &r.Job, &kind, &r.Firing, &r.ScheduledAt, &r.Instance, &r.RequestedBy, &r.StartedAt, &r.FinishedAt, &r.Status, &r.Detail); err != nil {
			return err
		}
		r.Kind = Kind(kind)
		out = append(out, r)
		return nil
	})
	return out, err
}

// Prune deletes the runs that started before t, and returns how many.
func Prune(ctx context.Context, d *db.DB, before time.Time) (int64, error) {
	return d.Exec(ctx, "DELETE FROM job_runs WHERE started_at < ? AND status <> ?", before, StatusRunning)
}
