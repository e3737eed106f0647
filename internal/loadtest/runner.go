package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Doer sends one request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Config is what a Runner needs.
type Config struct {
	Client Doer
	Clock  Clock
	// MaxInFlight bounds the requests outstanding at once.
	MaxInFlight int
	// MaxWait is how long past its scheduled start a request may wait for
	// a free slot before it is dropped.
	MaxWait time.Duration
	// Timeout bounds each request from its send to the end of its body.
	Timeout time.Duration
	// MaxBody bounds how much of a body is read (default 64 MiB); more is a
	// failed check.
	MaxBody int64
	// OnStep, when set, receives each step's figures as soon as the step's
	// requests have all finished (progress for a long run).
	OnStep func(StepReport)
}

// Runner runs plans.
type Runner struct{ cfg Config }

// New checks the configuration: a missing client or clock, or bounds that
// are not positive, are refused by name.
func New(cfg Config) (*Runner, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("loadtest: Config.Client is required")
	case cfg.Clock == nil:
		return nil, errors.New("loadtest: Config.Clock is required")
	case cfg.MaxInFlight <= 0:
		return nil, errors.New("loadtest: Config.MaxInFlight must be positive")
	case cfg.MaxWait < 0:
		return nil, errors.New("loadtest: Config.MaxWait must not be negative")
	case cfg.Timeout <= 0:
		return nil, errors.New("loadtest: Config.Timeout must be positive")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 20
	}
	return &Runner{cfg: cfg}, nil
}

// run is the state of one Run.
type run struct {
	cfg     Config
	plan    Plan
	sem     chan struct{}
	wg      sync.WaitGroup
	seq     []int64     // next sequence number per endpoint
	buckets [][]*bucket // [step][endpoint]
	steps   []*sync.WaitGroup
}

// Run sends the plan's requests on schedule and reports each step. When ctx
// ends it stops scheduling, cancels what is outstanding and returns the
// figures so far with ctx's error.
func (r *Runner) Run(ctx context.Context, p Plan) (Report, error) {
	if err := p.Validate(); err != nil {
		return Report{}, err
	}
	st := &run{cfg: r.cfg, plan: p, sem: make(chan struct{}, r.cfg.MaxInFlight), seq: make([]int64, len(p.Endpoints))}
	for range p.Steps {
		b := make([]*bucket, len(p.Endpoints))
		for i := range b {
			b[i] = &bucket{}
		}
		st.buckets = append(st.buckets, b)
		// Each step's counter holds one until the dispatcher has started its
		// last request, so its figures wait for all of them.
		wg := &sync.WaitGroup{}
		wg.Add(1)
		st.steps = append(st.steps, wg)
	}
	rep := Report{Started: r.cfg.Clock.Now().UTC(), MaxInFlight: r.cfg.MaxInFlight,
		TimeoutMS: ms(r.cfg.Timeout), MaxWaitMS: ms(r.cfg.MaxWait)}

	// Each step's figures are ready once its own requests are done; report
	// them in order while later steps run.
	reported := make(chan StepReport, len(p.Steps))
	var collect sync.WaitGroup
	collect.Add(1)
	go func() {
		defer collect.Done()
		for i := range p.Steps {
			st.steps[i].Wait()
			sr := st.stepReport(i)
			if r.cfg.OnStep != nil {
				r.cfg.OnStep(sr)
			}
			reported <- sr
		}
		close(reported)
	}()

	err := st.dispatch(ctx)
	st.wg.Wait()
	collect.Wait()
	for sr := range reported {
		rep.Steps = append(rep.Steps, sr)
	}
	return rep, err
}

// dispatch walks the schedule, starting each request at its time.
func (st *run) dispatch(ctx context.Context) error {
	clock := st.cfg.Clock
	start := clock.Now()
	var offset time.Duration // of the current window from start
	stopped := func(i int) {
		// This step and those not reached finish with what they have.
		for j := i; j < len(st.plan.Steps); j++ {
			st.steps[j].Done()
		}
	}
	for i, step := range st.plan.Steps {
		for _, w := range []struct {
			length time.Duration
			warm   bool
		}{{step.Warmup, true}, {step.Duration, false}} {
			if w.length <= 0 {
				continue
			}
			sch := newSchedule(step.Rates, w.length)
			if !w.warm {
				for e := range st.plan.Endpoints {
					st.buckets[i][e].scheduled = int(sch.count[e])
				}
			}
			for {
				s, ok := sch.pop()
				if !ok {
					break
				}
				due := start.Add(offset + s.at)
				if err := clock.Sleep(ctx, due.Sub(clock.Now())); err != nil {
					stopped(i)
					return err
				}
				var b *bucket
				if !w.warm {
					b = st.buckets[i][s.endpoint]
				}
				late, ok := st.acquire(ctx, due)
				if !ok {
					if ctx.Err() != nil {
						stopped(i)
						return ctx.Err()
					}
					if b != nil {
						b.drop()
					}
					continue
				}
				seq := st.seq[s.endpoint]
				st.seq[s.endpoint]++
				st.wg.Add(1)
				st.steps[i].Add(1)
				go st.fire(ctx, st.plan.Endpoints[s.endpoint], seq, due, late, b, st.steps[i])
			}
			offset += w.length
		}
		st.steps[i].Done()
	}
	return nil
}

// acquire takes a concurrency slot for a request due at due: at once if one
// is free, else waiting (late) until MaxWait past due. It reports false
// when no slot came in time or ctx ended.
func (st *run) acquire(ctx context.Context, due time.Time) (late, ok bool) {
	select {
	case st.sem <- struct{}{}:
		return false, true
	default:
	}
	wait := st.cfg.MaxWait - st.cfg.Clock.Now().Sub(due)
	if wait <= 0 {
		return true, false
	}
	timer, stop := st.cfg.Clock.After(wait)
	defer stop()
	select {
	case st.sem <- struct{}{}:
		return true, true
	case <-timer:
		return true, false
	case <-ctx.Done():
		return true, false
	}
}

// fire sends one request and records what became of it (in b; nil for a
// warm-up request, which is sent but not counted).
func (st *run) fire(ctx context.Context, ep Endpoint, seq int64, due time.Time, late bool, b *bucket, step *sync.WaitGroup) {
	defer func() {
		<-st.sem
		st.wg.Done()
		step.Done()
	}()
	res, sent := st.send(ctx, ep, seq)
	res.late = late
	res.wait = st.cfg.Clock.Now().Sub(due)
	res.lag = sent.Sub(due)
	if b != nil {
		b.add(res)
	}
}

// send performs the request and says when it went out.
func (st *run) send(ctx context.Context, ep Endpoint, seq int64) (result, time.Time) {
	clock := st.cfg.Clock
	rctx, cancel := context.WithTimeout(ctx, st.cfg.Timeout)
	defer cancel()
	req, err := ep.NewRequest(rctx, seq)
	sent := clock.Now()
	var res result
	if err != nil || req == nil {
		res.class = classBuild
		return res, sent
	}
	resp, err := st.cfg.Client.Do(req)
	if err == nil {
		res.status = resp.StatusCode
		err = st.readBody(resp, ep, &res)
		resp.Body.Close()
	}
	res.svc = clock.Now().Sub(sent)
	if err != nil {
		res.class = classify(ctx, rctx, err)
	}
	return res, sent
}

// readBody reads the whole body (the latency is to its end) and classifies
// a response that arrived.
func (st *run) readBody(resp *http.Response, ep Endpoint, res *result) error {
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok && ep.Check != nil {
		body, err := io.ReadAll(io.LimitReader(resp.Body, st.cfg.MaxBody+1))
		if err != nil {
			return err
		}
		if int64(len(body)) > st.cfg.MaxBody {
			res.class = classCheck
			return nil
		}
		if ep.Check(body) != nil {
			res.class = classCheck
		}
		return nil
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, st.cfg.MaxBody)); err != nil {
		return err
	}
	if !ok {
		res.class = classStatus
	}
	return nil
}

// classify names a failure to send or to read: the run stopping, the
// request's own timeout, or the network.
func classify(runCtx, reqCtx context.Context, err error) class {
	var ne net.Error
	switch {
	case runCtx.Err() != nil:
		return classCanceled
	case errors.Is(err, context.DeadlineExceeded) || reqCtx.Err() != nil:
		return classTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return classTimeout
	default:
		return classNet
	}
}

// stepReport computes step i's figures.
func (st *run) stepReport(i int) StepReport {
	step := st.plan.Steps[i]
	sr := StepReport{Step: i + 1, TargetRate: step.Total(), DurationS: step.Duration.Seconds(), WarmupS: step.Warmup.Seconds()}
	for e, ep := range st.plan.Endpoints {
		if step.Rates[e] == 0 {
			continue
		}
		sr.Endpoints = append(sr.Endpoints, statsOf(ep.Name, step.Rates[e], step.Duration, st.buckets[i][e]))
	}
	sr.Total = statsOf("total", step.Total(), step.Duration, st.buckets[i]...)
	return sr
}

// String is a one-line account of a step, for progress output.
func (sr StepReport) String() string {
	t := sr.Total
	return fmt.Sprintf("step %d: %.0f/s for %.0fs: sent %d, ok %d, errors %d, dropped %d, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms",
		sr.Step, sr.TargetRate, sr.DurationS, t.Sent, t.OK, t.Errors(), t.Dropped, t.Latency.P50, t.Latency.P95, t.Latency.P99)
}
