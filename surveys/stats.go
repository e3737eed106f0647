package surveys

import "math"

// Wilson returns the Wilson score interval for k successes in n trials at
// about 95% confidence (z = 1.96): unlike the normal approximation it stays
// within [0, 1] and behaves at small n and at 0 or n successes.
func Wilson(k, n int64) (low, high float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nn := float64(n)
	denom := 1 + z*z/nn
	centre := p + z*z/(2*nn)
	margin := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn))
	low, high = (centre-margin)/denom, (centre+margin)/denom
	return math.Max(0, low), math.Min(1, high)
}

// NPS is the net promoter score from answers 0-10: the share of promoters
// (9-10) minus the share of detractors (0-6), in points from -100 to 100.
func NPS(promoters, detractors, n int64) float64 {
	if n == 0 {
		return 0
	}
	return 100 * (float64(promoters) - float64(detractors)) / float64(n)
}

// BayesianMean pulls a small sample's mean toward the prior (the national
// mean) as if the office had `weight` extra responses at the prior:
// (weight·prior + sum) / (weight + n). With many responses the office's own
// mean dominates; with few, one delighted or furious citizen cannot move it
// far.
func BayesianMean(sum float64, n int64, prior, weight float64) float64 {
	if float64(n)+weight == 0 {
		return prior
	}
	return (weight*prior + sum) / (weight + float64(n))
}
