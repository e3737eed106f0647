package visits

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// Partitions of visits. On PostgreSQL visits is partitioned by range of
// arrived_at (0010_scale.sql), one partition per Jalali month in Tehran
// time, named visits_YYYY_MM (visits_1405_08), beside a default partition,
// visits_default, that catches rows of a month with no partition yet. A
// month's partition is made ahead of it by MaintainPartitions (at start and
// by the job visits-partitions), and rows that reached the default
// partition (an import of old history, a month nobody made in time) are
// moved into the partition of their month. Callers never see any of it:
// they read and write visits, and PostgreSQL routes each row and prunes
// each query to the months its range covers. On SQLite visits is one
// table and all of this does nothing.
//
// A partition is made as a table of its own, filled with its rows from the
// default partition, checked against its range and only then attached:
// attaching takes a lock that lets inserts into visits go on (SHARE UPDATE
// EXCLUSIVE), where CREATE TABLE ... PARTITION OF would stop every writer
// for the time it takes.

// partitionLockKey serialises the makers of partitions across replicas.
const partitionLockKey = 727010

// Partition is one monthly partition of visits.
type Partition struct {
	Name     string
	From, To int64 // [From, To): Unix seconds, a Jalali month in Tehran time
	// Rows is PostgreSQL's estimate (reltuples, updated by ANALYZE);
	// Bytes the partition's size with its indexes.
	Rows, Bytes int64
}

// PartitionReport sums up a maintenance.
type PartitionReport struct {
	Created []string
	Moved   int64 // rows moved out of the default partition
}

// partitionName names the partition of the Jalali month starting at
// monthAt.
func partitionName(monthAt int64) string {
	j := daftar.ToJalali(time.Unix(monthAt, 0))
	return fmt.Sprintf("visits_%04d_%02d", j.Year, j.Month)
}

// MaintainPartitions makes the partitions of the month of now and of the
// ahead months after it, and of every month with rows in the default
// partition, into which those rows move.
func (v *Service) MaintainPartitions(ctx context.Context, now time.Time, ahead int) (PartitionReport, error) {
	if v.db.Dialect != db.Postgres {
		return PartitionReport{}, nil
	}
	var months []int64
	m := daftar.MonthStart(now.Unix())
	for i := 0; i <= ahead; i++ {
		months = append(months, m)
		m = daftar.MonthEnd(m)
	}
	var lo, hi *int64
	if err := v.db.Query(ctx, "SELECT MIN(arrived_at), MAX(arrived_at) FROM visits_default", nil,
		func(scan func(...any) error) error { return scan(&lo, &hi) }); err != nil {
		return PartitionReport{}, fmt.Errorf("partitions: strays: %w", err)
	}
	if lo != nil && hi != nil {
		for m := daftar.MonthStart(*lo); m <= *hi; m = daftar.MonthEnd(m) {
			months = append(months, m)
		}
	}
	return v.makePartitions(ctx, months)
}

// PreparePartitions makes the partitions of every month that [from, to)
// (Unix seconds) overlaps: a bulk load of history calls it first, so that
// none of its rows lands in the default partition.
func (v *Service) PreparePartitions(ctx context.Context, from, to int64) (PartitionReport, error) {
	if v.db.Dialect != db.Postgres || to <= from {
		return PartitionReport{}, nil
	}
	var months []int64
	for m := daftar.MonthStart(from); m < to; m = daftar.MonthEnd(m) {
		months = append(months, m)
	}
	return v.makePartitions(ctx, months)
}

func (v *Service) makePartitions(ctx context.Context, months []int64) (PartitionReport, error) {
	var rep PartitionReport
	existing, err := v.partitionNames(ctx)
	if err != nil {
		return rep, err
	}
	for _, m := range months {
		name := partitionName(m)
		if existing[name] {
			continue
		}
		moved, made, err := v.makePartition(ctx, name, m, daftar.MonthEnd(m))
		if err != nil {
			return rep, fmt.Errorf("partitions: %s: %w", name, err)
		}
		existing[name] = true
		if made {
			rep.Created = append(rep.Created, name)
			rep.Moved += moved
			v.log.InfoContext(ctx, "visits partition made", "partition", name, "moved_from_default", moved)
		}
	}
	return rep, nil
}

// makePartition makes one month's partition in one transaction; made is
// false when another replica made it first. Moving an old month out of the
// default partition (an import of history) can take longer than the
// statement timeout: a bulk transaction, bounded by the job's context.
func (v *Service) makePartition(ctx context.Context, name string, from, to int64) (moved int64, made bool, err error) {
	err = v.db.InBulkTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(partitionLockKey)); err != nil {
			return err
		}
		var exists bool
		if err := tx.Query(ctx, "SELECT to_regclass(?) IS NOT NULL", []any{name}, func(scan func(...any) error) error { return scan(&exists) }); err != nil {
			return err
		}
		if exists {
			return nil
		}
		// The names come from partitionName (visits_ and digits) and the
		// bounds are integers: nothing here is quoted from outside.
		bounds := fmt.Sprintf("arrived_at >= %d AND arrived_at < %d", from, to)
		for _, q := range []string{
			"CREATE TABLE " + name + " (LIKE visits INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
			"ALTER TABLE " + name + " ADD CONSTRAINT " + name + "_range CHECK (" + bounds + ")",
			"INSERT INTO " + name + " SELECT * FROM visits_default WHERE " + bounds,
		} {
			n, err := tx.Exec(ctx, q)
			if err != nil {
				return err
			}
			moved = n
		}
		for _, q := range []string{
			"DELETE FROM visits_default WHERE " + bounds,
			fmt.Sprintf("ALTER TABLE visits ATTACH PARTITION %s FOR VALUES FROM (%d) TO (%d)", name, from, to),
			// The range is the partition's bound now; the check was only
			// there to spare attaching a scan of the rows.
			"ALTER TABLE " + name + " DROP CONSTRAINT " + name + "_range",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		made = true
		return nil
	})
	return moved, made, err
}

// partitionNames are the names of the partitions of visits.
func (v *Service) partitionNames(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := v.db.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'visits'::regclass`, nil, func(scan func(...any) error) error {
		var n string
		if err := scan(&n); err != nil {
			return err
		}
		out[n] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("partitions: list: %w", err)
	}
	return out, nil
}

// Partitions lists the monthly partitions of visits, oldest first, with
// their estimated rows and size (none on SQLite). The default partition
// is listed last with From and To 0.
func (v *Service) Partitions(ctx context.Context) ([]Partition, error) {
	if v.db.Dialect != db.Postgres {
		return nil, nil
	}
	var out []Partition
	var def *Partition
	err := v.db.Query(ctx, `SELECT c.relname, GREATEST(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid), pg_get_expr(c.relpartbound, c.oid)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'visits'::regclass ORDER BY c.relname`, nil,
		func(scan func(...any) error) error {
			var p Partition
			var bound string
			if err := scan(&p.Name, &p.Rows, &p.Bytes, &bound); err != nil {
				return err
			}
			if bound == "DEFAULT" {
				def = &p
				return nil
			}
			if _, err := fmt.Sscanf(bound, "FOR VALUES FROM ('%d') TO ('%d')", &p.From, &p.To); err != nil {
				return fmt.Errorf("partition %s: bound %q: %w", p.Name, bound, err)
			}
			out = append(out, p)
			return nil
		})
	if def != nil {
		out = append(out, *def)
	}
	return out, err
}
