package daftar

import (
	"strconv"
	"strings"
	"testing"
)

func TestNormalizeNationalCode(t *testing.T) {
	ok := []struct{ in, want string }{
		{"0084575948", "0084575948"},
		{"۰۰۸۴۵۷۵۹۴۸", "0084575948"},
		{"٠٠٨٤٥٧٥٩٤٨", "0084575948"},
		{" 0084575948 ", "0084575948"},
		{"\u200f۰۰۸۴۵۷۵۹۴۸\u200e", "0084575948"},
		{"008-457594-8", "0084575948"},
		{"008 457 5948", "0084575948"},
		{"008\u00a0457\u00a05948", "0084575948"},
		{"008‐457‐5948", "0084575948"}, // U+2010 hyphen
		{"008–457–5948", "0084575948"}, // en dash
		{"12345678", "0012345678"},     // Excel dropped two zeros
		{"123456789", "0123456789"},    // Excel dropped one zero
		{"84575948", "0084575948"},
		{"84575948.0", "0084575948"},
		{"84575948.00", "0084575948"},
		{"12345678.0", "0012345678"},
		{"0084575948.0", "0084575948"},
		{"۸۴۵۷۵۹۴۸٫۰", "0084575948"},
		{"1.234567891E9", "1234567891"},
		{"1.234567891E+09", "1234567891"},
		{"1.234567891e+09", "1234567891"},
		{"1.234567891e9", "1234567891"},
		{"8.4575948E7", "0084575948"},
		{"8.4575948E+07", "0084575948"},
		{"1.23456789E8", "0123456789"},
		{"1.23456789E9", "1234567890"},   // one zero restored by the exponent
		{"1.2345678E9", "1234567800"},    // two zeros: still plausible
		{"12345678900E-1", "1234567890"}, // negative exponent, still an integer
		{"1234567891.000", "1234567891"},
		{"0.084575948E9", "0084575948"},
		{" 1.234567891E+09\u00a0", "1234567891"},
		{"1111111111", "1111111111"}, // well-formed, though not a valid code
	}
	for _, tt := range ok {
		got, err := NormalizeNationalCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeNationalCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "-", "1234567", "1234", "0", "12345678901", "001234567890", "00012345678",
		"0084575948x", "abcdefghij", "00845759.48", "84575948.5", "84575948.", ".84575948",
		"1.23457E+09",  // Excel's General format lost four digits
		"1.234567E+09", // three digits would be made up
		"1E9", "1E+9", "1.2E", "1.2E+", "E9", "1.2E9E2", "1.2E99999",
		"1.234567891E-9", "1.2345678912E9", "-1.234567891E9", "+0084575948", "0084575948+",
		"1,234,567,891", "1.234.567.891", "0084575948\x00", "۰۰۸۴۵۷۵۹۴۸ک", "\xff\xfe", "٫", "..", "0.0",
	}
	for _, in := range bad {
		got, err := NormalizeNationalCode(in)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_national_code" || de.Message == "" {
			t.Errorf("NormalizeNationalCode(%q) = %q, %v; want invalid_national_code", in, got, err)
		}
	}
}

func TestValidNationalCode(t *testing.T) {
	valid := []string{"0084575948", "0499370899", "0790419904", "0013542419", "0067749828"}
	for _, first9 := range []string{"123456789", "001234567", "999999998", "100000000", "000000001", "000000006"} {
		valid = append(valid, first9+strconv.Itoa(mustCheck(t, first9)))
	}
	for _, c := range valid {
		if !ValidNationalCode(c) {
			t.Errorf("ValidNationalCode(%q) = false", c)
		}
	}
	invalid := []string{
		"0084575949", "0084575947", "0012345678", "1234567890",
		"0000000000", "1111111111", "2222222222", "3333333333", "4444444444", "5555555555",
		"6666666666", "7777777777", "8888888888", "9999999999",
		"", "008457594", "00845759480", "۰۰۸۴۵۷۵۹۴۸", "008457594a", " 0084575948", "0084575948 ",
		"008-457594", "84575948", "+084575948", "-084575948",
	}
	for _, c := range invalid {
		if ValidNationalCode(c) {
			t.Errorf("ValidNationalCode(%q) = true", c)
		}
	}
	// Repeated-digit codes pass the check digit: the rule against them is
	// what refuses them.
	if c, _ := NationalCodeCheckDigit("111111111"); c != 1 {
		t.Errorf("check digit of 111111111 = %d, want 1", c)
	}
}

func mustCheck(t *testing.T, first9 string) int {
	t.Helper()
	c, err := NationalCodeCheckDigit(first9)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNationalCodeCheckDigit(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"008457594", 8}, // s = 212, r = 3: 11 - 3
		{"049937089", 9}, // r = 2: 11 - 2
		{"001234567", 9}, // s = 112, r = 2
		{"000000001", 9}, // s = 2, r = 2
		{"000000000", 0}, // r = 0: check digit = r
		{"000000006", 1}, // s = 12, r = 1: check digit = r
		{"123456789", 1}, // r = 1
		{"100000000", 1}, // s = 10, r = 10: 11 - 10
		{"000000011", 6}, // s = 5, r = 5
	}
	for _, tt := range tests {
		if got := mustCheck(t, tt.in); got != tt.want {
			t.Errorf("NationalCodeCheckDigit(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	// Every remainder, including r = 0 and r = 1 (check digit = r).
	for first := 0; first < 200000; first += 37 {
		first9 := strings.Repeat("0", 3) + pad(first, 6)
		c := mustCheck(t, first9)
		if c < 0 || c > 9 {
			t.Fatalf("check digit of %s = %d", first9, c)
		}
		code := first9 + strconv.Itoa(c)
		if strings.Count(code, code[:1]) != 10 && !ValidNationalCode(code) {
			t.Fatalf("%s with its own check digit is not valid", code)
		}
		if ValidNationalCode(first9 + strconv.Itoa((c+1)%10)) {
			t.Fatalf("%s with a wrong check digit is valid", first9)
		}
	}
	for _, in := range []string{"", "12345678", "1234567890", "۱۲۳۴۵۶۷۸۹", "12345678a", " 12345678", "-12345678"} {
		if _, err := NationalCodeCheckDigit(in); !IsKind(err, KindInvalid) {
			t.Errorf("NationalCodeCheckDigit(%q) error = %v", in, err)
		}
	}
}

func TestMaskNationalCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0084575948", "******5948"},
		{"۰۰۸۴۵۷۵۹۴۸", "******5948"},
		{"12345678", "******5678"},
		{"1.234567891E+09", "******7891"},
		{"", "**********"},
		{"12345", "**********"},
		{"not a code", "**********"},
		{"00845759481234", "**********"},
	}
	for _, tt := range tests {
		got := MaskNationalCode(tt.in)
		if got != tt.want {
			t.Errorf("MaskNationalCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(got) != 10 {
			t.Errorf("MaskNationalCode(%q) has length %d", tt.in, len(got))
		}
	}
}

// refValidNationalCode is the rule written out as plainly as possible.
func refValidNationalCode(code string) bool {
	if len(code) != 10 {
		return false
	}
	var d [10]int
	for i := 0; i < 10; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
		d[i] = int(code[i] - '0')
	}
	same := true
	for i := 1; i < 10; i++ {
		if d[i] != d[0] {
			same = false
		}
	}
	if same {
		return false
	}
	s := 0
	for i := 0; i <= 8; i++ {
		s += d[i] * (10 - i)
	}
	r := s % 11
	return (r < 2 && d[9] == r) || (r >= 2 && d[9] == 11-r)
}

func FuzzNationalCode(f *testing.F) {
	for _, s := range []string{
		"0084575948", "12345678", "۰۰۸۴۵۷۵۹۴۸", "1.234567891E9", "12345678.0", "1111111111", "008-457-5948",
		"1.23457E+09", "", "1e999", "0.0E0", "12345678900E-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidNationalCode(s), refValidNationalCode(s); got != want {
			t.Fatalf("ValidNationalCode(%q) = %v, reference says %v", s, got, want)
		}
		n, err := NormalizeNationalCode(s)
		mask := MaskNationalCode(s)
		if len(mask) != 10 || !strings.HasPrefix(mask, "******") {
			t.Fatalf("MaskNationalCode(%q) = %q", s, mask)
		}
		if err != nil {
			if !IsKind(err, KindInvalid) {
				t.Fatalf("NormalizeNationalCode(%q) error %v is not invalid", s, err)
			}
			if mask != "**********" {
				t.Fatalf("MaskNationalCode(%q) = %q for malformed input", s, mask)
			}
			return
		}
		if len(n) != 10 || !allASCIIDigits(n) {
			t.Fatalf("NormalizeNationalCode(%q) = %q", s, n)
		}
		if again, err := NormalizeNationalCode(n); err != nil || again != n {
			t.Fatalf("NormalizeNationalCode(%q) = %q, %v: not idempotent", n, again, err)
		}
		if got, want := ValidNationalCode(n), refValidNationalCode(n); got != want {
			t.Fatalf("ValidNationalCode(%q) = %v, reference says %v", n, got, want)
		}
		if mask != "******"+n[6:] {
			t.Fatalf("MaskNationalCode(%q) = %q, code %q", s, mask, n)
		}
		if c, err := NationalCodeCheckDigit(n[:9]); err != nil || (refValidNationalCode(n) && c != int(n[9]-'0')) {
			t.Fatalf("NationalCodeCheckDigit(%q) = %d, %v", n[:9], c, err)
		}
	})
}
