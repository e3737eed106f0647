package loadtest

import (
	"math"
	"time"
)

// slot is one scheduled request: its endpoint and its start, as an offset
// from the start of its window.
type slot struct {
	endpoint int
	at       time.Duration
}

// schedule yields the slots of one window (a warm-up or a measured stretch)
// in time order. Endpoint i sends exactly floor(rate_i × length) requests,
// evenly spaced at 1/rate_i, and the endpoints are offset from each other
// by a fraction of their interval so they do not all fire on the same tick.
// Slots are computed one at a time, so a long run holds none in memory.
type schedule struct {
	rates []float64
	count []int64 // requests of each endpoint in the window
	next  []int64 // index of each endpoint's next slot
	phase []float64
}

func newSchedule(rates []float64, length time.Duration) *schedule {
	s := &schedule{rates: rates, count: make([]int64, len(rates)), next: make([]int64, len(rates)),
		phase: make([]float64, len(rates))}
	for i, r := range rates {
		if r > 0 {
			// The epsilon keeps 0.1 × 30 s from rounding down to 2.
			s.count[i] = int64(math.Floor(r*length.Seconds() + 1e-9))
			s.phase[i] = float64(i) / float64(len(rates))
		}
	}
	return s
}

// total is the number of slots in the window.
func (s *schedule) total() int64 {
	var n int64
	for _, c := range s.count {
		n += c
	}
	return n
}

// at is the offset of endpoint i's k-th slot: (k + phase) / rate seconds,
// always within the window since k + phase < count ≤ rate × length.
func (s *schedule) at(i int, k int64) time.Duration {
	return time.Duration((float64(k) + s.phase[i]) / s.rates[i] * float64(time.Second))
}

// pop returns the earliest remaining slot, or false when none is left.
func (s *schedule) pop() (slot, bool) {
	best := -1
	var bestAt time.Duration
	for i := range s.rates {
		if s.next[i] >= s.count[i] {
			continue
		}
		if a := s.at(i, s.next[i]); best < 0 || a < bestAt {
			best, bestAt = i, a
		}
	}
	if best < 0 {
		return slot{}, false
	}
	s.next[best]++
	return slot{endpoint: best, at: bestAt}, true
}
