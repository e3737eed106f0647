package chart

import (
	"math"
	"strconv"
	"strings"
)

// Persian returns a formatter writing Persian digits with the Persian
// thousands separator ٬ and decimal separator ٫ (۱۲٬۳۴۵٫۶), rounded to at
// most decimals places with trailing zeros dropped.
func Persian(decimals int) func(float64) string {
	return func(v float64) string { return FormatNumber(v, decimals, true) }
}

// Latin returns the English-page formatter: ASCII digits, 12,345.6.
func Latin(decimals int) func(float64) string {
	return func(v float64) string { return FormatNumber(v, decimals, false) }
}

// persianZero is ۰; the other Persian digits follow it.
const persianZero = '۰'

// FormatNumber writes v rounded to at most decimals places (0 to 6), trailing
// zeros dropped, with thousands grouped. NaN is "—" and infinities "∞".
// A Persian negative number starts with a left-to-right mark so that its
// minus sign stays on the left inside right-to-left text.
func FormatNumber(v float64, decimals int, persian bool) string {
	decimals = min(max(decimals, 0), 6)
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return minus(persian) + "∞"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if intPart == "0" && frac == "" {
		neg = false // -0.001 rounded is 0, not -0
	}
	comma, dot := ",", "."
	if persian {
		comma, dot = "٬", "٫"
	}
	var b strings.Builder
	if neg {
		b.WriteString(minus(persian))
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(comma)
		}
		b.WriteRune(digit(r, persian))
	}
	if frac != "" {
		b.WriteString(dot)
		for _, r := range frac {
			b.WriteRune(digit(r, persian))
		}
	}
	return b.String()
}

func minus(persian bool) string {
	if persian {
		return "\u200e−"
	}
	return "-"
}

func digit(r rune, persian bool) rune {
	if persian && r >= '0' && r <= '9' {
		return persianZero + (r - '0')
	}
	return r
}

// HourLabels returns the 24 hour-of-day labels 0 to 23, in Persian digits
// when persian, for a BarChart of the hours.
func HourLabels(persian bool) []string {
	out := make([]string, 24)
	for h := range out {
		out[h] = FormatNumber(float64(h), 0, persian)
	}
	return out
}
