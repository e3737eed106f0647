package surveys

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Wilson intervals against published values (e.g. Newcombe 1998, table I:
// 81/263 → 0.2553-0.3662; 15/148 → 0.0624-0.1605; 0/20 → 0-0.1611).
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n      int64
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{20, 20, 0.8389, 1},
	} {
		lo, hi := Wilson(c.k, c.n)
		if !near(lo, c.low, 0.0006) || !near(hi, c.high, 0.0006) {
			t.Errorf("Wilson(%d, %d) = %.4f-%.4f, want %.4f-%.4f", c.k, c.n, lo, hi, c.low, c.high)
		}
	}
	if lo, hi := Wilson(0, 0); lo != 0 || hi != 1 {
		t.Errorf("no data: %v-%v", lo, hi)
	}
}

func TestNPSAndBayesianMean(t *testing.T) {
	// 6 promoters, 2 passives, 2 detractors of 10 → 40.
	if got := NPS(6, 2, 10); got != 40 {
		t.Fatalf("NPS %v", got)
	}
	if got := NPS(0, 5, 5); got != -100 {
		t.Fatalf("NPS %v", got)
	}
	// One 5/5 answer with prior 3.8 and weight 10 → (38+5)/11.
	if got := BayesianMean(5, 1, 3.8, 10); !near(got, 43.0/11, 1e-12) {
		t.Fatalf("bayes %v", got)
	}
	// Many answers: close to the office's own mean.
	if got := BayesianMean(4.5*10000, 10000, 3.8, 10); !near(got, 4.5, 0.001) {
		t.Fatalf("bayes large n %v", got)
	}
}
