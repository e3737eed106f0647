package geo

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Rollups. The crowding figures are read from two tables that hold, per
// office, one row per Tehran day with visits (crowding_days) and one per
// Jalali month (crowding_months). A row has the period's counts and sums, its
// wait and service-time sketches, and the same again for each hour of the
// day in its hours column. A day row is computed from the raw visits of that
// office-day, and a month row by merging its day rows, so both can always be
// rebuilt from the visits and are never updated incrementally: every write
// path (the API batch, the CSV import, the demo and the nightly repair job)
// rebuilds the days it touched, and their months, in its own transaction,
// while it holds the office's lock.

// Outcomes of a visit.
const (
	OutcomeServed    = "served"
	OutcomeNoShow    = "no_show"
	OutcomeCancelled = "cancelled"
	OutcomeReferred  = "referred"
)

// Channels of a visit.
const (
	ChannelWalkIn      = "walk_in"
	ChannelAppointment = "appointment"
)

// Outcomes lists every outcome; Channels every channel.
var (
	Outcomes = []string{OutcomeServed, OutcomeNoShow, OutcomeCancelled, OutcomeReferred}
	Channels = []string{ChannelWalkIn, ChannelAppointment}
)

// rawVisit is what a rollup needs of a visit.
type rawVisit struct {
	Arrived, Called, Finished int64 // Unix seconds; 0 when absent
	Outcome                   string
}

// seen reports whether the citizen reached a counter (served or referred):
// only these count in waits, service times and busy time.
func (v rawVisit) seen() bool { return v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred }

// queueSpan is the time the visit spent in the queue: arrival to call, or
// for one never called, arrival to leaving.
func (v rawVisit) queueSpan() (from, to int64) {
	switch {
	case v.Called > 0:
		return v.Arrived, v.Called
	case v.Finished > 0:
		return v.Arrived, v.Finished
	}
	return 0, 0
}

// Counts are the additive and max figures of a rollup row, in seconds.
type Counts struct {
	Arrivals, Served, NoShows, Cancelled, Referred int64
	Waits, WaitSum, WaitMax                        int64
	Services, ServiceSum, ServiceMax               int64
	BusyS, OpenS, CounterS                         int64
	QueueArea, QueueMax                            int64
}

const countsFields = 16

func (c *Counts) fields() [countsFields]*int64 {
	return [countsFields]*int64{&c.Arrivals, &c.Served, &c.NoShows, &c.Cancelled, &c.Referred,
		&c.Waits, &c.WaitSum, &c.WaitMax, &c.Services, &c.ServiceSum, &c.ServiceMax,
		&c.BusyS, &c.OpenS, &c.CounterS, &c.QueueArea, &c.QueueMax}
}

// Add merges o into c.
func (c *Counts) Add(o *Counts) {
	c.Arrivals += o.Arrivals
	c.Served += o.Served
	c.NoShows += o.NoShows
	c.Cancelled += o.Cancelled
	c.Referred += o.Referred
	c.Waits += o.Waits
	c.WaitSum += o.WaitSum
	c.WaitMax = max(c.WaitMax, o.WaitMax)
	c.Services += o.Services
	c.ServiceSum += o.ServiceSum
	c.ServiceMax = max(c.ServiceMax, o.ServiceMax)
	c.BusyS += o.BusyS
	c.OpenS += o.OpenS
	c.CounterS += o.CounterS
	c.QueueArea += o.QueueArea
	c.QueueMax = max(c.QueueMax, o.QueueMax)
}

func (c *Counts) active() bool {
	return c.Arrivals > 0 || c.BusyS > 0 || c.OpenS > 0 || c.QueueArea > 0
}

// Stats is a mergeable rollup: counts and the two sketches.
type Stats struct {
	Counts
	Wait, Service Sketch
}

// statsPool keeps the accumulators of the crowding queries (their
// sketches' bins are most of a query's allocations).
var statsPool = sync.Pool{New: func() any { return &Stats{} }}

func getStats() *Stats { return statsPool.Get().(*Stats) }

// putStats empties st and returns it to the pool.
func putStats(st *Stats) {
	if st == nil {
		return
	}
	st.Counts = Counts{}
	st.Wait.Reset()
	st.Service.Reset()
	statsPool.Put(st)
}

// Merge adds o into s.
func (s *Stats) Merge(o *Stats) {
	s.Counts.Add(&o.Counts)
	s.Wait.Merge(&o.Wait)
	s.Service.Merge(&o.Service)
}

// Empty reports whether nothing was recorded.
func (s *Stats) Empty() bool { return !s.Counts.active() && s.Wait.Count() == 0 }

// rollupRow is one stored row of crowding_days or crowding_months.
type rollupRow struct {
	OfficeID int64
	At       int64 // day_at or month_at
	Weekday  int   // days only
	Counts
	WaitSketch, ServiceSketch, Hours []byte
}

// ---------------------------------------------------------------- hours blob

const hoursVersion = 1

// hourEncoder builds the hours column: a version byte, the number of hours,
// then for each hour its number, its counts as unsigned varints, and its two
// sketches.
type hourEncoder struct {
	b []byte
	n int
}

func (e *hourEncoder) start() { e.b, e.n = append(e.b[:0], hoursVersion, 0), 0 }

func (e *hourEncoder) appendCounts(c *Counts) {
	for _, f := range c.fields() {
		e.b = binary.AppendUvarint(e.b, uint64(max(*f, 0)))
	}
}

func (e *hourEncoder) finish() []byte {
	if e.n > 24 {
		panic("geo: more than 24 hours in a day")
	}
	e.b[1] = byte(e.n)
	return slices.Clone(e.b)
}

var errBadHours = errors.New("geo: malformed hours encoding")

// walkHours decodes an hours column (see hourEncoder): for each hour
// present it hands over the hour, its counts and the bytes from its
// sketches on; each returns how many of those bytes the hour's two
// sketches took.
func walkHours(b []byte, each func(h int, c *Counts, rest []byte) (int, error)) error {
	if len(b) < 2 || b[0] != hoursVersion {
		return errBadHours
	}
	n := int(b[1])
	pos := 2
	for k := 0; k < n; k++ {
		if pos >= len(b) {
			return errBadHours
		}
		h := int(b[pos])
		pos++
		if h > 23 {
			return errBadHours
		}
		var c Counts
		for _, f := range c.fields() {
			v, w := binary.Uvarint(b[pos:])
			if w <= 0 || v > 1<<62 {
				return errBadHours
			}
			pos += w
			*f = int64(v)
		}
		w, err := each(h, &c, b[pos:])
		if err != nil {
			return err
		}
		pos += w
	}
	if pos != len(b) {
		return errBadHours
	}
	return nil
}

// mergeHours decodes an hours column and merges each hour into into[hour]
// (allocated on first use).
func mergeHours(b []byte, into *[24]*Stats) error {
	return walkHours(b, func(h int, c *Counts, rest []byte) (int, error) {
		st := into[h]
		if st == nil {
			st = getStats()
			into[h] = st
		}
		st.Counts.Add(c)
		w1, err := st.Wait.mergeEncoded(rest)
		if err != nil || w1 == 0 {
			return 0, errBadHours
		}
		w2, err := st.Service.mergeEncoded(rest[w1:])
		if err != nil || w2 == 0 {
			return 0, errBadHours
		}
		return w1 + w2, nil
	})
}

// ---------------------------------------------------------------- building a day

// officeShape is what the rollups need of an office.
type officeShape struct {
	ID       int64
	Counters int
	Hours    OpeningHours
}

// dayBuilder computes day rows; it keeps its buffers between days.
type dayBuilder struct {
	hours    [24]Counts
	waits    [24][]int64
	services [24][]int64
	allWait  []int64
	allServ  []int64
	events   []queueEvent
	enc      hourEncoder
}

type queueEvent struct {
	t     int64
	delta int64
}

// build computes the row of one office-day from its visits (all arriving on
// that Tehran day). It returns false when the day had no visits.
func (b *dayBuilder) build(off officeShape, dayAt int64, visits []rawVisit) (rollupRow, bool) {
	if len(visits) == 0 {
		return rollupRow{}, false
	}
	dayEnd := dayAt + 86400
	for h := range b.hours {
		b.hours[h] = Counts{}
		b.waits[h] = b.waits[h][:0]
		b.services[h] = b.services[h][:0]
	}
	b.allWait, b.allServ, b.events = b.allWait[:0], b.allServ[:0], b.events[:0]
	weekday := daftar.WeekdayIndex(dayAt)
	for _, s := range off.Hours[weekday] {
		b.spread(dayAt+int64(s.Open)*60, dayAt+int64(s.Close)*60, dayAt, func(c *Counts, sec int64) {
			c.OpenS += sec
			c.CounterS += sec * int64(off.Counters)
		})
	}
	for _, v := range visits {
		h := int((v.Arrived - dayAt) / 3600)
		if h < 0 || h > 23 {
			continue
		}
		c := &b.hours[h]
		c.Arrivals++
		switch v.Outcome {
		case OutcomeServed:
			c.Served++
		case OutcomeNoShow:
			c.NoShows++
		case OutcomeCancelled:
			c.Cancelled++
		case OutcomeReferred:
			c.Referred++
		}
		if v.seen() && v.Called > 0 {
			w := v.Called - v.Arrived
			c.Waits++
			c.WaitSum += w
			c.WaitMax = max(c.WaitMax, w)
			b.waits[h] = append(b.waits[h], w)
			b.allWait = append(b.allWait, w)
			if v.Finished > 0 {
				s := v.Finished - v.Called
				c.Services++
				c.ServiceSum += s
				c.ServiceMax = max(c.ServiceMax, s)
				b.services[h] = append(b.services[h], s)
				b.allServ = append(b.allServ, s)
				b.spread(v.Called, v.Finished, dayAt, func(c *Counts, sec int64) { c.BusyS += sec })
			}
		}
		if from, to := v.queueSpan(); to > from {
			from, to = max(from, dayAt), min(to, dayEnd)
			if to > from {
				b.events = append(b.events, queueEvent{from, 1}, queueEvent{to, -1})
			}
		}
	}
	b.sweepQueue(dayAt)

	row := rollupRow{OfficeID: off.ID, At: dayAt, Weekday: weekday}
	b.enc.start()
	for h := range b.hours {
		c := &b.hours[h]
		if !c.active() {
			continue
		}
		row.Counts.Add(c)
		b.enc.b = append(b.enc.b, byte(h))
		b.enc.n++
		b.enc.appendCounts(c)
		b.enc.b = appendEncodedValues(b.enc.b, b.waits[h])
		b.enc.b = appendEncodedValues(b.enc.b, b.services[h])
	}
	row.Hours = b.enc.finish()
	row.WaitSketch = appendEncodedValues(nil, b.allWait)
	row.ServiceSketch = appendEncodedValues(nil, b.allServ)
	return row, true
}

// spread calls add for each hour of the day overlapped by [from, to), with
// the seconds of overlap.
func (b *dayBuilder) spread(from, to, dayAt int64, add func(c *Counts, sec int64)) {
	from, to = max(from, dayAt), min(to, dayAt+86400)
	for from < to {
		h := (from - dayAt) / 3600
		end := min(to, dayAt+(h+1)*3600)
		add(&b.hours[h], end-from)
		from = end
	}
}

// sweepQueue rebuilds the queue length over the day from the arrival and
// call times: its time integral (person-seconds) and maximum per hour.
// At equal times departures are taken before arrivals.
func (b *dayBuilder) sweepQueue(dayAt int64) {
	ev := b.events
	sort.Slice(ev, func(i, j int) bool {
		if ev[i].t != ev[j].t {
			return ev[i].t < ev[j].t
		}
		return ev[i].delta < ev[j].delta
	})
	var level int64
	last := dayAt
	for _, e := range ev {
		if level > 0 && e.t > last {
			lv := level
			b.spread(last, e.t, dayAt, func(c *Counts, sec int64) {
				c.QueueArea += lv * sec
				c.QueueMax = max(c.QueueMax, lv)
			})
		}
		last = e.t
		level += e.delta
		if level > 0 {
			// The level reached at this instant counts in its hour even
			// if it changes again within the same second.
			if h := (e.t - dayAt) / 3600; h >= 0 && h < 24 {
				b.hours[h].QueueMax = max(b.hours[h].QueueMax, level)
			}
		}
	}
}

// mergeRows merges rows (day rows of one office and month) into a month
// row; weekday is ignored.
func mergeRows(officeID, at int64, rows []rollupRow) (rollupRow, error) {
	var hours [24]*Stats
	var wait, service Sketch
	out := rollupRow{OfficeID: officeID, At: at}
	for i := range rows {
		r := &rows[i]
		out.Counts.Add(&r.Counts)
		if err := wait.MergeEncoded(r.WaitSketch); err != nil {
			return out, err
		}
		if err := service.MergeEncoded(r.ServiceSketch); err != nil {
			return out, err
		}
		if err := mergeHours(r.Hours, &hours); err != nil {
			return out, err
		}
	}
	var enc hourEncoder
	enc.start()
	for h, st := range hours {
		if st == nil {
			continue
		}
		enc.b = append(enc.b, byte(h))
		enc.n++
		enc.appendCounts(&st.Counts)
		enc.b = st.Wait.AppendEncoded(enc.b)
		enc.b = st.Service.AppendEncoded(enc.b)
		putStats(st)
	}
	out.Hours = enc.finish()
	out.WaitSketch = wait.Encode()
	out.ServiceSketch = service.Encode()
	return out, nil
}

// ---------------------------------------------------------------- storage

// runner runs statements inside one transaction, over gorm (both engines)
// or a raw pgx transaction (COPY paths). Statements use ? placeholders.
type runner interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error
	// copyRows appends rows to a table: COPY on pgx, multi-row INSERTs
	// otherwise.
	copyRows(ctx context.Context, table string, cols []string, rows [][]any) error
}

type gormRunner struct {
	tx     *gorm.DB
	sqlite bool // bulk writes take the SQLite fast path
}

func newGormRunner(tx *gorm.DB, d db.Dialect) gormRunner {
	return gormRunner{tx: tx, sqlite: d == db.SQLite}
}

func (g gormRunner) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res := g.tx.WithContext(ctx).Exec(q, args...)
	return res.RowsAffected, res.Error
}

func (g gormRunner) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := g.tx.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

func (g gormRunner) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if g.sqlite {
		return db.SQLiteBulk(ctx, table, cols, rows, "", func(ctx context.Context, q string, args []any) error {
			_, err := g.tx.Statement.ConnPool.ExecContext(ctx, q, args...)
			return err
		})
	}
	return insertRows(ctx, g, table, cols, rows, "")
}

// rawQuery runs q on the transaction's connection as is: gorm would read
// the numbered placeholders (?1) of the bulk statements as its own.
func (g gormRunner) rawQuery(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := g.tx.Statement.ConnPool.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// scannedRows is what database/sql's and pgx's rows have in common.
type scannedRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// eachRow hands every row to each, then reports the rows' own error. The
// caller closes the rows.
func eachRow(rows scannedRows, each func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertRows writes rows with multi-row INSERT statements, within the
// parameter limits of both engines; suffix is appended to each statement.
func insertRows(ctx context.Context, r runner, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 30000/len(cols))
	per = min(per, 1000)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	tuple := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for start := 0; start < len(rows); start += per {
		end := min(len(rows), start+per)
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, rows[i]...)
		}
		sb.WriteString(suffix)
		if _, err := r.exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// dbRunner reads outside any transaction without gorm's statement
// building: the crowding queries' path. On PostgreSQL it queries through
// pgx itself, which reads bytea in binary (database/sql gets hex text,
// twice the bytes to move and decode).
type dbRunner struct {
	d  *db.DB
	db *sql.DB
	pg bool
}

func newDBRunner(d *db.DB) dbRunner { return dbRunner{d: d, db: d.SQL, pg: d.Dialect == db.Postgres} }

func (r dbRunner) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if r.pg {
		q = rebind(q)
	}
	res, err := r.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r dbRunner) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	if r.pg {
		return r.d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			rows, err := conn.Query(ctx, rebind(q), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return eachRow(rows, each)
		})
	}
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

func (r dbRunner) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	return insertRows(ctx, r, table, cols, rows, "")
}

type pgxRunner struct {
	tx pgx.Tx
}

// rebind turns ? placeholders into $1, $2, ... (no statement here has a ?
// inside a literal).
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

func (p pgxRunner) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.tx.Exec(ctx, rebind(q), args...)
	return tag.RowsAffected(), err
}

func (p pgxRunner) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := p.tx.Query(ctx, rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

func (p pgxRunner) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := p.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	return err
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

// loadShapes reads the counters and opening hours of offices.
func loadShapes(ctx context.Context, r runner, ids []int64) (map[int64]officeShape, error) {
	out := make(map[int64]officeShape, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		q := "SELECT id, counters, opening_hours FROM offices WHERE id IN (" + placeholders(len(chunk)) + ")"
		err := r.query(ctx, q, int64Args(chunk), func(scan func(...any) error) error {
			var s officeShape
			var hours string
			if err := scan(&s.ID, &s.Counters, &hours); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(hours), &s.Hours); err != nil {
				return fmt.Errorf("office %d opening hours: %w", s.ID, err)
			}
			out[s.ID] = s
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}

// rebuilder recomputes rollups from raw visits.
type rebuilder struct {
	r       runner
	builder dayBuilder
	visits  []rawVisit
}

// rebuildOffice recomputes the day rows of the given Tehran days of one
// office from its raw visits, and the month rows of the months containing
// them from their day rows. The caller holds the office's lock.
func (rb *rebuilder) rebuildOffice(ctx context.Context, off officeShape, days []int64) error {
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
func (rb *rebuilder) rebuildDays(ctx context.Context, off officeShape, days []int64) error {
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
	err := rb.r.query(ctx, `SELECT arrived_at, COALESCE(called_at, 0), COALESCE(finished_at, 0), outcome
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
		if _, err := rb.r.exec(ctx, "DELETE FROM crowding_days WHERE office_id = ? AND day_at IN ("+placeholders(len(chunk))+")",
			append([]any{off.ID}, int64Args(chunk)...)...); err != nil {
			return fmt.Errorf("rollups: clear days: %w", err)
		}
	}
	if err := rb.r.copyRows(ctx, "crowding_days", rollupColumns("day_at"), rows); err != nil {
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
// it wrote. The caller holds the offices' locks.
func rebuildImported(ctx context.Context, r runner, touched map[int64][]int64, mem map[int64][]rawVisit) error {
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
	shapes, err := loadShapes(ctx, r, ids)
	if err != nil {
		return err
	}
	// The day rows that existed, over every month touched.
	from, to := daftar.MonthStart(minDay), daftar.MonthEnd(maxDay)
	existing := map[int64]map[int64]bool{}
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		err := r.query(ctx, "SELECT office_id, day_at FROM crowding_days WHERE office_id IN ("+placeholders(len(chunk))+") AND day_at >= ? AND day_at < ?",
			append(int64Args(chunk), from, to), func(scan func(...any) error) error {
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
	rb := &rebuilder{r: r}
	var dayRows, monthRows [][]any
	flushDays := func() error {
		err := r.copyRows(ctx, "crowding_days", rollupColumns("day_at"), dayRows)
		dayRows = dayRows[:0]
		return err
	}
	for _, id := range ids {
		sh, ok := shapes[id]
		if !ok {
			return fmt.Errorf("rollups: office %d not found", id)
		}
		had := existing[id]
		vs := mem[id]
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
		if _, err := r.exec(ctx, "DELETE FROM crowding_months WHERE (office_id, month_at) IN (VALUES "+
			strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT)), ", len(chunk)), ", ")+")", args...); err != nil {
			return fmt.Errorf("rollups: clear months: %w", err)
		}
	}
	return r.copyRows(ctx, "crowding_months", rollupColumns("month_at"), monthRows)
}

// rebuildMonths recomputes month rows of one office from its day rows.
func (rb *rebuilder) rebuildMonths(ctx context.Context, officeID int64, months []int64) error {
	if len(months) == 0 {
		return nil
	}
	slices.Sort(months)
	months = slices.Compact(months)
	byMonth := map[int64][]rollupRow{}
	err := rb.r.query(ctx, "SELECT day_at, "+statsSelect+" FROM crowding_days WHERE office_id = ? AND day_at >= ? AND day_at < ? ORDER BY day_at",
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
	if _, err := rb.r.exec(ctx, "DELETE FROM crowding_months WHERE office_id = ? AND month_at IN ("+placeholders(len(months))+")",
		append([]any{officeID}, int64Args(months)...)...); err != nil {
		return fmt.Errorf("rollups: clear months: %w", err)
	}
	if err := rb.r.copyRows(ctx, "crowding_months", rollupColumns("month_at"), rows); err != nil {
		return fmt.Errorf("rollups: write months: %w", err)
	}
	return nil
}

// rebuildAll rebuilds the given office-days (office id → days) in id order.
func rebuildAll(ctx context.Context, r runner, touched map[int64][]int64) error {
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	shapes, err := loadShapes(ctx, r, ids)
	if err != nil {
		return err
	}
	rb := &rebuilder{r: r}
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
func RebuildRollups(ctx context.Context, d *db.DB, from, to int64) (offices int, err error) {
	from, to = daftar.DayStart(from), daftar.DayStart(to-1)+86400
	var ids []int64
	if err := d.WithContext(ctx).Raw("SELECT DISTINCT office_id FROM visits WHERE arrived_at >= ? AND arrived_at < ? ORDER BY office_id", from, to).
		Scan(&ids).Error; err != nil {
		return 0, err
	}
	// Days that have rollups but no longer any visits are cleared too.
	var stale []int64
	if err := d.WithContext(ctx).Raw("SELECT DISTINCT office_id FROM crowding_days WHERE day_at >= ? AND day_at < ?", from, to).
		Scan(&stale).Error; err != nil {
		return 0, err
	}
	ids = append(ids, stale...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var days []int64
	for t := from; t < to; t += 86400 {
		days = append(days, t)
	}
	for _, id := range ids {
		err := d.Tx(ctx, func(tx *gorm.DB) error {
			r := newGormRunner(tx, d.Dialect)
			if err := lockOffices(ctx, r, d.Dialect, []int64{id}); err != nil {
				return err
			}
			return rebuildAll(ctx, r, map[int64][]int64{id: days})
		})
		if err != nil {
			return offices, err
		}
		offices++
	}
	return offices, nil
}

// lockOffices takes the row locks that serialise every write to the
// visits and rollups of these offices (PostgreSQL; SQLite has one writer).
// FOR NO KEY UPDATE conflicts with itself but not with the foreign-key
// checks of inserted visits.
func lockOffices(ctx context.Context, r runner, d db.Dialect, ids []int64) error {
	if d != db.Postgres || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		if _, err := r.exec(ctx, "SELECT id FROM offices WHERE id IN ("+placeholders(len(chunk))+") ORDER BY id FOR NO KEY UPDATE",
			int64Args(chunk)...); err != nil {
			return fmt.Errorf("lock offices: %w", err)
		}
	}
	return nil
}
