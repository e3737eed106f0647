package loadtest

import (
	"math"
	"slices"
	"sync"
	"time"
)

// class is what became of one request.
type class uint8

const (
	classOK       class = iota // 2xx, and the Check passed
	classStatus                // a status outside 2xx
	classTimeout               // no full answer within the timeout
	classNet                   // connection refused, reset, ...
	classCheck                 // 2xx, but the Check refused the body
	classBuild                 // NewRequest failed: never sent
	classCanceled              // the run was stopped
)

// result is one finished request.
type result struct {
	class  class
	status int
	late   bool          // waited for a concurrency slot
	lag    time.Duration // send - scheduled start
	wait   time.Duration // done - scheduled start: the latency
	svc    time.Duration // done - send: the service time
}

// bucket gathers the results of one endpoint in one step.
type bucket struct {
	mu        sync.Mutex
	scheduled int
	dropped   int
	results   []result
}

func (b *bucket) add(r result) {
	b.mu.Lock()
	b.results = append(b.results, r)
	b.mu.Unlock()
}

func (b *bucket) drop() {
	b.mu.Lock()
	b.dropped++
	b.mu.Unlock()
}

// Summary is the distribution of one measure, in milliseconds. Percentiles
// are nearest-rank over every sample: P95 is the smallest sample that at
// least 95% of the samples do not exceed.
type Summary struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// summarize sorts samples in place and describes them.
func summarize(samples []time.Duration) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	return Summary{N: len(samples), P50: ms(percentile(samples, 50)), P95: ms(percentile(samples, 95)),
		P99: ms(percentile(samples, 99)), Max: ms(samples[len(samples)-1]), Mean: ms(sum) / float64(len(samples))}
}

// Stats are the figures of one endpoint (or all of them) over one step's
// measured window.
type Stats struct {
	Endpoint   string  `json:"endpoint"`
	TargetRate float64 `json:"target_rate"` // requests per second asked for
	Scheduled  int     `json:"scheduled"`   // slots in the window: target × duration
	Sent       int     `json:"sent"`
	OK         int     `json:"ok"`
	HTTP3xx    int     `json:"http_3xx"`
	HTTP4xx    int     `json:"http_4xx"`
	HTTP5xx    int     `json:"http_5xx"`
	Timeouts   int     `json:"timeouts"`
	NetErrors  int     `json:"net_errors"`
	CheckFails int     `json:"check_failed"`
	NotBuilt   int     `json:"not_built"` // NewRequest failed
	Canceled   int     `json:"canceled"`  // cut short when the run was stopped
	Late       int     `json:"late"`      // waited for a free concurrency slot
	Dropped    int     `json:"dropped"`   // found no slot in time: never sent
	// Statuses counts every status code that came back.
	Statuses map[int]int `json:"statuses"`
	// Rate is requests sent per second of the window, OKRate the ones that
	// succeeded.
	Rate   float64 `json:"rate"`
	OKRate float64 `json:"ok_rate"`
	// Latency runs from the scheduled start to the end of the response
	// body, so it includes any wait behind the concurrency bound and the
	// dispatcher's own lag; Service runs from the send. Both cover every
	// request that was sent and not canceled, errors and timeouts included
	// (a timeout counts with the time it took to give up).
	Latency Summary `json:"latency"`
	Service Summary `json:"service"`
	// Lag is how long after its scheduled start each request was sent.
	Lag Summary `json:"send_lag"`
}

// Errors is every sent request that did not succeed, except those canceled.
func (s Stats) Errors() int {
	return s.HTTP3xx + s.HTTP4xx + s.HTTP5xx + s.Timeouts + s.NetErrors + s.CheckFails + s.NotBuilt
}

// statsOf computes the figures of the buckets together over a window.
func statsOf(name string, target float64, window time.Duration, buckets ...*bucket) Stats {
	st := Stats{Endpoint: name, TargetRate: target, Statuses: map[int]int{}}
	var lat, svc, lag []time.Duration
	for _, b := range buckets {
		b.mu.Lock()
		st.Scheduled += b.scheduled
		st.Dropped += b.dropped
		for _, r := range b.results {
			if r.late {
				st.Late++
			}
			if r.status != 0 {
				st.Statuses[r.status]++
			}
			switch r.class {
			case classBuild:
				st.NotBuilt++
				continue
			case classCanceled:
				st.Canceled++
				continue
			case classOK:
				st.OK++
			case classStatus:
				switch {
				case r.status >= 500:
					st.HTTP5xx++
				case r.status >= 400:
					st.HTTP4xx++
				default:
					st.HTTP3xx++
				}
			case classTimeout:
				st.Timeouts++
			case classNet:
				st.NetErrors++
			case classCheck:
				st.CheckFails++
			}
			st.Sent++
			lat = append(lat, r.wait)
			svc = append(svc, r.svc)
			lag = append(lag, r.lag)
		}
		b.mu.Unlock()
	}
	if secs := window.Seconds(); secs > 0 {
		st.Rate = float64(st.Sent) / secs
		st.OKRate = float64(st.OK) / secs
	}
	st.Latency, st.Service, st.Lag = summarize(lat), summarize(svc), summarize(lag)
	return st
}
