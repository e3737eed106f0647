package complaints

import (
	"strings"
	"testing"
)

func TestTrackingCodeRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c, err := newTrackingCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != codeLen || strings.Trim(c, codeAlphabet) != "" {
			t.Fatalf("bad code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in 2000 draws", c)
		}
		seen[c] = true
		got, err := ParseTrackingCode(FormatTrackingCode(c))
		if err != nil || got != c {
			t.Fatalf("ParseTrackingCode(%q) = %q, %v", FormatTrackingCode(c), got, err)
		}
	}
}

// Every single mistyped symbol is caught by the check symbol, and so is
// every swap of two different neighbours except the pairs Luhn's scheme
// cannot tell apart; count those to show they are few.
func TestTrackingCodeCheckSymbol(t *testing.T) {
	code := "7KQ2MXD9R"
	code += string(codeAlphabet[luhn32(code)])
	if _, err := ParseTrackingCode(code); err != nil {
		t.Fatalf("valid code refused: %v", err)
	}
	for i := 0; i < codeLen; i++ {
		for _, r := range codeAlphabet {
			if byte(r) == code[i] {
				continue
			}
			bad := code[:i] + string(r) + code[i+1:]
			if _, err := ParseTrackingCode(bad); err == nil {
				t.Fatalf("a mistyped symbol at %d (%q) passed the check", i, bad)
			}
		}
	}
	missed, swaps := 0, 0
	for i := 0; i < codeLen-1; i++ {
		for _, a := range codeAlphabet {
			for _, b := range codeAlphabet {
				if a == b {
					continue
				}
				s := []byte(code)
				s[i], s[i+1] = byte(a), byte(b)
				s[codeRandom] = codeAlphabet[luhn32(string(s[:codeRandom]))]
				if i+1 == codeRandom {
					continue // the swap would move the check symbol itself
				}
				swapped := append([]byte(nil), s...)
				swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
				swaps++
				if _, err := ParseTrackingCode(string(swapped)); err == nil {
					missed++
				}
			}
		}
	}
	if missed*100 > swaps*2 {
		t.Fatalf("%d of %d neighbour swaps pass the check (more than 2%%)", missed, swaps)
	}
}

func TestParseTrackingCode(t *testing.T) {
	code := "7KQ2MXD9R"
	code += string(codeAlphabet[luhn32(code)])
	lower := strings.ToLower(code)
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"as issued", code, true},
		{"formatted", FormatTrackingCode(code), true},
		{"lower case with spaces", " " + lower[:5] + " " + lower[5:] + " ", true},
		{"persian digits", strings.NewReplacer("7", "۷", "2", "۲", "9", "۹").Replace(code), true},
		{"too short", code[:9], false},
		{"too long", code + "0", false},
		{"letter U", "U" + code[1:], false},
		{"symbol", code[:5] + "!" + code[6:], false},
		{"empty", "", false},
		{"non-latin letter", "ب" + code[1:], false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTrackingCode(c.in)
			if c.ok && (err != nil || got != code) {
				t.Fatalf("ParseTrackingCode(%q) = %q, %v; want %q", c.in, got, err, code)
			}
			if !c.ok && err == nil {
				t.Fatalf("ParseTrackingCode(%q) = %q, want an error", c.in, got)
			}
		})
	}
	// O, I and L are read as 0, 1 and 1.
	withZero := "70Q2M1D9R"
	withZero += string(codeAlphabet[luhn32(withZero)])
	if got, err := ParseTrackingCode(strings.NewReplacer("0", "O", "1", "l").Replace(withZero)); err != nil || got != withZero {
		t.Fatalf("O and l not read as 0 and 1: %q, %v", got, err)
	}
}

func FuzzParseTrackingCode(f *testing.F) {
	f.Add("7KQ2M-XD9RF")
	f.Add("۷kq2m xd9rf")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseTrackingCode(s)
		if err != nil {
			return
		}
		if len(code) != codeLen || luhn32(code[:codeRandom]) != codeValue(code[codeRandom]) {
			t.Fatalf("accepted %q as %q", s, code)
		}
	})
}
