package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is virtual time: Sleep jumps ahead instead of waiting, so a whole
// schedule runs at once. After fires at once too, unless after is set.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	after func(d time.Duration) (<-chan time.Time, func())
	sleep func() // called on every Sleep, before it returns
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		c.sleep()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.advance(d)
	return nil
}

func (c *fakeClock) After(d time.Duration) (<-chan time.Time, func()) {
	if c.after != nil {
		return c.after(d)
	}
	ch := make(chan time.Time, 1)
	ch <- c.advance(d)
	return ch, func() {}
}

func get(url string) func(context.Context, int64) (*http.Request, error) {
	return func(ctx context.Context, _ int64) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	}
}

func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func mustRunner(t *testing.T, cfg Config) *Runner {
	t.Helper()
	if cfg.Client == nil {
		cfg.Client = noRedirects()
	}
	if cfg.Clock == nil {
		cfg.Clock = newFakeClock()
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 1000
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = time.Second
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPercentiles(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	rand.Shuffle(len(hundred), func(i, j int) { hundred[i], hundred[j] = hundred[j], hundred[i] })
	ten := []time.Duration{7, 3, 10, 1, 9, 2, 8, 4, 6, 5}
	for i := range ten {
		ten[i] *= time.Millisecond
	}
	tests := []struct {
		name    string
		samples []time.Duration
		want    Summary
	}{
		{"1..100 ms", hundred, Summary{N: 100, P50: 50, P95: 95, P99: 99, Max: 100, Mean: 50.5}},
		// Nearest rank: the 95th percentile of ten samples is the 10th.
		{"1..10 ms", ten, Summary{N: 10, P50: 5, P95: 10, P99: 10, Max: 10, Mean: 5.5}},
		{"one sample", []time.Duration{1500 * time.Microsecond}, Summary{N: 1, P50: 1.5, P95: 1.5, P99: 1.5, Max: 1.5, Mean: 1.5}},
		{"none", nil, Summary{}},
	}
	for _, tt := range tests {
		if got := summarize(tt.samples); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// A stall in 2% of requests shows at p99 but not at p95.
	var s []time.Duration
	for i := range 1000 {
		d := time.Millisecond
		if i%50 == 0 {
			d = 2 * time.Second
		}
		s = append(s, d)
	}
	if got := summarize(s); got.P95 != 1 || got.P99 != 2000 {
		t.Errorf("stall: p95 %v p99 %v", got.P95, got.P99)
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		rates  []float64
		length time.Duration
		want   []int64
	}{
		{[]float64{3, 2.5, 0}, 2 * time.Second, []int64{6, 5, 0}},
		{[]float64{0.1}, 30 * time.Second, []int64{3}},
		{[]float64{800}, 30 * time.Second, []int64{24000}},
		{[]float64{0.4}, 2 * time.Second, []int64{0}},
	}
	for _, tt := range tests {
		s := newSchedule(tt.rates, tt.length)
		got := make([]int64, len(tt.rates))
		var last time.Duration
		prevOf := make([]time.Duration, len(tt.rates))
		for {
			sl, ok := s.pop()
			if !ok {
				break
			}
			if sl.at < last || sl.at < 0 || sl.at >= tt.length {
				t.Fatalf("%v: slot at %v after %v (window %v)", tt.rates, sl.at, last, tt.length)
			}
			if n := got[sl.endpoint]; n > 0 {
				gap := sl.at - prevOf[sl.endpoint]
				want := time.Duration(float64(time.Second) / tt.rates[sl.endpoint])
				if d := gap - want; d < -time.Microsecond || d > time.Microsecond {
					t.Fatalf("%v: endpoint %d gap %v, want %v", tt.rates, sl.endpoint, gap, want)
				}
			}
			prevOf[sl.endpoint] = sl.at
			got[sl.endpoint]++
			last = sl.at
		}
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("%v over %v: endpoint %d has %d slots, want %d", tt.rates, tt.length, i, got[i], tt.want[i])
			}
		}
	}
}

// The server sees exactly rate × duration requests of each endpoint,
// warm-up included; the figures count only the measured windows.
func TestRunIssuesRateTimesDuration(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	seqs := map[int64]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
	}))
	defer srv.Close()
	a := Endpoint{Name: "a", NewRequest: func(ctx context.Context, seq int64) (*http.Request, error) {
		mu.Lock()
		if seqs[seq] {
			t.Errorf("sequence %d twice", seq)
		}
		seqs[seq] = true
		mu.Unlock()
		return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/a", nil)
	}}
	b := Endpoint{Name: "b", NewRequest: get(srv.URL + "/b")}
	plan := Plan{Endpoints: []Endpoint{a, b}, Steps: []Step{
		{Rates: []float64{50, 20}, Warmup: time.Second, Duration: 2 * time.Second},
		{Rates: []float64{100, 0}, Duration: time.Second},
	}}
	var steps []int
	r := mustRunner(t, Config{OnStep: func(s StepReport) { steps = append(steps, s.Step) }})
	rep, err := r.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if hits["/a"] != 50*3+100 || hits["/b"] != 20*3 {
		t.Fatalf("server saw %v, want /a 250 and /b 60", hits)
	}
	for seq := range int64(250) {
		if !seqs[seq] {
			t.Fatalf("sequence %d never built", seq)
		}
	}
	if len(rep.Steps) != 2 || len(steps) != 2 || steps[0] != 1 || steps[1] != 2 {
		t.Fatalf("steps %v, reported %v", len(rep.Steps), steps)
	}
	s1, s2 := rep.Steps[0], rep.Steps[1]
	if len(s1.Endpoints) != 2 || s1.Endpoints[0].Sent != 100 || s1.Endpoints[0].OK != 100 || s1.Endpoints[1].Sent != 40 ||
		s1.Endpoints[0].Scheduled != 100 || s1.Total.Sent != 140 || s1.TargetRate != 70 {
		t.Fatalf("step 1: %+v", s1)
	}
	if len(s2.Endpoints) != 1 || s2.Endpoints[0].Endpoint != "a" || s2.Endpoints[0].Sent != 100 || s2.Total.Sent != 100 {
		t.Fatalf("step 2: %+v", s2)
	}
	if s1.Endpoints[0].Rate != 50 || s1.Endpoints[0].OKRate != 50 || s1.Endpoints[0].Statuses[200] != 100 {
		t.Errorf("step 1 rates: %+v", s1.Endpoints[0])
	}
	if e := s1.Total.Errors(); e != 0 || s1.Total.Dropped != 0 || s1.Total.Late != 0 {
		t.Errorf("errors %d dropped %d late %d", e, s1.Total.Dropped, s1.Total.Late)
	}
}

func TestRunClassifiesOutcomes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"accepted":20}`))
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/missing":
			http.NotFound(w, r)
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/slow":
			<-r.Context().Done() // answers only when the client gives up
		case "/bad":
			w.Write([]byte(`{"accepted":3}`))
		}
	}))
	defer srv.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	check := func(body []byte) error {
		if !bytes.Contains(body, []byte(`"accepted":20`)) {
			return errors.New("not all accepted")
		}
		return nil
	}
	eps := []Endpoint{
		{Name: "ok", NewRequest: get(srv.URL + "/ok"), Check: check},
		{Name: "moved", NewRequest: get(srv.URL + "/moved")},
		{Name: "missing", NewRequest: get(srv.URL + "/missing")},
		{Name: "down", NewRequest: get(srv.URL + "/down")},
		{Name: "slow", NewRequest: get(srv.URL + "/slow")},
		{Name: "bad", NewRequest: get(srv.URL + "/bad"), Check: check},
		{Name: "refused", NewRequest: get(goneURL + "/x")},
		{Name: "unbuilt", NewRequest: func(context.Context, int64) (*http.Request, error) { return nil, errors.New("no office") }},
	}
	rates := make([]float64, len(eps))
	for i := range rates {
		rates[i] = 4
	}
	r := mustRunner(t, Config{Timeout: 100 * time.Millisecond})
	rep, err := r.Run(context.Background(), Plan{Endpoints: eps, Steps: []Step{{Rates: rates, Duration: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Stats{}
	for _, s := range rep.Steps[0].Endpoints {
		by[s.Endpoint] = s
	}
	tests := []struct {
		name string
		got  func(Stats) int
	}{
		{"ok", func(s Stats) int { return s.OK }},
		{"moved", func(s Stats) int { return s.HTTP3xx }},
		{"missing", func(s Stats) int { return s.HTTP4xx }},
		{"down", func(s Stats) int { return s.HTTP5xx }},
		{"slow", func(s Stats) int { return s.Timeouts }},
		{"bad", func(s Stats) int { return s.CheckFails }},
		{"refused", func(s Stats) int { return s.NetErrors }},
		{"unbuilt", func(s Stats) int { return s.NotBuilt }},
	}
	for _, tt := range tests {
		s := by[tt.name]
		if n := tt.got(s); n != 4 {
			t.Errorf("%s: %d of 4 classified as such: %+v", tt.name, n, s)
		}
		wantErrors := 4
		if tt.name == "ok" {
			wantErrors = 0
		}
		if s.Errors() != wantErrors {
			t.Errorf("%s: Errors() = %d, want %d", tt.name, s.Errors(), wantErrors)
		}
	}
	if by["missing"].Statuses[404] != 4 || by["moved"].Statuses[302] != 4 {
		t.Errorf("statuses: %v %v", by["missing"].Statuses, by["moved"].Statuses)
	}
	if by["unbuilt"].Sent != 0 || by["slow"].Sent != 4 || by["slow"].Latency.N != 4 {
		t.Errorf("sent: unbuilt %d, slow %d (latency samples %d)", by["unbuilt"].Sent, by["slow"].Sent, by["slow"].Latency.N)
	}
	if total := rep.Steps[0].Total; total.Sent != 28 || total.OK != 4 || total.Errors() != 28 {
		t.Errorf("total: sent %d ok %d errors %d", total.Sent, total.OK, total.Errors())
	}
}

// blockingServer holds every request until released, one per release.
func blockingServer(t *testing.T) (url string, release chan struct{}, hits *atomic.Int64) {
	t.Helper()
	release = make(chan struct{}, 1000)
	hits = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, release, hits
}

// With one slot and every request held, each request after the first finds
// the slot taken: it waits, and gives up (dropped) when its wait runs out.
func TestRunDropsWhenTheBoundIsHit(t *testing.T) {
	url, release, hits := blockingServer(t)
	clock := newFakeClock()
	var waits atomic.Int64
	clock.after = func(d time.Duration) (<-chan time.Time, func()) {
		// Every wait for a slot runs out at once; once all nine have, let
		// the one request in flight finish.
		if waits.Add(1) == 9 {
			release <- struct{}{}
		}
		ch := make(chan time.Time, 1)
		ch <- clock.advance(d)
		return ch, func() {}
	}
	r := mustRunner(t, Config{Clock: clock, MaxInFlight: 1})
	rep, err := r.Run(context.Background(), Plan{Endpoints: []Endpoint{{Name: "a", NewRequest: get(url)}},
		Steps: []Step{{Rates: []float64{10}, Duration: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Steps[0].Endpoints[0]
	if s.Scheduled != 10 || s.Sent != 1 || s.Dropped != 9 || hits.Load() != 1 {
		t.Fatalf("scheduled %d sent %d dropped %d, server saw %d; want 10, 1, 9, 1", s.Scheduled, s.Sent, s.Dropped, hits.Load())
	}
}

// With one slot, a request that waits and gets the slot is late, and its
// latency counts from its scheduled start, not from when the slot freed.
func TestRunCountsLateRequests(t *testing.T) {
	url, release, hits := blockingServer(t)
	clock := newFakeClock()
	clock.after = func(time.Duration) (<-chan time.Time, func()) {
		// While the dispatcher waits for the slot, the request holding it
		// finishes 300 ms later; the wait itself never runs out.
		clock.advance(300 * time.Millisecond)
		release <- struct{}{}
		return make(chan time.Time), func() {}
	}
	last := func(ctx context.Context, seq int64) (*http.Request, error) {
		if seq == 4 {
			release <- struct{}{} // nothing waits behind the last one
		}
		return get(url)(ctx, seq)
	}
	r := mustRunner(t, Config{Clock: clock, MaxInFlight: 1})
	rep, err := r.Run(context.Background(), Plan{Endpoints: []Endpoint{{Name: "a", NewRequest: last}},
		Steps: []Step{{Rates: []float64{5}, Duration: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Steps[0].Endpoints[0]
	if s.Sent != 5 || s.OK != 5 || s.Late != 4 || s.Dropped != 0 || hits.Load() != 5 {
		t.Fatalf("sent %d late %d dropped %d, server saw %d", s.Sent, s.Late, s.Dropped, hits.Load())
	}
	if s.Lag.Max < 100 {
		t.Errorf("late requests show no send lag: %+v", s.Lag)
	}
}

func TestRunStopsWhenCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock()
	var sleeps atomic.Int64
	clock.sleep = func() {
		if sleeps.Add(1) == 25 { // the fifth slot of step 2
			cancel()
		}
	}
	r := mustRunner(t, Config{Clock: clock})
	rep, err := r.Run(ctx, Plan{Endpoints: []Endpoint{{Name: "a", NewRequest: get(srv.URL)}},
		Steps: []Step{{Rates: []float64{10}, Duration: 2 * time.Second}, {Rates: []float64{10}, Duration: time.Second}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Steps) != 2 {
		t.Fatalf("%d steps reported", len(rep.Steps))
	}
	if s := rep.Steps[0].Total; s.Sent+s.Canceled != 20 {
		t.Errorf("step 1: sent %d canceled %d", s.Sent, s.Canceled)
	}
	if s := rep.Steps[1].Total; s.Sent+s.Canceled > 10 || s.Sent+s.Canceled == 10 {
		t.Errorf("step 2 should be cut short: sent %d canceled %d", s.Sent, s.Canceled)
	}
}

func TestPlanAndConfigRefused(t *testing.T) {
	ep := Endpoint{Name: "a", NewRequest: get("http://x")}
	bad := []Plan{
		{},
		{Endpoints: []Endpoint{ep}},
		{Endpoints: []Endpoint{{Name: "a"}}, Steps: []Step{{Rates: []float64{1}, Duration: time.Second}}},
		{Endpoints: []Endpoint{ep, ep}, Steps: []Step{{Rates: []float64{1, 1}, Duration: time.Second}}},
		{Endpoints: []Endpoint{ep}, Steps: []Step{{Rates: []float64{1, 2}, Duration: time.Second}}},
		{Endpoints: []Endpoint{ep}, Steps: []Step{{Rates: []float64{-1}, Duration: time.Second}}},
		{Endpoints: []Endpoint{ep}, Steps: []Step{{Rates: []float64{1}}}},
	}
	for i, p := range bad {
		if p.Validate() == nil {
			t.Errorf("plan %d accepted", i)
		}
	}
	for _, cfg := range []Config{
		{Clock: RealClock{}, MaxInFlight: 1, Timeout: time.Second},
		{Client: http.DefaultClient, MaxInFlight: 1, Timeout: time.Second},
		{Client: http.DefaultClient, Clock: RealClock{}, Timeout: time.Second},
		{Client: http.DefaultClient, Clock: RealClock{}, MaxInFlight: 1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestReportOutputs(t *testing.T) {
	rep := Report{Started: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), MaxInFlight: 256, TimeoutMS: 10000,
		Steps: []StepReport{{Step: 1, TargetRate: 200, DurationS: 30, WarmupS: 10,
			Endpoints: []Stats{
				{Endpoint: "office", TargetRate: 150, Sent: 4500, OK: 4500, Rate: 150, OKRate: 150, Latency: Summary{N: 4500, P50: 0.5, P95: 0.72, P99: 1.3, Max: 12}},
				{Endpoint: "demand", TargetRate: 50, Sent: 1500, OK: 1000, Timeouts: 500, Rate: 50, OKRate: 33.3, Latency: Summary{N: 1500, P50: 400, P95: 10000, P99: 10001, Max: 10002}},
			},
			Total: Stats{Endpoint: "total", TargetRate: 200, Sent: 6000, OK: 5500, Timeouts: 500}}}}
	var table, md, js bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(table.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "p95 ms") || !strings.Contains(lines[1], "office") ||
		!strings.Contains(lines[1], "0.72") || !strings.Contains(lines[2], "10000") || !strings.Contains(lines[3], "total") {
		t.Errorf("table:\n%s", table.String())
	}
	if !strings.Contains(md.String(), "| step | endpoint | target/s |") || !strings.Contains(md.String(), "| 1 | demand | 50 | 1500 | 1000 |") ||
		!strings.Contains(md.String(), "step 1: 200 req/s for 30 s (after 10 s of warm-up)") {
		t.Errorf("markdown:\n%s", md.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Steps[0].Endpoints[1].Latency.P95 != 10000 ||
		!strings.Contains(js.String(), `"p99_ms": 1.3`) {
		t.Errorf("json: %v\n%s", err, js.String())
	}
}
