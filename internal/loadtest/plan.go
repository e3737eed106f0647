package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"
)

// Endpoint is one kind of request in a load mix.
type Endpoint struct {
	Name string
	// NewRequest builds the request numbered seq (0, 1, 2, ... for this
	// endpoint over the whole run, warm-up included, each number once). It
	// is called on many goroutines at once and must be safe for that.
	NewRequest func(ctx context.Context, seq int64) (*http.Request, error)
	// Check, when set, reads the body of a 2xx response; an error counts the
	// request as failed (check_failed) although the status was fine.
	Check func(body []byte) error
}

// Step is one stretch of constant load: each endpoint at its rate (requests
// per second, Rates[i] for Plan.Endpoints[i]; 0 leaves it idle), first for
// Warmup, whose requests are sent but not counted, then for Duration, which
// the figures describe.
type Step struct {
	Rates    []float64
	Warmup   time.Duration
	Duration time.Duration
}

// Total is the sum of the step's rates.
func (s Step) Total() float64 {
	var t float64
	for _, r := range s.Rates {
		t += r
	}
	return t
}

// Plan is the endpoints and the steps to run them through, one after the
// other without a gap.
type Plan struct {
	Endpoints []Endpoint
	Steps     []Step
}

// maxRate bounds one endpoint's rate: beyond it the dispatcher itself, not
// the server, would be what is measured.
const maxRate = 100_000

// Validate says what is wrong with the plan, if anything.
func (p Plan) Validate() error {
	if len(p.Endpoints) == 0 {
		return errors.New("loadtest: the plan has no endpoints")
	}
	names := map[string]bool{}
	for i, e := range p.Endpoints {
		switch {
		case e.Name == "":
			return fmt.Errorf("loadtest: endpoint %d has no name", i)
		case names[e.Name]:
			return fmt.Errorf("loadtest: endpoint %q appears twice", e.Name)
		case e.NewRequest == nil:
			return fmt.Errorf("loadtest: endpoint %q has no NewRequest", e.Name)
		}
		names[e.Name] = true
	}
	if len(p.Steps) == 0 {
		return errors.New("loadtest: the plan has no steps")
	}
	for i, s := range p.Steps {
		if len(s.Rates) != len(p.Endpoints) {
			return fmt.Errorf("loadtest: step %d has %d rates for %d endpoints", i+1, len(s.Rates), len(p.Endpoints))
		}
		if s.Duration <= 0 || s.Warmup < 0 {
			return fmt.Errorf("loadtest: step %d needs a positive duration and a warm-up of zero or more", i+1)
		}
		for j, r := range s.Rates {
			if math.IsNaN(r) || r < 0 || r > maxRate {
				return fmt.Errorf("loadtest: step %d: rate of %q must be from 0 to %d per second", i+1, p.Endpoints[j].Name, maxRate)
			}
		}
	}
	return nil
}
