package visits_test

// Benchmarks of visits and crowding, each against a raw baseline in the
// same run, reporting the ratio (see docs/crowding.md for the figures):
//
//	go test -run='^$' -bench='Ingest|YearOfHours|DemoVisits' -benchtime=3x ./geo/visits/
//
// The PostgreSQL ones need TEST_DATABASE_URL.

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/geo/visits"

	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/jackc/pgx/v5"
)

func needPostgres(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("TEST_DATABASE_URL is not set: this benchmark runs on PostgreSQL")
	}
}

// benchVisits simulates about n visits of the demo register (1,200 offices,
// the demo's load profile, scaled) over the 60 days before vNow.
func benchVisits(b *testing.B, e *visits.Env, n int) ([]offices.Office, []visits.Visit) {
	b.Helper()
	list := demoRegister(e, 1200)
	var active []offices.Office
	for _, o := range list {
		if o.Status == offices.Active {
			active = append(active, o)
		}
	}
	g := geodemo.NewSimulator(e.Cat, e.Gaz, active, geodemo.SimOptions{Seed: 99})
	days := geodemo.HistoryDays(visits.VNow, 60)
	var total int
	for i := range active {
		total += len(g.Visits(&active[i], days, nil))
	}
	g = geodemo.NewSimulator(e.Cat, e.Gaz, active, geodemo.SimOptions{Seed: 99, Scale: float64(n) / float64(total)})
	var vs []visits.Visit
	for i := range active {
		vs = g.Visits(&active[i], days, vs)
	}
	return active, vs
}

// BenchmarkIngestMillionVisitsPostgres loads ~1,000,000 visits through
// the import path (CSV parsed and validated row by row, COPY, rollups of
// every office-day rebuilt, one transaction) and, in the same iteration,
// through a bare pgx CopyFrom of the same rows into the same table.
// Reported: copy-s, import-s and import/copy.
func BenchmarkIngestMillionVisitsPostgres(b *testing.B) {
	needPostgres(b)
	d := dbtest.Open(b, db.Postgres)
	e := visits.NewEnv(b, d)
	active, vs := benchVisits(b, e, 1_000_000)
	codes := map[int64]string{}
	for _, o := range active {
		codes[o.ID] = o.Code
	}
	path := filepath.Join(b.TempDir(), "visits.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	// One file, offices in register order (each office's code per row).
	f.WriteString("office,ticket,service,arrived_at,called_at,finished_at,outcome,counter,channel\n")
	for i := 0; i < len(vs); {
		j := i
		for j < len(vs) && vs[j].OfficeID == vs[i].OfficeID {
			j++
		}
		body := visits.VisitsCSV(codes[vs[i].OfficeID], vs[i:j])
		f.Write(body[indexByte(body, '\n')+1:])
		i = j
	}
	f.Close()
	rows := make([][]any, len(vs))
	for i := range vs {
		v := vs[i]
		v.RecordedAt = visits.VNow.Unix()
		rows[i] = visits.VisitRow(v)
	}
	truncate := func() {
		if err := d.Gorm.Exec("TRUNCATE visits, crowding_days, crowding_months CASCADE").Error; err != nil {
			b.Fatal(err)
		}
		d.Gorm.Exec("VACUUM ANALYZE visits")
	}
	ctx := context.Background()
	var copyTotal, importTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		truncate()
		b.StartTimer()
		start := time.Now()
		err := d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			_, err := conn.CopyFrom(ctx, pgx.Identifier{"visits"}, visits.VisitCols, pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		copyTotal += time.Since(start)
		b.StopTimer()
		truncate()
		b.StartTimer()
		start = time.Now()
		file, _ := os.Open(path)
		rep, err := e.Visits.Import(ctx, file, visits.ImportOptions{AllowInactive: true})
		file.Close()
		if err != nil || rep.Accepted != len(vs) {
			b.Fatalf("import: %+v %v", rep, err)
		}
		importTotal += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(vs)), "visits")
	b.ReportMetric(copyTotal.Seconds()/float64(b.N), "copy-s")
	b.ReportMetric(importTotal.Seconds()/float64(b.N), "import-s")
	b.ReportMetric(float64(importTotal)/float64(copyTotal), "import/copy")
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// BenchmarkYearOfHoursPostgres reads a year of one busy office's figures by
// hour of day from the rollups, and computes the same percentiles (and
// counts) with percentile_cont over its raw visits; it checks they agree
// within the sketch's bound. Reported: rollups-ms, raw-ms, raw/rollups.
func BenchmarkYearOfHoursPostgres(b *testing.B) {
	needPostgres(b)
	d := dbtest.Open(b, db.Postgres)
	e := visits.NewEnv(b, d)
	svc := []string{"criminal_record", "e_notification", "case_information", "petition", "sana_registration", "complaint", "brief_submission"}
	off := e.Office("THR-0901", "tehran", 35.70, 51.40, 6, svc, nil)
	g := geodemo.NewSimulator(e.Cat, e.Gaz, []offices.Office{off}, geodemo.SimOptions{Seed: 5, Loads: map[int64]float64{off.ID: 0.85}})
	vs := g.Visits(&off, geodemo.HistoryDays(visits.VNow, 365), nil)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "year.csv")
	os.WriteFile(path, visits.VisitsCSV(off.Code, vs), 0o600)
	file, _ := os.Open(path)
	if _, err := e.Visits.Import(ctx, file, visits.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	file.Close()
	d.Gorm.Exec("VACUUM ANALYZE")
	r, _ := visits.NewCrowdingRange(visits.VNow.AddDate(0, 0, -365), visits.VNow.AddDate(0, 0, -1), 0)
	const raw = `SELECT ((arrived_at + 12600) % 86400) / 3600 AS hour, COUNT(*) AS arrivals,
		COUNT(*) FILTER (WHERE outcome = 'served') AS served,
		COUNT(*) FILTER (WHERE outcome = 'no_show') AS no_shows,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY called_at - arrived_at) FILTER (WHERE seen) AS p50,
		percentile_cont(0.9) WITHIN GROUP (ORDER BY called_at - arrived_at) FILTER (WHERE seen) AS p90,
		percentile_cont(0.95) WITHIN GROUP (ORDER BY called_at - arrived_at) FILTER (WHERE seen) AS p95,
		MAX(called_at - arrived_at) FILTER (WHERE seen) AS wait_max,
		AVG(finished_at - called_at) FILTER (WHERE seen) AS service_mean,
		percentile_cont(0.9) WITHIN GROUP (ORDER BY finished_at - called_at) FILTER (WHERE seen) AS service_p90
		FROM (SELECT *, outcome IN ('served', 'referred') AND called_at IS NOT NULL AS seen FROM visits
		      WHERE office_id = $1 AND arrived_at >= $2 AND arrived_at < $3) v
		GROUP BY 1 ORDER BY 1`
	type rawRow struct {
		hour, arrivals, served, noShows int64
		p50, p90, p95, serviceP90       *float64
		waitMax                         *int64
		serviceMean                     *float64
	}
	readRaw := func() []rawRow {
		var out []rawRow
		err := d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			rows, err := conn.Query(ctx, raw, off.ID, r.From, r.To)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var x rawRow
				if err := rows.Scan(&x.hour, &x.arrivals, &x.served, &x.noShows, &x.p50, &x.p90, &x.p95, &x.waitMax, &x.serviceMean, &x.serviceP90); err != nil {
					return err
				}
				out = append(out, x)
			}
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	// Agreement, checked once.
	oc, err := e.Crowd.Office(ctx, off.ID, r, visits.ByHour)
	if err != nil {
		b.Fatal(err)
	}
	exact := readRaw()
	byHour := map[int]visits.Figures{}
	for _, g := range oc.Groups {
		byHour[*g.Hour] = g.Figures
	}
	worst := 0.0
	for _, x := range exact {
		f := byHour[int(x.hour)]
		if f.Arrivals != x.arrivals || f.Served != x.served || f.NoShows != x.noShows {
			b.Fatalf("hour %d: counts differ", x.hour)
		}
		for _, p := range [][2]*float64{{f.WaitP50, x.p50}, {f.WaitP90, x.p90}, {f.WaitP95, x.p95}, {f.ServiceP90, x.serviceP90}} {
			if p[1] == nil {
				continue
			}
			e := visits.RelErr(*p[0]*60, *p[1])
			worst = math.Max(worst, e)
			if e > 0.01 {
				b.Fatalf("hour %d: %v vs percentile_cont %v", x.hour, *p[0]*60, *p[1])
			}
		}
		if x.waitMax != nil && *f.WaitMax*60 != float64(*x.waitMax) {
			b.Fatalf("hour %d: max differs", x.hour)
		}
	}
	// Each side runs b.N times in a row (interleaving them would have the
	// raw side's heavy sorts evict the rollups' pages and buffers).
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := e.Crowd.Office(ctx, off.ID, r, visits.ByHour); err != nil {
			b.Fatal(err)
		}
	}
	rollupTotal := time.Since(start)
	start = time.Now()
	for i := 0; i < b.N; i++ {
		readRaw()
	}
	rawTotal := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(len(vs)), "visits")
	b.ReportMetric(worst*100, "worst-err-%")
	b.ReportMetric(rollupTotal.Seconds()*1000/float64(b.N), "rollups-ms")
	b.ReportMetric(rawTotal.Seconds()*1000/float64(b.N), "raw-ms")
	b.ReportMetric(float64(rawTotal)/float64(rollupTotal), "raw/rollups")
}

// BenchmarkDemoVisits times the whole demo history (1,200 offices, 60 days)
// on each engine: the issue asks for well under a minute on SQLite.
func BenchmarkDemoVisits(b *testing.B) {
	engines := []db.Dialect{db.SQLite}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		engines = append(engines, db.Postgres)
	}
	for _, eng := range engines {
		b.Run(string(eng), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := dbtest.Open(b, eng)
				e := visits.NewEnv(b, d)
				demoRegister(e, 1200)
				b.StartTimer()
				rep, err := geodemo.SeedVisits(e.Ctx, e.Visits, e.Offices, visits.VNow, geodemo.VisitOptions{Days: 60, Seed: 1405})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.Visits), "visits")
			}
		})
	}
}
