package chart_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
)

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		v        float64
		decimals int
		fa, en   string
	}{
		{12345.6, 1, "۱۲٬۳۴۵٫۶", "12,345.6"},
		{12345.64, 1, "۱۲٬۳۴۵٫۶", "12,345.6"},
		{1036, 0, "۱٬۰۳۶", "1,036"},
		{35.5, 2, "۳۵٫۵", "35.5"}, // trailing zeros dropped
		{30, 2, "۳۰", "30"},
		{0.25, 1, "۰٫۲", "0.2"}, // half to even, as strconv
		{999.96, 1, "۱٬۰۰۰", "1,000"},
		{-4.5, 1, "\u200e−۴٫۵", "-4.5"},
		{-0.01, 1, "۰", "0"}, // no "-0"
		{0, 0, "۰", "0"},
		{1234567, 0, "۱٬۲۳۴٬۵۶۷", "1,234,567"},
		{2.5, -3, "۲", "2"},                     // decimals below 0 are 0
		{1.23456789, 9, "۱٫۲۳۴۵۶۸", "1.234568"}, // and above 6 are 6
		{math.NaN(), 1, "—", "—"},
		{math.Inf(1), 1, "∞", "∞"},
		{math.Inf(-1), 1, "\u200e−∞", "-∞"},
	}
	for _, c := range cases {
		if got := chart.FormatNumber(c.v, c.decimals, true); got != c.fa {
			t.Errorf("FormatNumber(%v, %d, fa) = %q, want %q", c.v, c.decimals, got, c.fa)
		}
		if got := chart.Latin(c.decimals)(c.v); got != c.en {
			t.Errorf("Latin(%d)(%v) = %q, want %q", c.decimals, c.v, got, c.en)
		}
		if chart.Persian(c.decimals)(c.v) != c.fa {
			t.Errorf("Persian(%d) differs from FormatNumber", c.decimals)
		}
	}
	if h := chart.HourLabels(true); len(h) != 24 || h[0] != "۰" || h[23] != "۲۳" {
		t.Errorf("HourLabels(true) = %q", h)
	}
	if h := chart.HourLabels(false); h[9] != "9" {
		t.Errorf("HourLabels(false) = %q", h)
	}
}

// The Persian form has no ASCII digit and reads back, through the same
// parser that reads people's input, as the value rounded.
func FuzzFormatNumber(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 12345.6, 0.05, 1e21, -1e-7, 999.999, math.MaxFloat64, math.NaN()} {
		f.Add(v, 1)
	}
	f.Fuzz(func(t *testing.T, v float64, decimals int) {
		fa := chart.FormatNumber(v, decimals, true)
		en := chart.FormatNumber(v, decimals, false)
		if strings.ContainsAny(fa, "0123456789,.-") {
			t.Fatalf("Persian %q has ASCII digits or separators", fa)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		d := min(max(decimals, 0), 6)
		want, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
		for _, s := range []string{fa, en} {
			plain := strings.NewReplacer("\u200e", "", "−", "-").Replace(s)
			got, err := daftar.ParseFloat(plain)
			if err != nil {
				t.Fatalf("%q does not read back: %v", s, err)
			}
			if got != want && !(got == 0 && want == 0) {
				t.Fatalf("%q reads back as %v, want %v", s, got, want)
			}
		}
		// The digits are grouped by three.
		intPart, _, _ := strings.Cut(strings.TrimPrefix(en, "-"), ".")
		for i, g := range strings.Split(intPart, ",") {
			if i > 0 && len(g) != 3 || i == 0 && (len(g) == 0 || len(g) > 3) {
				t.Fatalf("%q groups badly", en)
			}
		}
	})
}
