package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/xuri/excelize/v2"
)

// Headers of the columns rejections.xlsx adds around the file's own. None of
// them is a header the exam import reads, so the sheet, once fixed, can be
// uploaded again as it is: these columns are ignored.
const (
	rejSheet        = "ردیف‌های ردشده"
	rejSummarySheet = "خلاصه"
	rejRowHeader    = "ردیف در فایل اصلی"
	rejReasonFa     = "دلیل رد"
	rejReasonEn     = "Reason (English)"
	rejColumns      = "ستون‌های نادرست"
)

// WriteExamRejections writes rejections.xlsx for one import: a right-to-left
// sheet with each refused row as it was in the file (its row number first,
// the file's own columns in their order, the reasons in Persian and English
// after), and a summary sheet. National codes are masked unless rf was read
// with reveal.
func WriteExamRejections(w io.Writer, rf licensing.RefusedFile) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", rejSheet); err != nil {
		return err
	}
	rtl := true
	if err := f.SetSheetView(rejSheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	reason, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "#9C0006"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top"}}) // "@": text
	if err != nil {
		return err
	}

	width := len(rf.Header)
	for _, r := range rf.Rows {
		width = max(width, len(r.Cells))
	}
	sw, err := f.NewStreamWriter(rejSheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 12); err != nil {
		return err
	}
	if width > 0 {
		if err := sw.SetColWidth(2, width+1, 18); err != nil {
			return err
		}
	}
	if err := sw.SetColWidth(width+2, width+3, 60); err != nil {
		return err
	}
	if err := sw.SetColWidth(width+4, width+4, 24); err != nil {
		return err
	}
	header := make([]any, 0, width+4)
	header = append(header, excelize.Cell{StyleID: head, Value: rejRowHeader})
	for i := 0; i < width; i++ {
		h := ""
		if i < len(rf.Header) {
			h = rf.Header[i]
		}
		header = append(header, excelize.Cell{StyleID: head, Value: h})
	}
	header = append(header, excelize.Cell{StyleID: head, Value: rejReasonFa}, excelize.Cell{StyleID: head, Value: rejReasonEn},
		excelize.Cell{StyleID: head, Value: rejColumns})
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for i, r := range rf.Rows {
		row := make([]any, 0, width+4)
		row = append(row, excelize.Cell{Value: r.Row})
		for c := 0; c < width; c++ {
			v := ""
			if c < len(r.Cells) {
				v = r.Cells[c]
			}
			// Text, so that national codes keep their leading zeros.
			row = append(row, excelize.Cell{StyleID: text, Value: v})
		}
		var fas, ens, cols []string
		for _, j := range r.Rejections {
			label := j.Header
			if label == "" {
				label = j.Column
			}
			fas = append(fas, "• "+label+": "+j.ReasonFa)
			ens = append(ens, "• "+j.Column+": "+j.ReasonEn)
			if !contains(cols, label) {
				cols = append(cols, label)
			}
		}
		row = append(row, excelize.Cell{StyleID: reason, Value: strings.Join(fas, "\n")},
			excelize.Cell{StyleID: reason, Value: strings.Join(ens, "\n")},
			excelize.Cell{Value: strings.Join(cols, "، ")})
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := writeSummary(f, rf, head); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeSummary(f *excelize.File, rf licensing.RefusedFile, head int) error {
	if _, err := f.NewSheet(rejSummarySheet); err != nil {
		return err
	}
	rtl := true
	if err := f.SetSheetView(rejSummarySheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return err
	}
	rep := rf.Report
	statusFa := map[string]string{licensing.ImportAccepted: "پذیرفته شد", licensing.ImportPartiallyAccepted: "بخشی پذیرفته شد",
		licensing.ImportRefused: "پذیرفته نشد"}[rep.Status]
	lines := [][2]any{
		{"شمارهٔ ورود", rep.ID},
		{"نام فایل", rep.FileName},
		{"سال آزمون", rep.ExamYear},
		{"مقیاس نمره", scaleFa(rep)},
		{"وضعیت", statusFa},
		{"ردیف‌های خوانده‌شده", rep.Rows},
		{"پذیرفته", rep.Accepted},
		{"ردشده", rep.Refused},
		{"زمان ورود", daftar.FormatJalaliDateTime(rep.CreatedAt)},
		{"واردکننده", rep.CreatedBy},
		{"SHA-256", rep.ContentSHA256},
	}
	if len(rep.IgnoredColumns) > 0 {
		lines = append(lines, [2]any{"ستون‌های نادیده", strings.Join(rep.IgnoredColumns, "، ")})
	}
	if rf.Revealed {
		lines = append(lines, [2]any{"کد ملی", "کامل (به درخواست مدیر)"})
	} else {
		lines = append(lines, [2]any{"کد ملی", "پوشیده: فقط چهار رقم آخر"})
	}
	for i, l := range lines {
		a := "A" + strconv.Itoa(i+1)
		if err := f.SetCellValue(rejSummarySheet, a, l[0]); err != nil {
			return err
		}
		if err := f.SetCellStyle(rejSummarySheet, a, a, head); err != nil {
			return err
		}
		if err := f.SetCellValue(rejSummarySheet, "B"+strconv.Itoa(i+1), fmt.Sprint(l[1])); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(rejSummarySheet, "A", "A", 22); err != nil {
		return err
	}
	return f.SetColWidth(rejSummarySheet, "B", "B", 70)
}

// scaleFa says an import's score scale and where it came from.
func scaleFa(rep licensing.Report) string {
	from := map[string]string{licensing.ScaleGiven: "داده‌شده هنگام ورود", licensing.ScaleHeader: "از سرستون نمره",
		licensing.ScaleDefault: "پیش‌فرض"}[rep.ScoreScale]
	s := "۰ تا " + daftar.PersianDigits(strconv.FormatFloat(rep.ScoreMax, 'f', -1, 64))
	if from != "" {
		s += " (" + from + ")"
	}
	return s
}
