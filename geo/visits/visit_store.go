package visits

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar/internal/db"
)

// The store of visits: the rows of the visits table.

// visitCols are the columns written for a visit, in order.
var visitCols = []string{"office_id", "ticket", "service_code", "arrived_at", "called_at", "finished_at",
	"outcome", "counter", "channel", "mobile", "recorded_at"}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (v *Visit) values() []any { return v.appendValues(make([]any, 0, len(visitCols))) }

// appendValues appends the values of visitCols.
func (v *Visit) appendValues(b []any) []any {
	var counter any
	if v.Counter > 0 {
		counter = int64(v.Counter)
	}
	return append(b, v.OfficeID, v.Ticket, v.Service, v.Arrived, nullInt(v.Called), nullInt(v.Finished),
		v.Outcome, counter, v.Channel, nullStr(v.Mobile), v.RecordedAt)
}

// visitKey identifies a visit: the office's own ticket reference.
type visitKey struct {
	office int64
	ticket string
}

// The idempotency key of every visit, (office_id, ticket), is kept in
// visit_keys beside it (visits is partitioned by month on PostgreSQL, and a
// partitioned table cannot hold a unique index without the partition
// column): a visit is written only when its key is new, in the same
// transaction.
var keyCols = []string{"office_id", "ticket", "arrived_at"}

func (v *Visit) keyValues() []any { return []any{v.OfficeID, v.Ticket, v.Arrived} }

// insertVisits writes visits, skipping tickets already stored, and returns
// the id of each one written.
func insertVisits(ctx context.Context, tx *db.Tx, list []Visit) (map[visitKey]int64, error) {
	out := make(map[visitKey]int64, len(list))
	if len(list) == 0 {
		return out, nil
	}
	keys := make([][]any, len(list))
	for i := range list {
		keys[i] = list[i].keyValues()
	}
	fresh := make(map[visitKey]bool, len(list))
	err := tx.InsertReturning(ctx, "visit_keys", keyCols, keys, " ON CONFLICT (office_id, ticket) DO NOTHING RETURNING office_id, ticket",
		func(scan func(...any) error) error {
			var k visitKey
			if err := scan(&k.office, &k.ticket); err != nil {
				return err
			}
			fresh[k] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("insert visit keys: %w", err)
	}
	rows := make([][]any, 0, len(fresh))
	for i := range list {
		if fresh[visitKey{list[i].OfficeID, list[i].Ticket}] {
			rows = append(rows, list[i].values())
		}
	}
	if len(rows) == 0 {
		return out, nil
	}
	err = tx.InsertReturning(ctx, "visits", visitCols, rows, " RETURNING id, office_id, ticket",
		func(scan func(...any) error) error {
			var id int64
			var k visitKey
			if err := scan(&id, &k.office, &k.ticket); err != nil {
				return err
			}
			out[k] = id
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("insert visits: %w", err)
	}
	return out, nil
}

// ServedVisit is a visit whose citizen was served, as much of it as a
// survey of the visit needs. Times are Unix seconds (UTC), 0 when absent.
type ServedVisit struct {
	ID, OfficeID              int64
	Service                   string
	Arrived, Called, Finished int64
}

// EachServed hands every served visit to fn in id order, with its office,
// service and times, streaming them from the database: how a generator of
// survey history (cmd/daftar/demo) reads the visits it answers without
// querying the visits table itself, in memory that does not grow with the
// history. The few dozen service codes are shared strings.
func (v *Service) EachServed(ctx context.Context, fn func(ServedVisit) error) error {
	codes := map[string]string{}
	return v.db.QueryStream(ctx, `SELECT id, office_id, service_code, arrived_at, COALESCE(called_at, 0), COALESCE(finished_at, 0)
		FROM visits WHERE outcome = ? ORDER BY id`, []any{OutcomeServed}, func(scan func(...any) error) error {
		var x ServedVisit
		if err := scan(&x.ID, &x.OfficeID, &x.Service, &x.Arrived, &x.Called, &x.Finished); err != nil {
			return err
		}
		if c, ok := codes[x.Service]; ok {
			x.Service = c
		} else {
			codes[x.Service] = x.Service
		}
		return fn(x)
	})
}

// CountServed is the number of served visits (what EachServed hands out).
func (v *Service) CountServed(ctx context.Context) (int64, error) {
	var n int64
	err := v.db.Query(ctx, "SELECT COUNT(*) FROM visits WHERE outcome = ?", []any{OutcomeServed},
		func(scan func(...any) error) error { return scan(&n) })
	return n, err
}

// Served lists every served visit in id order (EachServed, gathered: about
// 60 bytes a visit, for small histories and tests).
func (v *Service) Served(ctx context.Context) ([]ServedVisit, error) {
	var out []ServedVisit
	err := v.EachServed(ctx, func(x ServedVisit) error {
		out = append(out, x)
		return nil
	})
	return out, err
}
