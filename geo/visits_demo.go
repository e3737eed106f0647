package geo

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/jackc/pgx/v5"
)

// Demo visits: a few weeks of history for every demo office, simulated
// rather than drawn at random, so that waits, queues and utilisation
// hang together. For each office-day arrivals follow an hourly profile
// (a morning peak, a lunch dip, a lighter afternoon; Thursday's short day;
// Friday closed) and a weekday profile; the office's counters serve them
// first come, first served within its opening hours; some citizens do not
// answer their call, some give up after waiting, a few are referred. The
// load of an office grows with the population it serves, so the cities
// short of offices (Tehran, Mashhad, Isfahan: geo.DemoThinCities) run near
// or past capacity in the morning peak, while most towns are quiet. The
// rollups are computed from the same visits (the builder of the live path)
// and written beside them.

// DemoVisitsOptions tunes the demo history.
type DemoVisitsOptions struct {
	Days int    // days of history ending yesterday (default 60)
	Seed uint64 // the same seed gives the same visits
	// Scale multiplies every office's arrivals (default 1).
	Scale float64
}

// DemoVisitsReport sums up the demo history.
type DemoVisitsReport struct {
	Offices, Days, Visits, DayRows, MonthRows int
}

// demoServiceMix weighs the services citizens come for.
var demoServiceMix = map[string]float64{
	"criminal_record": 30, "e_notification": 12, "case_information": 8, "sana_registration": 8, "petition": 7,
	"complaint": 5, "brief_submission": 4, "sana_update": 3, "judicial_unit_appointment": 3, "power_of_attorney": 2,
	"formal_notice": 2, "execution_request": 2, "financial_conviction_inquiry": 2, "self_declaration": 2,
}

// demoHourWeight is the relative arrival rate at each hour of the day.
var demoHourWeight = [24]float64{7: 0.7, 8: 1.3, 9: 1.7, 10: 1.6, 11: 1.3, 12: 1.0, 13: 0.6, 14: 0.4, 15: 0.8, 16: 0.9, 17: 0.7, 18: 0.5, 19: 0.3}

// demoThinLoad is the load (mean arrival rate over capacity) of the
// offices of the cities the demo leaves short of offices.
var demoThinLoad = map[string]float64{"tehran": 0.8, "mashhad": 0.72, "isfahan": 0.68}

// demoWeekdayWeight, Saturday first: the week starts busy.
var demoWeekdayWeight = [7]float64{1.15, 1.05, 1.0, 1.0, 0.95, 1.1, 0}

type demoGen struct {
	cat      *Catalogue
	seed     uint64
	scale    float64
	loads    map[int64]float64 // office → load factor (arrival rate / capacity)
	services []string
	weights  []float64
}

func newDemoGen(cat *Catalogue, offices []Office, gaz *Gazetteer, seed uint64, scale float64) *demoGen {
	g := &demoGen{cat: cat, seed: seed, scale: scale, loads: map[int64]float64{}}
	for _, s := range cat.All() {
		if w, ok := demoServiceMix[s.Code]; ok {
			g.services = append(g.services, s.Code)
			g.weights = append(g.weights, w)
		} else {
			g.services = append(g.services, s.Code)
			g.weights = append(g.weights, 0.4)
		}
	}
	// Population served per office, by city.
	perCity := map[string]int{}
	for _, o := range offices {
		perCity[o.CityCode]++
	}
	var pop, n float64
	for code, k := range perCity {
		if c, ok := gaz.Get(code); ok {
			pop += float64(c.Population)
			n += float64(k)
		}
	}
	avg := pop / max(n, 1)
	for _, o := range offices {
		per := avg
		if c, ok := gaz.Get(o.CityCode); ok {
			per = float64(c.Population) / float64(perCity[o.CityCode])
		}
		// Towns run at a twentieth to a tenth of their capacity; the big
		// cities short of offices carry the demand held back by years
		// without new licences, at or past capacity in the morning peak.
		load := 0.06 * math.Pow(per/avg, 2.4)
		if thin, ok := demoThinLoad[o.CityCode]; ok {
			load = thin
		}
		g.loads[o.ID] = min(max(load, 0.04), 0.9)
	}
	return g
}

func (g *demoGen) rngFor(officeID int64) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "daftar-demo-visits:%d", officeID)
	return rand.New(rand.NewPCG(g.seed, h.Sum64()))
}

func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 40 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// officeVisits simulates the visits of one office over the days.
func (g *demoGen) officeVisits(off *Office, days []int64, out []Visit) []Visit {
	r := g.rngFor(off.ID)
	offered := make([]string, 0, len(g.services))
	var weights []float64
	var total, meanSvc float64
	for i, s := range g.services {
		if off.Offers(s) {
			offered = append(offered, s)
			weights = append(weights, g.weights[i])
			total += g.weights[i]
			if svc, ok := g.cat.Get(s); ok {
				meanSvc += g.weights[i] * float64(svc.HandlingMinutes)
			}
		}
	}
	if len(offered) == 0 {
		return out
	}
	meanSvc /= total
	pick := func() string {
		x := r.Float64() * total
		for i, w := range weights {
			if x -= w; x < 0 {
				return offered[i]
			}
		}
		return offered[len(offered)-1]
	}
	counters := max(off.Counters, 1)
	perMin := g.loads[off.ID] * g.scale * float64(counters) / meanSvc // arrivals per open minute at weight 1
	free := make([]int64, counters)
	var arrivals []int64
	for _, dayAt := range days {
		wd := daftar.WeekdayIndex(dayAt)
		spans := off.Hours[wd]
		if len(spans) == 0 || demoWeekdayWeight[wd] == 0 {
			continue
		}
		dayFactor := demoWeekdayWeight[wd] * math.Exp(0.15*r.NormFloat64()-0.011)
		arrivals = arrivals[:0]
		for _, s := range spans {
			for m := s.Open; m < s.Close; {
				h := m / 60
				end := min(s.Close, (h+1)*60)
				n := poisson(r, perMin*demoHourWeight[h]*dayFactor*float64(end-m))
				for k := 0; k < n; k++ {
					arrivals = append(arrivals, dayAt+int64(m)*60+int64(r.Float64()*float64(end-m)*60))
				}
				m = end
			}
		}
		slices.Sort(arrivals)
		for i := range free {
			free[i] = 0
		}
		lastClose := dayAt + int64(spans[len(spans)-1].Close)*60
		j := daftar.ToJalali(time.Unix(dayAt, 0))
		for seq, at := range arrivals {
			v := Visit{OfficeID: off.ID, Arrived: at, Service: pick(), Channel: ChannelWalkIn, RecordedAt: at,
				Ticket: fmt.Sprintf("%04d%02d%02d-%04d", j.Year, j.Month, j.Day, seq+1)}
			if r.IntN(10) == 0 {
				v.Channel = ChannelAppointment
			}
			// The first counter free; service starts within opening hours
			// (counters finish the queue up to 30 minutes after closing).
			c := 0
			for i := range free {
				if free[i] < free[c] {
					c = i
				}
			}
			start := max(at, free[c])
			start = nextServiceTime(spans, dayAt, start)
			patience := int64(r.ExpFloat64() * 100 * 60)
			switch {
			case start < 0 || start > lastClose+30*60:
				v.Outcome, v.Finished = OutcomeCancelled, max(lastClose, at+60)
			case start-at > patience:
				v.Outcome, v.Finished = OutcomeCancelled, at+patience
			case r.IntN(100) < 3:
				v.Outcome, v.Called, v.Counter = OutcomeNoShow, start, c+1
				free[c] = start + 60
			default:
				svc, _ := g.cat.Get(v.Service)
				minutes := float64(svc.HandlingMinutes) * math.Exp(0.35*r.NormFloat64()-0.06)
				dur := max(int64(minutes*60), 60)
				v.Outcome = OutcomeServed
				if r.IntN(100) < 3 {
					v.Outcome, dur = OutcomeReferred, dur/2+30
				}
				v.Called, v.Finished, v.Counter = start, start+dur, c+1
				free[c] = v.Finished
			}
			v.RecordedAt = max(v.Arrived, v.Called, v.Finished)
			out = append(out, v)
		}
	}
	return out
}

// nextServiceTime moves t into the opening spans of the day: unchanged
// inside a span, the next opening in a gap, t itself after the last span
// (overtime). It returns -1 for a day with no spans.
func nextServiceTime(spans []Span, dayAt, t int64) int64 {
	if len(spans) == 0 {
		return -1
	}
	for _, s := range spans {
		open, close := dayAt+int64(s.Open)*60, dayAt+int64(s.Close)*60
		if t < open {
			return open
		}
		if t < close {
			return t
		}
	}
	return t
}

// demoDays lists the Tehran days of the history: days days ending
// yesterday.
func demoDays(now time.Time, days int) []int64 {
	today := daftar.DayStart(now.Unix())
	out := make([]int64, 0, days)
	for d := days; d >= 1; d-- {
		out = append(out, today-int64(d)*86400)
	}
	return out
}

// SeedDemoVisits writes the demo history of every office of the register
// (deterministic for a seed and a day) with its rollups, in one
// transaction: COPY on PostgreSQL, large prepared INSERTs on SQLite.
func SeedDemoVisits(ctx context.Context, d *db.DB, offices *Offices, now time.Time, opt DemoVisitsOptions) (DemoVisitsReport, error) {
	if opt.Days <= 0 {
		opt.Days = 60
	}
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	all, err := offices.All(ctx)
	if err != nil {
		return DemoVisitsReport{}, err
	}
	g := newDemoGen(offices.Catalogue(), all, offices.Gazetteer(), opt.Seed, opt.Scale)
	days := demoDays(now, opt.Days)
	rep := DemoVisitsReport{Offices: len(all), Days: opt.Days}

	// Generate office by office in one goroutine while the writer stores
	// the previous offices: the order (and so every id) stays the same.
	type batch struct {
		visits []Visit
		days   []rollupRow
		months []rollupRow
	}
	ch := make(chan batch, 4)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(ch)
		var b dayBuilder
		for i := 0; i < len(all); {
			var bt batch
			for ; i < len(all) && len(bt.visits) < 40_000; i++ {
				off := &all[i]
				start := len(bt.visits)
				bt.visits = g.officeVisits(off, days, bt.visits)
				shape := officeShape{ID: off.ID, Counters: off.Counters, Hours: off.Hours}
				vs := bt.visits[start:]
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
					row, err := mergeRows(off.ID, m, byMonth[m])
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
		}
	}()
	write := func(store func(table string, cols []string, rows [][]any) error) error {
		for bt := range ch {
			rows := make([][]any, len(bt.visits))
			for i := range bt.visits {
				rows[i] = bt.visits[i].values()
			}
			if err := store("visits", visitCols, rows); err != nil {
				return err
			}
			rows = rows[:0]
			for i := range bt.days {
				rows = append(rows, bt.days[i].values(true))
			}
			if err := store("crowding_days", rollupColumns("day_at"), rows); err != nil {
				return err
			}
			rows = rows[:0]
			for i := range bt.months {
				rows = append(rows, bt.months[i].values(false))
			}
			if err := store("crowding_months", rollupColumns("month_at"), rows); err != nil {
				return err
			}
			rep.Visits += len(bt.visits)
			rep.DayRows += len(bt.days)
			rep.MonthRows += len(bt.months)
		}
		return nil
	}
	// The visits table is empty (the demo only seeds an empty register), so
	// its two indexes are dropped and built again after the rows: several
	// times faster than maintaining them row by row. Months that started
	// before the history are partial, as for an office opened mid-month.
	if d.Dialect == db.Postgres {
		err = d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				r := pgxRunner{tx}
				if err := dropVisitIndexes(ctx, r); err != nil {
					return err
				}
				if err := write(func(table string, cols []string, rows [][]any) error {
					return r.copyRows(ctx, table, cols, rows)
				}); err != nil {
					return err
				}
				return createVisitIndexes(ctx, r)
			})
		})
	} else {
		err = sqliteTx(ctx, d.SQL, func(tx *sql.Tx) error {
			exec := func(ctx context.Context, q string, args []any) error {
				_, err := tx.ExecContext(ctx, q, args...)
				return err
			}
			r := sqlTxRunner{tx}
			if err := dropVisitIndexes(ctx, r); err != nil {
				return err
			}
			if err := write(func(table string, cols []string, rows [][]any) error {
				return db.SQLiteBulk(ctx, table, cols, rows, "", exec)
			}); err != nil {
				return err
			}
			return createVisitIndexes(ctx, r)
		})
	}
	if err != nil {
		cancel()
		for range ch { // let the generator finish
		}
		return rep, fmt.Errorf("demo visits: %w", err)
	}
	return rep, nil
}

// The visits indexes, as 0002_visits.sql creates them.
var visitIndexes = []struct{ name, ddl string }{
	{"visits_office_ticket", "CREATE UNIQUE INDEX visits_office_ticket ON visits (office_id, ticket)"},
	{"visits_office_arrived", "CREATE INDEX visits_office_arrived ON visits (office_id, arrived_at)"},
}

func dropVisitIndexes(ctx context.Context, r runner) error {
	var n int64
	err := r.query(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM visits LIMIT 1) x", nil, func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the visits table is not empty")
	}
	for _, ix := range visitIndexes {
		if _, err := r.exec(ctx, "DROP INDEX "+ix.name); err != nil {
			return err
		}
	}
	return nil
}

func createVisitIndexes(ctx context.Context, r runner) error {
	for _, ix := range visitIndexes {
		if _, err := r.exec(ctx, ix.ddl); err != nil {
			return err
		}
	}
	return nil
}

// sqlTxRunner runs statements in a database/sql transaction.
type sqlTxRunner struct{ tx *sql.Tx }

func (s sqlTxRunner) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlTxRunner) query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	rows, err := s.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

func (s sqlTxRunner) copyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	return db.SQLiteBulk(ctx, table, cols, rows, "", func(ctx context.Context, q string, args []any) error {
		_, err := s.tx.ExecContext(ctx, q, args...)
		return err
	})
}

// sqliteTx runs fn in one transaction on one connection.
func sqliteTx(ctx context.Context, s *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := s.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
