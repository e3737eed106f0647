package licensing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"golang.org/x/text/encoding/charmap"
)

func mustImport(t testing.TB, e *testEnv, b []byte, mod ...func(*ImportInput)) Report {
	t.Helper()
	rep, _, err := e.importBytes(t, b, mod...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func codeOf(t testing.TB, err error) string {
	t.Helper()
	de, ok := daftar.AsError(err)
	if !ok {
		t.Fatalf("error %v is not a daftar error", err)
	}
	return de.Code
}

// nothingWritten checks that no import, candidate, refusal or audit event
// exists beyond the given audit count.
func (e *testEnv) nothingWritten(t testing.TB, auditBefore int64) {
	t.Helper()
	for _, table := range []string{"exam_imports", "candidates", "exam_import_rejections", "exam_import_refused_rows"} {
		if n := e.count(t, table); n != 0 {
			t.Errorf("%s has %d rows, want none", table, n)
		}
	}
	if n := e.count(t, "audit_events"); n != auditBefore {
		t.Errorf("audit events %d, want %d", n, auditBefore)
	}
}

func TestImportAccepted(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		notPassed := row(validCode(9), "سارا", "نوری", "زن", "", "قم", "41.5", "", "مردود", "")
		b := fileOf(t, goodRow(1), goodRow(2), notPassed)
		rep, created, err := e.importBytes(t, b)
		if err != nil || !created {
			t.Fatalf("import: %v %v", err, created)
		}
		if rep.ID == 0 || rep.Status != ImportAccepted || rep.Rows != 3 || rep.Accepted != 3 || rep.Refused != 0 ||
			rep.Passed != 2 || rep.NotPassed != 1 || rep.ExamYear != 1405 || rep.Format != FormatCSV || rep.HeaderRow != 1 ||
			len(rep.Rejections) != 0 || rep.CreatedBy != "ministry-user" || len(rep.ContentSHA256) != 64 {
			t.Fatalf("report %+v", rep)
		}
		list, total, err := e.cands.List(e.ctx, CandidateFilter{ExamYear: 1405, Limit: 10})
		if err != nil || total != 3 {
			t.Fatalf("list: %v %d", err, total)
		}
		c := list[0]
		if c.FirstName != "علی" || c.Score != 85.5 || c.State != StatePassed || c.ExamProvince != "THR" ||
			strings.Join(c.Preferences, ",") != "tehran,karaj,isfahan" || c.Gender == nil || *c.Gender != "male" ||
			c.BirthDate == nil || *c.BirthDate != "1370/05/12" || c.Rank == nil || c.ImportID != rep.ID || c.Version != 1 {
			t.Fatalf("candidate %+v", c)
		}
		// The national code is not stored in clear anywhere, and opens.
		var clear int64
		d.Gorm.Raw("SELECT COUNT(*) FROM candidates WHERE national_code_hash = ? OR national_code_masked = ? OR first_name = ?",
			validCode(1), validCode(1), validCode(1)).Scan(&clear)
		if clear != 0 {
			t.Fatal("a national code is stored in clear")
		}
		for _, c := range list {
			code, err := e.codes.Open(c.NationalCodeEnc, c.NationalCodeHash)
			if err != nil || "******"+code[6:] != c.NationalCodeMasked || e.codes.Hash(code) != c.NationalCodeHash {
				t.Fatalf("stored code does not open: %v", err)
			}
		}
		// A ciphertext moved to another candidate does not open there.
		if _, err := e.codes.Open(list[0].NationalCodeEnc, list[1].NationalCodeHash); err == nil {
			t.Fatal("a ciphertext opened under another candidate's hash")
		}
		np, _, _ := e.cands.List(e.ctx, CandidateFilter{State: StateNotPassed, Limit: 10})
		if len(np) != 1 || np[0].Rank != nil || len(np[0].Preferences) != 0 || np[0].Result != ResultNotPassed {
			t.Fatalf("not passed candidate %+v", np)
		}
		// The import is audited once, with no national code in the log.
		var events []struct{ Action, AfterJSON string }
		d.Gorm.Raw("SELECT action, after_json FROM audit_events").Scan(&events)
		if len(events) != 1 || events[0].Action != "exam_import.create" || strings.Contains(events[0].AfterJSON, validCode(1)) {
			t.Fatalf("audit events %+v", events)
		}
		got, err := e.exams.Get(e.ctx, rep.ID, 0, 0)
		if err != nil || got.Accepted != 3 || got.Status != ImportAccepted || got.RejectionsTotal != 0 {
			t.Fatalf("get: %+v %v", got, err)
		}
	})
}

func TestImportRefusalsAndDuplicates(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		dup := validCode(5)
		r5 := goodRow(5)
		r5b := goodRow(5)
		r5b[6] = "120" // also a bad score
		r5c := goodRow(5)
		r5c[0] = "  " + dup[:5] + " " + dup[5:] // the same code, typed differently
		bad := goodRow(6)
		bad[0] = badCheck(bad[0])
		b := fileOf(t, goodRow(1), r5, goodRow(2), r5b, bad, r5c, goodRow(3))
		rep := mustImport(t, e, b)
		if rep.Status != ImportPartiallyAccepted || rep.Rows != 7 || rep.Accepted != 3 || rep.Refused != 4 {
			t.Fatalf("report %+v", rep)
		}
		type key struct {
			row  int
			code string
		}
		got := map[key]Rejection{}
		var order []int
		for _, j := range rep.Rejections {
			got[key{j.Row, j.Code}] = j
			order = append(order, j.Row)
		}
		for _, k := range []key{{3, "duplicate_in_file"}, {5, "duplicate_in_file"}, {5, "score_out_of_range"}, {6, "national_code_check_digit"}, {7, "duplicate_in_file"}} {
			if _, ok := got[k]; !ok {
				t.Errorf("no rejection %v in %+v", k, rep.Rejections)
			}
		}
		if j := got[key{3, "duplicate_in_file"}]; !strings.Contains(j.ReasonEn, "rows 5, 7") || j.Value != "******"+dup[6:] || !strings.Contains(j.ReasonFa, "۵، ۷") {
			t.Errorf("duplicate reason %+v", j)
		}
		if j := got[key{7, "duplicate_in_file"}]; !strings.Contains(j.ReasonEn, "rows 3, 5") {
			t.Errorf("duplicate reason %+v", j)
		}
		for i := 1; i < len(order); i++ {
			if order[i] < order[i-1] {
				t.Fatalf("rejections out of row order: %v", order)
			}
		}
		// Only the three clean rows are candidates; the first of the
		// duplicated code was written, then taken out again.
		if n := e.count(t, "candidates"); n != 3 {
			t.Fatalf("%d candidates", n)
		}
		if _, total, _ := e.cands.List(e.ctx, CandidateFilter{NationalCode: dup, Limit: 1}); total != 0 {
			t.Fatal("a duplicated code became a candidate")
		}
		// rejections.xlsx's data: every refused row with its cells, the
		// code masked unless an admin reveals it (audited).
		rf, err := e.exams.RefusedRows(e.ctx, rep.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rf.Rows) != 4 || rf.NationalCodeColumn != 0 || len(rf.Header) != 10 {
			t.Fatalf("refused rows %+v", rf)
		}
		for _, r := range rf.Rows {
			if !strings.HasPrefix(r.Cells[0], "******") || len(r.Rejections) == 0 {
				t.Fatalf("refused row %+v", r)
			}
		}
		if rf.Rows[0].Row != 3 || rf.Rows[0].Cells[1] != "علی" {
			t.Fatalf("first refused row %+v", rf.Rows[0])
		}
		if _, err := e.exams.RefusedRows(e.ctx, rep.ID, true); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("ministry reveal: %v", err)
		}
		admin := daftar.WithActor(e.ctx, daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
		rf, err = e.exams.RefusedRows(admin, rep.ID, true)
		if err != nil || rf.Rows[0].Cells[0] != dup || rf.Rows[3].Cells[0] != r5c[0] {
			t.Fatalf("admin reveal: %v %q", err, rf.Rows[0].Cells)
		}
		var revealed int64
		d.Gorm.Table("audit_events").Where("action = ?", "exam_import.reveal_refused_rows").Count(&revealed)
		if revealed != 1 {
			t.Fatalf("reveal audited %d times", revealed)
		}
		// Paged rejections.
		page, err := e.exams.Get(e.ctx, rep.ID, 2, 2)
		if err != nil || len(page.Rejections) != 2 || page.RejectionsTotal != len(rep.Rejections) || page.Rejections[0] != rep.Rejections[2] {
			t.Fatalf("page: %+v %v", page, err)
		}
	})
}

func TestImportEverythingRefused(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		bad := goodRow(1)
		bad[8] = "?"
		rep := mustImport(t, e, fileOf(t, bad))
		if rep.Status != ImportRefused || rep.Accepted != 0 || rep.Refused != 1 || rep.ID == 0 {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestImportConflictWithEarlierImport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		first := mustImport(t, e, fileOf(t, goodRow(1), goodRow(2)))
		second := mustImport(t, e, fileOf(t, goodRow(2), goodRow(3)))
		if second.Accepted != 1 || len(second.Rejections) != 1 {
			t.Fatalf("second import %+v", second)
		}
		j := second.Rejections[0]
		if j.Row != 2 || j.Code != "already_imported" || !strings.Contains(j.ReasonEn, "import "+strconv.FormatInt(first.ID, 10)) ||
			!strings.Contains(j.ReasonEn, "1405") || j.Value != "******"+validCode(2)[6:] {
			t.Fatalf("conflict %+v", j)
		}
		// Another exam year is another pool of candidates.
		other := mustImport(t, e, fileOf(t, goodRow(1), goodRow(2), goodRow(3)), func(in *ImportInput) { in.ExamYear = 1404 })
		if other.Accepted != 3 {
			t.Fatalf("1404 import %+v", other)
		}
		// A dry run reports the conflict too.
		dry := mustImport(t, e, fileOf(t, goodRow(3), goodRow(4)), dryRun)
		if dry.Accepted != 1 || dry.Rejections[0].Code != "already_imported" {
			t.Fatalf("dry run %+v", dry)
		}
	})
}

func TestImportDryRunAndReupload(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		b := fileOf(t, goodRow(1), goodRow(2), goodRow(1))
		dry, created, err := e.importBytes(t, b, dryRun)
		if err != nil || created || dry.ID != 0 || !dry.DryRun || dry.Accepted != 1 || dry.Refused != 2 || len(dry.Rejections) != 2 {
			t.Fatalf("dry run %+v %v %v", dry, created, err)
		}
		e.nothingWritten(t, 0)
		// The dry run is not remembered: the real import goes through, and
		// reports the same.
		rep, created, err := e.importBytes(t, b)
		if err != nil || !created || rep.Accepted != dry.Accepted || rep.Refused != dry.Refused || len(rep.Rejections) != 2 {
			t.Fatalf("import after dry run %+v %v %v", rep, created, err)
		}
		auditAfter := e.count(t, "audit_events")
		// The same content again, under another name: the first report,
		// nothing written.
		again, created, err := e.importBytes(t, b, func(in *ImportInput) { in.FileName = "copy of results.csv"; in.RejectionsLimit = 1 })
		if err != nil || created || again.ID != rep.ID || again.FileName != "results.csv" || again.Accepted != 1 ||
			len(again.Rejections) != 1 || again.RejectionsTotal != 2 {
			t.Fatalf("re-upload %+v %v %v", again, created, err)
		}
		// Even as a dry run, and for another exam year, the file is known.
		again, created, _ = e.importBytes(t, b, func(in *ImportInput) { in.ExamYear = 1404 })
		if created || again.ID != rep.ID || again.ExamYear != 1405 {
			t.Fatalf("re-upload for another year %+v", again)
		}
		if n := e.count(t, "exam_imports"); n != 1 {
			t.Fatalf("%d imports", n)
		}
		if n := e.count(t, "candidates"); n != 1 {
			t.Fatalf("%d candidates", n)
		}
		if n := e.count(t, "audit_events"); n != auditAfter {
			t.Fatalf("re-upload audited")
		}
	})
}

func TestImportConcurrentIdentical(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{BatchRows: 50})
		rows := make([][]string, 300)
		for i := range rows {
			rows[i] = goodRow(i)
		}
		b := fileOf(t, rows...)
		const n = 5
		var wg sync.WaitGroup
		results := make([]Report, n)
		createdN := make([]bool, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], createdN[i], errs[i] = e.importBytes(t, b)
			}(i)
		}
		wg.Wait()
		created := 0
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("upload %d: %v", i, errs[i])
			}
			if createdN[i] {
				created++
			}
			if results[i].ID != results[0].ID || results[i].Accepted != 300 {
				t.Fatalf("upload %d: %+v", i, results[i])
			}
		}
		if created != 1 || e.count(t, "exam_imports") != 1 || e.count(t, "candidates") != 300 {
			t.Fatalf("created %d; %d imports, %d candidates", created, e.count(t, "exam_imports"), e.count(t, "candidates"))
		}
	})
}

func manyRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = goodRow(i)
	}
	return rows
}

// TestImportCancelledMidway: the caller goes away while rows are being
// written; nothing is left behind.
func TestImportCancelledMidway(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{BatchRows: 200})
		b := fileOf(t, manyRows(5000)...)
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		in := ImportInput{FileName: "big.csv", ExamYear: 1405, Progress: func(rows int) {
			if rows >= 3000 {
				cancel()
			}
		}}
		in.Content, in.Size = BytesInput(b)
		_, _, err := e.exams.Import(ctx, in)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		e.nothingWritten(t, 0)
		// The database is usable afterwards, and the file imports.
		rep := mustImport(t, e, b)
		if rep.Accepted != 5000 {
			t.Fatalf("after cancel: %+v", rep)
		}
	})
}

// TestImportWriteFailsMidway: the writing transaction fails after a part of
// the rows reached the database; all of it rolls back.
func TestImportWriteFailsMidway(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{BatchRows: 100})
		boom := errors.New("disk on fire")
		e.exams.failWrite = func(written int) error {
			if written >= 1500 {
				return boom
			}
			return nil
		}
		_, _, err := e.importBytes(t, fileOf(t, manyRows(3000)...))
		if !errors.Is(err, boom) {
			t.Fatalf("error %v", err)
		}
		e.nothingWritten(t, 0)
		e.exams.failWrite = nil
		if rep := mustImport(t, e, fileOf(t, manyRows(3000)...)); rep.Accepted != 3000 {
			t.Fatalf("after failure: %+v", rep)
		}
	})
}

// TestImportUnreadable: files refused as a whole write nothing.
func TestImportUnreadable(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{MaxRows: 10, OpenXLSX: func(io.ReaderAt, int64, string) (RowSource, error) {
			return &panicky{}, nil
		}})
		cases := []struct {
			name string
			b    []byte
			code string
		}{
			{"empty", nil, "empty_file"},
			{"blank lines", []byte("\n\n ,,\n"), "empty_file"},
			{"no header", []byte("1,2,3\n4,5,6\n"), "no_header"},
			{"header only", fileOf(t), "no_rows"},
			{"over the row cap", fileOf(t, manyRows(11)...), "too_many_rows"},
			{"parser panics", []byte("PK\x03\x04 a workbook"), "unreadable_file"},
			{"pdf", []byte("%PDF-1.4 ..."), "not_a_spreadsheet"},
		}
		for _, tc := range cases {
			_, _, err := e.importBytes(t, tc.b)
			if !daftar.IsKind(err, daftar.KindUnprocessable) || codeOf(t, err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		e.nothingWritten(t, 0)
		if rep := mustImport(t, e, fileOf(t, manyRows(10)...)); rep.Accepted != 10 {
			t.Fatalf("at the cap: %+v", rep)
		}
		// A bad exam year.
		_, _, err := e.importBytes(t, fileOf(t, goodRow(1)), func(in *ImportInput) { in.ExamYear = 1300 })
		if !daftar.IsKind(err, daftar.KindInvalid) {
			t.Fatalf("year 1300: %v", err)
		}
	})
}

// panicky is a row source whose parser blows up, as a malformed workbook
// can make a third-party parser do.
type panicky struct{ n int }

func (p *panicky) Next() bool {
	p.n++
	if p.n > 3 {
		panic("index out of range in the XML decoder")
	}
	return true
}
func (p *panicky) Row() []string {
	if p.n == 1 {
		return stdHeader
	}
	return goodRow(p.n)
}
func (p *panicky) Err() error   { return nil }
func (p *panicky) Close() error { return nil }

// TestImportLayouts: title rows above the header, blank rows, columns in any
// order with English headers, and the encodings Excel writes.
func TestImportLayouts(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		// Title and date rows, then the header on row 4, blank rows among the data.
		b := csvOf(t,
			[]string{"نتایج آزمون صدور مجوز دفاتر خدمات الکترونیک قضائی"},
			[]string{"تاریخ: ۱۴۰۵/۰۸/۲۰"},
			[]string{},
			stdHeader, goodRow(1), []string{"", ""}, goodRow(2), goodRow(2))
		rep := mustImport(t, e, b)
		if rep.HeaderRow != 4 || rep.Rows != 3 || rep.Accepted != 1 || len(rep.Rejections) != 2 ||
			rep.Rejections[0].Row != 7 || rep.Rejections[1].Row != 8 {
			t.Fatalf("report %+v", rep)
		}
		// English headers in another order, Windows-1256 text.
		en := []string{"result", "preferences", "score", "rank", "exam_province", "last_name", "first_name", "national_code"}
		text := string(csvOf(t, en, []string{"passed", "مشهد;تهران", "77", "10", "خراسان رضوی", "کریمی", "علی", validCode(40)}))
		win, err := charmap.Windows1256.NewEncoder().String(strings.NewReplacer("ی", "ي", "ک", "ك").Replace(text))
		if err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, e, []byte(win))
		if rep.Accepted != 1 || rep.Encoding != EncodingWindows1256 {
			t.Fatalf("windows-1256: %+v", rep)
		}
		list, _, _ := e.cands.List(e.ctx, CandidateFilter{NationalCode: validCode(40), Limit: 1})
		if len(list) != 1 || list[0].LastName != "کریمی" || list[0].ExamProvince != "KRZ" || list[0].Preferences[0] != "mashhad" {
			t.Fatalf("windows-1256 candidate %+v", list)
		}
		// UTF-16 with a BOM, tab-separated (Excel's "Unicode Text").
		u := utf16Bytes(strings.ReplaceAll(string(fileOf(t, goodRow(50))), ",", "\t"), false, true)
		if rep := mustImport(t, e, u); rep.Accepted != 1 || rep.Encoding != EncodingUTF16LE {
			t.Fatalf("utf-16: %+v", rep)
		}
		// UTF-8 with a BOM.
		if rep := mustImport(t, e, append([]byte("\xEF\xBB\xBF"), fileOf(t, goodRow(51))...)); rep.Accepted != 1 || rep.Encoding != EncodingUTF8BOM {
			t.Fatalf("utf-8 bom: %+v", rep)
		}
	})
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\clerk\نتایج.xlsx`: "نتایج.xlsx",
		"../../etc/passwd":          "passwd",
		"a\x00b\nc.csv":             "abc.csv",
		"":                          "",
		strings.Repeat("x", 300):    strings.Repeat("x", 200),
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExamYearDefault(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		rep := mustImport(t, e, fileOf(t, goodRow(1)), func(in *ImportInput) { in.ExamYear = 0 })
		if rep.ExamYear != 1405 {
			t.Fatalf("default exam year %d", rep.ExamYear)
		}
		if err := e.exams.CheckExamYear(1407); err == nil {
			t.Fatal("1407 accepted in 1405")
		}
		if err := e.exams.CheckExamYear(1406); err != nil {
			t.Fatal(err)
		}
	})
}

func ExampleRejection() {
	j := Rejection{Row: 7, Column: "national_code", Value: "******5949", Code: "national_code_check_digit",
		ReasonFa: "رقم کنترل کد ملی درست نیست", ReasonEn: "the national code's check digit is wrong"}
	fmt.Println(j.Row, j.Column, j.Value, j.Code)
	// Output: 7 national_code ******5949 national_code_check_digit
}

// TestSampleFile: the sample shipped for clerks and the docs imports clean.
func TestSampleFile(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		b, err := os.ReadFile("testdata/exam-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, e, b)
		if rep.Status != ImportAccepted || rep.Passed != 10 || rep.NotPassed != 2 || rep.Encoding != EncodingUTF8BOM {
			t.Fatalf("sample: %+v", rep)
		}
	})
}
