package visits

import (
	"math"
	"math/big"
	"testing"
)

// erlangCExact evaluates the textbook formula with exact rationals.
func erlangCExact(c int, a *big.Rat) float64 {
	sum := new(big.Rat)
	term := big.NewRat(1, 1) // a^k/k!
	for k := 0; k < c; k++ {
		sum.Add(sum, term)
		term = new(big.Rat).Mul(term, a)
		term.Quo(term, big.NewRat(int64(k+1), 1))
	}
	// term = a^c/c!
	cr := big.NewRat(int64(c), 1)
	top := new(big.Rat).Mul(term, new(big.Rat).Quo(cr, new(big.Rat).Sub(cr, a)))
	den := new(big.Rat).Add(sum, top)
	f, _ := new(big.Rat).Quo(top, den).Float64()
	return f
}

func TestErlangCPublishedValues(t *testing.T) {
	cases := []struct {
		name              string
		lambda, service   float64 // arrivals per unit, mean service in units
		c                 int
		wantPWait, wantWq float64
	}{
		// Hillier & Lieberman, Introduction to Operations Research, the
		// County Hospital emergency room: lambda = 2/hour, mu = 3/hour.
		// One doctor: Wq = 2/3 hour; two doctors: Lq = 1/12, Wq = 1/24 hour.
		{"hillier-lieberman s=1", 2, 1.0 / 3, 1, 2.0 / 3, 2.0 / 3},
		{"hillier-lieberman s=2", 2, 1.0 / 3, 2, 1.0 / 6, 1.0 / 24},
		// M/M/2 at rho = 0.5: Lq = 2 rho^3 / (1 - rho^2) = 1/3, Wq = Lq/lambda.
		{"M/M/2 rho=0.5", 1, 1, 2, 1.0 / 3, 1.0 / 3},
		// M/M/3, a = 2: P0 = 1/9, C = 4/9, Lq = C*a/(c-a) = 8/9, Wq = 4/9.
		{"M/M/3 a=2", 2, 1, 3, 4.0 / 9, 4.0 / 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ErlangC(tc.c, tc.lambda*tc.service)
			if math.Abs(p-tc.wantPWait) > 1e-12 {
				t.Errorf("P(wait) = %v, want %v", p, tc.wantPWait)
			}
			wq, ok := ErlangCWait(tc.lambda, tc.service, tc.c)
			if !ok || math.Abs(wq-tc.wantWq) > 1e-12 {
				t.Errorf("Wq = %v (%v), want %v", wq, ok, tc.wantWq)
			}
		})
	}
}

func TestErlangCAgainstExactFormula(t *testing.T) {
	for c := 1; c <= 40; c++ {
		for _, frac := range []int64{1, 10, 50, 80, 95, 99} {
			a := big.NewRat(int64(c)*frac, 100)
			af, _ := a.Float64()
			got, want := ErlangC(c, af), erlangCExact(c, a)
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Fatalf("c=%d a=%v: %v, exact %v", c, af, got, want)
			}
		}
	}
}

func TestErlangCUnstableAndBadInput(t *testing.T) {
	if p := ErlangC(3, 3); p != 1 {
		t.Errorf("a = c: %v", p)
	}
	if _, ok := ErlangCWait(10, 1, 3); ok {
		t.Error("unstable queue reported a wait")
	}
	if _, ok := ErlangCWait(1, 0, 3); ok {
		t.Error("zero service time reported a wait")
	}
	if !math.IsNaN(ErlangC(0, 1)) {
		t.Error("no counters")
	}
	if w, ok := ErlangCWait(0, 5, 2); !ok || w != 0 {
		t.Errorf("no arrivals: %v %v", w, ok)
	}
	// Large systems stay finite.
	if p := ErlangC(500, 480); math.IsNaN(p) || p <= 0 || p >= 1 {
		t.Errorf("c=500: %v", p)
	}
}
