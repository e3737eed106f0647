// Package loadtest drives HTTP endpoints at fixed rates and reports their
// latency, errors and throughput. It knows nothing of Daftar; the Daftar mix
// (sign-in, discovery, the requests) is in internal/loadtest/mix.
//
// Load is open-loop: every request has a scheduled start, computed up front
// from the rate, and is sent then whatever happened to the requests before
// it. A stalled server therefore meets the requests that pile up behind the
// stall instead of a polite pause (the "coordinated omission" of closed-loop
// tools), and latency is measured from the scheduled start; the service time
// from the actual send is reported beside it. Concurrency is bounded: a
// request that finds every slot taken waits for one (counted late) up to a
// limit, then is dropped (counted). Percentiles are exact, from every
// recorded sample.
package loadtest
