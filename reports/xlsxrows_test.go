package reports_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX with the given sheets of rows (values as typed:
// numbers stay numbers, as Excel keeps them).
func workbook(t testing.TB, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			vals := row
			if err := f.SetSheetRow(name, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readRows(t testing.TB, b []byte, sheet string, lim reports.XLSXLimits) ([][]string, error) {
	t.Helper()
	src, err := reports.XLSXRows(lim)(bytes.NewReader(b), int64(len(b)), sheet)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var rows [][]string
	for src.Next() {
		rows = append(rows, append([]string(nil), src.Row()...))
	}
	return rows, src.Err()
}

func TestXLSXRows(t *testing.T) {
	b := workbook(t, map[string][][]any{
		"راهنما":  {{"این برگه راهنماست"}},
		"نتایج":   {{"کد ملی", "نمره"}, {84575948, 87.5}, {"0084575948", "۸۷٫۵"}, {}, {1234567891, 90}},
		"Results": {{"x"}},
	}, "راهنما", "نتایج", "Results")
	rows, err := readRows(t, b, "", reports.XLSXLimits{})
	if err != nil || len(rows) != 1 || rows[0][0] != "این برگه راهنماست" {
		t.Fatalf("first sheet: %q %v", rows, err)
	}
	rows, err = readRows(t, b, "نتايج", reports.XLSXLimits{}) // Arabic yeh: the same name
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"کد ملی", "نمره"}, {"84575948", "87.5"}, {"0084575948", "۸۷٫۵"}, nil, {"1234567891", "90"}}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q (numbers must come as stored, a gap as an empty row)", i+1, rows[i], want[i])
		}
	}
	_, err = readRows(t, b, "Sheet9", reports.XLSXLimits{})
	if de, ok := daftar.AsError(err); !ok || de.Code != "sheet_not_found" || !strings.Contains(de.Message, "Results") {
		t.Fatalf("unknown sheet: %v", err)
	}
}

func TestXLSXDamaged(t *testing.T) {
	good := workbook(t, map[string][][]any{"s": {{"a", "b"}, {1, 2}}}, "s")
	cases := map[string][]byte{
		"truncated":      good[:len(good)/2],
		"cut at the end": good[:len(good)-10],
		"zip, not xlsx":  zipOf(t, map[string]string{"readme.txt": "hello"}),
		"bad bytes":      append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xAB}, 300)...),
	}
	for name, b := range cases {
		_, err := readRows(t, b, "", reports.XLSXLimits{})
		if de, ok := daftar.AsError(err); !ok || de.Kind != daftar.KindUnprocessable || de.Code != "unreadable_xlsx" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

// bomb returns an XLSX whose first sheet inflates to size bytes of XML from
// a few hundred KB. The deflate stream is built by compressing one unit,
// then repeating the byte-aligned block that encodes "the same again" (a
// flushed block of pure back-references). declared is the size the zip
// directory claims: the true size, or a lie.
func bomb(t testing.TB, size, declared uint64) []byte {
	t.Helper()
	unit := bytes.Repeat([]byte(`<row><c t="n"><v>1</v></c></row>`), 32768) // 1 MiB
	var first, second, third bytes.Buffer
	fw, _ := flate.NewWriter(&first, flate.BestCompression)
	fw.Write(unit)
	fw.Flush()
	// What the next units compress to, given the window is full of units.
	var probe bytes.Buffer
	pw, _ := flate.NewWriter(&probe, flate.BestCompression)
	pw.Write(unit)
	pw.Flush()
	mark := probe.Len()
	pw.Write(unit)
	pw.Flush()
	second.Write(probe.Bytes()[mark:])
	mark = probe.Len()
	pw.Write(unit)
	pw.Flush()
	third.Write(probe.Bytes()[mark:])
	if !bytes.Equal(second.Bytes(), third.Bytes()) {
		// The fixture depends on compress/flate writing the same bytes for
		// "the same again"; if a Go release changes that, say so loudly
		// rather than test nothing.
		t.Fatal("compress/flate no longer repeats its blocks: the zip-bomb fixture must be built another way")
	}
	var stream bytes.Buffer
	stream.Write(first.Bytes())
	crc := crc32.Update(0, crc32.IEEETable, unit)
	n := uint64(len(unit))
	for n+uint64(len(unit)) <= size {
		stream.Write(second.Bytes())
		crc = crc32.Update(crc, crc32.IEEETable, unit)
		n += uint64(len(unit))
	}
	stream.Write([]byte{0x03, 0x00}) // an empty final block
	// Sanity: the stream inflates to n bytes.
	if declared == 0 {
		declared = n
	}
	base := workbook(t, map[string][][]any{"Sheet1": {{"a"}}}, "Sheet1")
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(stream.Len()), UncompressedSize64: declared})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(stream.Bytes())
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	return out.Bytes()
}

// TestZipBomb: a workbook that unpacks to a gigabyte is refused at once, with
// little memory, by the default limits; one that lies about its size is
// stopped where its lie ends.
func TestZipBomb(t *testing.T) {
	b := bomb(t, 1<<30, 0)
	if len(b) > 4<<20 {
		t.Fatalf("bomb is %d bytes", len(b))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := readRows(t, b, "", reports.XLSXLimits{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if de, ok := daftar.AsError(err); !ok || de.Code != "xlsx_too_large" {
		t.Fatalf("bomb: %v", err)
	}
	// Time is logged, not asserted (shared machines): memory is the bound
	// that holds, and a refusal before inflating means little time too.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Fatalf("refusing the bomb allocated %d MiB", grew>>20)
	}
	t.Logf("1 GiB bomb of %d KiB refused in %v, %d KiB allocated", len(b)>>10, elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)

	// The same bomb claiming to be 1 MiB: nothing past the claimed size is
	// inflated (archive/zip and excelize stop there), so it costs what a
	// 1 MiB sheet costs.
	liar := bomb(t, 1<<30, 1<<20)
	runtime.GC()
	runtime.ReadMemStats(&before)
	start = time.Now()
	rows, _ := readRows(t, liar, "", reports.XLSXLimits{})
	elapsed = time.Since(start)
	runtime.ReadMemStats(&after)
	if len(rows) > (1<<20)/30 {
		t.Fatalf("lying bomb: %d rows in %v", len(rows), elapsed)
	}
	t.Logf("lying bomb: %d rows in %v", len(rows), elapsed)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
		t.Fatalf("lying bomb allocated %d MiB", grew>>20)
	}
	// A tighter limit refuses a smaller workbook.
	if _, err := readRows(t, bomb(t, 8<<20, 0), "", reports.XLSXLimits{UnzipSize: 4 << 20}); err == nil {
		t.Fatal("an 8 MiB sheet passed a 4 MiB limit")
	}
}

type env struct {
	exams *licensing.Exams
	cands *licensing.Candidates
	ctx   context.Context
}

func newEnv(t testing.TB, d *db.DB) env {
	t.Helper()
	ctx := context.Background()
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "reports-test-secret-0123456789abcdef0123"
	codes, err := licensing.NewNationalCodes(secrets.Derive(secret, secrets.NationalCodeHash), secrets.Derive(secret, secrets.NationalCodeEncrypt))
	if err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
	al := audit.New(d, clock)
	return env{
		exams: licensing.NewExams(d, clock, al, gaz, codes, licensing.ExamConfig{OpenXLSX: reports.XLSXRows(reports.XLSXLimits{})}),
		cands: licensing.NewCandidates(d, clock, al, gaz, codes),
		ctx:   daftar.WithActor(ctx, daftar.Actor{Username: "admin", Role: daftar.RoleAdmin, UserID: 1}),
	}
}

func (e env) importXLSX(t testing.TB, b []byte, sheet string) (licensing.Report, error) {
	t.Helper()
	in := licensing.ImportInput{FileName: "نتایج.xlsx", ExamYear: 1405, Sheet: sheet}
	in.Content, in.Size = licensing.BytesInput(b)
	rep, _, err := e.exams.Import(e.ctx, in)
	return rep, err
}

// TestImportXLSX: an Excel file as the assessment organisation sends it, on
// both engines: national codes stored as numbers (leading zeros lost),
// Persian digits, a title row, the sheet chosen by name.
func TestImportXLSX(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		header := []any{"ردیف", "کد ملی", "نام", "نام خانوادگی", "جنسیت", "تاریخ تولد", "استان محل آزمون", "نمره تراز", "رتبه", "نتیجه", "اولویت‌ها"}
		b := workbook(t, map[string][][]any{
			"توضیحات": {{"فایل نتایج"}},
			"قبول‌شدگان": {
				{"نتایج آزمون ۱۴۰۵"},
				header,
				{1, 84575948, "علي", "كريمي", "مرد", "۱۳۶۹/۰۲/۱۱", "تهران", 91.25, 1, "قبول", "تهران، کرج"},
				{2, "۰۴۹۹۳۷۰۸۹۹", "زهرا", "موسوی", "زن", "1372/12/29", "Esfahan", "۸۸٫۵", "۲", "قبول", "Isfahan; Shiraz"},
				{3, 1234567890, "حسن", "نوری", "مرد", "1370/01/01", "فارس", 70, 3, "قبول", "شیراز"},
			},
		}, "توضیحات", "قبول‌شدگان")
		rep, err := e.importXLSX(t, b, "قبول‌شدگان")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Format != licensing.FormatXLSX || rep.Sheet != "قبول‌شدگان" || rep.HeaderRow != 2 || rep.Rows != 3 || rep.Accepted != 2 ||
			len(rep.Rejections) != 1 || rep.Rejections[0].Row != 5 || rep.Rejections[0].Code != "national_code_check_digit" ||
			len(rep.IgnoredColumns) != 1 || rep.IgnoredColumns[0] != "ردیف" {
			t.Fatalf("report %+v", rep)
		}
		list, _, err := e.cands.List(e.ctx, licensing.CandidateFilter{NationalCode: "0084575948", Limit: 1})
		if err != nil || len(list) != 1 || list[0].LastName != "کریمی" || list[0].Score != 91.25 {
			t.Fatalf("candidate with a lost leading zero: %+v %v", list, err)
		}
		// The refused row, as rejections.xlsx shows it.
		rf, err := e.exams.RefusedRows(e.ctx, rep.ID, false)
		if err != nil || len(rf.Rows) != 1 || rf.Rows[0].Cells[1] != "******7890" || rf.Rows[0].Cells[2] != "حسن" {
			t.Fatalf("refused rows %+v %v", rf, err)
		}
		var out bytes.Buffer
		if err := reports.WriteExamRejections(&out, rf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		view, _ := f.GetSheetView(sheet, 0)
		rows, _ := f.GetRows(sheet)
		if view.RightToLeft == nil || !*view.RightToLeft || len(rows) != 2 || rows[0][0] != "ردیف در فایل اصلی" ||
			rows[0][2] != "کد ملی" || rows[1][0] != "5" || rows[1][2] != "******7890" || !strings.Contains(rows[1][len(header)+1], "رقم کنترل") ||
			!strings.Contains(rows[1][len(header)+2], "check digit") {
			t.Fatalf("rejections.xlsx %q", rows)
		}
		if sheets := f.GetSheetList(); len(sheets) != 2 {
			t.Fatalf("sheets %v", sheets)
		}
		// No sheet named: the first, which has no header.
		if _, err := e.importXLSX(t, append(b, []byte{}...), ""); err == nil {
			t.Fatal("the first sheet (no header) was imported")
		}
	})
}
