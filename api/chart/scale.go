package chart

import "math"

// niceTicks spreads about n ticks over [lo, hi] at steps of 1, 2 or 5 times
// a power of ten and widens the range to the outer ticks.
func niceTicks(lo, hi float64, n int) (ticks []float64, dlo, dhi float64) {
	return ticksOver(lo, hi, n, false)
}

// exactTicks keeps [lo, hi] as it is (an axis the caller fixed) and puts
// the nice ticks that fall inside it.
func exactTicks(lo, hi float64, n int) (ticks []float64, dlo, dhi float64) {
	return ticksOver(lo, hi, n, true)
}

func ticksOver(lo, hi float64, n int, exact bool) (ticks []float64, dlo, dhi float64) {
	if !finite(lo) || !finite(hi) {
		lo, hi = 0, 1
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else if lo > 0 {
			lo, hi = 0, 2*lo // a constant sits mid-axis, over zero
		} else {
			lo, hi = 2*lo, 0
		}
	}
	n = max(n, 2)
	step := niceStep((hi - lo) / float64(n))
	if exact {
		// Prefer a finer step that lands on both fixed ends (50 to 100 in
		// tens rather than 60, 80, 100 over an unlabelled 50).
		// Failing that, a step that leaves no fewer ticks than asked for.
		fit, even := 0.0, 0.0
		for s, k := step, 0; k < 3; s, k = smaller(s), k+1 {
			if steps := (hi - lo) / s; steps >= float64(n-1) && steps <= float64(2*n) {
				if fit == 0 {
					fit = s
				}
				if even == 0 && onStep(lo, s) && onStep(hi, s) {
					even = s
				}
			}
		}
		if even > 0 {
			step = even
		} else if fit > 0 {
			step = fit
		}
	}
	first := math.Floor(lo/step + 1e-9)
	last := math.Ceil(hi/step - 1e-9)
	if exact {
		first, last = math.Ceil(lo/step-1e-9), math.Floor(hi/step+1e-9)
	}
	for k := first; k <= last && len(ticks) <= 4*n; k++ {
		t := k * step
		if math.Abs(t) < step*1e-9 {
			t = 0
		}
		ticks = append(ticks, t)
	}
	if exact {
		// The fixed ends are labelled too, unless a tick is near.
		if len(ticks) == 0 || ticks[0]-lo >= step/2 {
			ticks = append([]float64{lo}, ticks...)
		}
		if hi-ticks[len(ticks)-1] >= step/2 {
			ticks = append(ticks, hi)
		}
		return ticks, lo, hi
	}
	return ticks, first * step, last * step
}

// smaller is the nice step below step (5 → 2 → 1 → 0.5).
func smaller(step float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(step)+1e-9))
	switch m := math.Round(step / p); m {
	case 5:
		return 2 * p
	case 2:
		return p
	default:
		return p / 2
	}
}

func onStep(v, step float64) bool {
	q := v / step
	return math.Abs(q-math.Round(q)) < 1e-9
}

func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch m := raw / p; {
	case m <= 1:
		return p
	case m <= 2:
		return 2 * p
	case m <= 5:
		return 5 * p
	default:
		return 10 * p
	}
}

// extent is the smallest and largest finite value of all the slices, or
// ok=false when there is none.
func extent(lists ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, l := range lists {
		for _, v := range l {
			if finite(v) {
				v = clampDraw(v)
				lo, hi, ok = min(lo, v), max(hi, v), true
			}
		}
	}
	return lo, hi, ok
}
