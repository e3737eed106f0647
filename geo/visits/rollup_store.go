package visits

// Storage of the rollups: their rows and columns, and the rebuilders that
// recompute them from the raw visits inside the writer's transaction.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
)

// rollupRow is one stored row of crowding_days or crowding_months.
type rollupRow struct {
	OfficeID int64
	At       int64 // day_at or month_at
	Weekday  int   // days only
	Counts
	WaitSketch, ServiceSketch, Hours []byte
}

var rollupCols = []string{"office_id", "%s", "arrivals", "served", "no_shows", "cancelled", "referred",
	"waits", "wait_sum", "wait_max", "services", "service_sum", "service_max", "busy_s", "open_s", "counter_s",
	"queue_area", "queue_max", "wait_sketch", "service_sketch", "hours"}

// rollupColumns returns the column list of a rollup table; keyCol is day_at
// or month_at (days also have weekday).
func rollupColumns(keyCol string) []string {
	cols := slices.Clone(rollupCols)
	cols[1] = keyCol
	if keyCol == "day_at" {
		cols = slices.Insert(cols, 2, "weekday")
	}
	return cols
}

func (r *rollupRow) values(withWeekday bool) []any {
	out := make([]any, 0, 22)
	out = append(out, r.OfficeID, r.At)
	if withWeekday {
		out = append(out, r.Weekday)
	}
	for _, f := range r.Counts.fields() {
		out = append(out, *f)
	}
	return append(out, r.WaitSketch, r.ServiceSketch, r.Hours)
}

// scanRow reads the columns after the key (and weekday) of a rollup row.
func (r *rollupRow) scanTargets() []any {
	out := make([]any, 0, countsFields+3)
	for _, f := range r.Counts.fields() {
		out = append(out, f)
	}
	return append(out, &r.WaitSketch, &r.ServiceSketch, &r.Hours)
}

const statsSelect = "arrivals, served, no_shows, cancelled, referred, waits, wait_sum, wait_max, services, service_sum, service_max, busy_s, open_s, counter_s, queue_area, queue_max, wait_sketch, service_sketch, hours"

// rebuilder recomputes rollups from raw visits.
type rebuilder struct {
	tx      *db.Tx
	builder dayBuilder
	visits  []rawVisit
}

// rebuildOffice recomputes the day rows of the given Tehran days of one
// office from its raw visits, and the month rows of the months containing
// them from their day rows. The caller holds the office's lock.
func (rb *rebuilder) rebuildOffice(ctx context.Context, off offices.Shape, days []int64) error {
	if len(days) == 0 {
		return nil
	}
	days = slices.Clone(days)
	slices.Sort(days)
	days = slices.Compact(days)
	if err := rb.rebuildDays(ctx, off, days); err != nil {
		return err
	}
	var months []int64
	for _, d := range days {
		if m := daftar.MonthStart(d); len(months) == 0 || months[len(months)-1] != m {
			months = append(months, m)
		}
	}
	return rb.rebuildMonths(ctx, off.ID, months)
}

// rebuildDays recomputes the day rows of the given days from the raw
// visits (not their months).
func (rb *rebuilder) rebuildDays(ctx context.Context, off offices.Shape, days []int64) error {
	if len(days) == 0 {
		return nil
	}
	days = slices.Clone(days)
	slices.Sort(days)
	days = slices.Compact(days)
	want := make(map[int64]bool, len(days))
	for _, d := range days {
		want[d] = true
	}
	var rows [][]any
	cur := int64(-1)
	flush := func() {
		if cur >= 0 && want[cur] {
			if row, ok := rb.builder.build(off, cur, rb.visits); ok {
				rows = append(rows, row.values(true))
			}
		}
		rb.visits = rb.visits[:0]
	}
	err := rb.tx.Query(ctx, `SELECT arrived_at, COALESCE(called_at, 0), COALESCE(finished_at, 0), outcome
		FROM visits WHERE office_id = ? AND arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at`,
		[]any{off.ID, days[0], days[len(days)-1] + 86400}, func(scan func(...any) error) error {
			var v rawVisit
			if err := scan(&v.Arrived, &v.Called, &v.Finished, &v.Outcome); err != nil {
				return err
			}
			if d := daftar.DayStart(v.Arrived); d != cur {
				flush()
				cur = d
			}
			rb.visits = append(rb.visits, v)
			return nil
		})
	if err != nil {
		return fmt.Errorf("rollups: read visits of office %d: %w", off.ID, err)
	}
	flush()
	for start := 0; start < len(days); start += 500 {
		chunk := days[start:min(len(days), start+500)]
		if _, err := rb.tx.Exec(ctx, "DELETE FROM crowding_days WHERE office_id = ? AND day_at IN ("+db.Placeholders(len(chunk))+")",
			append([]any{off.ID}, db.Int64Args(chunk)...)...); err != nil {
			return fmt.Errorf("rollups: clear days: %w", err)
		}
	}
	if err := rb.tx.CopyRows(ctx, "crowding_days", rollupColumns("day_at"), rows); err != nil {
		return fmt.Errorf("rollups: write days: %w", err)
	}
	return nil
}

// rebuildImported brings the rollups up to date after a bulk load whose
// inserted visits are in mem (per office, any order). An office-day that
// had no day row before the load had no visits (every writer keeps the
// rollups with the visits), so its row is built from mem alone; a day that
// had one is rebuilt from the database, as is a month that had day rows
// the load did not touch. A load of new history so never reads back what
// it wrote, but for the offices in spilled, whose visits were too many to
// keep (ImportOptions.MemoryVisits): their days are all rebuilt from the
// database, one office at a time. The caller holds the offices' locks.
func (v *Service) rebuildImported(ctx context.Context, tx *db.Tx, touched map[int64][]int64, mem map[int64][]memVisit, spilled map[int64]bool) error {
	ids := make([]int64, 0, len(touched))
	minDay, maxDay := int64(math.MaxInt64), int64(math.MinInt64)
	for id, days := range touched {
		ids = append(ids, id)
		for _, d := range days {
			minDay, maxDay = min(minDay, d), max(maxDay, d)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	shapes, err := v.offices.Shapes(ctx, tx, ids)
	if err != nil {
		return err
	}
	// The day rows that existed, over every month touched.
	from, to := daftar.MonthStart(minDay), daftar.MonthEnd(maxDay)
	existing := map[int64]map[int64]bool{}
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		err := tx.Query(ctx, "SELECT office_id, day_at FROM crowding_days WHERE office_id IN ("+db.Placeholders(len(chunk))+") AND day_at >= ? AND day_at < ?",
			append(db.Int64Args(chunk), from, to), func(scan func(...any) error) error {
				var id, day int64
				if err := scan(&id, &day); err != nil {
					return err
				}
				if existing[id] == nil {
					existing[id] = map[int64]bool{}
				}
				existing[id][day] = true
				return nil
			})
		if err != nil {
			return fmt.Errorf("rollups: existing days: %w", err)
		}
	}
	rb := &rebuilder{tx: tx}
	var dayRows, monthRows [][]any
	flushDays := func() error {
		err := tx.CopyRows(ctx, "crowding_days", rollupColumns("day_at"), dayRows)
		dayRows = dayRows[:0]
		return err
	}
	for _, id := range ids {
		sh, ok := shapes[id]
		if !ok {
			return fmt.Errorf("rollups: office %d not found", id)
		}
		if spilled[id] {
			if err := flushDays(); err != nil {
				return err
			}
			if err := rb.rebuildOffice(ctx, sh, touched[id]); err != nil {
				return err
			}
			continue
		}
		had := existing[id]
		kept := mem[id]
		vs := make([]rawVisit, len(kept))
		for i := range kept {
			vs[i] = kept[i].raw()
		}
		mem[id] = nil // the compact copy is no longer needed
		slices.SortFunc(vs, func(a, b rawVisit) int { return cmp.Compare(a.Arrived, b.Arrived) })
		var dbDays []int64
		built := map[int64][]rollupRow{} // month → day rows built here
		for _, d := range touched[id] {
			if had[d] {
				dbDays = append(dbDays, d)
			}
		}
		for lo := 0; lo < len(vs); {
			day := daftar.DayStart(vs[lo].Arrived)
			hi := lo + 1
			for hi < len(vs) && vs[hi].Arrived < day+86400 {
				hi++
			}
			if !had[day] {
				if row, ok := rb.builder.build(sh, day, vs[lo:hi]); ok {
					dayRows = append(dayRows, row.values(true))
					m := daftar.MonthStart(day)
					built[m] = append(built[m], row)
				}
			}
			lo = hi
		}
		if err := rb.rebuildDays(ctx, sh, dbDays); err != nil {
			return err
		}
		// Months: from memory when the load built all their days.
		months := map[int64]bool{}
		for _, d := range touched[id] {
			months[daftar.MonthStart(d)] = true
		}
		var dbMonths []int64
		for m := range months {
			fromDB := false
			for d := range had {
				if d >= m && d < daftar.MonthEnd(m) {
					fromDB = true
					break
				}
			}
			if fromDB {
				dbMonths = append(dbMonths, m)
				continue
			}
			row, err := mergeRows(id, m, built[m])
			if err != nil {
				return err
			}
			monthRows = append(monthRows, row.values(false))
		}
		if len(dbMonths) > 0 {
			if err := flushDays(); err != nil {
				return err
			}
			if err := rb.rebuildMonths(ctx, id, dbMonths); err != nil {
				return err
			}
		} else if len(dayRows) >= 5000 {
			if err := flushDays(); err != nil {
				return err
			}
		}
	}
	if err := flushDays(); err != nil {
		return err
	}
	// A month built from memory had no day rows, so no row of its own
	// either; clear any left by hand all the same.
	for start := 0; start < len(monthRows); start += 500 {
		chunk := monthRows[start:min(len(monthRows), start+500)]
		args := make([]any, 0, 2*len(chunk))
		for _, row := range chunk {
			args = append(args, row[0], row[1])
		}
		if _, err := tx.Exec(ctx, "DELETE FROM crowding_months WHERE (office_id, month_at) IN (VALUES "+
			strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT)), ", len(chunk)), ", ")+")", args...); err != nil {
			return fmt.Errorf("rollups: clear months: %w", err)
		}
	}
	return tx.CopyRows(ctx, "crowding_months", rollupColumns("month_at"), monthRows)
}

// rebuildMonths recomputes month rows of one office from its day rows.
func (rb *rebuilder) rebuildMonths(ctx context.Context, officeID int64, months []int64) error {
	if len(months) == 0 {
		return nil
	}
	slices.Sort(months)
	months = slices.Compact(months)
	byMonth := map[int64][]rollupRow{}
	err := rb.tx.Query(ctx, "SELECT day_at, "+statsSelect+" FROM crowding_days WHERE office_id = ? AND day_at >= ? AND day_at < ? ORDER BY day_at",
		[]any{officeID, months[0], daftar.MonthEnd(months[len(months)-1])}, func(scan func(...any) error) error {
			var r rollupRow
			if err := scan(append([]any{&r.At}, r.scanTargets()...)...); err != nil {
				return err
			}
			m := daftar.MonthStart(r.At)
			byMonth[m] = append(byMonth[m], r)
			return nil
		})
	if err != nil {
		return fmt.Errorf("rollups: read days: %w", err)
	}
	var rows [][]any
	for _, m := range months {
		if len(byMonth[m]) == 0 {
			continue
		}
		row, err := mergeRows(officeID, m, byMonth[m])
		if err != nil {
			return fmt.Errorf("rollups: office %d month %d: %w", officeID, m, err)
		}
		rows = append(rows, row.values(false))
	}
	if _, err := rb.tx.Exec(ctx, "DELETE FROM crowding_months WHERE office_id = ? AND month_at IN ("+db.Placeholders(len(months))+")",
		append([]any{officeID}, db.Int64Args(months)...)...); err != nil {
		return fmt.Errorf("rollups: clear months: %w", err)
	}
	if err := rb.tx.CopyRows(ctx, "crowding_months", rollupColumns("month_at"), rows); err != nil {
		return fmt.Errorf("rollups: write months: %w", err)
	}
	return nil
}

// rebuildAll rebuilds the given office-days (office id → days) in id order.
func (v *Service) rebuildAll(ctx context.Context, tx *db.Tx, touched map[int64][]int64) error {
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	shapes, err := v.offices.Shapes(ctx, tx, ids)
	if err != nil {
		return err
	}
	rb := &rebuilder{tx: tx}
	for _, id := range ids {
		sh, ok := shapes[id]
		if !ok {
			return fmt.Errorf("rollups: office %d not found", id)
		}
		if err := rb.rebuildOffice(ctx, sh, touched[id]); err != nil {
			return err
		}
	}
	return nil
}

// RebuildRollups recomputes the rollups of every office that had visits
// in [from, to) (Unix seconds, rounded out to whole Tehran days) from the
// raw visits: the repair path and the nightly job. Each office is rebuilt
// in its own transaction, under its lock.
func (v *Service) RebuildRollups(ctx context.Context, from, to int64) (rebuilt int, err error) {
	from, to = daftar.DayStart(from), daftar.DayStart(to-1)+daftar.DaySeconds
	var ids []int64
	collect := func(scan func(...any) error) error {
		var id int64
		if err := scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}
	if err := v.db.Query(ctx, "SELECT DISTINCT office_id FROM visits WHERE arrived_at >= ? AND arrived_at < ?", []any{from, to}, collect); err != nil {
		return 0, err
	}
	// Days that have rollups but no longer any visits are cleared too.
	if err := v.db.Query(ctx, "SELECT DISTINCT office_id FROM crowding_days WHERE day_at >= ? AND day_at < ?", []any{from, to}, collect); err != nil {
		return 0, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var days []int64
	for t := from; t < to; t += daftar.DaySeconds {
		days = append(days, t)
	}
	for _, id := range ids {
		err := v.db.InTx(ctx, func(tx *db.Tx) error {
			if err := v.offices.Lock(ctx, tx, []int64{id}); err != nil {
				return err
			}
			return v.rebuildAll(ctx, tx, map[int64][]int64{id: days})
		})
		if err != nil {
			return rebuilt, err
		}
		rebuilt++
	}
	return rebuilt, nil
}
