package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/surveys"
)

// checkDemoRanking: every published run of the demo reproduces from what it
// stored, the demo has nothing late (no drift), its latest run is under
// directive v2 or v1 by its period, and the stuffing cases left flags for
// staff to review.
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
	for _, r := range runs {
		if r.State != ranking.StatePublished {
			continue
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
