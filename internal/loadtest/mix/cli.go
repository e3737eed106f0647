package mix

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar/internal/loadtest"
)

const usageHead = `loadtest drives a running Daftar server with an open-loop, fixed-rate mix of
its heavy reads and writes, and prints latency (p50/p95/p99/max, from each
request's scheduled start), errors and throughput per endpoint and step.

  go run ./scripts/loadtest -url http://127.0.0.1:8080 -rates 50,100,200,400 -step 30s
  go run ./scripts/loadtest -only demand -rates 2,4,8 -step 30s -markdown demand.md
  go run ./scripts/loadtest -endpoint-rates visits=100/200/400 -step 30s

Endpoints: office, offices_list, finder, crowding, visits, crowding_regions,
demand (see docs/loadtest.md). A total rate (-rates) is shared by weight among
the endpoints without a fixed rate (-endpoint-rates).

Flags:
`

// settings are the parsed flags.
type settings struct {
	url, user, password string
	rates               []float64
	step, warmup        time.Duration
	stepWarmup          time.Duration
	weights             map[string]float64
	fixed               map[string][]float64
	names               []string // enabled, in report order
	maxInFlight         int
	maxWait, timeout    time.Duration
	maxOffices          int
	opt                 Options
	jsonOut, mdOut      string
	quiet               bool
}

// parseFlags reads args; flag.ErrHelp means -h was asked for.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*settings, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	s := &settings{}
	fs.StringVar(&s.url, "url", "http://127.0.0.1:8080", "address of the Daftar server")
	fs.StringVar(&s.user, "user", "admin", "username to sign in with (staff: the regional reads need it)")
	fs.StringVar(&s.password, "password", "", "password (default $DAFTAR_ADMIN_PASSWORD)")
	rates := fs.String("rates", "", "total requests per second of each step, comma separated (50,100,200,400)")
	fs.DurationVar(&s.step, "step", 30*time.Second, "measured length of each step")
	fs.DurationVar(&s.warmup, "warmup", 10*time.Second, "warm-up before the first step, at its rates, not counted")
	fs.DurationVar(&s.stepWarmup, "step-warmup", 0, "warm-up before every later step, not counted")
	weights := fs.String("weights", "", "share of each endpoint in a total rate, name=weight,... (default "+weightsText(DefaultWeights())+")")
	fixed := fs.String("endpoint-rates", "", "fixed rates, name=rate or name=r1/r2/r3 (one per step; the last repeats)")
	only := fs.String("only", "", "run only these endpoints, comma separated")
	skip := fs.String("skip", "", "leave these endpoints out, comma separated")
	fs.IntVar(&s.maxInFlight, "max-in-flight", 512, "most requests outstanding at once")
	fs.DurationVar(&s.maxWait, "max-wait", time.Second, "how long past its start a request waits for a free slot before it is dropped")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "timeout of each request")
	fs.IntVar(&s.maxOffices, "max-offices", 0, "use at most this many offices (0: every active office)")
	fs.StringVar(&s.opt.Province, "province", "THR", "offices_list: province code")
	fs.IntVar(&s.opt.PageSize, "page-size", 20, "offices_list: page size")
	fs.IntVar(&s.opt.FinderLimit, "finder-limit", 10, "finder: offices asked for")
	fs.IntVar(&s.opt.CrowdingDays, "crowding-days", 30, "crowding: days, up to today")
	fs.IntVar(&s.opt.Batch, "batch", 20, "visits: visits per batch")
	fs.Float64Var(&s.opt.MobileShare, "mobile-share", 0, "visits: share of visits with a mobile number (a served one queues a survey SMS)")
	seed := fs.Uint64("seed", 1, "seed of the random choices (offices, points, services)")
	fs.StringVar(&s.jsonOut, "json", "", "also write the figures as JSON to this file (- for standard output)")
	fs.StringVar(&s.mdOut, "markdown", "", "also write the figures as a Markdown table to this file (- for standard output)")
	fs.BoolVar(&s.quiet, "quiet", false, "no progress lines on standard error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if s.password == "" {
		s.password = getenv("DAFTAR_ADMIN_PASSWORD")
	}
	s.opt.Seed = *seed
	var err error
	if s.rates, err = parseRates(*rates); err != nil {
		return nil, fmt.Errorf("-rates: %w", err)
	}
	s.weights = DefaultWeights()
	if err := parsePairs(*weights, func(name, v string) error {
		w, err := strconv.ParseFloat(v, 64)
		if err != nil || w < 0 || math.IsInf(w, 0) {
			return fmt.Errorf("weight of %s must be a number of 0 or more", name)
		}
		s.weights[name] = w
		return nil
	}); err != nil {
		return nil, fmt.Errorf("-weights: %w", err)
	}
	s.fixed = map[string][]float64{}
	if err := parsePairs(*fixed, func(name, v string) error {
		r, err := parseRates(strings.ReplaceAll(v, "/", ","))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s.fixed[name] = r
		return nil
	}); err != nil {
		return nil, fmt.Errorf("-endpoint-rates: %w", err)
	}
	if s.names, err = enabled(*only, *skip); err != nil {
		return nil, err
	}
	switch {
	case s.step <= 0:
		return nil, errors.New("-step must be positive")
	case s.warmup < 0 || s.stepWarmup < 0:
		return nil, errors.New("-warmup and -step-warmup must not be negative")
	case s.maxInFlight < 1:
		return nil, errors.New("-max-in-flight must be positive")
	case s.timeout <= 0 || s.maxWait < 0:
		return nil, errors.New("-timeout must be positive and -max-wait not negative")
	case s.password == "":
		return nil, errors.New("no password: give -password or set DAFTAR_ADMIN_PASSWORD")
	}
	return s, nil
}

func weightsText(w map[string]float64) string {
	var parts []string
	for _, n := range Names() {
		parts = append(parts, n+"="+strconv.FormatFloat(w[n], 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}

// parseRates reads "50,100,200" (empty: none).
func parseRates(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return nil, fmt.Errorf("%q is not a rate (requests per second, 0 or more)", strings.TrimSpace(f))
		}
		out = append(out, r)
	}
	return out, nil
}

// parsePairs reads "a=1,b=2", checking each name is an endpoint.
func parsePairs(s string, set func(name, value string) error) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, f := range strings.Split(s, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return fmt.Errorf("%q should be name=value", f)
		}
		if !slices.Contains(Names(), name) {
			return fmt.Errorf("unknown endpoint %q (known: %s)", name, strings.Join(Names(), ", "))
		}
		if err := set(name, v); err != nil {
			return err
		}
	}
	return nil
}

// enabled is the endpoints -only and -skip leave, in report order.
func enabled(only, skip string) ([]string, error) {
	split := func(flagName, s string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			if !slices.Contains(Names(), f) {
				return nil, fmt.Errorf("%s: unknown endpoint %q (known: %s)", flagName, f, strings.Join(Names(), ", "))
			}
			set[f] = true
		}
		return set, nil
	}
	o, err := split("-only", only)
	if err != nil {
		return nil, err
	}
	k, err := split("-skip", skip)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range Names() {
		if (len(o) == 0 || o[n]) && !k[n] {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-only and -skip leave no endpoint")
	}
	return out, nil
}

// stepRates works out each step's rate per endpoint (names order): a fixed
// rate where -endpoint-rates gives one, else the step's total shared by
// weight. There are as many steps as the longest list; a shorter list keeps
// its last value.
func stepRates(names []string, weights map[string]float64, fixed map[string][]float64, totals []float64) ([][]float64, error) {
	steps := len(totals)
	for n, r := range fixed {
		if slices.Contains(names, n) {
			steps = max(steps, len(r))
		}
	}
	if steps == 0 {
		return nil, errors.New("give -rates (a total) or -endpoint-rates (per endpoint)")
	}
	at := func(list []float64, i int) float64 { return list[min(i, len(list)-1)] }
	var wsum float64
	for _, n := range names {
		if _, ok := fixed[n]; !ok {
			wsum += weights[n]
		}
	}
	out := make([][]float64, steps)
	any := false
	for i := range out {
		out[i] = make([]float64, len(names))
		total := 0.0
		if len(totals) > 0 {
			total = at(totals, i)
		}
		if total > 0 && wsum == 0 {
			return nil, errors.New("-rates has no endpoint to share among: every enabled endpoint has a fixed rate or weight 0")
		}
		for j, n := range names {
			if r, ok := fixed[n]; ok {
				out[i][j] = at(r, i)
			} else if total > 0 {
				out[i][j] = total * weights[n] / wsum
			}
			any = any || out[i][j] > 0
		}
	}
	if !any {
		return nil, errors.New("every rate is 0: nothing to send")
	}
	return out, nil
}

// Main is the load tool: flags in args, the environment through getenv. It
// returns the exit status: 0 when the run completed (whatever the server
// answered), 1 when it could not run or was interrupted, 2 for bad flags.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	rates, err := stepRates(s.names, s.weights, s.fixed, s.rates)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	if err := run(ctx, s, rates, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, s *settings, rates [][]float64, stdout, stderr io.Writer) error {
	// The endpoints that send anything in some step.
	var names []string
	var cols []int
	for j, n := range s.names {
		for i := range rates {
			if rates[i][j] > 0 {
				names, cols = append(names, n), append(cols, j)
				break
			}
		}
	}
	var steps []loadtest.Step
	var length time.Duration
	for i, row := range rates {
		st := loadtest.Step{Duration: s.step, Warmup: s.stepWarmup}
		if i == 0 {
			st.Warmup = s.warmup
		}
		for _, j := range cols {
			st.Rates = append(st.Rates, row[j])
		}
		steps = append(steps, st)
		length += st.Warmup + st.Duration
	}
	fmt.Fprintf(stderr, "loadtest: %s as %s (password %s), %d step(s) of %s (warm-up %s before the first, %s before each later one), at most %d in flight, timeout %s, max wait %s\n",
		s.url, s.user, mask(s.password), len(steps), s.step, s.warmup, s.stepWarmup, s.maxInFlight, s.timeout, s.maxWait)
	for i, st := range steps {
		var parts []string
		for k, n := range names {
			parts = append(parts, n+" "+strconv.FormatFloat(st.Rates[k], 'f', -1, 64))
		}
		fmt.Fprintf(stderr, "loadtest: step %d: %s req/s: %s\n", i+1, strconv.FormatFloat(st.Total(), 'f', -1, 64), strings.Join(parts, ", "))
	}

	client := &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        s.maxInFlight,
			MaxIdleConnsPerHost: s.maxInFlight,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		// A redirect (to a sign-in page, say) is an answer to count, not to
		// follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	setup, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	api, err := Login(setup, client, s.url, s.user, s.password)
	if err != nil {
		return err
	}
	if !api.Expires.IsZero() && api.Expires.Before(time.Now().Add(length+s.timeout)) {
		return fmt.Errorf("the session expires at %s, before the run would end; shorten the run", api.Expires.Format(time.RFC3339))
	}
	world, err := api.Discover(setup, s.maxOffices)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "loadtest: %d active offices, %d cities, %d services offered\n", len(world.Offices), len(world.Cities), len(world.Services))

	s.opt.Now = time.Now
	s.opt.RunID = runID()
	notes := &Notes{}
	m, err := New(api, world, s.opt, notes)
	if err != nil {
		return err
	}
	eps, err := m.Endpoints(names)
	if err != nil {
		return err
	}
	cfg := loadtest.Config{Client: client, Clock: loadtest.RealClock{}, MaxInFlight: s.maxInFlight,
		MaxWait: s.maxWait, Timeout: s.timeout}
	if !s.quiet {
		cfg.OnStep = func(sr loadtest.StepReport) { fmt.Fprintln(stderr, "loadtest:", sr) }
	}
	runner, err := loadtest.New(cfg)
	if err != nil {
		return err
	}
	rep, runErr := runner.Run(ctx, loadtest.Plan{Endpoints: eps, Steps: steps})
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	for _, n := range notes.List() {
		fmt.Fprintln(stderr, "loadtest: note:", n)
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{s.jsonOut, rep.WriteJSON}, {s.mdOut, rep.WriteMarkdown}} {
		if err := writeTo(out.path, stdout, out.write); err != nil {
			return err
		}
	}
	if runErr != nil {
		return fmt.Errorf("run stopped: %w (the figures above are partial)", runErr)
	}
	return nil
}

// writeTo writes to path ("-": stdout; "": nowhere).
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	switch path {
	case "":
		return nil
	case "-":
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mask(secret string) string {
	if secret == "" {
		return "(none)"
	}
	return "****"
}

// runID is a short random id that keeps this run's tickets apart from any
// earlier run's.
func runID() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b)
}
