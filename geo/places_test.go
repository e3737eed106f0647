package geo_test

import (
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/paulmach/orb"
)

func TestOpeningHours(t *testing.T) {
	h, fe := geo.ParseOpeningHours(map[string][]string{"sat": {"08:00-13:00", "16:00-19:00"}, "thu": {"۰۸:۰۰-۱۲:۰۰"}})
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	tehran := daftar.Tehran()
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 21, 8, 0, 0, 0, tehran), true},   // Saturday 08:00
		{time.Date(2026, 11, 21, 12, 59, 0, 0, tehran), true}, // Saturday 12:59
		{time.Date(2026, 11, 21, 13, 0, 0, 0, tehran), false}, // closes at 13:00
		{time.Date(2026, 11, 21, 17, 0, 0, 0, tehran), true},
		{time.Date(2026, 11, 26, 11, 0, 0, 0, tehran), true},   // Thursday
		{time.Date(2026, 11, 27, 10, 0, 0, 0, tehran), false},  // Friday
		{time.Date(2026, 11, 21, 4, 30, 0, 0, time.UTC), true}, // 08:00 Tehran in UTC
	} {
		if got := h.IsOpen(c.at); got != c.open {
			t.Errorf("%s: open=%v, want %v", c.at, got, c.open)
		}
	}
	if h.WeeklyMinutes() != 5*60+3*60+4*60 {
		t.Fatalf("weekly minutes %d", h.WeeklyMinutes())
	}
	for _, bad := range []map[string][]string{
		{"sat": {"8-13"}}, {"sat": {"08:00-25:00"}}, {"sat": {"13:00-08:00"}}, {"sat": {"08:00-13:00", "12:00-14:00"}},
		{"friday": {"08:00-13:00"}}, {"sat": {"08:60-09:00"}}, {"sat": {""}}, {"sat": {"08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00", "16:00-17:00"}},
	} {
		if _, fe := geo.ParseOpeningHours(bad); len(fe) == 0 {
			t.Errorf("%v accepted", bad)
		}
	}
}

// FuzzOpeningHours: the parser never panics, and what it accepts is ordered
// and within the day.
func FuzzOpeningHours(f *testing.F) {
	for _, s := range []string{"08:00-13:00", "۰۸:۰۰-۱۲:۰۰", "23:59-24:00", "-", "8:0-9:0", "00:00-00:01"} {
		f.Add(s, "16:00-19:00")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		h, fe := geo.ParseOpeningHours(map[string][]string{"sat": {a, b}})
		if len(fe) > 0 {
			return
		}
		prev := -1
		for _, s := range h.Day(time.Saturday) {
			if s.Open < 0 || s.Close > 24*60 || s.Close <= s.Open || s.Open < prev {
				t.Fatalf("accepted a bad span %v from %q %q", s, a, b)
			}
			prev = s.Close
		}
	})
}

func TestDistanceKnownPairs(t *testing.T) {
	for _, c := range []struct {
		name        string
		a, b        orb.Point
		wantKm, tol float64
	}{
		// Great-circle distances from published airport-to-airport figures
		// (IKA/THR-MHD ≈ 740 km; Tehran-Isfahan ≈ 340 km).
		{"Tehran–Mashhad", orb.Point{51.389, 35.689}, orb.Point{59.6062, 36.2972}, 742, 8},
		{"Tehran–Isfahan", orb.Point{51.389, 35.689}, orb.Point{51.6776, 32.6539}, 338, 5},
		{"same point", orb.Point{51, 35}, orb.Point{51, 35}, 0, 0.001},
		{"one degree of latitude", orb.Point{51, 35}, orb.Point{51, 36}, 111.195, 0.01},
	} {
		got := geo.Distance(c.a, c.b) / 1000
		if math.Abs(got-c.wantKm) > c.tol {
			t.Errorf("%s: %.3f km, want %.3f±%.3f", c.name, got, c.wantKm, c.tol)
		}
	}
}
