package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// throttled counts sign-ins refused by a throttle, by which one.
	throttled *prometheus.CounterVec
}

func newHTTPMetrics(reg *prometheus.Registry, d *db.DB) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "daftar_http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "daftar_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "daftar_login_throttled_total", Help: "Sign-ins refused by a throttle: account_address, address or account (the per-account ceiling).",
		}, []string{"throttle"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.throttled} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if d != nil {
		// Pool figures: open, in use, idle, waits.
		if err := reg.Register(collectors.NewDBStatsCollector(d.SQL, string(d.Dialect))); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(method, route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// loginRefused counts a sign-in a throttle refused; other errors pass.
func (m *httpMetrics) loginRefused(err error) {
	var te *accounts.ThrottledError
	if errors.As(err, &te) {
		m.throttled.WithLabelValues(te.Scope).Inc()
	}
}

func (m *httpMetrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
