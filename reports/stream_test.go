package reports

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/xuri/excelize/v2"
)

func streamOf(n int) func(yield func([]any) error) error {
	return func(yield func([]any) error) error {
		row := make([]any, 2)
		for i := 1; i <= n; i++ {
			row[0], row[1] = "ردیف "+strconv.Itoa(i), i
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestStreamedXLSXSheets: streamed rows beyond a sheet's limit go on to
// further sheets, each headed, filtered and named in Persian digits; every
// row arrives once, in order.
func TestStreamedXLSXSheets(t *testing.T) {
	defer SetXLSXMaxRows(3)()
	tbl := Table{TitleFa: "مراجعات", TitleEn: "Visits", Columns: []Column{{Fa: "نام", En: "Name"}, {Fa: "شماره", En: "Number"}}, Stream: streamOf(7)}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tbl, "fa"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != "مراجعات|مراجعات (۲)|مراجعات (۳)" {
		t.Fatalf("sheets %q", got)
	}
	next := 1
	for i, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		if len(rows) == 0 || rows[0][0] != "نام" {
			t.Fatalf("sheet %d has no header: %v", i, rows)
		}
		if len(rows)-1 > 3 {
			t.Fatalf("sheet %d holds %d rows", i, len(rows)-1)
		}
		for _, r := range rows[1:] {
			if r[1] != strconv.Itoa(next) {
				t.Fatalf("sheet %d: row %v, want number %d", i, r, next)
			}
			next++
		}
	}
	if next != 8 {
		t.Fatalf("%d rows read back", next-1)
	}
	// CSV: the same rows.
	buf.Reset()
	if err := WriteCSV(&buf, tbl, "en"); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 8 {
		t.Fatalf("csv has %d lines", lines)
	}
}

// TestStreamError: a stream that fails fails the report.
func TestStreamError(t *testing.T) {
	boom := errors.New("boom")
	tbl := Table{TitleEn: "x", Columns: []Column{{En: "a"}}, Stream: func(yield func([]any) error) error {
		if err := yield([]any{"1"}); err != nil {
			return err
		}
		return boom
	}}
	for _, write := range []func() error{
		func() error { return WriteXLSX(&bytes.Buffer{}, tbl, "en") },
		func() error { return WriteCSV(&bytes.Buffer{}, tbl, "en") },
	} {
		if err := write(); !errors.Is(err, boom) {
			t.Fatalf("%v", err)
		}
	}
}

// TestStreamedXLSXTooLarge: more rows than three sheets hold are refused
// before anything is written.
func TestStreamedXLSXTooLarge(t *testing.T) {
	defer SetXLSXMaxRows(3)()
	tbl := Table{TitleEn: "Visits", Columns: []Column{{En: "Name"}, {En: "Number"}}, Stream: streamOf(10)}
	var buf bytes.Buffer
	err := WriteXLSX(&buf, tbl, "en")
	if !daftar.IsKind(err, daftar.KindUnprocessable) || buf.Len() != 0 {
		t.Fatalf("%v, %d bytes written", err, buf.Len())
	}
}
