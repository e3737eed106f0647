package visits

import "math"

// Erlang C: the M/M/c queue. Citizens arrive at rate lambda, each counter
// serves at rate mu (1 / mean service time), c counters share one queue.
// With offered load a = lambda/mu < c the queue is stable and
//
//	P(wait) = C(c, a) = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a))
//	Wq      = C(c, a) / (c*mu - lambda)
//
// C is computed through the Erlang B recursion B(0)=1,
// B(k) = a*B(k-1) / (k + a*B(k-1)), and C = c*B / (c - a*(1-B)), which stays
// accurate for hundreds of counters where factorials overflow.

// ErlangC returns the probability that an arrival waits, for c counters and
// offered load a (Erlangs). It returns 1 when a >= c (the queue grows
// without bound) and NaN for c < 1 or a < 0.
func ErlangC(c int, a float64) float64 {
	if c < 1 || a < 0 || math.IsNaN(a) {
		return math.NaN()
	}
	if a == 0 {
		return 0
	}
	if a >= float64(c) {
		return 1
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(c) * b / (float64(c) - a*(1-b))
}

// ErlangCWait returns the expected wait in the queue (in the unit of
// meanService) for arrival rate lambda (per the same unit), mean service
// time meanService and c counters. ok is false when the queue is unstable
// (lambda*meanService >= c) or the inputs make no sense.
func ErlangCWait(lambda, meanService float64, c int) (wait float64, ok bool) {
	if c < 1 || lambda < 0 || meanService <= 0 || math.IsNaN(lambda) || math.IsNaN(meanService) {
		return 0, false
	}
	a := lambda * meanService
	if a >= float64(c) {
		return math.Inf(1), false
	}
	if a == 0 {
		return 0, true
	}
	mu := 1 / meanService
	return ErlangC(c, a) / (float64(c)*mu - lambda), true
}

// ErlangCWaitQuantile returns the p-quantile (0 < p < 1) of the wait in the
// queue of an M/M/c queue with arrival rate lambda, mean service time
// service (in the same time unit) and c counters: the wait is 0 with
// probability 1 - C, and beyond that exponential with rate cμ - λ, so
// P(W > t) = C·e^(-(cμ-λ)t). ok is false when the queue is unstable.
func ErlangCWaitQuantile(lambda, service float64, c int, p float64) (float64, bool) {
	if c < 1 || lambda < 0 || service <= 0 || p <= 0 || p >= 1 {
		return 0, false
	}
	a := lambda * service
	if a >= float64(c) {
		return math.Inf(1), false
	}
	pw := ErlangC(c, a)
	tail := 1 - p
	if pw <= tail {
		return 0, true
	}
	return math.Log(pw/tail) / (float64(c)/service - lambda), true
}
