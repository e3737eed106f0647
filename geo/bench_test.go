package geo

// Benchmarks of visits and crowding, each against a raw baseline in the
// same run, reporting the ratio (see docs/crowding.md for the figures):
//
//	go test -run='^$' -bench='Ingest|YearOfHours|Finder|DemoVisits' -benchtime=3x ./geo/
//
// The PostgreSQL ones need TEST_DATABASE_URL.

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/quadtree"
)

func needPostgres(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("TEST_DATABASE_URL is not set: this benchmark runs on PostgreSQL")
	}
}

// benchVisits simulates about n visits of the demo register (1,200 offices,
// the demo's load profile, scaled) over the 60 days before vNow.
func benchVisits(b *testing.B, e *vEnv, n int) ([]Office, []Visit) {
	b.Helper()
	list := e.demoRegister(1200)
	var active []Office
	for _, o := range list {
		if o.Status == OfficeActive {
			active = append(active, o)
		}
	}
	g := newDemoGen(e.cat, active, e.gaz, 99, 1)
	days := demoDays(vNow, 60)
	var total int
	for i := range active {
		total += len(g.officeVisits(&active[i], days, nil))
	}
	g.scale = float64(n) / float64(total)
	var vs []Visit
	for i := range active {
		vs = g.officeVisits(&active[i], days, vs)
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
	e := newVEnv(b, d)
	offices, vs := benchVisits(b, e, 1_000_000)
	codes := map[int64]string{}
	for _, o := range offices {
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
		body := visitsCSV(codes[vs[i].OfficeID], vs[i:j])
		f.Write(body[indexByte(body, '\n')+1:])
		i = j
	}
	f.Close()
	rows := make([][]any, len(vs))
	for i := range vs {
		v := vs[i]
		v.RecordedAt = vNow.Unix()
		rows[i] = v.values()
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
			_, err := conn.CopyFrom(ctx, pgx.Identifier{"visits"}, visitCols, pgx.CopyFromRows(rows))
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
		rep, err := e.visits.Import(ctx, file, ImportOptions{AllowInactive: true})
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
	e := newVEnv(b, d)
	svc := []string{"criminal_record", "e_notification", "case_information", "petition", "sana_registration", "complaint", "brief_submission"}
	off := e.office("THR-0901", "tehran", 35.70, 51.40, 6, svc, nil)
	g := newDemoGen(e.cat, []Office{off}, e.gaz, 5, 1)
	g.loads[off.ID] = 0.85
	vs := g.officeVisits(&off, demoDays(vNow, 365), nil)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "year.csv")
	os.WriteFile(path, visitsCSV(off.Code, vs), 0o600)
	file, _ := os.Open(path)
	if _, err := e.visits.Import(ctx, file, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	file.Close()
	d.Gorm.Exec("VACUUM ANALYZE")
	r, _ := NewCrowdingRange(vNow.AddDate(0, 0, -365), vNow.AddDate(0, 0, -1), 0)
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
	oc, err := e.crowd.Office(ctx, off.ID, r, ByHour)
	if err != nil {
		b.Fatal(err)
	}
	exact := readRaw()
	byHour := map[int]Figures{}
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
			e := relErr(*p[0]*60, *p[1])
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
		if _, err := e.crowd.Office(ctx, off.ID, r, ByHour); err != nil {
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

// finderBench builds a finder over 2,000 demo offices (in memory) with
// random wait profiles, and query points around them.
func finderBench(b *testing.B) (*Finder, *quadtree.Quadtree, []orb.Point) {
	d := dbtest.Open(b, db.SQLite)
	e := newVEnv(b, d)
	list := DemoOffices(e.gaz, e.cat, rand.New(rand.NewPCG(7, 7)), 2000)
	f := &Finder{clock: e.clock, cfg: FinderConfig{}.withDefaults(), bits: map[string]int{}, profiles: map[int64]*waitProfile{}}
	for i, s := range e.cat.All() {
		f.bits[s.Code] = i
	}
	f.resetIndex()
	bare := quadtree.New(orb.Bound{Min: orb.Point{MinLon - 1, MinLat - 1}, Max: orb.Point{MaxLon + 1, MaxLat + 1}})
	r := rand.New(rand.NewPCG(8, 8))
	for i := range list {
		o := list[i]
		o.ID, o.Status = int64(i+1), OfficeActive
		p := &waitProfile{overall: float32(5 + r.Float64()*40)}
		for d := range p.slot {
			for h := range p.slot[d] {
				p.slot[d][h] = float32(r.Float64() * 60)
			}
		}
		f.profiles[o.ID] = p
		f.Update(o)
		bare.Add(o.Point())
	}
	// Citizens where the offices are: a random office, a few km away.
	pts := make([]orb.Point, 1024)
	for i := range pts {
		o := list[r.IntN(len(list))]
		lat, lon := offset(o.Latitude, o.Longitude, r.NormFloat64()*3000, r.NormFloat64()*3000)
		pts[i] = orb.Point{lon, lat}
	}
	return f, bare, pts
}

// BenchmarkFinder compares the finder (k=10 among 2,000 offices, true
// distances and scores) with a bare orb quadtree KNearest(10) over the same
// offices. Reported: finder-us, knearest-us and finder/knearest.
func BenchmarkFinder(b *testing.B) {
	f, bare, pts := finderBench(b)
	ctx := context.Background()
	var buf []orb.Pointer
	const rounds = 2000
	var fTotal, kTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < rounds; j++ {
			p := pts[j%len(pts)]
			buf = bare.KNearest(buf[:0], p, 10)
		}
		kTotal += time.Since(start)
		start = time.Now()
		for j := 0; j < rounds; j++ {
			p := pts[j%len(pts)]
			res, err := f.Find(ctx, FinderQuery{Lat: p.Lat(), Lon: p.Lon(), Service: "criminal_record", Limit: 10})
			if err != nil || len(res) == 0 {
				b.Fatalf("%v %d", err, len(res))
			}
		}
		fTotal += time.Since(start)
	}
	b.StopTimer()
	n := float64(b.N * rounds)
	b.ReportMetric(fTotal.Seconds()*1e6/n, "finder-us")
	b.ReportMetric(kTotal.Seconds()*1e6/n, "knearest-us")
	b.ReportMetric(float64(fTotal)/float64(kTotal), "finder/knearest")
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
				e := newVEnv(b, d)
				e.demoRegister(1200)
				b.StartTimer()
				rep, err := SeedDemoVisits(e.ctx, d, e.offices, vNow, DemoVisitsOptions{Days: 60, Seed: 1405})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.Visits), "visits")
			}
		})
	}
}
