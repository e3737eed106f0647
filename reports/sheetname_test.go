package reports

import (
	"strings"
	"testing"
)

// TestSheetNameCutsAtWord: Excel allows 31 characters in a sheet name; a
// longer title (the allocations report names its round) is cut after its
// last whole word, never inside one, without a dangling separator.
func TestSheetNameCutsAtWord(t *testing.T) {
	cases := []struct{ in, want string }{
		{"نتیجهٔ تخصیص، دور نخست صدور مجوزهای ۱۴۰۵", "نتیجهٔ تخصیص، دور نخست صدور"},
		{"نتیجهٔ تخصیص، دورهٔ صدور مجوز سال ۱۴۰۵", "نتیجهٔ تخصیص، دورهٔ صدور مجوز"},
		{"Allocation, the first licensing round of 1405", "Allocation, the first licensing"}, {"Allocation of the first licensing round", "Allocation of the first"},
		{"کوتاه", "کوتاه"},
		{"a/b:c?d*e[f]g", "abcdefg"},
		{strings.Repeat("ب", 40), strings.Repeat("ب", 31)},
		{"", "Report"},
	}
	for _, c := range cases {
		got := sheetName(c.in)
		if got != c.want || len([]rune(got)) > 31 {
			t.Errorf("sheetName(%q) = %q (%d runes), want %q", c.in, got, len([]rune(got)), c.want)
		}
	}
}
