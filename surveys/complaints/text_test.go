package complaints

import (
	"testing"
	"unicode/utf8"
)

func TestMaskIdentifiers(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"national code ascii", "کد ملی من 0012345679 است", "کد ملی من ******5679 است"},
		{"national code persian digits", "کد ملی: ۰۰۸۴۵۷۵۹۴۸", "کد ملی: ******۵۹۴۸"},
		{"national code arabic-indic digits", "رقم ٠٠٨٤٥٧٥٩٤٨.", "رقم ******٥٩٤٨."},
		{"glued to a word", "کدملی۰۰۸۴۵۷۵۹۴۸", "کدملی******۵۹۴۸"},
		{"grouped with dashes", "code 008-457594-8 here", "code ******5948 here"},
		{"grouped with spaces", "۰۰۸ ۴۵۷ ۵۹۴۸", "******۵۹۴۸"},
		{"invalid check digit still masked", "1234567890", "******7890"},
		{"mobile", "شماره ام 09121234567", "شماره ام *******4567"},
		{"mobile grouped", "0912 123 4567", "*******4567"},
		{"mobile with country code", "+98 912 123 4567", "********4567"},
		{"mobile persian digits", "۰۹۱۲۱۲۳۴۵۶۷", "*******۴۵۶۷"},
		{"code next to another number", "کد 0012345679 سال 1405", "کد ******5679 سال 1405"},
		{"amount stays", "مبلغ 250,000 ریال و 1500000 ریال", "مبلغ 250,000 ریال و 1500000 ریال"},
		{"date stays", "روز 1405/03/09 ساعت 10:30", "روز 1405/03/09 ساعت 10:30"},
		{"eleven digits not a mobile stay", "12345678901", "12345678901"},
		{"nine digits stay", "123456789", "123456789"},
		{"two codes", "0012345679 و 0084575948", "******5679 و ******5948"},
		{"no digits", "بدون عدد", "بدون عدد"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MaskIdentifiers(c.in); got != c.want {
				t.Fatalf("MaskIdentifiers(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"arabic letters", "كارمند علي", "کارمند علی"},
		{"trims", "  \n متن \n ", "متن"},
		{"keeps one blank line", "یک\n\n\n\nدو", "یک\n\nدو"},
		{"crlf", "یک\r\nدو", "یک\nدو"},
		{"drops bidi override", "a\u202Eb\u200Fc", "abc"},
		{"keeps zwnj", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"drops control", "a\x00b\x07c", "abc"},
		{"tabs and nbsp are spaces", "a\tb\u00A0c", "a b c"},
		{"trailing spaces on a line", "یک   \nدو", "یک\nدو"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"digits as typed", "۱۲۳ 456", "۱۲۳ 456"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cleanText(c.in); got != c.want {
				t.Fatalf("cleanText(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestNormalizeMobile(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"09121234567", "09121234567", true},
		{"۰۹۱۲۱۲۳۴۵۶۷", "09121234567", true},
		{"٠٩١٢١٢٣٤٥٦٧", "09121234567", true},
		{"+98 912 123 4567", "09121234567", true},
		{"0098-912-123-4567", "09121234567", true},
		{"989121234567", "09121234567", true},
		{"9121234567", "09121234567", true},
		{"(0912) 123 4567", "09121234567", true},
		{"02188776655", "", false},
		{"0912123456", "", false},
		{"091212345678", "", false},
		{"0912abc4567", "", false},
		{"1+09121234567", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizeMobile(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizeMobile(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzMaskIdentifiers: masking never panics, keeps valid text valid, never
// lengthens it, and leaves no ten-digit run of ASCII digits behind.
func FuzzMaskIdentifiers(f *testing.F) {
	for _, s := range []string{"0012345679", "۰۹۱۲ ۱۲۳ ۴۵۶۷", "+98 912 123 4567", "a-1-2-3", "12 34 56 78 90 12", "\u200c1\u200c2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskIdentifiers(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid output for %q", s)
		}
		if utf8.RuneCountInString(out) > utf8.RuneCountInString(s) {
			t.Fatalf("masking lengthened %q to %q", s, out)
		}
		for _, g := range digitGroups([]rune(out)) {
			if len(g.digits) == 10 {
				t.Fatalf("ten digits left in %q from %q", out, s)
			}
		}
	})
}
