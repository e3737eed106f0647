package licensing

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
)

// checkRow holds what must be true of any row the parser accepts or refuses.
func checkRow(t *testing.T, p *rowParser, c candidateRow, cells []string) {
	t.Helper()
	for _, j := range p.rejs {
		if j.ReasonFa == "" || j.ReasonEn == "" || j.Code == "" || j.Column == "" || !utf8.ValidString(j.Value) {
			t.Fatalf("incomplete rejection %+v", j)
		}
		if j.Column == "national_code" && (len(j.Value) != 10 || !strings.HasPrefix(j.Value, "******")) {
			t.Fatalf("national code not masked: %q", j.Value)
		}
	}
	if len(p.rejs) > 0 {
		return
	}
	if !daftar.ValidNationalCode(c.code) || len(c.hash) != 64 || c.masked != "******"+c.code[6:] {
		t.Fatalf("accepted a bad national code: %+v from %q", c, cells)
	}
	if c.firstName == "" || c.lastName == "" || strings.ContainsAny(c.firstName+c.lastName, "0123456789") {
		t.Fatalf("accepted bad names: %+v", c)
	}
	if c.firstName != daftar.NormalizeText(c.firstName) {
		t.Fatalf("name not normalised: %q", c.firstName)
	}
	if c.score < 0 || c.score > 100 {
		t.Fatalf("score %v", c.score)
	}
	if _, ok := p.gaz.Get(c.province); !ok {
		t.Fatalf("province %q", c.province)
	}
	var prefs []string
	if err := json.Unmarshal([]byte(c.preferences), &prefs); err != nil {
		t.Fatalf("preferences %q: %v", c.preferences, err)
	}
	seen := map[string]bool{}
	for _, code := range prefs {
		if r, ok := p.gaz.Get(code); !ok || r.Level != "city" || seen[code] {
			t.Fatalf("preference %q in %q", code, c.preferences)
		}
		seen[code] = true
	}
	switch c.result {
	case ResultPassed:
		if c.rank < 1 || len(prefs) == 0 {
			t.Fatalf("passed without rank or preferences: %+v", c)
		}
	case ResultNotPassed:
	default:
		t.Fatalf("result %q", c.result)
	}
	if c.birthDate != "" {
		if d, err := daftar.ParseJalaliDate(c.birthDate); err != nil || d.String() != c.birthDate {
			t.Fatalf("birth date %q", c.birthDate)
		}
	}
	if c.gender != "" && c.gender != "male" && c.gender != "female" {
		t.Fatalf("gender %q", c.gender)
	}
}

func FuzzParseRow(f *testing.F) {
	gaz := sqliteGazetteer(f)
	for _, r := range [][]string{
		goodRow(1),
		row("۰۰۸۴۵۷۵۹۴۸", "علي", "كريمي", "خانم", "۱۳۷۵/۱۲/۳۰", "Esfahan", "۸۷٫۵", "1,234", "Passed", "۱- تهران؛ ۲- Karaj"),
		row("1.234567891E+09", "", "x", "?", "1376/12/30", "فارس", "100.001", "0", "مردود", "فارس، گاتهام"),
		row("12345678", "a\u200c\u200cb", "-", "m", "35000", "KRZ", "1e2", "12.0", "not passed", ";;"),
	} {
		f.Add(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
	}
	p := parserFor(f, gaz, stdHeader)
	f.Fuzz(func(t *testing.T, code, first, last, gender, birth, province, score, rank, result, prefs string) {
		cells := []string{code, first, last, gender, birth, province, score, rank, result, prefs}
		p.rejs = p.rejs[:0]
		c, key, codeOK := p.parse(2, cells)
		if codeOK != (c.code != "") || (codeOK && key == 0 && c.code != "0000000000") {
			t.Fatalf("code key %d %v for %q", key, codeOK, c.code)
		}
		checkRow(t, p, c, cells)
		// The same cells again (through the caches) decide the same.
		n := len(p.rejs)
		first1 := p.rejs
		p.rejs = nil
		c2, _, _ := p.parse(2, cells)
		if len(p.rejs) != n || !reflect.DeepEqual(c2, c) {
			t.Fatalf("second parse differs: %+v %+v / %+v %+v", c, first1, c2, p.rejs)
		}
	})
}

// FuzzNationalCodeCell: a national-code cell is accepted exactly when the
// shared rule normalises and validates it, and what is stored opens again.
func FuzzNationalCodeCell(f *testing.F) {
	gaz := sqliteGazetteer(f)
	for _, s := range []string{"0084575948", "۰۰۸۴۵۷۵۹۴۸", "84575948", "84575948.0", "1.234567891E+09", "1.23457E+09",
		"1111111111", "008-457594-8", "", "0084575949", "\u200f0084575948", "٠٠٨٤٥٧٥٩٤٨"} {
		f.Add(s)
	}
	p := parserFor(f, gaz, stdHeader)
	codes := testCodes(f)
	f.Fuzz(func(t *testing.T, cell string) {
		r := goodRow(1)
		r[0] = cell
		p.rejs = p.rejs[:0]
		c, _, ok := p.parse(2, r)
		norm, err := daftar.NormalizeNationalCode(trimCell(cell))
		want := err == nil && daftar.ValidNationalCode(norm) && len(cell) <= maxCellBytes
		if ok != want {
			t.Fatalf("cell %q accepted=%v, rule says %v (%q, %v)", cell, ok, want, norm, err)
		}
		if !ok {
			if len(p.rejs) == 0 || p.rejs[0].Column != "national_code" {
				t.Fatalf("cell %q refused without a national-code rejection: %+v", cell, p.rejs)
			}
			return
		}
		if c.code != norm || c.hash != codes.Hash(norm) {
			t.Fatalf("cell %q: code %q hash %q", cell, c.code, c.hash)
		}
		h, enc, err := codes.Seal(c.code)
		if err != nil || h != c.hash {
			t.Fatal(err)
		}
		back, err := codes.Open(enc, h)
		if err != nil || back != c.code {
			t.Fatalf("round trip %q → %q %v", c.code, back, err)
		}
	})
}

// FuzzExamCSV feeds whole files through sniffing, decoding, the header and
// every row (as a dry run without a database): nothing may panic, and every
// row is accounted for.
func FuzzExamCSV(f *testing.F) {
	gaz := sqliteGazetteer(f)
	f.Add(fileOf(f, goodRow(1), goodRow(2), goodRow(1)))
	f.Add(append([]byte("\xEF\xBB\xBF"), fileOf(f, goodRow(3))...))
	f.Add(utf16Bytes(string(fileOf(f, goodRow(4))), false, true))
	f.Add([]byte("title\n\nnational_code;first_name;last_name;exam_province;score;rank;result;preferences\n0084575948;a;b;THR;1;1;passed;tehran\n"))
	f.Add([]byte("\"unterminated,\"quote\nکد ملی,نام\n"))
	f.Add([]byte{0xFF, 0xFE, 0x41, 0x00})
	ex := &Exams{gaz: gaz, codes: testCodes(f), cfg: ExamConfig{MaxRows: 1000}.withDefaults()}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := ImportInput{ExamYear: 1405, DryRun: true}
		in.Content, in.Size = BytesInput(b)
		ctx := context.Background()
		c, err := scanContent(ctx, in.Content, in.Size)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ex.openRun(ctx, in, c)
		if err != nil {
			if !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Fatalf("open: %v", err)
			}
			return
		}
		defer r.close()
		r.existing = map[string]int64{}
		n := 0
		err = r.stream(ctx, func(cr *candidateRow) error {
			n++
			if cr.row <= r.headerRow {
				t.Fatalf("row %d at or above the header %d", cr.row, r.headerRow)
			}
			return nil
		})
		if err != nil {
			if !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Fatalf("stream: %v", err)
			}
			return
		}
		r.settleDuplicates()
		if r.accepted > n {
			t.Fatalf("accepted %d of %d emitted", r.accepted, n)
		}
		if r.accepted < 0 || r.accepted > r.rows {
			t.Fatalf("accepted %d of %d rows", r.accepted, r.rows)
		}
		refusedRows := map[int]bool{}
		for _, j := range r.rejs {
			if j.Row <= r.headerRow {
				t.Fatalf("rejection of row %d, header on %d", j.Row, r.headerRow)
			}
			refusedRows[j.Row] = true
		}
		if len(refusedRows) != r.rows-r.accepted {
			t.Fatalf("%d rows refused with reasons, %d rows - %d accepted", len(refusedRows), r.rows, r.accepted)
		}
	})
}
