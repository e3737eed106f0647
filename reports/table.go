package reports

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/xuri/excelize/v2"
)

// Column is one column of a report, headed in Persian and English.
type Column struct {
	Key    string
	Fa, En string
	Width  float64 // in characters; 0 for the default
}

// Table is a report ready to write: a title, its columns, and its rows
// (each cell a string, a number, a bool, a time or nil), held in Rows or,
// for a report too large to hold (visits), yielded one at a time by
// Stream as the writer asks for them: memory stays flat whatever the
// number of rows. Stream's row may be reused between calls; an error it
// returns (its own or yield's) ends the report.
type Table struct {
	Kind    string
	TitleFa string
	TitleEn string
	Columns []Column
	Rows    [][]any
	Stream  func(yield func(row []any) error) error
}

// each hands every row to fn, from Rows or Stream.
func (t Table) each(fn func(row []any) error) error {
	if t.Stream != nil {
		return t.Stream(fn)
	}
	for _, r := range t.Rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// header returns the column titles in lang ("fa" or "en").
func (t Table) header(lang string) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Fa
		if lang == "en" {
			out[i] = c.En
		}
	}
	return out
}

// cellText renders a cell for CSV (and for text cells): numbers plainly,
// times as RFC 3339 UTC, booleans as true/false.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case *string:
		if x == nil {
			return ""
		}
		return *x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case *int:
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	case *int64:
		if x == nil {
			return ""
		}
		return strconv.FormatInt(*x, 10)
	case *bool:
		if x == nil {
			return ""
		}
		return strconv.FormatBool(*x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// WriteCSV writes the table as UTF-8 CSV with a byte-order mark, so Excel
// opens Persian text correctly. Cells starting with = + - @ are prefixed
// with ' against formula injection.
func WriteCSV(w io.Writer, t Table, lang string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	if err := cw.Write(t.header(lang)); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	err := t.each(func(row []any) error {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = defuse(cellText(row[i]), row[i])
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

// defuse keeps a text cell from being read as a formula by a spreadsheet.
func defuse(s string, v any) string {
	if _, isText := v.(string); !isText || s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// xlsxMaxRows is the most data rows a sheet holds (Excel's 1,048,576 rows,
// less the header); a larger report goes on to further sheets, up to
// xlsxMaxSheets: excelize keeps every sheet's last 16-32 MB of XML in
// memory until the workbook is written, so a report of more rows is
// refused (as CSV it has no limit). Three sheets hold a month of the
// national year.
var xlsxMaxRows = 1_048_575

const xlsxMaxSheets = 3

// WriteXLSX writes the table as a right-to-left (for Persian) spreadsheet
// with a bold, frozen, filterable header row on every sheet, streamed row
// by row: each sheet goes through excelize's StreamWriter (which keeps its
// rows in a temporary file, not in memory) and the workbook is zipped
// straight into w, not into a buffer first, so memory stays flat. Rows
// beyond a sheet's 1,048,575 continue on a new sheet, up to three; more
// are refused (Unprocessable) before anything is written to w. Times are
// written as their Jalali date and time; numbers stay numbers.
func WriteXLSX(w io.Writer, t Table, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	title := t.TitleFa
	if lang == "en" {
		title = t.TitleEn
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	var (
		sheet string
		sw    *excelize.StreamWriter
		n     int // data rows on the current sheet
		cells = make([]any, len(t.Columns))
	)
	// finish flushes the current sheet and sets its filter over its rows.
	finish := func() error {
		if sw == nil {
			return nil
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		if len(t.Columns) == 0 {
			return nil
		}
		last, _ := excelize.CoordinatesToCellName(len(t.Columns), n+1)
		return f.AutoFilter(sheet, "A1:"+last, nil)
	}
	sheets := 0
	next := func() error {
		if err := finish(); err != nil {
			return err
		}
		sheets++
		sheet, n = sheetTitle(title, sheets, lang), 0
		if sheets == 1 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		sw, err = newSheet(f, sheet, t, lang, head)
		return err
	}
	if err := next(); err != nil {
		return err
	}
	err = t.each(func(row []any) error {
		if n == xlsxMaxRows {
			if sheets == xlsxMaxSheets {
				return daftar.Unprocessable("report_too_large", fmt.Sprintf("the report has more than %d rows, more than a workbook of %d sheets holds; ask for a shorter span, or for the CSV",
					xlsxMaxSheets*xlsxMaxRows, xlsxMaxSheets)).With("max_rows", xlsxMaxSheets*xlsxMaxRows)
			}
			if err := next(); err != nil {
				return err
			}
		}
		for i := range cells {
			cells[i] = nil
			if i < len(row) {
				cells[i] = xlsxValue(row[i])
			}
		}
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n+1)
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(bw) })
	if _, err := f.WriteTo(io.Discard); err != nil {
		return err
	}
	return bw.Flush()
}

// newSheet sets up a sheet of the report: direction, column widths, the
// frozen header row.
func newSheet(f *excelize.File, sheet string, t Table, lang string, head int) (*excelize.StreamWriter, error) {
	rtl := lang != "en"
	if err := f.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for i, c := range t.Columns {
		width := c.Width
		if width == 0 {
			width = 16
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	hdr := make([]any, len(t.Columns))
	for i, h := range t.header(lang) {
		hdr[i] = excelize.Cell{StyleID: head, Value: h}
	}
	return sw, sw.SetRow("A1", hdr)
}

// sheetTitle names the k-th sheet of a report: its title, then "title (2)",
// "title (3)" (Persian digits in Persian).
func sheetTitle(title string, k int, lang string) string {
	if k == 1 {
		return sheetName(title)
	}
	num := strconv.Itoa(k)
	if lang != "en" {
		num = daftar.PersianDigits(num)
	}
	suffix := " (" + num + ")"
	base := []rune(sheetName(title))
	if len(base)+len([]rune(suffix)) > 31 {
		base = cutAtWord(base, 31-len([]rune(suffix)))
	}
	return string(base) + suffix
}

func xlsxValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *int:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *bool:
		if x == nil {
			return nil
		}
		return *x
	case time.Time:
		return daftar.FormatJalaliDateTime(x)
	case *time.Time:
		if x == nil {
			return nil
		}
		return daftar.FormatJalaliDateTime(*x)
	}
	return v
}

// sheetName keeps a sheet name within Excel's 31 characters and free of
// the characters it refuses.
func sheetName(s string) string {
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for _, c := range r {
		switch c {
		case ':', '\\', '/', '?', '*', '[', ']':
			continue
		}
		out = append(out, c)
	}
	if len(out) > 31 {
		out = cutAtWord(out, 31)
	}
	if len(out) == 0 {
		return "Report"
	}
	return string(out)
}

// cutAtWord shortens s to at most n runes, ending at the last whole word
// (a space or a zero-width non-joiner between two parts of a Persian word
// is not a word's end); a single word longer than n is cut at n.
func cutAtWord(s []rune, n int) []rune {
	if len(s) <= n {
		return s
	}
	if s[n] == ' ' {
		return trimRunes(s[:n])
	}
	for i := n - 1; i > 0; i-- {
		if s[i] == ' ' {
			return trimRunes(s[:i])
		}
	}
	return s[:n]
}

// trimRunes drops trailing spaces, joiners and punctuation a cut leaves.
func trimRunes(s []rune) []rune {
	for len(s) > 0 {
		switch s[len(s)-1] {
		case ' ', '\u200c', '-', '،', ',', '(', '«':
			s = s[:len(s)-1]
			continue
		}
		break
	}
	return s
}
