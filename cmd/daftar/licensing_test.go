package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// checkLicensingCLI: daftar demand prints the shortages; daftar report
// writes the licensing reports as the API does, and refuses bad requests
// without leaving a file behind.
func checkLicensingCLI(t *testing.T, env map[string]string) {
	t.Helper()
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := cli("demand", "--top", "3", "--explain")
	if code != 0 || !strings.Contains(out, "Tehran") || !strings.Contains(out, "Erlang C") {
		t.Fatalf("demand: %d %s %s", code, out, errs)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "licences.xlsx")
	if code, _, errs := cli("report", "licences.xlsx", "--out", file); code != 0 {
		t.Fatalf("report licences: %d %s", code, errs)
	}
	if st, err := os.Stat(file); err != nil || st.Size() < 1000 {
		t.Fatalf("licences.xlsx: %v", err)
	}
	code, out, errs = cli("report", "allocations.csv", "--out", "-", "--lang", "en")
	if code != 0 || strings.Count(out, "\n") < demoRounds.PastTotal || !strings.Contains(out, "placed at preference") {
		t.Fatalf("report allocations: %d %.300s %s", code, out, errs)
	}
	for _, bad := range [][]string{{"report"}, {"report", "licences.pdf"}, {"report", "bogus.xlsx", "--out", filepath.Join(dir, "bogus.xlsx")},
		{"report", "demand.csv", "--period", "1405-13"}, {"report", "demand.csv", "--lang", "de"}, {"demand", "--top", "0"}} {
		if code, _, _ := cli(bad...); code == 0 {
			t.Errorf("%v succeeded", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bogus.xlsx")); err == nil {
		t.Error("a failed report left a file")
	}
}
