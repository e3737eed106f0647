// Command scalemem measures the peak resident memory and the time of
// Daftar's bulk paths at several sizes, side by side: the visits import,
// the exam-result import, the visits report as CSV and XLSX, and the
// national seed, each run as a child process (the daftar binary) whose
// peak is what the kernel reports for it once it has exited (getrusage's
// ru_maxrss of the child), so nothing of this program is counted. It also
// runs the report writers beside their bare baselines on the same rows,
// each in a child process of its own: Daftar's XLSX writer against a bare
// excelize StreamWriter (time and peak memory), its CSV writer against a
// bare encoding/csv writer (time).
//
//	go run ./scripts/scalemem -rows 1000000,5000000            # everything, against $TEST_DATABASE_URL
//	go run ./scripts/scalemem -rows 1000000 -only writers      # the writers alone (no database)
//
// It needs a PostgreSQL server it may create databases on (-pg, default
// $TEST_DATABASE_URL); each size gets a fresh database, dropped afterwards.
// Long: at 5,000,000 rows it runs for a good half hour on two cores. See
// docs/scale.md for the figures.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/reports"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		if err := child(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "scalemem child:", err)
			os.Exit(1)
		}
		return
	}
	rows := flag.String("rows", "1000000,5000000", "comma-separated sizes (rows, visits)")
	pg := flag.String("pg", os.Getenv("TEST_DATABASE_URL"), "a PostgreSQL server URL that may create databases")
	bin := flag.String("daftar", "", "the daftar binary (default: built from ./cmd/daftar)")
	only := flag.String("only", "import,exam,report,seed,writers", "what to measure")
	dir := flag.String("dir", os.TempDir(), "where the generated files go (several GB at 5,000,000 rows)")
	md := flag.String("markdown", "", "also write the table as Markdown to this file")
	flag.Parse()
	if err := run(*rows, *pg, *bin, *only, *dir, *md); err != nil {
		fmt.Fprintln(os.Stderr, "scalemem:", err)
		os.Exit(1)
	}
}

// result is one measured child.
type result struct {
	peakKiB int64
	elapsed time.Duration
	stderr  string
}

func (r result) String() string {
	return fmt.Sprintf("%.0f MiB, %s", float64(r.peakKiB)/1024, r.elapsed.Round(100*time.Millisecond))
}

// measure runs a child process and reads its peak resident memory.
func measure(env []string, name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var errs strings.Builder
	cmd.Stderr = &errs
	cmd.Stdout = io.Discard
	began := time.Now()
	err := cmd.Run()
	r := result{elapsed: time.Since(began), stderr: errs.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakKiB = ru.Maxrss // KiB on Linux
	}
	if err != nil {
		tail := errs.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return r, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, tail)
	}
	return r, nil
}

type table struct {
	sizes []int
	rows  []string
	cells map[string]map[int]string
}

func (t *table) set(row string, size int, v string) {
	if t.cells[row] == nil {
		t.cells[row] = map[int]string{}
		t.rows = append(t.rows, row)
	}
	t.cells[row][size] = v
	fmt.Fprintf(os.Stderr, "scalemem: %s at %d: %s\n", row, size, v)
}

func run(rowsFlag, pg, bin, only, dir, md string) error {
	var sizes []int
	for _, s := range strings.Split(rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			return fmt.Errorf("-rows: %q is not a size of at least 1000", s)
		}
		sizes = append(sizes, n)
	}
	want := map[string]bool{}
	for _, w := range strings.Split(only, ",") {
		want[strings.TrimSpace(w)] = true
	}
	needDB := want["import"] || want["exam"] || want["report"] || want["seed"]
	if needDB && pg == "" {
		return fmt.Errorf("no PostgreSQL: set -pg or TEST_DATABASE_URL (or -only writers)")
	}
	work, err := os.MkdirTemp(dir, "scalemem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if needDB && bin == "" {
		bin = filepath.Join(work, "daftar")
		build := exec.Command("go", "build", "-o", bin, "./cmd/daftar")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build daftar: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	t := &table{sizes: sizes, cells: map[string]map[int]string{}}
	for _, n := range sizes {
		if needDB {
			if err := measureDB(t, n, pg, bin, work, want); err != nil {
				return err
			}
		}
		if want["writers"] {
			if err := measureWriters(t, n, self, work); err != nil {
				return err
			}
		}
	}
	var out strings.Builder
	out.WriteString("| path |")
	for _, n := range sizes {
		fmt.Fprintf(&out, " %s rows: peak RSS, time |", thousands(n))
	}
	out.WriteString("\n|---|")
	for range sizes {
		out.WriteString("---|")
	}
	out.WriteString("\n")
	for _, r := range t.rows {
		fmt.Fprintf(&out, "| %s |", r)
		for _, n := range sizes {
			fmt.Fprintf(&out, " %s |", t.cells[r][n])
		}
		out.WriteString("\n")
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(line, "|---") {
			continue
		}
		fmt.Fprintln(tw, strings.ReplaceAll(strings.Trim(line, "| "), " | ", "\t"))
	}
	tw.Flush()
	fmt.Printf("(%s, %d CPUs)\n", runtime.Version(), runtime.NumCPU())
	if md != "" {
		return os.WriteFile(md, []byte(out.String()), 0o644)
	}
	return nil
}

// measureDB runs the database paths at size n on a fresh database.
func measureDB(t *table, n int, pg, bin, work string, want map[string]bool) error {
	ctx := context.Background()
	fresh := func(name string) (string, func(), error) {
		admin, err := pgx.Connect(ctx, pg)
		if err != nil {
			return "", nil, err
		}
		defer admin.Close(ctx)
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return "", nil, err
		}
		u, err := url.Parse(pg)
		if err != nil {
			return "", nil, err
		}
		u.Path = "/" + name
		return u.String(), func() {
			if a, err := pgx.Connect(ctx, pg); err == nil {
				a.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				a.Close(ctx)
			}
		}, nil
	}
	envOf := func(dbURL, data string) []string {
		return []string{"DATABASE_URL=" + dbURL, "DAFTAR_DATA_DIR=" + data, "DAFTAR_SECRET=scalemem-0123456789abcdef0123456789abcdef",
			"DAFTAR_JOBS=false", "LOG_LEVEL=warn"}
	}
	if want["import"] || want["report"] || want["exam"] {
		dbURL, drop, err := fresh(fmt.Sprintf("scalemem_%d", n))
		if err != nil {
			return err
		}
		defer drop()
		env := envOf(dbURL, filepath.Join(work, "data"))
		// A register of 200 offices (ids 1 to 200) to load visits into.
		if _, err := measure(env, bin, "seed", "national", "--offices", "200", "--visits", "0", "--answers", "0"); err != nil {
			return err
		}
		now := time.Now()
		if want["import"] || want["report"] {
			file := filepath.Join(work, "visits.csv")
			if err := visitsCSV(file, n, now); err != nil {
				return err
			}
			r, err := measure(env, bin, "import", "visits", file, "--allow-inactive")
			os.Remove(file)
			if err != nil {
				return err
			}
			t.set("`daftar import visits` (CSV, COPY)", n, r.String())
		}
		if want["report"] {
			to := now.Format("2006-01-02")
			for _, format := range []string{"csv", "xlsx"} {
				// An XLSX report holds at most three sheets (3,145,725
				// rows): beyond that, the days that hold about 3,000,000.
				days := visitDays
				if format == "xlsx" && n > 3_000_000 {
					days = 3_000_000 * visitDays / n
				}
				from := now.AddDate(0, 0, -days).Format("2006-01-02")
				out := filepath.Join(work, "visits."+format)
				r, err := measure(env, bin, "report", "visits."+format, "--from", from, "--to", to, "--out", out)
				if err != nil {
					return err
				}
				st, _ := os.Stat(out)
				os.Remove(out)
				rows := "?"
				if m := rowsWritten.FindStringSubmatch(r.stderr); m != nil {
					rows = m[1]
				}
				t.set("`daftar report visits."+format+"` (streamed from the database; XLSX at most 3 sheets)", n,
					fmt.Sprintf("%s (%s rows, %.0f MiB file)", r, rows, float64(st.Size())/(1<<20)))
			}
		}
		if want["exam"] {
			// An exam file holds at most 100,000 rows (licensing's
			// MaxRows refuses more): measured at that size.
			rows := min(n, examMaxRows)
			file := filepath.Join(work, "exam.csv")
			if err := examCSV(file, rows); err != nil {
				return err
			}
			// The file is larger than the upload limit (50 MiB, about
			// 450,000 rows) allows: raised for the measurement.
			r, err := measure(append(env, "DAFTAR_UPLOAD_MAX=8GiB"), bin, "import", "exam-results", file, "--exam-year", "1405")
			os.Remove(file)
			if err != nil {
				return err
			}
			t.set("`daftar import exam-results` (CSV; a file holds at most 100,000 rows)", n, fmt.Sprintf("%s (%s rows)", r, thousands(rows)))
		}
		drop()
	}
	if want["seed"] {
		dbURL, drop, err := fresh(fmt.Sprintf("scalemem_seed_%d", n))
		if err != nil {
			return err
		}
		defer drop()
		r, err := measure(envOf(dbURL, filepath.Join(work, "data-seed")), bin, "seed", "national", "--visits", strconv.Itoa(n),
			"--answers", strconv.Itoa(n/3))
		if err != nil {
			return err
		}
		t.set("`daftar seed national` (visits; a third as many answers)", n, r.String())
		drop()
	}
	return nil
}

var rowsWritten = regexp.MustCompile(`(\d+) rows written`)

// visitDays is the span of the generated visits: the report reads them
// all (it spans at most a quarter).
const visitDays = 80

// visitsCSV writes n visits of offices 1 to 200 over the last visitDays
// days.
func visitsCSV(path string, n int, now time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("office_id,ticket,service,arrived_at,called_at,finished_at,outcome,counter,channel\n")
	start := daftar.DayStart(now.Unix()) - visitDays*daftar.DaySeconds
	perDay := (n + 200*visitDays - 1) / (200 * visitDays) // visits per office-day
	step := int64(9*3600) / int64(max(perDay, 1))
	i := 0
	for day := 0; day < visitDays && i < n; day++ {
		for office := 1; office <= 200 && i < n; office++ {
			for k := 0; k < perDay && i < n; k++ {
				arrived := start + int64(day)*daftar.DaySeconds + 8*3600 + int64(k)*step
				called, finished := arrived+int64(300+k%1200), arrived+int64(900+k%1800)
				ts := func(u int64) string { return time.Unix(u, 0).UTC().Format(time.RFC3339) }
				fmt.Fprintf(w, "%d,V%d,criminal_record,%s,%s,%s,served,1,walk_in\n", office, i, ts(arrived), ts(called), ts(finished))
				i++
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// examMaxRows is the most rows an exam-result file may hold.
const examMaxRows = 100_000

var examProvinces = []string{"تهران", "اصفهان", "خراسان رضوی", "فارس", "آذربایجان شرقی", "خوزستان", "مازندران", "البرز"}

// examCSV writes an exam-result file of n candidates, all passed, with
// valid and distinct national codes.
func examCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("\ufeffکد ملی,نام,نام خانوادگی,جنسیت,تاریخ تولد,استان محل آزمون,نمره تراز,رتبه,نتیجه,اولویت‌ها\n")
	for i := 0; i < n; i++ {
		first9 := fmt.Sprintf("%09d", 100_000_000+i*7)
		check, _ := daftar.NationalCodeCheckDigit(first9)
		score := 99.99 - float64(i)*90/float64(n)
		fmt.Fprintf(w, "%s%d,علی,احمدی,مرد,1365/04/12,%s,%.2f,%d,قبول,تهران، کرج، قم\n", first9, check, examProvinces[i%len(examProvinces)], score, i+1)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// sheetRows is the data rows of one sheet (Excel's 1,048,576, less the
// header): the XLSX writers are measured on at most that many.
const sheetRows = 1_048_575

// writerReps is how many times each writer runs.
const writerReps = 3

// measureWriters runs Daftar's writers and the bare ones on the same n
// generated rows, each in a child process, three times over.
func measureWriters(t *table, n int, self, work string) error {
	out := filepath.Join(work, "out")
	get := func(kind string) (result, error) {
		defer os.Remove(out)
		rows := n
		if strings.HasSuffix(kind, "xlsx") {
			// One sheet's worth: the bare writer stops at a sheet's last
			// row, and Daftar's holds at most three sheets.
			rows = min(n, sheetRows)
		}
		return measure(nil, self, "-child", kind, strconv.Itoa(rows), out)
	}
	// Interleaved, and the fastest of each kept: on a shared machine the
	// fastest run is the one least disturbed by others.
	var res = map[string]result{}
	for rep := 0; rep < writerReps; rep++ {
		for _, kind := range []string{"bare-xlsx", "daftar-xlsx", "bare-csv", "daftar-csv"} {
			r, err := get(kind)
			if err != nil {
				return err
			}
			if old, ok := res[kind]; ok {
				r.elapsed = min(r.elapsed, old.elapsed)
				r.peakKiB = max(r.peakKiB, old.peakKiB)
			}
			res[kind] = r
		}
	}
	t.set("writer runs (fastest time, highest peak of each)", n, strconv.Itoa(writerReps))
	ratio := func(a, b string) string {
		return fmt.Sprintf("time %.2fx, peak %.2fx", res[a].elapsed.Seconds()/res[b].elapsed.Seconds(), float64(res[a].peakKiB)/float64(res[b].peakKiB))
	}
	t.set("bare excelize StreamWriter (baseline; at most one sheet, 1,048,575 rows)", n, res["bare-xlsx"].String())
	t.set("reports.WriteXLSX, same rows", n, res["daftar-xlsx"].String()+"; "+ratio("daftar-xlsx", "bare-xlsx"))
	t.set("bare encoding/csv (baseline)", n, res["bare-csv"].String())
	t.set("reports.WriteCSV, same rows", n, res["daftar-csv"].String()+"; "+ratio("daftar-csv", "bare-csv"))
	return nil
}

// child runs one writer: -child KIND N FILE (or writes the visits file:
// -child gen-visits N FILE).
func child(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: -child KIND N FILE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	if args[0] == "gen-visits" { // the generated visits file alone, to measure another binary by hand
		return visitsCSV(args[2], n, time.Now())
	}
	f, err := os.Create(args[2])
	if err != nil {
		return err
	}
	defer f.Close()
	tbl := visitsTable(n)
	switch args[0] {
	case "daftar-xlsx":
		return reports.WriteXLSX(f, tbl, "fa")
	case "daftar-csv":
		return reports.WriteCSV(f, tbl, "fa")
	case "bare-xlsx":
		return bareXLSX(f, tbl)
	case "bare-csv":
		return bareCSV(f, tbl)
	}
	return fmt.Errorf("unknown child %q", args[0])
}

// visitsTable is a visits report of n generated rows, as the visits kind
// yields them (the cells already as the writer writes them).
func visitsTable(n int) reports.Table {
	cols := []reports.Column{{Fa: "کد دفتر", En: "Office"}, {Fa: "استان", En: "Province"}, {Fa: "شهر", En: "City"},
		{Fa: "خدمت", En: "Service"}, {Fa: "تاریخ", En: "Date"}, {Fa: "ساعت ورود", En: "Arrived"}, {Fa: "انتظار", En: "Wait"},
		{Fa: "زمان خدمت", En: "Service time"}, {Fa: "نتیجه", En: "Outcome"}, {Fa: "نوبت", En: "Channel"}, {Fa: "باجه", En: "Counter"}}
	return reports.Table{Kind: "visits", TitleFa: "مراجعات", TitleEn: "Visits", Columns: cols, Stream: func(yield func([]any) error) error {
		row := make([]any, len(cols))
		for i := 0; i < n; i++ {
			fillRow(row, i)
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

var (
	rowOffices  = []string{"THR-0001", "THR-0002", "ESF-0001", "KHR-0003", "FRS-0010"}
	rowServices = []string{"گواهی عدم سوءپیشینه", "ابلاغ الکترونیک", "ثبت‌نام ثنا", "تقدیم دادخواست"}
	rowOutcomes = []string{"خدمت گرفت", "خدمت گرفت", "خدمت گرفت", "انصراف", "حاضر نشد"}
)

func fillRow(row []any, i int) {
	row[0], row[1], row[2], row[3] = rowOffices[i%5], "تهران", "تهران", rowServices[i%4]
	row[4], row[5] = "1405/08/30", "09:"+strconv.Itoa(10+i%50)
	row[6], row[7] = float64(i%600)/10, float64(i%300)/10
	row[8], row[9], row[10] = rowOutcomes[i%5], "حضوری", 1+i%4
}

// bareXLSX writes the rows with excelize's StreamWriter and nothing else,
// as its documentation shows: header, rows, flush, write.
func bareXLSX(w io.Writer, tbl reports.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	hdr := make([]any, len(tbl.Columns))
	for i, c := range tbl.Columns {
		hdr[i] = c.Fa
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	r := 1
	err = tbl.Stream(func(row []any) error {
		r++
		cell, _ := excelize.CoordinatesToCellName(1, r)
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// bareCSV writes the rows with encoding/csv and nothing else.
func bareCSV(w io.Writer, tbl reports.Table) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	hdr := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		hdr[i] = c.Fa
	}
	cw.Write(hdr)
	rec := make([]string, len(tbl.Columns))
	err := tbl.Stream(func(row []any) error {
		for i, v := range row {
			switch x := v.(type) {
			case string:
				rec[i] = x
			case int:
				rec[i] = strconv.Itoa(x)
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				rec[i] = fmt.Sprint(x)
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
