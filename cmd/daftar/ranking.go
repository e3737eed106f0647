package main

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/ranking"
)

// Ranking and reports, wired into the app.

// crowdingForRanking reads the ranking's waiting and productivity figures
// from the crowding rollups.
type crowdingForRanking struct{ c *visits.Crowding }

func (s crowdingForRanking) RankingFigures(ctx context.Context, from, to time.Time) (map[int64]ranking.CrowdingFigures, error) {
	r, err := visits.NewCrowdingRange(from, to.Add(-time.Second), 3*366)
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
			Served: st.Counts.Served, CounterHours: float64(st.Counts.CounterS) / 3600, Arrivals: st.Counts.Arrivals}
	}
	return out, nil
}

// RankingArrivals counts the visits of [from, to) by office from the
// rollups' counts alone (the late visits of a published run).
func (s crowdingForRanking) RankingArrivals(ctx context.Context, from, to time.Time) (map[int64]int64, error) {
	r, err := visits.NewCrowdingRange(from, to.Add(-time.Second), 3*366)
	if err != nil {
		return nil, err
	}
	return s.c.OfficesArrivals(ctx, r)
}

// rankingSources are what the ranking reads from the other registers.
func (a *app) rankingSources() ranking.Sources {
	return ranking.Sources{DB: a.db, Offices: a.offices, Surveys: a.surveys, Crowding: crowdingForRanking{a.crowding},
		Licences: a.licences, Inspections: a.inspections, Complaints: a.complaints, Actions: a.inspections}
}

// initRanking builds the ranking over every source of its inputs and reads
// the grades of the latest published run (the finder shows them).
func (a *app) initRanking(ctx context.Context) error {
	var err error
	a.ranking, err = ranking.New(a.db, a.clock, a.audit, a.offices, a.log, a.rankingSources())
	if err != nil {
		return err
	}
	if err := a.ranking.EnsureDefaultDirective(ctx); err != nil {
		return err
	}
	return a.ranking.RefreshGrades(ctx)
}

func (a *app) rankingJobs() []jobs.Job {
	return []jobs.Job{
		// The previous Jalali month's draft, on the first day of the month
		// (or the next, if the first was missed). Publishing stays a person's.
		{Name: "ranking-draft", Spec: "30 1 * * *", Timeout: time.Hour, Run: func(ctx context.Context) error {
			_, err := a.ranking.DraftPreviousMonth(ctx)
			return err
		}},
	}
}

// rankingRefreshes reload the published grades this process's finder shows.
func (a *app) rankingRefreshes() []jobs.Job {
	return []jobs.Job{
		{Name: "ranking-grades", Spec: "11 * * * *", Timeout: time.Minute, Run: a.ranking.RefreshGrades},
	}
}

// seedDemoRanking records the demo inspections, then publishes the runs of
// the last full months of the demo history (compliance reads them).
func (a *app) seedDemoRanking(ctx context.Context) error {
	if err := a.seedDemoInspections(ctx); err != nil {
		return err
	}
	start := time.Now()
	rep, err := demo.Rankings(ctx, a.ranking, a.clock.Now())
	if err != nil {
		return err
	}
	if err := a.ranking.RefreshGrades(ctx); err != nil {
		return err
	}
	a.log.Info("demo rankings", "published_runs", rep.Published, "elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
