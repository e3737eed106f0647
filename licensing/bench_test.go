package licensing_test

// Benchmarks of exam-result intake against raw baselines, in the same run.
// Each iteration times the baseline and the import on the same engine, each
// into a fresh database in a process of its own, and reports both and their
// ratio:
//
//	go test -run='^$' -bench=ExamImport -benchtime=3x ./licensing/
//
// BenchmarkExamImportCSVPostgres   200,000-row CSV, end to end (parse,
//                                  normalise, validate, hash, encrypt, COPY)
//                                  vs pgx CopyFrom of the same parsed rows
// BenchmarkExamImportXLSXPostgres  the same rows as XLSX vs bare excelize row
//                                  iteration plus the same CopyFrom; peak heap
// BenchmarkExamImportCSVSQLite     the CSV on SQLite vs prepared single-row
//                                  inserts of the parsed rows in one transaction
//
// PostgreSQL comes from TEST_DATABASE_URL, as for the tests.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/migrate"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

const (
	benchRows     = 200_000
	benchBadEvery = 200 // one row in 200 has a wrong check digit: 1,000 refusals
	benchYear     = 1405
)

var benchFiles struct {
	once       sync.Once
	csv, xlsx  []byte
	prepareErr error
}

// benchEnv is exam intake over d with benchmark-sized limits.
func benchEnv(b testing.TB, d *db.DB) (*licensing.Exams, context.Context) {
	b.Helper()
	ctx := context.Background()
	if err := geo.LoadReference(ctx, d); err != nil {
		b.Fatal(err)
	}
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	const secret = "bench-secret-0123456789abcdef0123456789"
	codes, err := licensing.NewNationalCodes(secrets.Derive(secret, secrets.NationalCodeHash), secrets.Derive(secret, secrets.NationalCodeEncrypt))
	if err != nil {
		b.Fatal(err)
	}
	clock := daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
	ex := licensing.NewExams(d, clock, audit.New(d, clock), gaz, codes, licensing.ExamConfig{MaxRows: 250_000,
		OpenXLSX: reports.XLSXRows(reports.XLSXLimits{})})
	return ex, daftar.WithActor(ctx, daftar.SystemActor("bench"))
}

// files makes the benchmark's CSV (the demo generator's realistic rows,
// with a wrong check digit in one row in 200) and the same as XLSX, once.
func files(b *testing.B, gaz *geo.Gazetteer) ([]byte, []byte) {
	b.Helper()
	benchFiles.once.Do(func() {
		raw := demo.ExamCSV(gaz, rand.New(rand.NewPCG(7, 7)), demo.ExamSpec{Passed: benchRows - 20_000, NotPassed: 20_000, ExamYear: benchYear})
		lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
		for i := benchBadEvery; i < len(lines); i += benchBadEvery {
			l := lines[i]
			l[9] = '0' + (l[9]-'0'+1)%10 // the national code's check digit
		}
		benchFiles.csv = append(bytes.Join(lines, []byte("\n")), '\n')
		benchFiles.xlsx, benchFiles.prepareErr = xlsxOf(lines)
	})
	if benchFiles.prepareErr != nil {
		b.Fatal(benchFiles.prepareErr)
	}
	return benchFiles.csv, benchFiles.xlsx
}

// xlsxOf writes the CSV lines as a workbook the way Excel keeps such data:
// codes as text, scores and ranks as numbers.
func xlsxOf(lines [][]byte) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	for i, l := range lines {
		l = bytes.TrimPrefix(l, []byte("\xEF\xBB\xBF"))
		fields := splitCSV(string(l))
		row := make([]any, len(fields))
		for j, v := range fields {
			row[j] = v
			if i > 0 && (j == 6 || j == 7) {
				var x float64
				fmt.Sscan(v, &x)
				row[j] = x
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = f.WriteTo(&out)
	return out.Bytes(), err
}

// splitCSV splits one line of the generated file (quotes only around the
// preference lists).
func splitCSV(l string) []string {
	var out []string
	for l != "" {
		if l[0] == '"' {
			end := strings.Index(l[1:], `"`) + 1
			out = append(out, l[1:end])
			l = strings.TrimPrefix(l[end+1:], ",")
			continue
		}
		v, rest, found := strings.Cut(l, ",")
		out = append(out, v)
		l = rest
		if !found {
			break
		}
	}
	return out
}

// baselineImport inserts the import record the baseline's rows refer to.
func baselineImport(b testing.TB, d *db.DB, id int64) {
	b.Helper()
	err := d.Gorm.Exec(`INSERT INTO exam_imports (id, content_sha256, exam_year, format, status, rows_read, accepted, refused,
		passed, not_passed, header_row, header, column_map, created_at) VALUES (?, 'baseline', ?, 'csv', 'accepted', 0, 0, 0, 0, 0, 1, '[]', '{}', ?)`,
		id, benchYear, time.Now().UTC()).Error
	if err != nil {
		b.Fatal(err)
	}
}

// pgCopy is the PostgreSQL baseline: one pgx transaction, one CopyFrom.
func pgCopy(b testing.TB, d *db.DB, rows [][]any) {
	b.Helper()
	err := d.WithPgxConn(context.Background(), func(conn *pgx.Conn) error {
		tx, err := conn.Begin(context.Background())
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		n, err := tx.CopyFrom(context.Background(), pgx.Identifier{"candidates"}, licensing.CandidateColumns, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		if int(n) != len(rows) {
			return fmt.Errorf("copied %d of %d", n, len(rows))
		}
		return tx.Commit(context.Background())
	})
	if err != nil {
		b.Fatal(err)
	}
}

// heapPeak samples the heap in use every 2ms until stopped, and reports
// the most it grew over what was in use when it started (the benchmark's own
// data, the files and the baseline's parsed rows, is not the import's).
type heapPeak struct {
	start uint64
	peak  atomic.Uint64
	stop  chan struct{}
	done  chan struct{}
}

func watchHeap() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	runtime.GC()
	metrics.Read(s)
	h.start = s[0].Value.Uint64() + s[1].Value.Uint64()
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64() + s[1].Value.Uint64(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) mib() float64 {
	close(h.stop)
	<-h.done
	return float64(h.peak.Load()-min(h.start, h.peak.Load())) / (1 << 20)
}

type timing struct {
	base, imp       time.Duration
	baseCPU, impCPU time.Duration
	n               int
}

// cpuTime is the CPU time (user and system) the process has used: less
// sensitive than wall time to other work on a shared machine.
func cpuTime() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func (t *timing) report(b *testing.B) {
	b.ReportMetric(float64(t.base.Milliseconds())/float64(t.n), "baseline-ms")
	b.ReportMetric(float64(t.imp.Milliseconds())/float64(t.n), "import-ms")
	b.ReportMetric(float64(t.imp)/float64(t.base), "ratio")
	b.ReportMetric(benchRows*float64(t.n)/t.imp.Seconds(), "rows/s")
}

func checkReport(b testing.TB, rep licensing.Report, created bool) {
	b.Helper()
	want := benchRows - benchRows/benchBadEvery
	if !created || rep.Rows != benchRows || rep.Accepted != want {
		b.Fatalf("import: created %v, %d rows, %d accepted (want %d); %+v", created, rep.Rows, rep.Accepted, want, rep.Rejections[:min(3, len(rep.Rejections))])
	}
}

// preparedRows parses the file for a baseline, before its timed part: the
// candidates exactly as the import writes them (keyed hashes, ciphertexts).
func preparedRows(b testing.TB, ex *licensing.Exams, csv []byte) [][]any {
	b.Helper()
	rows, err := licensing.PreparedRows(ex, csv, benchYear, 1, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

// Every measured run, import or baseline, happens in a process of its own
// (the test binary again, running TestExamBenchChild), on a fresh database.
// In one long process, whichever run came second was up to twice as slow (on
// SQLite most of all: after hundreds of megabytes of parsed rows had come and
// gone, the pure-Go SQLite, whose allocator maps and unmaps memory all the
// time, never ran as fast again), while each run alone was steady. The
// benchmark alternates which of the two goes first, and reports wall time,
// the CPU time of the measured part (less sensitive to other work on a
// shared machine) and, for XLSX, the heap's peak growth.

func BenchmarkExamImportCSVPostgres(b *testing.B) { benchPair(b, "pg-csv") }

func BenchmarkExamImportXLSXPostgres(b *testing.B) { benchPair(b, "pg-xlsx") }

func BenchmarkExamImportCSVSQLite(b *testing.B) { benchPair(b, "sqlite-csv") }

// benchPair runs b.N pairs of baseline and import of kind in child
// processes.
func benchPair(b *testing.B, kind string) {
	if strings.HasPrefix(kind, "pg-") {
		dbtest.URL(b) // fail early without PostgreSQL
	}
	d0, drop0 := freshSQLite(b)
	ex0, _ := benchEnv(b, d0)
	csv, xlsx := files(b, ex0.Gazetteer())
	drop0()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bench.csv"), csv, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.xlsx"), xlsx, 0o600); err != nil {
		b.Fatal(err)
	}
	if kind == "pg-xlsx" {
		b.SetBytes(int64(len(xlsx)))
	} else {
		b.SetBytes(int64(len(csv)))
	}
	b.ResetTimer()
	var t timing
	var peakBase, peakImport float64
	for i := 0; i < b.N; i++ {
		for _, baseline := range []bool{i%2 == 0, i%2 != 0} {
			if baseline {
				r := runChild(b, kind+"-baseline", dir)
				t.base, t.baseCPU, peakBase = t.base+r.wall, t.baseCPU+r.cpu, max(peakBase, r.peakMiB)
			} else {
				r := runChild(b, kind+"-import", dir)
				t.imp, t.impCPU, peakImport = t.imp+r.wall, t.impCPU+r.cpu, max(peakImport, r.peakMiB)
			}
		}
		t.n++
	}
	t.report(b)
	if kind != "pg-csv" {
		// All the work is in this process (SQLite), or most of it (reading
		// the workbook); with PostgreSQL's COPY most is the server's.
		b.ReportMetric(float64(t.impCPU)/float64(t.baseCPU), "cpu-ratio")
	}
	if kind == "pg-xlsx" {
		b.ReportMetric(peakImport, "import-peak-heap-MiB")
		b.ReportMetric(peakBase, "baseline-peak-heap-MiB")
		b.ReportMetric(float64(len(xlsx))/(1<<20), "file-MiB")
	}
}

const childEnv = "DAFTAR_EXAM_BENCH_CHILD"

type childResult struct {
	wall, cpu time.Duration
	peakMiB   float64
}

// runChild runs one measurement in a new process and returns what it
// measured of its timed part.
func runChild(b *testing.B, what, dir string) childResult {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExamBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+what+":"+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", what, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		var wall, cpu int64
		var peak float64
		if n, _ := fmt.Sscanf(line, "exam-bench-child %d %d %g", &wall, &cpu, &peak); n == 3 {
			return childResult{time.Duration(wall), time.Duration(cpu), peak}
		}
	}
	b.Fatalf("%s: no result in\n%s", what, out)
	return childResult{}
}

// TestExamBenchChild is one measured run of the benchmarks above, in a
// process of its own; in a test run (no DAFTAR_EXAM_BENCH_CHILD) it does
// nothing.
func TestExamBenchChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return
	}
	what, dir, _ := strings.Cut(spec, ":")
	csv, err := os.ReadFile(filepath.Join(dir, "bench.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var xlsx []byte
	if strings.HasPrefix(what, "pg-xlsx") {
		if xlsx, err = os.ReadFile(filepath.Join(dir, "bench.xlsx")); err != nil {
			t.Fatal(err)
		}
	}
	var d *db.DB
	if strings.HasPrefix(what, "sqlite") {
		var drop func()
		d, drop = freshSQLite(t)
		defer drop()
	} else {
		d = dbtest.Open(t, db.Postgres)
	}
	ex, ctx := benchEnv(t, d)
	var rows [][]any
	baseline := strings.HasSuffix(what, "-baseline")
	if baseline {
		baselineImport(t, d, 1)
		rows = preparedRows(t, ex, csv)
	}
	h := watchHeap()
	start, cpu := time.Now(), cpuTime()
	switch {
	case what == "sqlite-csv-baseline":
		sqliteInserts(t, d, rows)
	case what == "pg-csv-baseline":
		pgCopy(t, d, rows)
	case what == "pg-xlsx-baseline":
		bareIteration(t, xlsx)
		pgCopy(t, d, rows)
	case !baseline:
		in := licensing.ImportInput{FileName: "bench.csv", ExamYear: benchYear}
		in.Content, in.Size = licensing.BytesInput(csv)
		if xlsx != nil {
			in.FileName = "bench.xlsx"
			in.Content, in.Size = licensing.BytesInput(xlsx)
		}
		rep, created, err := ex.Import(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		defer checkReport(t, rep, created)
	default:
		t.Fatalf("unknown measurement %q", what)
	}
	wall, used := time.Since(start), cpuTime()-cpu
	fmt.Printf("exam-bench-child %d %d %g\n", wall.Nanoseconds(), used.Nanoseconds(), h.mib())
}

// bareIteration reads every row with excelize's iterator and nothing else.
func bareIteration(b testing.TB, xlsx []byte) {
	b.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx), excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rs, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rs.Next() {
		if _, err := rs.Columns(excelize.Options{RawCellValue: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	rs.Close()
	if n != benchRows+1 {
		b.Fatalf("%d rows", n)
	}
}

// freshSQLite opens a new migrated SQLite file; drop closes and deletes it.
func freshSQLite(b testing.TB) (*db.DB, func()) {
	b.Helper()
	dir, err := os.MkdirTemp("", "daftar-bench-*")
	if err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(context.Background(), db.Config{SQLitePath: filepath.Join(dir, "daftar.db")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := migrate.Up(context.Background(), d, nil); err != nil {
		b.Fatal(err)
	}
	return d, func() {
		d.Close()
		os.RemoveAll(dir)
	}
}

// sqliteInserts is the SQLite baseline: one transaction, one prepared
// single-row INSERT executed for every row, on the same driver.
func sqliteInserts(b testing.TB, d *db.DB, rows [][]any) {
	b.Helper()
	cols := licensing.CandidateColumns
	q := "INSERT INTO candidates (" + strings.Join(cols, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	err := d.Gorm.Transaction(func(tx *gorm.DB) error {
		stmt, err := tx.Statement.ConnPool.PrepareContext(context.Background(), q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range rows {
			if _, err := stmt.ExecContext(context.Background(), r...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
