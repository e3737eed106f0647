package loadtest

import (
	"context"
	"time"
)

// Clock tells the time and waits. The runner takes one so tests can run a
// schedule on virtual time: a test clock that jumps instead of sleeping
// issues a whole run at once.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
	// After returns a channel that receives once d has passed, and a
	// function that releases the timer early.
	After(d time.Duration) (<-chan time.Time, func())
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (RealClock) After(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}
