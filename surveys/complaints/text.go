package complaints

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
)

// Free text from citizens and staff (descriptions, notes) is cleaned the
// same way: valid UTF-8, Arabic ي and ك as their Persian letters, no control
// or format characters (a right-to-left override could make a note read
// differently than it is stored) except the zero-width non-joiner Persian
// needs, line breaks kept but at most one blank line, the ends trimmed.
// Digits stay as they were typed. Then MaskIdentifiers hides what must not
// be stored.

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	newlines := 0
	for _, r := range s {
		r = daftar.PersianLetter(r)
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			newlines++
			continue
		case r == '\u200C':
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && r != '\t':
			continue
		case unicode.IsSpace(r):
			r = ' '
		}
		if newlines > 0 {
			trimTrailingSpace(&b)
			if b.Len() > 0 {
				b.WriteString(strings.Repeat("\n", min(newlines, 2)))
			}
			newlines = 0
		}
		if r == ' ' && (b.Len() == 0 || strings.HasSuffix(b.String(), "\n")) {
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	return strings.TrimRightFunc(out, unicode.IsSpace)
}

func trimTrailingSpace(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, " ")
	if len(t) != len(s) {
		b.Reset()
		b.WriteString(t)
	}
}

// runeLen is the length people count: characters, not bytes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// isDigitSeparator is what people put inside a number they write out:
// spaces, hyphens, and invisible marks copied from right-to-left text.
func isDigitSeparator(r rune) bool {
	switch r {
	case ' ', '\u00A0', '\u202F', '-', '‐', '‑', '–', '\u200C':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// digitGroup is a run of digits in a text: runes [start, end).
type digitGroup struct {
	start, end int
	digits     string // ASCII
}

// MaskIdentifiers hides national codes and mobile numbers written into free
// text, whatever digits they are typed in and however they are grouped
// ("0012345678", "۰۰۱-۲۳۴۵۶۷-۸", "0912 345 6789", "+98 912 345 6789"). A
// national code is any ten digits standing on their own, valid check digit
// or not (a mistyped code still points at a person); it keeps its last four
// digits: "******5678". A mobile number keeps its last four: "*******6789".
// Other numbers (amounts, dates, ticket numbers) stay as written. The digits
// kept are the ones typed, so Persian text keeps Persian digits.
func MaskIdentifiers(s string) string {
	rs := []rune(s)
	groups := digitGroups(rs)
	if len(groups) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pos := 0
	for i := 0; i < len(groups); {
		j, kind := identifierAt(rs, groups, i)
		if kind == "" {
			i++
			continue
		}
		start, end := groups[i].start, groups[j].end
		if kind == "mobile" && start > 0 && rs[start-1] == '+' {
			start--
		}
		b.WriteString(string(rs[pos:start]))
		b.WriteString(maskSpan(rs[start:end]))
		pos = end
		i = j + 1
	}
	b.WriteString(string(rs[pos:]))
	return b.String()
}

// digitGroups finds the runs of digits in rs.
func digitGroups(rs []rune) []digitGroup {
	var out []digitGroup
	for i := 0; i < len(rs); {
		if daftar.DigitValue(rs[i]) < 0 {
			i++
			continue
		}
		g := digitGroup{start: i}
		var d strings.Builder
		for ; i < len(rs) && daftar.DigitValue(rs[i]) >= 0; i++ {
			d.WriteByte(byte('0' + daftar.DigitValue(rs[i])))
		}
		g.end, g.digits = i, d.String()
		out = append(out, g)
	}
	return out
}

// joined reports whether groups a and b (a before b) may be parts of one
// written number: only separators, at most three, between them.
func joined(rs []rune, a, b digitGroup) bool {
	gap := rs[a.end:b.start]
	if len(gap) == 0 || len(gap) > 3 {
		return false
	}
	for _, r := range gap {
		if !isDigitSeparator(r) {
			return false
		}
	}
	return true
}

// identifierAt looks for a national code or mobile number made of groups
// i..j and returns the longest such j with "national_code" or "mobile" (""
// when none starts at group i). Groups are maximal runs of digits, so no
// digit is glued to either end; a letter may be ("کدملی۰۰۱۲۳۴۵۶۷۸").
func identifierAt(rs []rune, groups []digitGroup, i int) (int, string) {
	digits := ""
	best, kind := i, ""
	for j := i; j < len(groups); j++ {
		if j > i && !joined(rs, groups[j-1], groups[j]) {
			break
		}
		digits += groups[j].digits
		if len(digits) > 14 {
			break
		}
		switch {
		case isMobileDigits(digits):
			best, kind = j, "mobile"
		case len(digits) == 10:
			best, kind = j, "national_code"
		}
	}
	return best, kind
}

// isMobileDigits reports whether digits are an Iranian mobile number: 09
// and nine digits, or the same with the country code (98, 0098) for the 0.
func isMobileDigits(d string) bool {
	switch {
	case len(d) == 11 && strings.HasPrefix(d, "09"):
	case len(d) == 12 && strings.HasPrefix(d, "989"):
	case len(d) == 14 && strings.HasPrefix(d, "00989"):
	default:
		return false
	}
	return true
}

// maskSpan replaces a written number by stars for every digit but the last
// four, which stay as typed; separators go.
func maskSpan(span []rune) string {
	var digits []rune
	for _, r := range span {
		if daftar.DigitValue(r) >= 0 {
			digits = append(digits, r)
		}
	}
	keep := 4
	return strings.Repeat("*", len(digits)-keep) + string(digits[len(digits)-keep:])
}

// NormalizeMobile reads an Iranian mobile number as people type it (any
// digits, spaces and dashes, +98 or 0098 or 98 for the leading 0) and
// returns it as 09XXXXXXXXX, or false.
func NormalizeMobile(s string) (string, bool) {
	var d strings.Builder
	for i, r := range s {
		switch {
		case daftar.DigitValue(r) >= 0:
			d.WriteByte(byte('0' + daftar.DigitValue(r)))
		case r == '+' && d.Len() == 0 && strings.TrimSpace(s[:i]) == "":
		case isDigitSeparator(r) || r == '(' || r == ')':
		default:
			return "", false
		}
		if d.Len() > 14 {
			return "", false
		}
	}
	n := d.String()
	switch {
	case len(n) == 12 && strings.HasPrefix(n, "989"):
		n = "0" + n[2:]
	case len(n) == 14 && strings.HasPrefix(n, "00989"):
		n = "0" + n[4:]
	case len(n) == 10 && strings.HasPrefix(n, "9"):
		n = "0" + n
	}
	if len(n) != 11 || !strings.HasPrefix(n, "09") {
		return "", false
	}
	return n, true
}

// maskMobile shows only the last four digits of a normalised number.
func maskMobile(m string) string {
	if len(m) < 4 {
		return "****"
	}
	return strings.Repeat("*", len(m)-4) + m[len(m)-4:]
}
