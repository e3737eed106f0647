package visits

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// LoadReport sums up a history load.
type LoadReport struct {
	Visits, DayRows, MonthRows int
}

// LoadHistory fills an empty visits table with a generated history (the
// demo dataset) and its rollups, in one transaction: COPY on PostgreSQL,
// the two-blob bulk insert on SQLite. office(i, out) appends the visits of
// the i-th of n offices to out, in order of arrival; it runs in a goroutine
// of its own while the previous offices are written, so the order (and
// every id) is that of the calls. Nothing is checked as Record checks: the
// generator is trusted.
func (v *Service) LoadHistory(ctx context.Context, n int, office func(i int, out []Visit) []Visit) (LoadReport, error) {
	shapes, err := v.offices.Shapes(ctx, nil, nil)
	if err != nil {
		return LoadReport{}, err
	}
	var rep LoadReport
	type batch struct {
		visits []Visit
		days   []rollupRow
		months []rollupRow
		err    error
	}
	ch := make(chan batch, 1)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(ch)
		var b dayBuilder
		for i := 0; i < n; {
			var bt batch
			for ; i < n && len(bt.visits) < 20_000; i++ {
				start := len(bt.visits)
				bt.visits = office(i, bt.visits)
				vs := bt.visits[start:]
				if len(vs) == 0 {
					continue
				}
				shape, ok := shapes[vs[0].OfficeID]
				if !ok {
					bt.err = fmt.Errorf("load history: office %d not found", vs[0].OfficeID)
					break
				}
				byMonth := map[int64][]rollupRow{}
				var monthOrder []int64
				for lo := 0; lo < len(vs); {
					day := daftar.DayStart(vs[lo].Arrived)
					hi := lo
					raw := make([]rawVisit, 0, 64)
					for ; hi < len(vs) && daftar.DayStart(vs[hi].Arrived) == day; hi++ {
						raw = append(raw, rawVisit{Arrived: vs[hi].Arrived, Called: vs[hi].Called, Finished: vs[hi].Finished, Outcome: vs[hi].Outcome})
					}
					if row, ok := b.build(shape, day, raw); ok {
						bt.days = append(bt.days, row)
						m := daftar.MonthStart(day)
						if _, seen := byMonth[m]; !seen {
							monthOrder = append(monthOrder, m)
						}
						byMonth[m] = append(byMonth[m], row)
					}
					lo = hi
				}
				for _, m := range monthOrder {
					row, err := mergeRows(shape.ID, m, byMonth[m])
					if err != nil {
						panic(err) // rows just encoded here
					}
					bt.months = append(bt.months, row)
				}
			}
			select {
			case ch <- bt:
			case <-genCtx.Done():
				return
			}
			if bt.err != nil {
				return
			}
		}
	}()
	// The visits table is empty (checked below), so its index and that of
	// the keys are dropped and built again after the rows: several times faster than
	// maintaining them row by row. Months that started before the history
	// are partial, as for an office opened mid-month.
	err = v.db.InBulkTx(ctx, func(tx *db.Tx) error {
		if err := dropVisitIndexes(ctx, tx); err != nil {
			return err
		}
		for bt := range ch {
			if bt.err != nil {
				return bt.err
			}
			rows := make([][]any, len(bt.visits))
			for i := range bt.visits {
				rows[i] = bt.visits[i].values()
			}
			if err := tx.CopyRows(ctx, "visits", visitCols, rows); err != nil {
				return err
			}
			for i := range bt.visits {
				rows[i] = bt.visits[i].keyValues()
			}
			if err := tx.CopyRows(ctx, "visit_keys", keyCols, rows); err != nil {
				return err
			}
			rows = rows[:0]
			for i := range bt.days {
				rows = append(rows, bt.days[i].values(true))
			}
			if err := tx.CopyRows(ctx, "crowding_days", rollupColumns("day_at"), rows); err != nil {
				return err
			}
			rows = rows[:0]
			for i := range bt.months {
				rows = append(rows, bt.months[i].values(false))
			}
			if err := tx.CopyRows(ctx, "crowding_months", rollupColumns("month_at"), rows); err != nil {
				return err
			}
			rep.Visits += len(bt.visits)
			rep.DayRows += len(bt.days)
			rep.MonthRows += len(bt.months)
		}
		return createVisitIndexes(ctx, tx)
	})
	if err != nil {
		cancel()
		for range ch { // let the generator finish
		}
		return rep, fmt.Errorf("load history: %w", err)
	}
	return rep, nil
}

// The secondary indexes of visits and visit_keys, as 0002_visits.sql and
// 0010_scale.sql create them (the primary key of visits stays).
var visitIndexes = []struct{ name, ddl string }{
	{"visit_keys_office_ticket", "CREATE UNIQUE INDEX visit_keys_office_ticket ON visit_keys (office_id, ticket)"},
	{"visits_office_arrived", "CREATE INDEX visits_office_arrived ON visits (office_id, arrived_at)"},
}

func dropVisitIndexes(ctx context.Context, tx *db.Tx) error {
	var n int64
	err := tx.Query(ctx, "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM visits LIMIT 1) x) + (SELECT COUNT(*) FROM (SELECT 1 FROM visit_keys LIMIT 1) y)", nil,
		func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the visits table is not empty")
	}
	for _, ix := range visitIndexes {
		if _, err := tx.Exec(ctx, "DROP INDEX "+ix.name); err != nil {
			return err
		}
	}
	return nil
}

func createVisitIndexes(ctx context.Context, tx *db.Tx) error {
	for _, ix := range visitIndexes {
		if _, err := tx.Exec(ctx, ix.ddl); err != nil {
			return err
		}
	}
	return nil
}
