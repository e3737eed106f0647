package reports

import (
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
// (each cell a string, a number, a bool, a time or nil).
type Table struct {
	Kind    string
	TitleFa string
	TitleEn string
	Columns []Column
	Rows    [][]any
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
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	if err := cw.Write(t.header(lang)); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = defuse(cellText(row[i]), row[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
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

// WriteXLSX writes the table as a right-to-left (for Persian) spreadsheet
// with a bold, frozen, filterable header row, streamed row by row. Times
// are written as their Jalali date and time beside nothing else a person
// would misread; numbers stay numbers.
func WriteXLSX(w io.Writer, t Table, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.TitleFa
	if lang == "en" {
		sheet = t.TitleEn
	}
	sheet = sheetName(sheet)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	rtl := lang != "en"
	if err := f.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		width := c.Width
		if width == 0 {
			width = 16
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	hdr := make([]any, len(t.Columns))
	for i, h := range t.header(lang) {
		hdr[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, len(t.Columns))
		for i := range cells {
			if i < len(row) {
				cells[i] = xlsxValue(row[i])
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if len(t.Columns) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(t.Columns), len(t.Rows)+1)
		if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
			return err
		}
	}
	return f.Write(w)
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
