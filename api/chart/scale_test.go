package chart

import (
	"math"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 35.5, 4, []float64{0, 10, 20, 30, 40}},
		{0, 1450, 4, []float64{0, 500, 1000, 1500}},
		{0, 0, 4, []float64{0, 0.5, 1}},
		{7, 7, 4, []float64{0, 5, 10, 15}}, // a constant keeps zero
		{-7, -7, 4, []float64{-15, -10, -5, 0}},
		{-12, 3, 3, []float64{-15, -10, -5, 0, 5}},
		{0.02, 0.07, 5, []float64{0.02, 0.03, 0.04, 0.05, 0.06, 0.07}},
	}
	for _, c := range cases {
		got, lo, hi := niceTicks(c.lo, c.hi, c.n)
		if !near(got, c.want) || lo != got[0] || hi != got[len(got)-1] {
			t.Errorf("niceTicks(%v, %v, %d) = %v [%v, %v], want %v", c.lo, c.hi, c.n, got, lo, hi, c.want)
		}
	}
	// A fixed axis keeps its ends, labelled.
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{50, 100, []float64{50, 60, 70, 80, 90, 100}}, // a finer step that lands on both ends
		{0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{3, 97, []float64{3, 20, 40, 60, 80, 97}}, // no step does: the ends are labelled
	} {
		got, lo, hi := exactTicks(c.lo, c.hi, 4)
		if lo != c.lo || hi != c.hi || !near(got, c.want) {
			t.Errorf("exactTicks(%v, %v) = %v [%v, %v], want %v", c.lo, c.hi, got, lo, hi, c.want)
		}
	}
	// Whatever comes in, the ticks are few, rising and cover the data.
	for _, r := range [][2]float64{{math.NaN(), 1}, {math.Inf(-1), math.Inf(1)}, {-1e15, 1e15}, {1e-12, 2e-12}, {5, -5}} {
		for _, exact := range []bool{false, true} {
			ts, lo, hi := ticksOver(r[0], r[1], 5, exact)
			if len(ts) == 0 || len(ts) > 22 || !(lo < hi) {
				t.Errorf("ticks(%v, exact %v) = %v [%v, %v]", r, exact, ts, lo, hi)
			}
			for i := 1; i < len(ts); i++ {
				if !(ts[i] > ts[i-1]) {
					t.Errorf("ticks(%v) not rising: %v", r, ts)
				}
			}
		}
	}
}

func near(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// The embedded outline is Iran's: one large ring and the islands, inside
// the country's extent.
func TestOutline(t *testing.T) {
	o := iranOutline()
	points := 0
	for _, r := range o.Rings {
		points += len(r)
	}
	if len(o.Rings) == 0 || len(o.Rings[0]) < 300 || points > 3000 {
		t.Fatalf("%d rings, %d points", len(o.Rings), points)
	}
	if o.south < 24.5 || o.south > 25.5 || o.north < 39.5 || o.north > 40 || o.west < 43.5 || o.west > 44.5 || o.east < 63 || o.east > 63.5 {
		t.Errorf("extent %v..%v N, %v..%v E is not Iran's", o.south, o.north, o.west, o.east)
	}
}

func TestTextFit(t *testing.T) {
	if got := fit("short", 100, 12); got != "short" {
		t.Errorf("fit kept %q", got)
	}
	long := "شکایت‌ها و گزارش‌های وجه اضافی و همه چیزهای دیگر"
	got := fit(long, 60, 12)
	if textWidth(got, 12) > 60 || []rune(got)[len([]rune(got))-1] != '…' {
		t.Errorf("fit(%q, 60) = %q", long, got)
	}
	if clean("a\x00b\x1bc\xffd") != "abcd" {
		t.Errorf("clean = %q", clean("a\x00b\x1bc\xffd"))
	}
}
