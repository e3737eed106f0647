package licensing

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/daftar-ir/daftar"
	"golang.org/x/text/encoding/charmap"
)

func TestMapHeader(t *testing.T) {
	cases := []struct {
		name    string
		header  []string
		known   int
		errCode string   // "" when usable
		fields  []string // field errors expected
		ignored []string
		index   map[field]int
	}{
		{name: "persian", header: stdHeader, known: 10, index: map[field]int{fNationalCode: 0, fPreferences: 9}},
		{name: "english any order", header: []string{"Preferences", "RESULT", "rank", "Score", "exam_province", "last_name", "First Name", "national code"},
			known: 8, index: map[field]int{fPreferences: 0, fNationalCode: 7, fFirstName: 6}},
		{name: "arabic letters zwnj spacing", header: []string{"كد ملي", "نام", "نام\u200cخانوادگي", "استان", "نمره", "رتبه", "نتيجه", "اولويت ها"}, known: 8},
		{name: "extra columns ignored", header: append(append([]string{}, stdHeader...), "ملاحظات", "", "شماره پرونده"), known: 10,
			ignored: []string{"ملاحظات", "شماره پرونده"}},
		{name: "canonical beats alias", header: []string{"کد ملی", "نام", "نام خانوادگی", "استان", "استان محل آزمون", "نمره تراز", "رتبه", "نتیجه", "اولویت‌ها"},
			known: 8, ignored: []string{"استان"}, index: map[field]int{fExamProvince: 4}},
		{name: "missing", header: []string{"کد ملی", "نام", "نام خانوادگی"}, known: 3, errCode: "bad_header",
			fields: []string{"exam_province", "score", "rank", "result", "preferences"}},
		{name: "duplicate", header: append(append([]string{}, stdHeader...), "national_code"), known: 10, errCode: "bad_header",
			fields: []string{"national_code"}},
		{name: "nothing known", header: []string{"a", "b"}, known: 0, errCode: "bad_header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, known, err := mapHeader(tc.header)
			if known != tc.known {
				t.Errorf("known %d, want %d", known, tc.known)
			}
			if tc.errCode == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
			} else {
				de, ok := daftar.AsError(err)
				if !ok || de.Code != tc.errCode || de.Kind != daftar.KindUnprocessable {
					t.Fatalf("error %v, want %s", err, tc.errCode)
				}
				if tc.fields != nil {
					var got []string
					for _, f := range de.Fields {
						got = append(got, f.Field)
					}
					if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
						t.Errorf("fields %v, want %v", got, tc.fields)
					}
				}
			}
			if tc.ignored != nil && strings.Join(m.ignored, "|") != strings.Join(tc.ignored, "|") {
				t.Errorf("ignored %q, want %q", m.ignored, tc.ignored)
			}
			for f, i := range tc.index {
				if m.index[f] != i {
					t.Errorf("%s at %d, want %d", f, m.index[f], i)
				}
			}
		})
	}
	if columnLetter(0) != "A" || columnLetter(25) != "Z" || columnLetter(26) != "AA" || columnLetter(701) != "ZZ" {
		t.Error("columnLetter")
	}
}

func utf16Bytes(s string, big, bom bool) []byte {
	var b bytes.Buffer
	order := binary.ByteOrder(binary.LittleEndian)
	if big {
		order = binary.BigEndian
	}
	if bom {
		binary.Write(&b, order, uint16(0xFEFF))
	}
	for _, u := range utf16.Encode([]rune(s)) {
		binary.Write(&b, order, u)
	}
	return b.Bytes()
}

func readAll(t testing.TB, b []byte) (string, [][]string) {
	t.Helper()
	c, err := scanContent(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if f, err := sniff(c.head); err != nil || f != FormatCSV {
		t.Fatalf("sniff: %v %v", f, err)
	}
	enc := detectEncoding(c)
	src, err := OpenCSV(bytes.NewReader(b), enc)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for src.Next() {
		rows = append(rows, append([]string(nil), src.Row()...))
	}
	if err := src.Err(); err != nil {
		t.Fatal(err)
	}
	return enc, rows
}

// TestCSVEncodings: the same sheet in every encoding Excel writes reads the
// same.
func TestCSVEncodings(t *testing.T) {
	text := "کد ملی,نام,نمره\r\n0084575948,علی‌رضا,۸۵\r\n"
	// Windows-1256 has no Persian digits and no Persian yeh: old Excel
	// writes ASCII digits and the Arabic yeh.
	win, err := charmap.Windows1256.NewEncoder().String(strings.NewReplacer("۸۵", "85", "ی", "ي").Replace(text))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		b    []byte
		enc  string
	}{
		{"utf-8", []byte(text), EncodingUTF8},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), text...), EncodingUTF8BOM},
		{"utf-16le bom", utf16Bytes(text, false, true), EncodingUTF16LE},
		{"utf-16be bom", utf16Bytes(text, true, true), EncodingUTF16BE},
		{"utf-16le no bom", utf16Bytes(text, false, false), EncodingUTF16LE},
		{"windows-1256", []byte(win), EncodingWindows1256},
		{"semicolons", []byte(strings.ReplaceAll(text, ",", ";")), EncodingUTF8},
		{"tabs (Excel unicode text)", utf16Bytes(strings.ReplaceAll(text, ",", "\t"), false, true), EncodingUTF16LE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			enc, rows := readAll(t, tc.b)
			if enc != tc.enc {
				t.Errorf("encoding %s, want %s", enc, tc.enc)
			}
			if len(rows) != 2 || len(rows[0]) != 3 || daftar.NormalizeText(rows[0][0]) != "کد ملی" || daftar.NormalizeText(rows[1][1]) != "علی‌رضا" ||
				daftar.NormalizeDigits(rows[1][2]) != "85" {
				t.Fatalf("rows %q", rows)
			}
		})
	}
}

func TestScanContentUTF8AcrossChunks(t *testing.T) {
	// A long file whose multi-byte letters straddle the 256 KiB chunks.
	b := []byte(strings.Repeat("a,ب\n", 200_000))
	c, err := scanContent(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil || !c.validUTF8 {
		t.Fatalf("valid UTF-8 reported invalid: %v", err)
	}
	b[len(b)-3] = 0xFF
	c, _ = scanContent(context.Background(), bytes.NewReader(b), int64(len(b)))
	if c.validUTF8 {
		t.Fatal("invalid UTF-8 reported valid")
	}
	// A cut rune at the very end.
	b = append([]byte("a,b\n"), 0xD8)
	if c, _ = scanContent(context.Background(), bytes.NewReader(b), int64(len(b))); c.validUTF8 {
		t.Fatal("a rune cut at the end reported valid")
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		head   string
		format Format
		code   string
	}{
		{"PK\x03\x04rest", FormatXLSX, ""},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "", "xls_not_supported"},
		{"%PDF-1.7", "", "not_a_spreadsheet"},
		{"\x89PNG\r\n", "", "not_a_spreadsheet"},
		{"\xFF\xD8\xFF\xE0", "", "not_a_spreadsheet"},
		{"\x1F\x8B\x08", "", "not_a_spreadsheet"},
		{"  <html><body>", "", "not_a_spreadsheet"},
		{"<table><tr>", "", "not_a_spreadsheet"},
		{"", "", "empty_file"},
		{"a,b,c", FormatCSV, ""},
	}
	for _, tc := range cases {
		f, err := sniff([]byte(tc.head))
		if tc.code == "" {
			if err != nil || f != tc.format {
				t.Errorf("sniff(%q) = %v, %v", tc.head, f, err)
			}
			continue
		}
		if de, ok := daftar.AsError(err); !ok || de.Code != tc.code || de.Kind != daftar.KindUnprocessable {
			t.Errorf("sniff(%q) = %v, want %s", tc.head, err, tc.code)
		}
	}
}

func TestCSVBinaryRefused(t *testing.T) {
	for _, b := range [][]byte{
		bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8}, 50),
		append([]byte("a,b\n"), 0, 0, 0, 'x'),
	} {
		_, err := OpenCSV(bytes.NewReader(b), EncodingUTF8)
		if de, ok := daftar.AsError(err); !ok || de.Code != "not_a_spreadsheet" {
			t.Errorf("%q: %v", b[:8], err)
		}
	}
}
