package licensing

import (
	"math"
	"sort"

	"github.com/daftar-ir/daftar/geo/visits"
)

// The queueing side of the demand model, on the Erlang C formulas of
// geo/visits (the crowding figures use the same). Each office is its own M/M/c
// queue (citizens do not move between offices once in a queue); a city's
// arrivals at its peak hour are shared among its offices in proportion to
// their counters, so every office runs at the same utilisation
// ρ = λ·s / (total counters). Adding offices adds counters and lowers ρ.

// cityQueue is a city's offices at its peak hour.
type cityQueue struct {
	lambda  float64     // arrivals per minute, the whole city
	service float64     // mean service time, minutes
	offices map[int]int // counters → number of offices
}

func (q cityQueue) counters() int {
	n := 0
	for c, k := range q.offices {
		n += c * k
	}
	return n
}

func (q cityQueue) count() int {
	n := 0
	for _, k := range q.offices {
		n += k
	}
	return n
}

// plus returns the city with n more offices of k counters.
func (q cityQueue) plus(n, k int) cityQueue {
	out := cityQueue{lambda: q.lambda, service: q.service, offices: make(map[int]int, len(q.offices)+1)}
	for c, m := range q.offices {
		out.offices[c] = m
	}
	if n > 0 {
		out.offices[k] += n
	}
	return out
}

// utilisation is ρ = λ·s / counters (∞ without counters).
func (q cityQueue) utilisation() float64 {
	c := q.counters()
	if c == 0 {
		return math.Inf(1)
	}
	return q.lambda * q.service / float64(c)
}

// parts lists each kind of office with its share of the arrivals.
func (q cityQueue) parts() (shares []float64, lambdas []float64, counters []int) {
	total := float64(q.counters())
	keys := make([]int, 0, len(q.offices))
	for c := range q.offices {
		keys = append(keys, c)
	}
	sort.Ints(keys)
	for _, c := range keys {
		n := q.offices[c]
		if n == 0 || c == 0 {
			continue
		}
		share := float64(c) / total // of the city's arrivals, per office
		shares = append(shares, share*float64(n))
		lambdas = append(lambdas, q.lambda*share)
		counters = append(counters, c)
	}
	return
}

// meanWait is the expected wait in minutes of a citizen arriving at the
// peak hour; ok is false when the queues are unstable (ρ ≥ 1).
func (q cityQueue) meanWait() (float64, bool) {
	if q.lambda == 0 {
		return 0, true
	}
	if q.utilisation() >= 1 {
		return math.Inf(1), false
	}
	shares, lambdas, counters := q.parts()
	w := 0.0
	for i := range shares {
		x, ok := visits.ErlangCWait(lambdas[i], q.service, counters[i])
		if !ok {
			return math.Inf(1), false
		}
		w += shares[i] * x
	}
	return w, true
}

// waitQuantile is the p-quantile of the wait over the city's arrivals: a
// mixture of each office's wait distribution, P(W > t) = Σ share·C·e^(-θt),
// solved for 1-p by bisection.
func (q cityQueue) waitQuantile(p float64) (float64, bool) {
	if q.lambda == 0 {
		return 0, true
	}
	if q.utilisation() >= 1 {
		return math.Inf(1), false
	}
	shares, lambdas, counters := q.parts()
	cs, thetas := make([]float64, len(shares)), make([]float64, len(shares))
	tail := 1 - p
	at0, hi := 0.0, 0.0
	for i := range shares {
		cs[i] = visits.ErlangC(counters[i], lambdas[i]*q.service)
		thetas[i] = float64(counters[i])/q.service - lambdas[i]
		at0 += shares[i] * cs[i]
		if cs[i] > tail {
			hi = max(hi, math.Log(cs[i]/tail)/thetas[i])
		}
	}
	if at0 <= tail {
		return 0, true
	}
	over := func(t float64) float64 {
		s := 0.0
		for i := range shares {
			s += shares[i] * cs[i] * math.Exp(-thetas[i]*t)
		}
		return s
	}
	lo := 0.0
	for range 100 {
		mid := (lo + hi) / 2
		if over(mid) > tail {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, true
}

// meets reports whether the expected wait is at most target minutes.
func (q cityQueue) meets(target float64) bool {
	w, ok := q.meanWait()
	return ok && w <= target
}

// addsNeeded is the fewest offices of k counters to add for the expected
// wait to stay under target; -1 when no number up to a million would do.
func (q cityQueue) addsNeeded(k int, target float64) int {
	if q.meets(target) {
		return 0
	}
	hi := 1
	for !q.plus(hi, k).meets(target) {
		hi *= 2
		if hi > 1<<20 {
			return -1
		}
	}
	lo := hi / 2 // fails (or is 0, which failed above)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if q.plus(mid, k).meets(target) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// fewestTypical is the fewest offices of k counters alone that keep the
// expected wait under target.
func fewestTypical(lambda, service float64, k int, target float64) int {
	empty := cityQueue{lambda: lambda, service: service, offices: map[int]int{}}
	n := empty.addsNeeded(k, target)
	return max(n, 1)
}
