package jobs

import (
	"context"
	"time"
)

// FireAt fires the job's scheduled time at as the schedule loop would, and
// waits for the run: tests drive many firings without waiting for a clock.
func (s *Scheduler) FireAt(ctx context.Context, name string, at time.Time) (Run, error) {
	e, err := s.entry(name)
	if err != nil {
		return Run{}, err
	}
	at = at.UTC()
	return s.execute(ctx, e, firing{key: at.Format(time.RFC3339), scheduled: at})
}
