package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/surveys"
)

// checkDemoRanking: every published run of the demo reproduces from what it
// stored, the demo has nothing late (no drift), its latest published run
// spreads the offices (fewer than 30% of the ranked with a p90 wait of 0,
// no grade over 60%) and, under directive v2, reads the upheld complaints,
// and the stuffing cases left flags for staff to review.
func checkDemoRanking(t *testing.T, cfg config) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), daftar.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	runs, _, err := a.ranking.Runs(ctx, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	var latest ranking.Run
	for _, r := range runs {
		if r.State != ranking.StatePublished {
			continue
		}
		if published == 0 {
			latest = r // newest first
		}
		published++
		v, err := a.ranking.Verify(ctx, r.ID)
		if err != nil || !v.Reproduced || v.Drift.Changed {
			t.Fatalf("demo run %s: reproduce %+v, drift %+v, %v", r.Period, v.Reproduce, v.Drift.Totals, err)
		}
	}
	if published == 0 {
		t.Fatal("the demo published no run")
	}
	checkDemoSpread(t, a, latest)
	flags, total, err := a.surveys.Flags(ctx, surveys.FlagFilter{Limit: 100})
	if err != nil || total == 0 {
		t.Fatalf("demo survey flags: %d %v", total, err)
	}
	reasons := map[string]bool{}
	for _, f := range flags {
		reasons[f.Reason] = true
	}
	if !reasons[surveys.FlagBurst] || !reasons[surveys.FlagIdentical] || !reasons[surveys.FlagTooFast] {
		t.Fatalf("demo flags by reason: %v", reasons)
	}
}

// checkDemoSpread checks the latest published run's spread, logging the
// figures docs/ranking.md gives. A race-instrumented build seeds only a few
// days of visits (visits_race.go), too few for a month's ranking: there the
// runs are verified and the spread is left to the build without the race
// detector.
func checkDemoSpread(t *testing.T, a *app, run ranking.Run) {
	t.Helper()
	if demoVisitDays < 60 {
		t.Logf("demo of %d days of visits (race build): spread not checked", demoVisitDays)
		return
	}
	results, _, err := a.ranking.Results(context.Background(), run.ID, ranking.ResultFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	grades := map[string]int{}
	ranked, zeroWait, complaints := 0, 0, 0
	for _, r := range results {
		if r.InsufficientData || r.Grade == nil {
			continue
		}
		ranked++
		grades[*r.Grade]++
		for _, c := range r.Components {
			switch {
			case c.Criterion == ranking.CritWaitP90 && c.Raw != nil && *c.Raw == 0:
				zeroWait++
			case c.Criterion == ranking.CritCompliance && strings.Contains(c.Note, "not available"):
				t.Fatalf("office %s: compliance read without a source: %q", r.Code, c.Note)
			case c.Criterion == ranking.CritCompliance && strings.Contains(c.Note, "upheld complaints per 1,000 visits"):
				complaints++
			}
		}
	}
	t.Logf("demo %s (directive %d): %d ranked, grades %v, p90 wait of 0: %d (%.1f%%), compliance reading upheld complaints: %d",
		run.Period, run.DirectiveVersion, ranked, grades, zeroWait, 100*float64(zeroWait)/float64(max(ranked, 1)), complaints)
	if ranked < 1000 || 10*zeroWait >= 3*ranked {
		t.Errorf("demo %s: %d of %d ranked offices with a p90 wait of 0 (want under 30%%)", run.Period, zeroWait, ranked)
	}
	for g, n := range grades {
		if 10*n > 6*ranked {
			t.Errorf("demo %s: grade %s holds %d of %d ranked offices (want at most 60%%)", run.Period, g, n, ranked)
		}
	}
	if run.DirectiveVersion >= 2 && complaints == 0 {
		t.Errorf("demo %s: no office's compliance reads an upheld complaint", run.Period)
	}
}
