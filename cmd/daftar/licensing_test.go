package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
)

// checkDemoLicensing: the demo has a closed round whose licences were
// issued, most with an open office, and an open round ready to allocate;
// on its data Tehran, Mashhad and Isfahan have the largest shortages.
func checkDemoLicensing(t *testing.T, cfg config) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), daftar.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	rounds, _, err := a.rounds.List(ctx, licensing.RoundFilter{Limit: 10})
	if err != nil || len(rounds) != 2 {
		t.Fatalf("%d demo rounds: %v", len(rounds), err)
	}
	open, past := rounds[0], rounds[1]
	if past.State != licensing.RoundClosed || past.Issued != demoRounds.PastTotal || past.Placed != demoRounds.PastTotal {
		t.Fatalf("past round: %+v", past)
	}
	active, _, err := a.licences.List(ctx, licensing.LicenceFilter{State: licensing.LicenceActive, Limit: 1000})
	if err != nil || len(active) < demoRounds.PastTotal/2 {
		t.Fatalf("%d active licences: %v", len(active), err)
	}
	for _, l := range active {
		if l.OfficeID == nil {
			t.Fatalf("active licence %s without an office", l.Number)
		}
	}
	sum := 0
	for _, q := range open.Quotas {
		sum += q.Quota
	}
	if open.State != licensing.RoundOpen || open.TotalLicences != demoRounds.OpenTotal || sum != demoRounds.OpenTotal {
		t.Fatalf("open round: %s, %d licences, quotas sum to %d", open.State, open.TotalLicences, sum)
	}
	res, err := a.demand.Compute(ctx, licensing.DemandQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, r := range res.Regions[:3] {
		top = append(top, r.Region)
	}
	slices.Sort(top)
	if !slices.Equal(top, []string{"isfahan", "mashhad", "tehran"}) {
		t.Fatalf("top shortages on the demo data: %v", top)
	}
}
