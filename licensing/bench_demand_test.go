package licensing

// BenchmarkDemand times the demand model (Demand.Compute) over 2,000
// offices with a year of visits in the crowding rollups, on SQLite and
// PostgreSQL (issue 5):
//
//	go test -run='^$' -bench=Demand -benchtime=3x ./licensing/
//
// Seeding, once per engine and outside the timer: the demo generator's
// 2,000 offices (geodemo.Offices, spread over the cities by population)
// and its simulated visits for the last whole Jalali month (1405/08, about
// 1.75 million visits, rolled up by geodemo.SeedVisits: every office's own
// day and month rows); that month's row of every office is then copied to
// the eleven months before it, and its day rows (same weekday, 364 days
// earlier) to the second half of 1404/08, with INSERT ... SELECT, as the
// ranking benchmark does. No licences are issued.
//
// Two windows of a year, each a sub-benchmark:
//
//	year            the 365 days ending yesterday (1404/09/01-1405/08/30):
//	                twelve whole months, 24,000 month rows
//	year-mid-month  1404/08/16-1405/08/15: eleven whole months and 30 edge
//	                days, 22,000 month rows and some 47,600 day rows (the
//	                days with visits: offices close on Fridays)
//
// The baseline, timed in the same loop (alternating which goes first), is
// the bare SQL Compute reads: the same statements (offices, licences issued
// by region, the month rows and the edge day rows of the window) on the
// same driver (pgx on PostgreSQL, database/sql on SQLite), every row
// scanned into plain values and nothing decoded. Reported: compute-ms,
// bare-ms, compute/bare and the rollup rows read. Both are checked once to
// read the same arrivals.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/jackc/pgx/v5"
)

const demandBenchOffices = 2000

// demandStatsCols are the rollup columns the crowding reads select (geo's
// statsSelect).
const demandStatsCols = "arrivals, served, no_shows, cancelled, referred, waits, wait_sum, wait_max, services, service_sum, " +
	"service_max, busy_s, open_s, counter_s, queue_area, queue_max, wait_sketch, service_sketch, hours"

// demandWindow is a window of the benchmark and what it reads: whole
// months [monthFrom, monthTo) and edge days.
type demandWindow struct {
	name               string
	first, last        time.Time // first and last day, as DemandQuery takes them
	monthFrom, monthTo int64
	edges              [][2]int64 // [from, to) in day_at
}

// demandPlan splits [from, to) like the crowding reads do: whole Jalali
// months, and the days around them.
func demandPlan(name string, from, to int64) demandWindow {
	w := demandWindow{name: name, first: time.Unix(from+12*3600, 0), last: time.Unix(to-12*3600, 0)}
	m := daftar.MonthStart(from)
	if m < from {
		m = daftar.MonthEnd(from)
	}
	end := m
	for daftar.MonthEnd(end) <= to && end < to {
		end = daftar.MonthEnd(end)
	}
	w.monthFrom, w.monthTo = m, end
	if from < m {
		w.edges = append(w.edges, [2]int64{from, m})
	}
	if end < to {
		w.edges = append(w.edges, [2]int64{end, to})
	}
	return w
}

// seedDemandYear fills the register with 2,000 demo offices and a year of
// rollups (see the comment at the top), and returns the windows to read.
func seedDemandYear(b *testing.B, e *licEnv) []demandWindow {
	b.Helper()
	today := daftar.DayStart(e.clock.Now().Unix())
	src := daftar.MonthStart(today - 86400) // the last whole month
	if daftar.MonthEnd(src) != today {
		b.Fatalf("the test clock is not on the first of a Jalali month")
	}
	start := time.Now()
	seedDemoRegister(b, e, demandBenchOffices, int((today-src)/86400))
	demo := time.Since(start)
	exec := func(q string, args ...any) int64 {
		res := e.d.Gorm.Exec(q, args...)
		if res.Error != nil {
			b.Fatal(res.Error)
		}
		return res.RowsAffected
	}
	var monthRows, dayRows int64
	m := src
	for range 11 {
		m = daftar.MonthStart(m - 86400)
		monthRows += exec("INSERT INTO crowding_months (office_id, month_at, "+demandStatsCols+") SELECT office_id, ?, "+
			demandStatsCols+" FROM crowding_months WHERE month_at = ?", m, src)
	}
	edgeMonth := daftar.MonthStart(m - 86400) // 1404/08
	for day := edgeMonth + 15*86400; day < m; day += 86400 {
		from := day + 364*86400 // the same weekday, in the seeded month
		if from < src || from >= today {
			b.Fatalf("no seeded day for %v", time.Unix(day, 0))
		}
		dayRows += exec("INSERT INTO crowding_days (office_id, day_at, weekday, "+demandStatsCols+") SELECT office_id, ?, weekday, "+
			demandStatsCols+" FROM crowding_days WHERE day_at = ?", day, from)
	}
	exec("ANALYZE")
	b.Logf("%s: seeded in %v (demo offices and month of visits %v); copied %d month rows and %d day rows",
		e.d.Dialect, time.Since(start).Round(time.Millisecond), demo.Round(time.Millisecond), monthRows, dayRows)
	return []demandWindow{
		demandPlan("year", today-365*86400, today),
		demandPlan("year-mid-month", edgeMonth+15*86400, src+15*86400),
	}
}

// bareDemandReads runs the statements Compute reads, raw, scanning every
// row; it returns the rollup rows read and their arrivals.
func bareDemandReads(ctx context.Context, d *db.DB, w demandWindow) (rows, arrivals int64, err error) {
	type stmt struct {
		q    string
		args []any
		scan func(scan func(...any) error) error
	}
	var (
		id, counters             int64
		city, status             string
		district                 *string
		lat, lon                 float64
		region                   string
		n                        int64
		c                        [16]int64
		waitSk, serviceSk, hours []byte
	)
	rollup := func(scan func(...any) error) error {
		dest := []any{&id}
		for i := range c {
			dest = append(dest, &c[i])
		}
		dest = append(dest, &waitSk, &serviceSk, &hours)
		if err := scan(dest...); err != nil {
			return err
		}
		rows++
		arrivals += c[0]
		return nil
	}
	stmts := []stmt{
		{"SELECT id, city_code, district_code, status, counters, latitude, longitude FROM offices ORDER BY id", nil,
			func(scan func(...any) error) error {
				return scan(&id, &city, &district, &status, &counters, &lat, &lon)
			}},
		{"SELECT region, COUNT(*) AS n FROM licences WHERE state = ? GROUP BY region", []any{LicenceIssued},
			func(scan func(...any) error) error { return scan(&region, &n) }},
		{"SELECT office_id, " + demandStatsCols + " FROM crowding_months WHERE month_at >= ? AND month_at < ?",
			[]any{w.monthFrom, w.monthTo}, rollup},
	}
	if len(w.edges) > 0 {
		var parts []string
		var args []any
		for _, e := range w.edges {
			parts = append(parts, "(day_at >= ? AND day_at < ?)")
			args = append(args, e[0], e[1])
		}
		stmts = append(stmts, stmt{"SELECT office_id, " + demandStatsCols + " FROM crowding_days WHERE (" + strings.Join(parts, " OR ") + ")",
			args, rollup})
	}
	if d.Dialect == db.Postgres {
		err = d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			for _, s := range stmts {
				q := s.q
				for i := 1; strings.Contains(q, "?"); i++ {
					q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
				}
				rs, err := conn.Query(ctx, q, s.args...)
				if err != nil {
					return err
				}
				for rs.Next() {
					if err := s.scan(rs.Scan); err != nil {
						rs.Close()
						return err
					}
				}
				rs.Close()
				if err := rs.Err(); err != nil {
					return err
				}
			}
			return nil
		})
		return rows, arrivals, err
	}
	for _, s := range stmts {
		var rs *sql.Rows
		if rs, err = d.SQL.QueryContext(ctx, s.q, s.args...); err != nil {
			return 0, 0, err
		}
		for rs.Next() {
			if err = s.scan(rs.Scan); err != nil {
				rs.Close()
				return 0, 0, err
			}
		}
		rs.Close()
		if err = rs.Err(); err != nil {
			return 0, 0, err
		}
	}
	return rows, arrivals, nil
}

func BenchmarkDemand(b *testing.B) {
	for _, engine := range dbtest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			e := newLicEnv(b, dbtest.Open(b, engine), DemandConfig{}, Config{})
			windows := seedDemandYear(b, e)
			ctx := context.Background()
			for _, w := range windows {
				b.Run(w.name, func(b *testing.B) {
					q := DemandQuery{From: w.first, To: w.last}
					// Checked once: both read the same year.
					res, err := e.demand.Compute(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					var computed int64
					offices := 0
					for _, r := range res.Regions {
						if r.Level == geo.LevelCity {
							computed += r.Crowding.Arrivals
							offices += r.Crowding.OfficesWithVisits
						}
					}
					rows, arrivals, err := bareDemandReads(ctx, e.d, w)
					if err != nil {
						b.Fatal(err)
					}
					if res.Model.Days < 365 || offices < demandBenchOffices*9/10 || computed != arrivals || arrivals == 0 {
						b.Fatalf("compute: %d days, %d offices with visits, %d arrivals; bare: %d rows, %d arrivals",
							res.Model.Days, offices, computed, rows, arrivals)
					}
					var computeT, bareT time.Duration
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						for _, bare := range []bool{i%2 == 1, i%2 == 0} {
							start := time.Now()
							if bare {
								if _, _, err := bareDemandReads(ctx, e.d, w); err != nil {
									b.Fatal(err)
								}
								bareT += time.Since(start)
							} else {
								if _, err := e.demand.Compute(ctx, q); err != nil {
									b.Fatal(err)
								}
								computeT += time.Since(start)
							}
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(computeT.Microseconds())/1000/float64(b.N), "compute-ms")
					b.ReportMetric(float64(bareT.Microseconds())/1000/float64(b.N), "bare-ms")
					b.ReportMetric(float64(computeT)/float64(bareT), "compute/bare")
					b.ReportMetric(float64(rows), "rollup-rows")
					b.ReportMetric(float64(arrivals), "arrivals")
				})
			}
		})
	}
}
