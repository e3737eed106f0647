package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
)

// RankingsReport sums up the demo rankings.
type RankingsReport struct {
	Published []string
	Draft     string
}

// Rankings publishes the ranking of every Jalali month of the demo history
// that has ended, leaving the running month as a draft. The demo's
// inspections come first (Inspections), so compliance reads them.
func Rankings(ctx context.Context, s *ranking.Service, now time.Time) (RankingsReport, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	var rep RankingsReport
	// Months of the history: the demo visits cover the last 60 days.
	current := daftar.MonthOf(now)
	for p := daftar.MonthOf(now.AddDate(0, 0, -60)); p != current; p = p.Next() {
		run, err := s.Compute(ctx, p.String())
		if err != nil {
			return rep, fmt.Errorf("demo ranking %s: %w", p, err)
		}
		if _, err := s.Publish(ctx, run.ID, run.Version); err != nil {
			return rep, fmt.Errorf("demo ranking %s: %w", p, err)
		}
		rep.Published = append(rep.Published, p.String())
	}
	if _, err := s.Compute(ctx, current.String()); err != nil {
		return rep, fmt.Errorf("demo ranking %s: %w", current, err)
	}
	rep.Draft = current.String()
	return rep, nil
}
