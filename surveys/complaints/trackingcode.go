package complaints

import (
	"crypto/rand"
	"strings"
	"unicode"

	"github.com/daftar-ir/daftar"
)

// A tracking code is what a citizen keeps to follow a complaint, read out
// over the telephone as often as typed. It is ten symbols of Crockford's
// base-32 alphabet (digits and capital letters without I, L, O and U, which
// are confused with 1, 1, 0 and V or spoken alike), shown as two groups of
// five: "7KQ2M-XD9RF". Nine symbols are random (crypto/rand), 45 bits; the
// tenth is a Luhn mod 32 check symbol, which catches any one mistyped
// symbol and most swaps of two neighbours before the database is asked.
// With 45 bits, a million complaints on file and the public endpoint's rate
// limit, a guess hits an existing code with odds of about 3 in 100 million.

const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeRandom   = 9
	codeLen      = codeRandom + 1
)

// codeValue is the value of a symbol of codeAlphabet, or -1.
func codeValue(c byte) int { return strings.IndexByte(codeAlphabet, c) }

// luhn32 returns the check symbol's value for the symbols of s (each in
// codeAlphabet): Luhn's algorithm in base 32.
func luhn32(s string) int {
	const n = len(codeAlphabet)
	factor, sum := 2, 0
	for i := len(s) - 1; i >= 0; i-- {
		a := factor * codeValue(s[i])
		sum += a/n + a%n
		factor = 3 - factor
	}
	return (n - sum%n) % n
}

// newTrackingCode returns a fresh code without the separator.
func newTrackingCode() (string, error) {
	b := make([]byte, codeRandom)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	s := string(b)
	return s + string(codeAlphabet[luhn32(s)]), nil
}

// FormatTrackingCode shows a code in two groups of five: "7KQ2M-XD9RF".
func FormatTrackingCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:5] + "-" + code[5:]
}

// ParseTrackingCode reads a code as a person types or reads it: Persian
// or Arabic-Indic digits, lower case, spaces and dashes anywhere, O for 0,
// I and L for 1. It returns the code without separators, or NotFound when
// it cannot be a tracking code (wrong length, symbol or check symbol): an
// ill-typed code is as unknown as one never issued.
func ParseTrackingCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range daftar.NormalizeDigits(s) {
		switch r = unicode.ToUpper(r); {
		case r == '-' || r == '_' || r == '‐' || r == '–' || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
		case r == 'O':
			b.WriteByte('0')
		case r == 'I' || r == 'L':
			b.WriteByte('1')
		case r < 128 && codeValue(byte(r)) >= 0:
			b.WriteByte(byte(r))
		default:
			return "", errUnknownCode
		}
		if b.Len() > codeLen {
			return "", errUnknownCode
		}
	}
	code := b.String()
	if len(code) != codeLen || luhn32(code[:codeRandom]) != codeValue(code[codeRandom]) {
		return "", errUnknownCode
	}
	return code, nil
}

var errUnknownCode = daftar.NotFound("complaint_not_found", "no complaint has this tracking code")
