package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/progress"
)

// The national year (docs/scale.md): a register of 2,000 offices with a
// year of visits and survey answers, the size the network reaches once
// this year's licences open, to measure the reads and writes on. It goes
// through the demo's generators and the domain packages' bulk paths (COPY),
// so memory stays flat however many visits are asked for.

var nationalFlags = []flagSpec{
	{name: "offices", arg: "N", help: "offices in the register (default 2000)"},
	{name: "visits", arg: "N", help: "visits over the history, about (default 30000000; 0: the register alone)"},
	{name: "days", arg: "N", help: "days of history ending yesterday (default 365)"},
	{name: "answers", arg: "N", help: "survey answers, about (default 10000000; at most one per served visit)"},
	{name: "seed", arg: "N", help: "random seed (default 1405): the same seed gives the same data"},
}

type nationalSpec struct {
	offices, visits, days, answers int
	seed                           uint64
}

func parseNational(vals map[string]string) (nationalSpec, error) {
	sp := nationalSpec{offices: 2000, visits: 30_000_000, days: 365, answers: 10_000_000, seed: demoSeed}
	for _, f := range []struct {
		name   string
		p      *int
		lo, hi int
	}{{"offices", &sp.offices, 100, 20_000}, {"visits", &sp.visits, 0, 500_000_000}, {"days", &sp.days, 7, 3 * 366},
		{"answers", &sp.answers, 0, 500_000_000}} {
		if v, ok := vals[f.name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < f.lo || n > f.hi {
				return sp, usageErr("--%s must be a whole number from %d to %d", f.name, f.lo, f.hi)
			}
			*f.p = n
		}
	}
	if v, ok := vals["seed"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return sp, usageErr("--seed must be a whole number")
		}
		sp.seed = n
	}
	return sp, nil
}

// seedNationalCmd: daftar seed national [--offices N] [--visits N] [--days N] [--answers N] [--seed N].
func seedNationalCmd(ctx context.Context, e env, args []string) error {
	vals, _, rest, err := splitArgs(args, ownFlags(nationalFlags))
	if err != nil {
		return err
	}
	sp, err := parseNational(vals)
	if err != nil {
		return err
	}
	return withApp(ctx, e, "seed", rest, func(a *app, _ []string) error {
		if a.db.Dialect != db.Postgres {
			return errors.New("seed national needs PostgreSQL (set DATABASE_URL): the national year is what PostgreSQL is for")
		}
		empty, err := a.isEmpty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			return errors.New("seed national fills an empty database; this one already has offices")
		}
		return a.seedNational(daftar.WithActor(ctx, daftar.SystemActor("seed")), e, sp)
	})
}

func (a *app) seedNational(ctx context.Context, e env, sp nationalSpec) error {
	began := time.Now()
	step := func(name string, start time.Time) {
		fmt.Fprintf(e.stdout, "daftar: %-16s %s\n", name, time.Since(start).Round(time.Millisecond))
	}
	// The register.
	t := time.Now()
	rng := rand.New(rand.NewPCG(sp.seed, sp.seed))
	list := geodemo.Offices(a.gazetteer, a.catalogue, rng, sp.offices)
	err := a.db.InTx(ctx, func(tx *db.Tx) error {
		if err := a.offices.InsertBatch(ctx, tx, list); err != nil {
			return err
		}
		return a.audit.Record(ctx, tx, audit.Change{Action: "seed.national", Entity: "dataset", EntityID: "national",
			After: map[string]any{"offices": len(list), "visits": sp.visits, "days": sp.days, "answers": sp.answers, "seed": sp.seed}})
	})
	if err != nil {
		return fmt.Errorf("national offices: %w", err)
	}
	step(fmt.Sprintf("%d offices", len(list)), t)

	// A year of visits with their rollups (--visits 0: the register only,
	// for loading visits some other way).
	var rep geodemo.VisitReport
	if sp.visits > 0 {
		t = time.Now()
		bar := progress.New(e.stderr, "visits by office", int64(len(list)), "offices")
		rep, err = geodemo.SeedVisits(ctx, a.visits, a.offices, a.clock.Now(), geodemo.VisitOptions{Days: sp.days, Seed: sp.seed,
			Target: sp.visits, Progress: func(i int) { bar.Set(int64(i)) }})
		bar.Finish()
		if err != nil {
			return err
		}
		step(fmt.Sprintf("%d visits", rep.Visits), t)
		fmt.Fprintf(e.stdout, "daftar: %d office-days and %d office-months of rollups\n", rep.DayRows, rep.MonthRows)
	}

	// Survey answers of a share of the served visits.
	t = time.Now()
	served, err := a.visits.CountServed(ctx)
	if err != nil {
		return err
	}
	rate := 0.0
	if served > 0 {
		rate = min(1, float64(sp.answers)/float64(served))
	}
	answers := demo.SurveysReport{}
	if rate > 0 {
		sbar := progress.New(e.stderr, "survey answers", 0, "")
		stop := make(chan struct{})
		go func() { // the answers load has no progress of its own: a heartbeat
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for n := int64(1); ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
					sbar.Set(n)
				}
			}
		}()
		answers, err = demo.SurveyAnswers(ctx, a.surveys, a.visits, a.clock.Now(), demo.SurveyOptions{Seed: sp.seed, ResponseRate: rate})
		close(stop)
		sbar.Finish()
		if err != nil {
			return err
		}
	}
	step(fmt.Sprintf("%d answers", answers.Responses), t)

	t = time.Now()
	if err := a.db.Analyze(ctx); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if err := a.finder.Reload(ctx); err != nil {
		return err
	}
	step("statistics", t)
	size, err := a.db.Size(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "daftar: national year ready in %s: %d offices, %d visits (%d served, %d invited), %d answers; database %.1f GiB\n",
		time.Since(began).Round(time.Second), len(list), rep.Visits, served, answers.Invitations, answers.Responses, float64(size)/(1<<30))
	return nil
}
