package daftar

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc 123", "abc 123"},
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"۱۲٫۵", "12.5"},
		{"١٬٢٣٤٬٥٦٧", "1234567"},
		{"۱٬۲۳۴٫۵", "1234.5"},
		{"کد ۱۲۳ تهران", "کد 123 تهران"},
		{"1,234", "1,234"}, // ASCII comma is not touched
		{"۴۵۶abc٧٨٩", "456abc789"},
		{"٪۵", "٪5"}, // the Arabic percent sign is not a digit
	}
	for _, tt := range tests {
		if got := NormalizeDigits(tt.in); got != tt.want {
			t.Errorf("NormalizeDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPersianDigits(t *testing.T) {
	if got := PersianDigits("1405/09/05 ab"); got != "۱۴۰۵/۰۹/۰۵ ab" {
		t.Errorf("PersianDigits = %q", got)
	}
	if got := NormalizeDigits(PersianDigits("0123456789")); got != "0123456789" {
		t.Errorf("round trip = %q", got)
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii", "Hello World", "Hello World"},
		{"arabic yeh", "علي", "علی"},
		{"alef maksura", "موسى", "موسی"},
		{"arabic kaf", "كرمان", "کرمان"},
		{"arabic yeh and kaf", "يزد كاشان", "یزد کاشان"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"hamza letters kept", "مسئله رؤیا أحمد إسلام آب", "مسئله رؤیا أحمد إسلام آب"},
		{"heh with yeh kept", "خانۀ ما", "خانۀ ما"},
		{"combining hamza composed", "خانه\u0654 ما", "خانۀ ما"},
		{"combining hamza on yeh", "مسي\u0654له", "مسئله"},
		{"combining maddah", "ا\u0653ب", "آب"},
		{"combining hamza below", "ا\u0655سلام", "إسلام"},
		{"stray combining hamza", "\u0654ب", "ب"},
		{"tatweel", "تهـــران", "تهران"},
		{"harakat", "مُحَمَّد", "محمد"},
		{"tanwin", "حتماً", "حتما"},
		{"superscript alef", "رحمٰن", "رحمن"},
		{"digits", "پلاک ۱۲ واحد ٣", "پلاک 12 واحد 3"},
		{"zwnj between letters", "می\u200cخواهم", "می\u200cخواهم"},
		{"zwnj doubled", "می\u200c\u200cخواهم", "می\u200cخواهم"},
		{"zwnj at word end", "اصفهان\u200c", "اصفهان"},
		{"zwnj at word start", "\u200cاصفهان", "اصفهان"},
		{"zwnj before space", "کتاب\u200c ها", "کتاب ها"},
		{"zwnj after space", "کتاب \u200cها", "کتاب ها"},
		{"zwnj next to digit", "۱۲\u200cتا", "12تا"},
		{"zwnj around removed marks", "می\u200c\u200f\u200cخواهم", "می\u200cخواهم"},
		{"zwnj with tatweel", "می\u0640\u200cخواهم", "می\u200cخواهم"},
		{"zwnj only", "\u200c\u200c", ""},
		{"zwsp", "تهران\u200bشمال", "تهرانشمال"},
		{"zwj", "ها\u200dی", "های"},
		{"rlm lrm", "\u200fتهران\u200e", "تهران"},
		{"embeddings", "\u202bتهران\u202c \u202aAB\u202c \u202dx\u202e", "تهران AB x"},
		{"isolates", "\u2067تهران\u2069 \u2066x\u2068y\u2069", "تهران xy"},
		{"bom", "\ufeffتهران", "تهران"},
		{"arabic letter mark", "\u061cتهران", "تهران"},
		{"soft hyphen", "Teh\u00adran", "Tehran"},
		{"nul and controls", "a\x00b\x07c", "abc"},
		{"nbsp", "شهر\u00a0کرد", "شهر کرد"},
		{"narrow nbsp", "شهر\u202fکرد", "شهر کرد"},
		{"em space and ideographic", "a\u2003b\u3000c", "a b c"},
		{"tabs and newlines", " \t a \r\n\n b \t", "a b"},
		{"line separator", "a\u2028b\u2029c", "a b c"},
		{"many spaces", "a     b", "a b"},
		{"space then zwnj then space", "a \u200c b", "a b"},
		{"only spaces", " \u00a0\t ", ""},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"mixed", " \u200fعلي\u00a0\u00a0رضا\u200c  كريمي\u0640 ۱۴۰۵\u200e ", "علی رضا کریمی 1405"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeText(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := NormalizeText(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestFoldForMatch(t *testing.T) {
	same := [][]string{
		{"Shahr-e Kord", "shahr e kord", "SHAHR_E_KORD", "Shahr-e  Kord.", "shahr'e kord"},
		{"اصفهان", "اصفهان\u200c", " اصفهان ", "\u200fاصفهان\u200e", "اصفـهان"},
		{"می\u200cخواهم", "میخواهم", "مي\u200c\u200cخواهم"},
		{"کرمانشاه", "كرمانشاه"},
		{"علی", "علي", "علیٰ", "عَلی"},
		{"آذربایجان شرقی", "اذربایجان شرقی", "آذربايجان\u00a0شرقي"},
		{"مسئله", "مسیله", "مسي\u0654له"},
		{"مؤسسه", "موسسه"},
		{"أحمد", "احمد", "إحمد"},
		{"خانۀ ما", "خانه ما", "خانه\u0654 ما"},
		{"کهگیلویه و بویراحمد", "کهگیلویه و بویراحمد،", "کهگیلویه، و بویراحمد"},
		{"O'Brien", "o brien", "O’Brien", "o`brien"},
		{"تهران؛ شمال", "تهران شمال", "تهران - شمال", "«تهران» (شمال)"},
		{"Kohgiluyeh and Boyer-Ahmad", "kohgiluyeh and boyer ahmad"},
		{"پلاک ۱۲", "پلاک 12", "پلاک ١٢"},
	}
	for _, group := range same {
		key := FoldForMatch(group[0])
		for _, s := range group[1:] {
			if got := FoldForMatch(s); got != key {
				t.Errorf("FoldForMatch(%q) = %q, FoldForMatch(%q) = %q", s, got, group[0], key)
			}
		}
	}
	different := [][2]string{
		{"تهران", "تبریز"},
		{"shahr e kord", "shahre kord"}, // a space is not dropped
		{"کرج", "کرچ"},
		{"12", "13"},
	}
	for _, d := range different {
		if FoldForMatch(d[0]) == FoldForMatch(d[1]) {
			t.Errorf("FoldForMatch(%q) == FoldForMatch(%q)", d[0], d[1])
		}
	}
	exact := []struct{ in, want string }{
		{"Shahr-e Kord", "shahr e kord"},
		{"  --Tehran--  ", "tehran"},
		{"آبادان", "ابادان"},
		{"...", ""},
		{"", ""},
	}
	for _, tt := range exact {
		if got := FoldForMatch(tt.in); got != tt.want {
			t.Errorf("FoldForMatch(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	ok := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"42", 42},
		{"-42", -42},
		{"-0", 0},
		{"007", 7},
		{"۱۲۳", 123},
		{"١٢٣", 123},
		{"  ۱۲۳\u00a0", 123},
		{"\u200f۱۲۳\u200e", 123},
		{"1,234", 1234},
		{"1,234,567", 1234567},
		{"۱٬۲۳۴٬۵۶۷", 1234567},
		{"١٬٢٣٤", 1234},
		{"12,345", 12345},
		{"123,456", 123456},
		{"-1,000", -1000},
		{"9223372036854775807", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64},
		{"9,223,372,036,854,775,807", math.MaxInt64},
	}
	for _, tt := range ok {
		got, err := ParseInt(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "-", "+5", "--5", "5-", "- 5", "1 234", "1.5", "1,5", "1,23", "1,2345", "1234,567",
		",123", "123,", "1,,234", "1e3", "0x10", "1_000", "abc", "12a", "۱۲x", "9223372036854775808",
		"-9223372036854775809", "١٫٥", "−5", "NaN", "Inf", "5\x00", "\xff", "1,234.5", "٬۱۲۳",
	}
	for _, in := range bad {
		n, err := ParseInt(in)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_number" || de.Message == "" {
			t.Errorf("ParseInt(%q) = %d, %v; want invalid_number", in, n, err)
		}
	}
}

func TestParseFloat(t *testing.T) {
	ok := []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"1.5", 1.5},
		{"-1.5", -1.5},
		{".5", 0.5},
		{"-.5", -0.5},
		{"۱٫۵", 1.5},
		{"١٫٥", 1.5},
		{"۱۲٬۳۴۵٫۶۷", 12345.67},
		{"12,345.67", 12345.67},
		{"1,234,567.891", 1234567.891},
		{" 3.25 ", 3.25},
		{"1E3", 1000},
		{"1.5e-2", 0.015},
		{"1.234567891E+09", 1234567891},
		{"۱٫۲E۳", 1200},
		{"42", 42},
		{"1e-400", 0}, // underflow is not an error
	}
	for _, tt := range ok {
		got, err := ParseFloat(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "-", ".", "-.", "5.", "1..5", "1.2.3", "1,5", "1,23.4", "1.234,5", "+1.5", "--1",
		"NaN", "nan", "Inf", "+Inf", "-Inf", "Infinity", "1e", "1e+", "e5", "1e5.5", "0x1p-2", "1_000.5",
		"1e400", "-1e400", "1.5abc", "١٫", "1.5 5", "1.2e3e4", "\x00", "٫5٫",
	}
	for _, in := range bad {
		f, err := ParseFloat(in)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_number" {
			t.Errorf("ParseFloat(%q) = %v, %v; want invalid_number", in, f, err)
		}
	}
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{
		"", "علي كريمي", "می\u200c\u200cخواهم", "اصفهان\u200c", "\u200f۱۲۳\u200e", "a\u00a0\u202fb",
		"مُحَمَّد", "خانه\u0654", "Shahr-e Kord", "\xff\xfe", "a \u200c b", "ا\u0654\u064e\u0654",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeText(s)
		if !utf8.ValidString(n) {
			t.Fatalf("NormalizeText(%q) = %q: invalid UTF-8", s, n)
		}
		if again := NormalizeText(n); again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, again)
		}
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeText(%q) = %q: untrimmed or double space", s, n)
		}
		if strings.ContainsAny(n, "\u200b\u200d\u200e\u200f\ufeff\u0640\u064a\u0643\u00a0\t\n") {
			t.Fatalf("NormalizeText(%q) = %q: kept a character it removes", s, n)
		}
		k := FoldForMatch(s)
		if !utf8.ValidString(k) {
			t.Fatalf("FoldForMatch(%q) = %q: invalid UTF-8", s, k)
		}
		if again := FoldForMatch(k); again != k {
			t.Fatalf("FoldForMatch not idempotent: %q -> %q -> %q", s, k, again)
		}
		if FoldForMatch(n) != k {
			t.Fatalf("FoldForMatch(NormalizeText(%q)) = %q, FoldForMatch = %q", s, FoldForMatch(n), k)
		}
		// Parsers never panic and agree with each other on whole numbers.
		i, errI := ParseInt(s)
		fl, errF := ParseFloat(s)
		if errI == nil && (errF != nil || fl != float64(i)) && math.Abs(float64(i)) < 1<<53 {
			t.Fatalf("ParseInt(%q) = %d but ParseFloat = %v, %v", s, i, fl, errF)
		}
		if errF == nil && (math.IsNaN(fl) || math.IsInf(fl, 0)) {
			t.Fatalf("ParseFloat(%q) = %v", s, fl)
		}
	})
}
