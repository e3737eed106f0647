package daftar

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Persian-first input: people type Persian (۰-۹) or Arabic-Indic (٠-٩)
// digits, Arabic ي and ك from Arabic keyboards, zero-width non-joiners,
// direction marks copied out of right-to-left text, and non-breaking spaces.
// Everything that reads input goes through these functions.

const zwnj = '\u200C'

// DigitValue returns the value of an ASCII, Persian (U+06F0-U+06F9) or
// Arabic-Indic (U+0660-U+0669) digit, or -1.
func DigitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '۰' && r <= '۹':
		return int(r - '۰')
	case r >= '٠' && r <= '٩':
		return int(r - '٠')
	}
	return -1
}

// NormalizeDigits turns Persian (۰-۹) and Arabic-Indic (٠-٩) digits into
// ASCII digits, the Arabic decimal separator '٫' into '.', and removes the
// Arabic thousands separator '٬'. Everything else is left as it is.
func NormalizeDigits(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool {
		return r >= 0x660 && r <= 0x66C || r >= 0x6F0 && r <= 0x6F9
	})
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '٫':
			b.WriteByte('.')
		case r == '٬':
		case r >= '۰' && r <= '۹' || r >= '٠' && r <= '٩':
			b.WriteByte(byte('0' + DigitValue(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PersianDigits turns the ASCII digits of s into Persian digits (۰-۹).
func PersianDigits(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune('۰' + (r - '0'))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isInvisible reports whether r is a format or control character that carries
// no text: direction marks and embeddings, zero-width space and joiner, BOM,
// the Arabic letter mark, soft hyphen, NUL and other control codes. ZWNJ is
// not invisible here: it is handled on its own. Whitespace is not either.
func isInvisible(r rune) bool {
	if r == zwnj || unicode.IsSpace(r) {
		return false
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r)
}

// isArabicMark reports whether r is an Arabic diacritic that NormalizeText
// removes: the harakat and other marks U+064B-U+065F and the superscript alef
// U+0670.
func isArabicMark(r rune) bool { return r >= 0x064B && r <= 0x065F || r == 0x0670 }

// composeHamza composes a letter followed by a combining maddah or hamza
// (as some keyboards type them) into the precomposed letter, so that both
// spellings normalise alike. It returns 0 when there is nothing to compose.
func composeHamza(base, mark rune) rune {
	switch mark {
	case '\u0653': // maddah above
		if base == 'ا' {
			return 'آ'
		}
	case '\u0654': // hamza above
		switch base {
		case 'ا':
			return 'أ'
		case 'و':
			return 'ؤ'
		case 'ی':
			return 'ئ'
		case 'ه':
			return 'ۀ'
		}
	case '\u0655': // hamza below
		if base == 'ا' {
			return 'إ'
		}
	}
	return 0
}

// PersianLetter returns the Persian letter for its Arabic look-alike (ي and
// ى as ی, ك as ک) and any other rune as it is: which of the two arrives
// depends only on the keyboard the text was typed on.
func PersianLetter(r rune) rune {
	switch r {
	case 'ي', 'ى':
		return 'ی'
	case 'ك':
		return 'ک'
	}
	return r
}

// NormalizeText is the canonical form of Persian text typed by people:
//   - digits as NormalizeDigits does;
//   - Arabic ي and ى become Persian ی, Arabic ك becomes ک, ة becomes ه;
//     letters with hamza are kept (a letter followed by a combining hamza or
//     maddah is composed into the precomposed letter: ا+ٔ → أ, ه+ٔ → ۀ ...);
//   - tatweel (ـ) and Arabic diacritics (U+064B-U+065F, U+0670) are removed;
//   - a zero-width non-joiner is kept once between two letters and dropped
//     elsewhere (at word ends, next to spaces, doubled);
//   - other format and control characters (direction marks and isolates,
//     U+200B, U+200D, BOM, the Arabic letter mark, NUL ...) are removed;
//   - every run of Unicode whitespace (NBSP, U+202F, tabs, new lines ...)
//     becomes one ASCII space, and the ends are trimmed.
//
// Invalid UTF-8 bytes become U+FFFD. NormalizeText is idempotent.
func NormalizeText(s string) string {
	s = NormalizeDigits(s)
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		r = PersianLetter(r)
		switch {
		case r == 'ة':
			r = 'ه'
		case r == 'ـ' || isInvisible(r):
			continue
		case r == '\u0653' || r == '\u0654' || r == '\u0655':
			if n := len(rs); n > 0 {
				if c := composeHamza(rs[n-1], r); c != 0 {
					rs[n-1] = c
				}
			}
			continue
		case isArabicMark(r):
			continue
		case unicode.IsSpace(r):
			r = ' '
		}
		rs = append(rs, r)
	}

	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending: written only before something else
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case ' ':
			space = b.Len() > 0
			continue
		case zwnj:
			start := i
			for i+1 < len(rs) && rs[i+1] == zwnj {
				i++
			}
			if start == 0 || !unicode.IsLetter(rs[start-1]) || i+1 == len(rs) || !unicode.IsLetter(rs[i+1]) {
				continue
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldLetter maps the letters FoldForMatch treats as one: alef with madda or
// hamza and alef wasla to alef, waw and yeh with hamza to their base letters,
// heh with yeh above to heh.
func foldLetter(r rune) rune {
	switch r {
	case 'آ', 'أ', 'إ', 'ٱ':
		return 'ا'
	case 'ؤ':
		return 'و'
	case 'ئ':
		return 'ی'
	case 'ۀ':
		return 'ه'
	}
	return r
}

// isFoldSeparator reports whether FoldForMatch turns r into a space: all
// Unicode punctuation (- _ . ' ’ , ، ; ؛ « » ( ) ...) and the grave and acute
// accents people use as apostrophes.
func isFoldSeparator(r rune) bool {
	return r == ' ' || unicode.IsPunct(r) || r == '`' || r == '´' || r == 'ʼ' || r == 'ʻ'
}

// FoldForMatch returns a key for matching names typed in different ways:
// NormalizeText, then lower case, no ZWNJ at all, آ أ إ ٱ as ا, ؤ as و, ئ as ی,
// ۀ as ه, and punctuation as spaces, collapsed. So "Shahr-e Kord" and
// "shahr e kord" fold alike, and so do "اصفهان" and "اصفهان‌" or "مي‌خواهم"
// and "میخواهم". Keys are for comparing, never for display.
func FoldForMatch(s string) string {
	s = strings.ToLower(NormalizeText(s))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == zwnj:
			continue
		case isFoldSeparator(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(foldLetter(r))
	}
	return b.String()
}

// trimInput removes whitespace and format characters (direction marks, BOM,
// ZWNJ ...) from both ends of s. Control characters such as NUL stay, so
// that the parser refuses them.
func trimInput(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	})
}

func invalidNumber(msg string) *Error { return Invalid("invalid_number", msg) }

// scanNumber checks a number as people and spreadsheets write it and returns
// it in the ASCII syntax of strconv. It accepts ASCII, Persian and
// Arabic-Indic digits, a leading '-', thousands separators ',' or '٬' in
// groups of three in the integer part, and, when float is set, a decimal
// separator '.' or '٫' and an exponent ("1.5E3").
func scanNumber(s string, float bool) (string, error) {
	s = trimInput(s)
	if s == "" {
		return "", invalidNumber("number is empty")
	}
	if !utf8.ValidString(s) {
		return "", invalidNumber("number is not valid text")
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	i := 0
	if rs[0] == '-' {
		b.WriteByte('-')
		i++
	}
	// Integer part, with optional thousands separators.
	intDigits, group, seps := 0, 0, 0
	for ; i < len(rs); i++ {
		r := rs[i]
		if v := DigitValue(r); v >= 0 {
			b.WriteByte(byte('0' + v))
			intDigits++
			group++
			continue
		}
		if r == ',' || r == '٬' {
			if group == 0 || (seps == 0 && group > 3) || (seps > 0 && group != 3) {
				return "", invalidNumber("misplaced thousands separator in " + strconv.Quote(s))
			}
			seps++
			group = 0
			continue
		}
		break
	}
	if seps > 0 && group != 3 {
		return "", invalidNumber("misplaced thousands separator in " + strconv.Quote(s))
	}
	if !float {
		if i != len(rs) || intDigits == 0 {
			return "", invalidNumber(strconv.Quote(s) + " is not a whole number")
		}
		return b.String(), nil
	}
	fracDigits := 0
	if i < len(rs) && (rs[i] == '.' || rs[i] == '٫') {
		b.WriteByte('.')
		for i++; i < len(rs); i++ {
			v := DigitValue(rs[i])
			if v < 0 {
				break
			}
			b.WriteByte(byte('0' + v))
			fracDigits++
		}
		if fracDigits == 0 {
			return "", invalidNumber(strconv.Quote(s) + " has no digits after the decimal separator")
		}
	}
	if intDigits+fracDigits == 0 {
		return "", invalidNumber(strconv.Quote(s) + " is not a number")
	}
	if i < len(rs) && (rs[i] == 'e' || rs[i] == 'E') {
		b.WriteByte('e')
		i++
		if i < len(rs) && (rs[i] == '+' || rs[i] == '-') {
			b.WriteRune(rs[i])
			i++
		}
		expDigits := 0
		for ; i < len(rs); i++ {
			v := DigitValue(rs[i])
			if v < 0 {
				break
			}
			b.WriteByte(byte('0' + v))
			expDigits++
		}
		if expDigits == 0 {
			return "", invalidNumber(strconv.Quote(s) + " has no digits in its exponent")
		}
	}
	if i != len(rs) {
		return "", invalidNumber(strconv.Quote(s) + " is not a number")
	}
	return b.String(), nil
}

// ParseInt reads a whole number as people and spreadsheets write it: ASCII,
// Persian or Arabic-Indic digits, spaces around it, an optional leading '-',
// and thousands separators (',' or '٬') in groups of three ("1,234,567").
// It refuses an empty string, '+' and other signs, decimals, and anything
// else (code "invalid_number").
func ParseInt(s string) (int64, error) {
	clean, err := scanNumber(s, false)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return 0, invalidNumber(strconv.Quote(trimInput(s)) + " is out of range")
	}
	return n, nil
}

// ParseFloat reads a decimal number as ParseInt reads a whole one, with '.'
// or '٫' as the decimal separator and an optional exponent ("1.5E3", as
// spreadsheets write large numbers). It refuses NaN, infinities and numbers
// too large for a float64 (code "invalid_number").
func ParseFloat(s string) (float64, error) {
	clean, err := scanNumber(s, true)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, invalidNumber(strconv.Quote(trimInput(s)) + " is out of range")
	}
	return f, nil
}
