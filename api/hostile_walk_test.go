package api_test

// Hostile tests kept from the first attack on the demo, as regressions:
// a walk of every route as an office owner after another office's data,
// mass assignment on every JSON body, formula injection in every export,
// zip bombs and oversize uploads.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/url"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/xuri/excelize/v2"
)

// TestHostileOwnerWalk (BOLA): every route of the table, as the owner of
// office A, with every path parameter and every office filter pointing at
// office B, which has visits, answers and an owner of its own. Nothing
// answers with B's data: its code, its names or its owner's account.
func TestHostileOwnerWalk(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, owner := h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleOfficeOwner]
		// Office B's data.
		for i, tok := range h.servedVisits(t, h.officeB, 3) {
			h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{"overall": 2, "courtesy": 2, "waiting": 2,
				"fees_clear": 2, "extra_fee": true, "recommend": 1, "comment": fmt.Sprintf("شکایت از دفتر مشهد %d", i)}})
		}
		if res := h.do("POST", "/api/v1/users", admin, map[string]any{"username": "mashhad-owner", "password": "owner-password-2", "role": "office_owner", "office_id": h.officeB}); res.Code != 201 {
			t.Fatalf("owner of B: %d %s", res.Code, res.Body)
		}
		secrets := []string{"KRZ-0001", "Office KRZ-0001", "دفتر KRZ-0001", "mashhad-owner", "شکایت از دفتر مشهد"}
		leaks := func(body string) string {
			for _, s := range secrets {
				if strings.Contains(body, s) {
					return s
				}
			}
			return ""
		}
		b := itoa(h.officeB)
		queries := []string{"", "?office_id=" + b, "?city=mashhad&province=KRZ", "?q=KRZ", "?ids=" + b + "&office=" + b}
		walked := 0
		for _, r := range h.srv.Routes() {
			if r.Public {
				continue // public data (the finder lists every active office by design)
			}
			path := strings.NewReplacer(":id", b, ":code", "mashhad", ":token", "x", ":action", "activate", ":file", "offices.csv").Replace(r.Path)
			for _, q := range queries {
				walked++
				var body any
				if r.Method != "GET" {
					body = map[string]any{"office_id": h.officeB}
				}
				var res interface{ String() string }
				code := 0
				if r.Page {
					rec := h.send(r.Method, path+q, owner, strings.NewReader(url.Values{"office_id": {b}}.Encode()), "Content-Type", formType, "Origin", "http://example.com")
					res, code = rec.Body, rec.Code
				} else {
					rec := h.do(r.Method, path+q, owner, body)
					res, code = rec.Body, rec.Code
				}
				if s := leaks(res.String()); s != "" {
					t.Errorf("%s %s%s as A's owner: %d holds %q", r.Method, path, q, code, s)
				}
				if strings.Contains(r.Path, "/offices/:id") && code < 300 {
					t.Errorf("%s %s%s as A's owner: %d", r.Method, path, q, code)
				}
			}
		}
		// The reports of every kind an owner may read, in both formats.
		for _, kind := range h.reports.Kinds() {
			for _, q := range queries {
				res := h.do("GET", "/api/v1/reports/"+kind+".csv"+q, owner, nil)
				if s := leaks(res.Body.String()); s != "" {
					t.Errorf("report %s%s as A's owner holds %q", kind, q, s)
				}
			}
		}
		if walked < 300 {
			t.Fatalf("walked only %d requests", walked)
		}
		// The owner of B sees B: the markers are real.
		if res := h.do("GET", "/api/v1/offices/"+b, h.login("mashhad-owner", "owner-password-2"), nil); res.Code != 200 || leaks(res.Body.String()) == "" {
			t.Fatalf("B's own owner: %d", res.Code)
		}
	})
}

// TestHostileMassAssignment: every JSON body of the API refuses a field it
// does not take, named; server-owned fields (ids, times, roles, versions)
// cannot be slipped into a request that does not take them. The bodies and
// their fields come from the OpenAPI document, so a new route is walked too.
func TestHostileMassAssignment(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		var doc struct {
			Paths      map[string]map[string]json.RawMessage
			Components struct{ Schemas map[string]json.RawMessage }
		}
		if err := json.Unmarshal(h.do("GET", "/openapi.json", "", nil).Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		props := func(schema json.RawMessage) map[string]bool {
			var s struct {
				Ref        string `json:"$ref"`
				Properties map[string]json.RawMessage
			}
			json.Unmarshal(schema, &s)
			if s.Ref != "" {
				json.Unmarshal(doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], &s)
			}
			out := map[string]bool{}
			for k := range s.Properties {
				out[k] = true
			}
			return out
		}
		serverOwned := []string{"id", "created_at", "updated_at", "created_by", "role", "office_id", "version", "status", "state",
			"password_hash", "is_admin", "user_id", "owner_id", "excluded", "token_hash", "audit", "__proto__"}
		walked := 0
		for path, ops := range doc.Paths {
			for method, raw := range ops {
				var op struct {
					RequestBody struct {
						Content map[string]struct{ Schema json.RawMessage }
					} `json:"requestBody"`
				}
				json.Unmarshal(raw, &op)
				js, ok := op.RequestBody.Content["application/json"]
				if !ok {
					continue
				}
				known := props(js.Schema)
				target := strings.NewReplacer("{id}", itoa(h.officeA), "{code}", "tehran", "{token}", "no-such-token-xx", "{action}", "activate",
					"{aid}", "1", "{cid}", "1").Replace(path)
				if strings.HasPrefix(path, "/api/v1/users/") {
					target = "/api/v1/users/" + itoa(h.users[daftar.RoleInspector])
				}
				for _, field := range append([]string{"__mass_assignment"}, serverOwned...) {
					if known[field] {
						continue
					}
					walked++
					// Each body from its own address, so that rate limits per
					// address (complaint filing) do not answer first.
					res := h.from(fmt.Sprintf("10.77.%d.%d", walked/250, walked%250), strings.ToUpper(method), target, admin, map[string]any{field: 1})
					if res.Code != 400 {
						t.Errorf("%s %s with %q: %d, want 400: %s", strings.ToUpper(method), path, field, res.Code, res.Body)
						continue
					}
					if p := problemOf(t, res); p.Code != "unknown_field" || !hasFieldError(p, field) {
						t.Errorf("%s %s with %q: %s %+v", strings.ToUpper(method), path, field, p.Code, p.Errors)
					}
				}
			}
		}
		if walked < 100 {
			t.Fatalf("walked only %d bodies", walked)
		}
	})
}

// TestHostileFormulaInjection: text that a spreadsheet would run as a
// formula, typed into every field that reaches an export, comes out of
// every kind and format as text.
func TestHostileFormulaInjection(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		payloads := []string{`=HYPERLINK("http://evil.example","x")`, "+98-cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"}
		// Offices: name, English name, owner, address.
		for i, p := range payloads {
			res := h.do("POST", "/api/v1/offices", admin, map[string]any{"code": fmt.Sprintf("THR-08%02d", i), "name": "دفتر " + p, "name_en": p + " office",
				"owner_name": p, "address": p + " street", "city": "tehran", "latitude": 35.72 + float64(i)*0.01, "longitude": 51.30, "counters": 2})
			if res.Code != 201 {
				t.Fatalf("office %q: %d %s", p, res.Code, res.Body)
			}
			// The names must start with the payload: patch them so.
			id := decode[struct{ ID int64 }](t, res).ID
			if res := h.do("PATCH", "/api/v1/offices/"+itoa(id), admin, map[string]any{"name": p + " دفتر"}); res.Code != 200 {
				t.Fatalf("rename %q: %d %s", p, res.Code, res.Body)
			}
		}
		// Candidates: names from an exam file.
		rows := [][]string{}
		for i, p := range payloads {
			rows = append(rows, []string{examCode(500 + i), p, p, "زن", "1368/11/02", "اصفهان", "80", fmt.Sprint(100 + i), "قبول", "اصفهان", ""})
		}
		imp := h.upload(h.tokens[daftar.RoleMinistry], "", examCSV(t, 1, rows...), "f.csv")
		if imp.Code != 201 {
			t.Fatalf("import: %d %s", imp.Code, imp.Body)
		}
		// The exam names refuse such text; the refused rows come back in a
		// spreadsheet of their own, an export too.
		exports := map[string]string{"rejections": "/api/v1/exam-imports/1/rejections.xlsx"}
		dangerous := func(s string) bool { return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) }
		for _, kind := range h.reports.Kinds() {
			exports[kind] = "/api/v1/reports/" + kind + ".xlsx"
			res := h.do("GET", "/api/v1/reports/"+kind+".csv", admin, nil)
			if res.Code != 200 {
				t.Fatalf("%s.csv: %d", kind, res.Code)
			}
			records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body.String(), "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatalf("%s.csv: %v", kind, err)
			}
			for _, rec := range records {
				for _, cell := range rec {
					if dangerous(cell) && !isNumber(cell) {
						t.Errorf("%s.csv: a cell a spreadsheet would run: %q", kind, cell)
					}
				}
			}
		}
		texts := 0
		for kind, path := range exports {
			res := h.do("GET", path, admin, nil)
			f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
			if err != nil {
				t.Fatalf("%s.xlsx: %d %v", kind, res.Code, err)
			}
			for _, sheet := range f.GetSheetList() {
				xrows, _ := f.GetRows(sheet)
				for r, row := range xrows {
					for c := range row {
						cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
						if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
							t.Errorf("%s.xlsx %s: a formula %q", kind, cell, formula)
						}
						// A cell written as text is never run, whatever it starts with.
						if v := row[c]; dangerous(v) && !isNumber(v) {
							if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
								t.Errorf("%s.xlsx %s: %q is not a text cell (%v)", kind, cell, v, typ)
							}
							texts++
						}
					}
				}
			}
			f.Close()
		}
		if texts < 3*len(payloads) {
			t.Fatalf("only %d cells of the spreadsheets held a payload", texts)
		}
		// The payloads did reach the exports (defused, not dropped).
		if body := h.do("GET", "/api/v1/reports/offices.csv", admin, nil).Body.String(); !strings.Contains(body, `'=HYPERLINK(`) {
			t.Fatal("the offices export lost the payload")
		}
	})
}

func isNumber(s string) bool {
	_, err := fmt.Sscanf(s, "%g", new(float64))
	return err == nil && !strings.ContainsAny(s, " +=@|!(")
}

// xlsxBomb is a workbook whose sheet inflates to size bytes from a few
// hundred KB (one unit compressed, then the block that says "the same
// again" repeated).
func xlsxBomb(t *testing.T, size int) []byte {
	t.Helper()
	unit := bytes.Repeat([]byte(`<row><c t="n"><v>1</v></c></row>`), 32768) // 1 MiB
	compress := func(n int) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		for i := 0; i < n; i++ {
			w.Write(unit)
			w.Flush()
		}
		return b.Bytes()
	}
	one, two, three := compress(1), compress(2), compress(3)
	again := two[len(one):]
	if !bytes.Equal(again, three[len(two):]) {
		t.Fatal("compress/flate no longer repeats its blocks: build the bomb another way")
	}
	var stream bytes.Buffer
	stream.Write(one)
	crc := crc32.Update(0, crc32.IEEETable, unit)
	n := len(unit)
	for n+len(unit) <= size {
		stream.Write(again)
		crc = crc32.Update(crc, crc32.IEEETable, unit)
		n += len(unit)
	}
	stream.Write([]byte{0x03, 0x00})
	base := excelize.NewFile()
	base.SetSheetRow("Sheet1", "A1", &[]any{"a"})
	var bb bytes.Buffer
	base.Write(&bb)
	zr, err := zip.NewReader(bytes.NewReader(bb.Bytes()), int64(bb.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			w, _ := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc, CompressedSize64: uint64(stream.Len()), UncompressedSize64: uint64(n)})
			w.Write(stream.Bytes())
			continue
		}
		zw.Copy(f)
	}
	zw.Close()
	return out.Bytes()
}

// TestHostileUploads: a zip bomb is refused without being inflated, and an
// upload over the limit is refused as soon as it passes it, declared or
// streamed; neither leaves an import behind.
func TestHostileUploads(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		// Uploads up to 4 MiB, so that a 1 GiB bomb gets in; the workbook
		// limits are the production defaults.
		h := newHarnessWith(t, d, func(c *api.Config) { c.UploadMaxBytes = 4 << 20 })
		ministry := h.tokens[daftar.RoleMinistry]
		bomb := xlsxBomb(t, 1<<30)
		if len(bomb) > 4<<20 {
			t.Fatalf("the bomb is %d bytes, over the upload limit", len(bomb))
		}
		res := h.upload(ministry, "", bomb, "bomb.xlsx")
		if res.Code != 422 && res.Code != 413 {
			t.Fatalf("zip bomb: %d %s", res.Code, res.Body)
		}
		problemOf(t, res)
		// 6 MiB against a 4 MiB limit.
		big := bytes.Repeat([]byte("0084575948,علی,احمدی\n"), 6<<20/24)
		if res := h.upload(ministry, "", big, "big.csv"); res.Code != 413 {
			t.Fatalf("oversize upload: %d", res.Code)
		}
		if res := h.do("POST", "/api/v1/offices", h.tokens[daftar.RoleAdmin], strings.Repeat(" ", 70<<10)+"{}"); res.Code != 413 {
			t.Fatalf("oversize JSON: %d", res.Code)
		}
		if n := decode[struct{ Total int }](t, h.do("GET", "/api/v1/exam-imports", ministry, nil)).Total; n != 0 {
			t.Fatalf("refused uploads left %d imports", n)
		}
	})
}
