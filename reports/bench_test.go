package reports

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkExport writes a visits report of -rows rows (default
// 1,000,000) with Daftar's writers and with the bare libraries on the same
// rows, alternately, and reports Daftar's time over the bare one's
// (targets: XLSX and CSV within 1.2x). Peak memory needs a process of its
// own per writer: go run ./scripts/scalemem -only writers.
//
//	go test -run '^$' -bench Export -benchtime 3x ./reports/
func BenchmarkExport(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("DAFTAR_BENCH_ROWS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	tbl := benchTable(n)
	for _, c := range []struct {
		name         string
		daftar, bare func(io.Writer, Table) error
	}{
		{"xlsx", func(w io.Writer, t Table) error { return WriteXLSX(w, t, "fa") }, benchBareXLSX},
		{"csv", func(w io.Writer, t Table) error { return WriteCSV(w, t, "fa") }, benchBareCSV},
	} {
		b.Run(c.name, func(b *testing.B) {
			var ours, bare time.Duration
			for range b.N {
				for _, side := range []struct {
					write func(io.Writer, Table) error
					acc   *time.Duration
				}{{c.bare, &bare}, {c.daftar, &ours}} {
					f, err := os.CreateTemp(b.TempDir(), "export")
					if err != nil {
						b.Fatal(err)
					}
					began := time.Now()
					if err := side.write(f, tbl); err != nil {
						b.Fatal(err)
					}
					*side.acc += time.Since(began)
					f.Close()
				}
			}
			b.ReportMetric(ours.Seconds()/bare.Seconds(), "x-bare")
			b.ReportMetric(float64(n), "rows")
		})
	}
}

func benchTable(n int) Table {
	cols := []Column{{Fa: "کد دفتر"}, {Fa: "استان"}, {Fa: "شهر"}, {Fa: "خدمت"}, {Fa: "تاریخ"}, {Fa: "ساعت ورود"},
		{Fa: "انتظار"}, {Fa: "زمان خدمت"}, {Fa: "نتیجه"}, {Fa: "نوبت"}, {Fa: "باجه"}}
	offices := []string{"THR-0001", "THR-0002", "ESF-0001", "KHR-0003", "FRS-0010"}
	services := []string{"گواهی عدم سوءپیشینه", "ابلاغ الکترونیک", "ثبت‌نام ثنا", "تقدیم دادخواست"}
	return Table{TitleFa: "مراجعات", Columns: cols, Stream: func(yield func([]any) error) error {
		row := make([]any, len(cols))
		for i := range n {
			row[0], row[1], row[2], row[3] = offices[i%5], "تهران", "تهران", services[i%4]
			row[4], row[5] = "1405/08/30", "09:"+strconv.Itoa(10+i%50)
			row[6], row[7] = float64(i%600)/10, float64(i%300)/10
			row[8], row[9], row[10] = "خدمت گرفت", "حضوری", 1+i%4
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

func benchBareXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	hdr := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		hdr[i] = c.Fa
	}
	sw.SetRow("A1", hdr)
	r := 1
	err = t.Stream(func(row []any) error {
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

func benchBareCSV(w io.Writer, t Table) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = c.Fa
	}
	cw.Write(rec)
	err := t.Stream(func(row []any) error {
		for i, v := range row {
			switch x := v.(type) {
			case string:
				rec[i] = x
			case int:
				rec[i] = strconv.Itoa(x)
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return bw.Flush()
}
