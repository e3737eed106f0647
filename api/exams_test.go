package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

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

const examTestSecret = "api-test-secret-0123456789abcdef012345"

// newExamServices builds exam intake and the candidates' register for the
// harness, with keys derived as the application derives them.
func newExamServices(t testing.TB, d *db.DB, clock daftar.Clock, al *audit.Log, gaz *geo.Gazetteer) (*licensing.Exams, *licensing.Candidates) {
	t.Helper()
	codes, err := licensing.NewNationalCodes(secrets.Derive(examTestSecret, secrets.NationalCodeHash),
		secrets.Derive(examTestSecret, secrets.NationalCodeEncrypt))
	if err != nil {
		t.Fatal(err)
	}
	exams := licensing.NewExams(d, clock, al, gaz, codes, licensing.ExamConfig{OpenXLSX: reports.XLSXRows(reports.XLSXLimits{})})
	return exams, licensing.NewCandidates(d, clock, al, gaz, codes)
}

// examCode makes the n-th valid national code.
func examCode(n int) string {
	first9 := fmt.Sprintf("%09d", 200_000_000+n*7919)
	c, _ := daftar.NationalCodeCheckDigit(first9)
	return first9 + strconv.Itoa(c)
}

var examHeader = []string{"کد ملی", "نام", "نام خانوادگی", "جنسیت", "تاریخ تولد", "استان محل آزمون", "نمره تراز", "رتبه", "نتیجه", "اولویت‌ها", "ملاحظات"}

// examCSV is a file of n good rows, then the bad rows given.
func examCSV(t testing.TB, n int, bad ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(examHeader)
	for i := 0; i < n; i++ {
		w.Write([]string{examCode(i), "مریم", "رضایی", "زن", "1368/11/02", "اصفهان", strconv.FormatFloat(90-float64(i)/10, 'f', 2, 64),
			strconv.Itoa(i + 1), "قبول", "اصفهان، Tehran; mashhad", ""})
	}
	for _, r := range bad {
		w.Write(r)
	}
	w.Flush()
	return b.Bytes()
}

// upload posts a file as multipart/form-data; extra holds other form fields.
func (h *harness) upload(token, query string, file []byte, name string, extra ...string) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(extra); i += 2 {
		mw.WriteField(extra[i], extra[i+1])
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/exam-imports"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

type importJSON struct {
	ID              *int64   `json:"id"`
	Status          string   `json:"status"`
	ExamYear        int      `json:"exam_year"`
	DryRun          bool     `json:"dry_run"`
	ContentSHA256   string   `json:"content_sha256"`
	Format          string   `json:"format"`
	Encoding        string   `json:"encoding"`
	Rows            int      `json:"rows"`
	Accepted        int      `json:"accepted"`
	Refused         int      `json:"refused"`
	IgnoredColumns  []string `json:"ignored_columns"`
	RejectionsTotal int      `json:"rejections_total"`
	RejectionsXLSX  *string  `json:"rejections_xlsx"`
	CreatedAtJalali string   `json:"created_at_jalali"`
	Rejections      []struct {
		Row      int    `json:"row"`
		Column   string `json:"column"`
		Value    string `json:"value"`
		Code     string `json:"code"`
		ReasonFa string `json:"reason_fa"`
		ReasonEn string `json:"reason_en"`
	} `json:"rejections"`
}

func TestExamImportAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ministry := h.tokens[daftar.RoleMinistry]
		bad := []string{"0084575949", "حسن", "کریمی", "مرد", "1370/01/01", "تهران", "70", "99", "قبول", "تهران", ""}
		file := examCSV(t, 5, bad)

		// Dry run: a report, no id, nothing written.
		res := h.upload(ministry, "?dry_run=true&exam_year=۱۴۰۵", file, "results.csv")
		if res.Code != 200 {
			t.Fatalf("dry run: %d %s", res.Code, res.Body)
		}
		dry := decode[importJSON](t, res)
		if dry.ID != nil || !dry.DryRun || dry.Accepted != 5 || dry.Refused != 1 || dry.RejectionsXLSX != nil {
			t.Fatalf("dry run report %+v", dry)
		}
		list := decode[struct{ Total int }](t, h.do("GET", "/api/v1/candidates", ministry, nil))
		if list.Total != 0 {
			t.Fatalf("dry run wrote %d candidates", list.Total)
		}

		// The import: 201 with the report.
		res = h.upload(ministry, "", file, "results.csv", "exam_year", "1405")
		if res.Code != 201 {
			t.Fatalf("import: %d %s", res.Code, res.Body)
		}
		rep := decode[importJSON](t, res)
		if rep.ID == nil || rep.Status != "partially_accepted" || rep.Rows != 6 || rep.Accepted != 5 || rep.Refused != 1 ||
			rep.ExamYear != 1405 || rep.Format != "csv" || rep.Encoding != "utf-8" || rep.CreatedAtJalali == "" {
			t.Fatalf("report %+v", rep)
		}
		if len(rep.IgnoredColumns) != 1 || rep.IgnoredColumns[0] != "ملاحظات" {
			t.Fatalf("ignored columns %v", rep.IgnoredColumns)
		}
		if len(rep.Rejections) != 1 || rep.Rejections[0].Row != 7 || rep.Rejections[0].Column != "national_code" ||
			rep.Rejections[0].Value != "******5949" || rep.Rejections[0].Code != "national_code_check_digit" ||
			rep.Rejections[0].ReasonFa == "" || rep.Rejections[0].ReasonEn == "" {
			t.Fatalf("rejections %+v", rep.Rejections)
		}
		if strings.Contains(res.Body.String(), "0084575949") {
			t.Fatal("the report shows a full national code")
		}
		if loc := res.Header().Get("Location"); loc != fmt.Sprintf("/api/v1/exam-imports/%d", *rep.ID) {
			t.Fatalf("Location %q", loc)
		}

		// The same file again: 200 with the first report, nothing new.
		res = h.upload(h.tokens[daftar.RoleAdmin], "", file, "again.csv")
		if res.Code != 200 {
			t.Fatalf("re-upload: %d %s", res.Code, res.Body)
		}
		again := decode[importJSON](t, res)
		if again.ID == nil || *again.ID != *rep.ID || again.Accepted != 5 || len(again.Rejections) != 1 {
			t.Fatalf("re-upload report %+v", again)
		}
		list = decode[struct{ Total int }](t, h.do("GET", "/api/v1/candidates", ministry, nil))
		if list.Total != 5 {
			t.Fatalf("%d candidates after re-upload, want 5", list.Total)
		}

		// GET the report, paged.
		res = h.do("GET", fmt.Sprintf("/api/v1/exam-imports/%d?page_size=1", *rep.ID), ministry, nil)
		got := decode[importJSON](t, res)
		if res.Code != 200 || got.RejectionsTotal != 1 || len(got.Rejections) != 1 {
			t.Fatalf("get report: %d %s", res.Code, res.Body)
		}
		if res := h.do("GET", "/api/v1/exam-imports/999999", ministry, nil); res.Code != 404 {
			t.Fatalf("unknown import: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/exam-imports?exam_year=1405", ministry, nil); res.Code != 200 ||
			decode[struct{ Total int }](t, res).Total != 1 {
			t.Fatalf("list imports: %d %s", res.Code, res.Body)
		}

		// rejections.xlsx opens, is right to left, and masks the code.
		res = h.do("GET", fmt.Sprintf("/api/v1/exam-imports/%d/rejections.xlsx", *rep.ID), ministry, nil)
		if res.Code != 200 || !strings.Contains(res.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("rejections.xlsx: %d %s", res.Code, res.Header())
		}
		rows, rtl := readXLSX(t, res.Body.Bytes())
		if !rtl {
			t.Fatal("rejections.xlsx is not right to left")
		}
		if len(rows) != 2 || rows[1][0] != "7" || rows[1][1] != "******5949" || rows[1][2] != "حسن" {
			t.Fatalf("rejections.xlsx rows %q", rows)
		}
		if !strings.Contains(strings.Join(rows[1], " "), "رقم کنترل") {
			t.Fatalf("rejections.xlsx has no Persian reason: %q", rows[1])
		}
		// Admins may reveal (audited); ministry may not.
		if res := h.do("GET", fmt.Sprintf("/api/v1/exam-imports/%d/rejections.xlsx?reveal=national_code", *rep.ID), ministry, nil); res.Code != 403 {
			t.Fatalf("ministry reveal: %d", res.Code)
		}
		res = h.do("GET", fmt.Sprintf("/api/v1/exam-imports/%d/rejections.xlsx?reveal=national_code", *rep.ID), h.tokens[daftar.RoleAdmin], nil)
		rows, _ = readXLSX(t, res.Body.Bytes())
		if res.Code != 200 || rows[1][1] != "0084575949" {
			t.Fatalf("admin reveal: %d %q", res.Code, rows)
		}

		// The fixed file, uploaded again from rejections.xlsx: only the
		// corrected row is new.
		fixed := excelize.NewFile()
		sheet := fixed.GetSheetName(0)
		for i, r := range rows {
			if i == 1 {
				r[1] = examCode(1000)
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			fixed.SetSheetRow(sheet, cell, &vals)
		}
		var fb bytes.Buffer
		fixed.Write(&fb)
		res = h.upload(ministry, "", fb.Bytes(), "fixed.xlsx")
		if res.Code != 201 {
			t.Fatalf("fixed upload: %d %s", res.Code, res.Body)
		}
		if fixedRep := decode[importJSON](t, res); fixedRep.Accepted != 1 || fixedRep.Format != "xlsx" || len(fixedRep.IgnoredColumns) != 5 {
			t.Fatalf("fixed upload report %+v", fixedRep)
		}
	})
}

func readXLSX(t testing.TB, b []byte) ([][]string, bool) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	view, err := f.GetSheetView(sheet, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows, view.RightToLeft != nil && *view.RightToLeft
}

func TestExamImportAPIRefusals(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ministry := h.tokens[daftar.RoleMinistry]
		cases := []struct {
			name   string
			file   []byte
			status int
			code   string
		}{
			{"not a spreadsheet", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 422, "not_a_spreadsheet"},
			{"binary junk", bytes.Repeat([]byte{0, 1, 2, 3, 200, 17}, 100), 422, "not_a_spreadsheet"},
			{"empty", nil, 422, "empty_file"},
			{"no header", []byte("a,b,c\n1,2,3\n"), 422, "no_header"},
			{"missing columns", []byte("کد ملی,نام,نام خانوادگی\n0084575948,علی,احمدی\n"), 422, "bad_header"},
			{"header only", examCSV(t, 0), 422, "no_rows"},
			{"truncated xlsx", truncatedXLSX(t), 422, "unreadable_xlsx"},
			{"old xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), 422, "xls_not_supported"},
		}
		for _, tc := range cases {
			res := h.upload(ministry, "", tc.file, "x")
			if res.Code != tc.status || problemOf(t, res).Code != tc.code {
				t.Errorf("%s: %d %s, want %d %s", tc.name, res.Code, res.Body, tc.status, tc.code)
			}
		}
		// Missing columns are named.
		res := h.upload(ministry, "", []byte("کد ملی,نام,نام خانوادگی\n0084575948,علی,احمدی\n"), "x.csv")
		p := problemOf(t, res)
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		if got := strings.Join(fields, ","); got != "exam_province,score,rank,result,preferences" {
			t.Errorf("missing columns named %q", got)
		}
		// Over the size limit (1 MiB in the harness): 413 before reading on,
		// with a declared length and without one.
		big := examCSV(t, 12000)
		if len(big) <= 1<<20 {
			t.Fatalf("test file too small: %d", len(big))
		}
		if res := h.upload(ministry, "", big, "big.csv"); res.Code != 413 {
			t.Fatalf("big upload: %d %s", res.Code, res.Body)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "big.csv")
		fw.Write(big)
		mw.Close()
		req := httptest.NewRequest("POST", "/api/v1/exam-imports", io.MultiReader(&body)) // no Content-Length
		req.ContentLength = -1
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+ministry)
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, req)
		if rec.Code != 413 {
			t.Fatalf("chunked big upload: %d %s", rec.Code, rec.Body)
		}
		// Not multipart; no file; a bad year.
		if res := h.do("POST", "/api/v1/exam-imports", ministry, map[string]any{}); res.Code != 400 {
			t.Fatalf("json body: %d", res.Code)
		}
		if res := h.upload(ministry, "?exam_year=1200", examCSV(t, 1), "x.csv"); res.Code != 400 {
			t.Fatalf("bad year: %d %s", res.Code, res.Body)
		}
		// Office owners and inspectors may not import.
		for _, r := range []daftar.Role{daftar.RoleInspector, daftar.RoleOfficeOwner} {
			if res := h.upload(h.tokens[r], "", examCSV(t, 1), "x.csv"); res.Code != 403 {
				t.Fatalf("%s import: %d", r, res.Code)
			}
		}
		if n := decode[struct{ Total int }](t, h.do("GET", "/api/v1/exam-imports", ministry, nil)).Total; n != 0 {
			t.Fatalf("refused uploads created %d imports", n)
		}
	})
}

// truncatedXLSX is a real workbook cut in half, as an interrupted upload.
func truncatedXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i := 1; i <= 200; i++ {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{examCode(i), "نام", "نام خانوادگی", i})
	}
	var b bytes.Buffer
	f.Write(&b)
	return b.Bytes()[:b.Len()/2]
}

// TestExamImportConcurrentSameFile: identical uploads at once create one
// import; every caller gets its report.
func TestExamImportConcurrentSameFile(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		file := examCSV(t, 50)
		const n = 4
		codes := make([]int, n)
		ids := make([]int64, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res := h.upload(h.tokens[daftar.RoleMinistry], "", file, "same.csv")
				codes[i] = res.Code
				if res.Code < 300 {
					if r := decode[importJSON](t, res); r.ID != nil {
						ids[i] = *r.ID
					}
				}
			}(i)
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			switch c {
			case 201:
				created++
			case 200:
			default:
				t.Fatalf("upload %d: status %d", i, c)
			}
			if ids[i] != ids[0] || ids[i] == 0 {
				t.Fatalf("different imports: %v", ids)
			}
		}
		if created != 1 {
			t.Fatalf("%d uploads created an import, want 1 (%v)", created, codes)
		}
		if total := decode[struct{ Total int }](t, h.do("GET", "/api/v1/candidates", h.tokens[daftar.RoleMinistry], nil)).Total; total != 50 {
			t.Fatalf("%d candidates, want 50", total)
		}
	})
}

type candidateJSON struct {
	ID                 int64    `json:"id"`
	NationalCodeMasked string   `json:"national_code_masked"`
	NationalCode       *string  `json:"national_code"`
	FirstName          string   `json:"first_name"`
	LastName           string   `json:"last_name"`
	Score              float64  `json:"score"`
	Rank               *int64   `json:"rank"`
	Preferences        []string `json:"preferences"`
	State              string   `json:"state"`
	StateReason        string   `json:"state_reason"`
	Version            int64    `json:"version"`
	ExamProvince       string   `json:"exam_province"`
}

func TestCandidatesAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ministry, admin := h.tokens[daftar.RoleMinistry], h.tokens[daftar.RoleAdmin]
		if res := h.upload(ministry, "", examCSV(t, 3), "c.csv"); res.Code != 201 {
			t.Fatalf("import: %d %s", res.Code, res.Body)
		}
		res := h.do("GET", "/api/v1/candidates?state=passed&province=ISF&city=tehran&score_min=89.85&q=رضايي", ministry, nil)
		list := decode[struct {
			Items []candidateJSON
			Total int
		}](t, res)
		if res.Code != 200 || list.Total != 2 || list.Items[0].Score != 90 || list.Items[0].Preferences[1] != "tehran" ||
			list.Items[0].NationalCode != nil || list.Items[0].NationalCodeMasked != "******"+examCode(0)[6:] {
			t.Fatalf("list: %d %s", res.Code, res.Body)
		}
		if res := h.do("GET", "/api/v1/candidates?national_code="+examCode(2), ministry, nil); decode[struct{ Total int }](t, res).Total != 1 {
			t.Fatalf("lookup by national code: %s", res.Body)
		}
		if res := h.do("GET", "/api/v1/candidates?state=nonsense", ministry, nil); res.Code != 400 {
			t.Fatalf("bad filter: %d", res.Code)
		}
		c := list.Items[0]
		path := fmt.Sprintf("/api/v1/candidates/%d", c.ID)

		// Reveal: admins only.
		if res := h.do("GET", path+"?reveal=national_code", ministry, nil); res.Code != 403 {
			t.Fatalf("ministry reveal: %d", res.Code)
		}
		res = h.do("GET", path+"?reveal=national_code", admin, nil)
		if got := decode[candidateJSON](t, res); res.Code != 200 || got.NationalCode == nil || *got.NationalCode != examCode(0) {
			t.Fatalf("admin reveal: %d %s", res.Code, res.Body)
		}
		if ev := decode[struct{ Total int }](t, h.do("GET", fmt.Sprintf("/api/v1/audit-events?entity=candidate&entity_id=%d", c.ID), admin, nil)); ev.Total != 1 {
			t.Fatalf("reveal audited %d times", ev.Total)
		}
		if strings.Contains(h.logs.String(), examCode(0)) {
			t.Fatal("a national code reached the log")
		}

		// Transitions.
		steps := []struct {
			body    map[string]any
			ifMatch string
			status  int
			state   string
		}{
			{map[string]any{"state": "approved"}, "", 409, ""}, // passed → approved: skips a step
			{map[string]any{"state": "documents_submitted"}, `"1"`, 200, "documents_submitted"},
			{map[string]any{"state": "approved"}, `"1"`, 409, ""},             // stale version
			{map[string]any{"state": "rejected"}, `"2"`, 422, ""},             // a rejection needs a reason
			{map[string]any{"state": "allocated"}, `"2"`, 422, ""},            // not a review state
			{map[string]any{"state": "approved", "extra": 1}, `"2"`, 400, ""}, // unknown field
			{map[string]any{"state": "approved", "version": 2}, "", 200, "approved"},
			{map[string]any{"state": "rejected", "reason": "مدارک جعلی"}, "", 409, ""}, // approved is past review
		}
		for i, s := range steps {
			var hdr []string
			if s.ifMatch != "" {
				hdr = []string{"If-Match", s.ifMatch}
			}
			res := h.do("PATCH", path, ministry, s.body, hdr...)
			if res.Code != s.status {
				t.Fatalf("step %d %v: %d %s", i, s.body, res.Code, res.Body)
			}
			if s.state != "" {
				if got := decode[candidateJSON](t, res); got.State != s.state {
					t.Fatalf("step %d: state %s", i, got.State)
				}
			} else {
				problemOf(t, res)
			}
		}
		other := fmt.Sprintf("/api/v1/candidates/%d", list.Items[1].ID)
		res = h.do("PATCH", other, admin, map[string]any{"state": "rejected", "reason": "  عدم ارائهٔ مدارک  "})
		if got := decode[candidateJSON](t, res); res.Code != 200 || got.State != "rejected" || got.StateReason != daftar.NormalizeText("عدم ارائهٔ مدارک") {
			t.Fatalf("reject: %d %s", res.Code, res.Body)
		}
		if res := h.do("PATCH", other, admin, map[string]any{"state": "documents_submitted"}); res.Code != 409 {
			t.Fatalf("rejected → documents_submitted: %d", res.Code)
		}
		if res := h.do("PATCH", "/api/v1/candidates/999999", admin, map[string]any{"state": "approved"}); res.Code != 404 {
			t.Fatalf("unknown candidate: %d", res.Code)
		}
		if res := h.do("GET", path, h.tokens[daftar.RoleInspector], nil); res.Code != 403 {
			t.Fatalf("inspector: %d", res.Code)
		}
		events := decode[struct{ Total int }](t, h.do("GET", fmt.Sprintf("/api/v1/audit-events?entity=candidate&entity_id=%d", c.ID), admin, nil))
		if events.Total != 3 { // reveal, documents_submitted, approved
			t.Fatalf("%d audit events", events.Total)
		}
	})
}

// TestExamOpenAPI: every exam route is in the OpenAPI document.
func TestExamOpenAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		res := h.do("GET", "/openapi.json", "", nil)
		for _, p := range []string{"/api/v1/exam-imports", "/api/v1/exam-imports/{id}/rejections.xlsx", "/api/v1/candidates/{id}", "multipart/form-data"} {
			if !strings.Contains(res.Body.String(), p) {
				t.Errorf("openapi.json lacks %s", p)
			}
		}
	})
}
