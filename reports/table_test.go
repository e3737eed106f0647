package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestWriteCSVDefusesFormulasAndKeepsPersian(t *testing.T) {
	tbl := Table{Columns: []Column{{Key: "a", Fa: "نام", En: "Name"}, {Key: "b", Fa: "عدد", En: "Number"}},
		Rows: [][]any{{"=HYPERLINK(\"http://x\")", -5.5}, {"دفتر یزد", nil}, {"+98", 3}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tbl, "fa"); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	want := "\ufeffنام,عدد\n\"'=HYPERLINK(\"\"http://x\"\")\",-5.5\nدفتر یزد,\n'+98,3\n"
	if got != want {
		t.Fatalf("csv:\n%q\nwant\n%q", got, want)
	}
}

func TestWriteXLSX(t *testing.T) {
	when := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	tbl := Table{TitleFa: "آزمون/گزارش:طولانی‌تر از سی و یک نویسه برای برگه", TitleEn: "Test",
		Columns: []Column{{Fa: "نام", En: "Name"}, {Fa: "عدد", En: "Number"}, {Fa: "زمان", En: "When"}},
		Rows:    [][]any{{"دفتر", 4.5, when}, {"دفتر ۲", nil, &when}}}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tbl, "fa"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if len([]rune(sheet)) > 31 || strings.ContainsAny(sheet, "/:") {
		t.Fatalf("sheet name %q", sheet)
	}
	rows, _ := f.GetRows(sheet)
	if len(rows) != 3 || rows[0][0] != "نام" || rows[1][1] != "4.5" || rows[1][2] != "1405/08/30 09:30" {
		t.Fatalf("rows %v", rows)
	}
}
