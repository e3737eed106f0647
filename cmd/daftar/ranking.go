package main

import (
	"context"
	"sync"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/reports"
)

// Ranking and reports, wired into the app.

// crowdingForRanking reads the ranking's waiting and productivity figures
// from the crowding rollups.
type crowdingForRanking struct{ c *geo.Crowding }

func (s crowdingForRanking) RankingFigures(ctx context.Context, from, to time.Time) (map[int64]ranking.CrowdingFigures, error) {
	r, err := geo.NewCrowdingRange(from, to.Add(-time.Second), 3*366)
	if err != nil {
		return nil, err
	}
	stats, err := s.c.OfficesStats(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ranking.CrowdingFigures, len(stats))
	for id, st := range stats {
		out[id] = ranking.CrowdingFigures{WaitP90Min: st.Figures.WaitP90, OverTargetShare: st.Figures.OverTargetShare,
			Served: st.Counts.Served, CounterHours: float64(st.Counts.CounterS) / 3600}
	}
	return out, nil
}

// grades keeps the latest published grades for the finder.
type grades struct {
	mu sync.RWMutex
	m  map[int64]string
}

func (g *grades) get(id int64) *string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if v, ok := g.m[id]; ok {
		return &v
	}
	return nil
}

func (a *app) refreshGrades(ctx context.Context) error {
	m, err := a.ranking.LatestGrades(ctx)
	if err != nil {
		return err
	}
	a.grades.mu.Lock()
	a.grades.m = m
	a.grades.mu.Unlock()
	return nil
}

func (a *app) initRanking(ctx context.Context) error {
	a.ranking = ranking.New(a.db, a.clock, a.audit, a.log, ranking.Sources{DB: a.db, Surveys: a.surveys, Crowding: crowdingForRanking{a.crowding}, Licences: a.licences})
	if err := a.ranking.EnsureDefaultDirective(ctx); err != nil {
		return err
	}
	a.grades = &grades{m: map[int64]string{}}
	if err := a.refreshGrades(ctx); err != nil {
		return err
	}
	a.finder.SetGrades(a.grades.get)
	// A run published through the API shows in the finder at once.
	a.ranking.OnPublish(func() {
		if err := a.refreshGrades(context.Background()); err != nil {
			a.log.Warn("refresh grades", "error", err)
		}
	})
	a.reports = &reports.Reports{Gazetteer: a.gazetteer, Catalogue: a.catalogue, Offices: a.offices, Crowding: a.crowding,
		Surveys: a.surveys, Ranking: a.ranking, Candidates: a.candidates, Licences: a.licences, Rounds: a.rounds, Demand: a.demand}
	return nil
}

func (a *app) rankingJobs() []jobs.Job {
	return []jobs.Job{
		// The previous Jalali month's draft, on the first day of the month
		// (or the next, if the first was missed). Publishing stays a person's.
		{Name: "ranking-draft", Spec: "30 1 * * *", Timeout: time.Hour, Run: func(ctx context.Context) error {
			_, err := a.ranking.DraftPreviousMonth(ctx)
			return err
		}},
		{Name: "ranking-grades", Spec: "11 * * * *", Timeout: time.Minute, Run: a.refreshGrades},
	}
}

// seedDemoRanking stores inspections and publishes the runs of the last
// full months of the demo history.
func (a *app) seedDemoRanking(ctx context.Context) error {
	start := time.Now()
	rep, err := demo.Rankings(ctx, a.ranking, a.offices, a.clock.Now(), demoSeed)
	if err != nil {
		return err
	}
	if err := a.refreshGrades(ctx); err != nil {
		return err
	}
	a.log.Info("demo rankings", "inspections", rep.Inspections, "published_runs", rep.Published, "elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
