package licensing

import (
	"math"
	"sort"
)

// LargestRemainder apportions total seats in proportion to weights (Hare
// quota): each gets the whole part of its exact share, and the seats left go
// one each to the largest remainders, ties to the larger weight, then to the
// earlier index. The result always sums to total (when some weight is
// positive); zero and negative weights get nothing.
func LargestRemainder(total int, weights []float64) []int {
	out := make([]int, len(weights))
	if total <= 0 {
		return out
	}
	sum := 0.0
	for _, w := range weights {
		if w > 0 && !math.IsInf(w, 0) && !math.IsNaN(w) {
			sum += w
		}
	}
	if sum == 0 {
		return out
	}
	type rem struct {
		i    int
		frac float64
		w    float64
	}
	var rems []rem
	given := 0
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			continue
		}
		exact := float64(total) * w / sum
		whole := math.Floor(exact)
		out[i] = int(whole)
		given += out[i]
		rems = append(rems, rem{i, exact - whole, w})
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].frac != rems[b].frac {
			return rems[a].frac > rems[b].frac
		}
		if rems[a].w != rems[b].w {
			return rems[a].w > rems[b].w
		}
		return rems[a].i < rems[b].i
	})
	for k := 0; given < total && len(rems) > 0; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}
