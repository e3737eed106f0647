package daftar

import (
	"strings"
	"unicode"
)

// The Iranian national code (کد ملی) is ten digits, the last a check digit.
// Codes reach Daftar from people and from spreadsheets, where a column of
// codes stored as numbers loses its leading zeros ("0012345678" becomes
// 12345678) or is shown in scientific notation ("1.234567891E+09").

func invalidNationalCode(msg string) *Error { return Invalid("invalid_national_code", msg) }

// NormalizeNationalCode makes a 10-digit string from user or spreadsheet
// input. It turns Persian and Arabic-Indic digits into ASCII, drops spaces,
// direction marks and '-' separators, and accepts a code that lost its
// leading zeros in a spreadsheet: 8 or 9 digits are left-padded with zeros,
// and a numeric rendering of the same integer ("12345678.0",
// "1.234567891E9", "1.234567891e+09") is read back. It refuses anything else
// (code "invalid_national_code"), including a scientific rendering that has
// evidently lost digits ("1.23457E+09": three or more digits would have to be
// made up as zeros).
//
// The result is only well-formed; ValidNationalCode checks the check digit.
func NormalizeNationalCode(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	numeric := false // has '.' or an exponent: a spreadsheet number
	for _, r := range s {
		switch v := DigitValue(r); {
		case v >= 0:
			b.WriteByte(byte('0' + v))
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r): // spaces, direction marks, ZWNJ
		case r == '.' || r == '٫':
			numeric = true
			b.WriteByte('.')
		case r == 'e' || r == 'E':
			numeric = true
			b.WriteByte('E')
		case r == '+':
			b.WriteByte('+')
		case r == '-' || unicode.Is(unicode.Pd, r) || r == '−':
			b.WriteByte('-')
		default:
			return "", invalidNationalCode("national code may contain only digits")
		}
	}
	in := b.String()
	if in == "" {
		return "", invalidNationalCode("national code is empty")
	}
	var digits string
	if numeric {
		d, err := numericCode(in)
		if err != nil {
			return "", err
		}
		digits = d
	} else {
		digits = strings.ReplaceAll(in, "-", "")
		if strings.ContainsRune(digits, '+') {
			return "", invalidNationalCode("national code may contain only digits")
		}
	}
	switch len(digits) {
	case 10:
		return digits, nil
	case 8, 9:
		return strings.Repeat("0", 10-len(digits)) + digits, nil
	}
	return "", invalidNationalCode("national code must have 10 digits")
}

// numericCode reads a spreadsheet rendering of an integer: digits, an
// optional fraction and an optional exponent ("12345678.0", "1.2345678E7").
// It returns the digits of the integer.
func numericCode(in string) (string, error) {
	notInteger := invalidNationalCode("national code must be a whole number of 10 digits")
	mant, exp, hasExp := strings.Cut(in, "E")
	intPart, frac, hasPoint := strings.Cut(mant, ".")
	if !allASCIIDigits(intPart) || (hasPoint && !allASCIIDigits(frac)) {
		return "", notInteger
	}
	if !hasExp {
		if strings.Trim(frac, "0") != "" {
			return "", notInteger
		}
		return intPart, nil
	}
	neg := false
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		neg = exp[0] == '-'
		exp = exp[1:]
	}
	if !allASCIIDigits(exp) || len(exp) > 3 {
		return "", notInteger
	}
	e, _ := asciiDigits(exp)
	if neg {
		e = -e
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	shift := e - len(frac) // the integer is digits × 10^shift
	switch {
	case digits == "":
		return "", notInteger
	case shift >= 3:
		return "", invalidNationalCode("national code in scientific notation has lost digits; " +
			"format the column as text and export it again")
	case shift > 0:
		digits += strings.Repeat("0", shift)
	case shift < 0:
		if -shift > len(digits) || strings.Trim(digits[len(digits)+shift:], "0") != "" {
			return "", notInteger
		}
		digits = digits[:len(digits)+shift]
	}
	return digits, nil
}

func allASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nationalCodeCheck returns the check digit that the first nine digits call for.
func nationalCodeCheck(first9 string) int {
	s := 0
	for i := 0; i < 9; i++ {
		s += int(first9[i]-'0') * (10 - i)
	}
	r := s % 11
	if r < 2 {
		return r
	}
	return 11 - r
}

// ValidNationalCode reports whether code is exactly ten ASCII digits whose
// last digit is the check digit of the first nine: with s the sum of d_i ×
// (10 - i) for i = 0..8 and r = s mod 11, the check digit is r when r < 2 and
// 11 - r otherwise. Codes of one repeated digit ("1111111111") are invalid.
// Normalise input with NormalizeNationalCode first.
func ValidNationalCode(code string) bool {
	if len(code) != 10 || !allASCIIDigits(code) {
		return false
	}
	if strings.Count(code, code[:1]) == 10 {
		return false
	}
	return nationalCodeCheck(code[:9]) == int(code[9]-'0')
}

// MaskNationalCode shows only the last four digits of a national code:
// "******1234". The code is normalised first (so "۰۰۸۴۵۷۵۹۴۸" masks as
// "******5948"); input that cannot be normalised gives "**********". It never
// returns the full code.
func MaskNationalCode(code string) string {
	n, err := NormalizeNationalCode(code)
	if err != nil {
		return "**********"
	}
	return "******" + n[6:]
}

// NationalCodeCheckDigit computes the check digit for the first nine digits
// of a national code (nine ASCII digits), for generating demo data. A code of
// one repeated digit is invalid whatever its check digit.
func NationalCodeCheckDigit(first9 string) (int, error) {
	if len(first9) != 9 || !allASCIIDigits(first9) {
		return 0, invalidNationalCode("the first part of a national code must be 9 digits")
	}
	return nationalCodeCheck(first9), nil
}
