package api

import (
	"sync"
	"time"
)

// rateLimiter counts requests per key in fixed windows, in this process
// (each replica limits on its own: the limits are against floods, not
// quotas). It keeps at most max keys and forgets old windows.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	max    int
	counts map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, max: 100_000, counts: map[string]*windowCount{}}
}

// allow counts one request for key and reports whether it is within the
// limit, and if not, how long until the window ends.
func (r *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.counts[key]
	if !ok || now.Sub(w.start) >= r.window || now.Before(w.start) {
		if len(r.counts) >= r.max {
			for k, v := range r.counts {
				if now.Sub(v.start) >= r.window {
					delete(r.counts, k)
				}
			}
			if len(r.counts) >= r.max {
				r.counts = map[string]*windowCount{}
			}
		}
		w = &windowCount{start: now}
		r.counts[key] = w
	}
	w.n++
	if w.n > r.limit {
		return false, r.window - now.Sub(w.start)
	}
	return true, 0
}
