package daftar

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 11, 21, 0, 0, 0, 0, Tehran())
	for _, s := range []string{"2026-11-21", " 2026-11-21 ", "1405/08/30", "1405-08-30", "۱۴۰۵/۰۸/۳۰", "٢٠٢٦-١١-٢١"} {
		got, err := ParseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "tomorrow", "2026-02-30", "1405/12/31", "21/11/2026", "0026-11-21", "2026-11-21T10:00:00Z"} {
		if _, err := ParseDate(s); !IsKind(err, KindInvalid) {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	f.Add("1405/08/30")
	f.Add("2026-11-21")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err == nil && (d.Hour() != 0 || d.Minute() != 0) {
			t.Fatalf("%q → %v not midnight", s, d)
		}
	})
}
