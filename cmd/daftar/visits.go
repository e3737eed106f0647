package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/internal/progress"
)

// Visits, crowding and the finder, wired into the app.

// initVisits builds the visits service (every citizen served is invited
// to the survey) and the crowding queries.
func (a *app) initVisits() error {
	var err error
	if a.visits, err = visits.New(a.db, a.clock, a.offices, a.surveys, a.log, visits.Config{OwnerMaxAge: a.cfg.OwnerVisitWindow}); err != nil {
		return err
	}
	a.crowding, err = visits.NewCrowding(a.db, a.offices, visits.CrowdingConfig{TargetWait: a.cfg.WaitTarget})
	return err
}

// initFinder builds the finder, whose index loads every office and the
// recent wait profiles, listens to the register's changes and shows the
// ranking's grades.
func (a *app) initFinder(ctx context.Context, changes *offices.Changes) error {
	f, err := finder.New(ctx, a.offices, changes, a.crowding, a.ranking, a.clock, a.log, finder.Config{})
	if err != nil {
		return err
	}
	a.finder = f
	a.log.Info("crowding", "target_wait", a.cfg.WaitTarget.String(), "finder_offices", f.Len())
	return nil
}

// visitRefreshes reload this process's finder from the shared rollups.
func (a *app) visitRefreshes() []jobs.Job {
	return []jobs.Job{
		// The finder's predicted waits follow the latest rollups.
		{Name: "finder-profiles", Spec: "7 * * * *", Timeout: 10 * time.Minute, Run: func(ctx context.Context) error {
			return a.finder.RefreshProfiles(ctx)
		}},
	}
}

// visitJobs are the scheduled jobs of visits and crowding.
func (a *app) visitJobs() []jobs.Job {
	return []jobs.Job{
		// Every night the last two days' rollups are rebuilt from the raw
		// visits: a repair path for anything written around the API.
		{Name: "crowding-rollups", Spec: "40 2 * * *", Timeout: time.Hour, Run: func(ctx context.Context) error {
			now := a.clock.Now().Unix()
			n, err := a.visits.RebuildRollups(ctx, daftar.DayStart(now)-2*daftar.DaySeconds, daftar.DayStart(now))
			a.log.Info("crowding rollups rebuilt", "offices", n)
			return err
		}},
	}
}

// seedDemoVisits writes the demo's visit history and its rollups, then
// reloads the finder (the demo offices were inserted in bulk).
func (a *app) seedDemoVisits(ctx context.Context) error {
	start := time.Now()
	rep, err := geodemo.SeedVisits(ctx, a.visits, a.offices, a.clock.Now(), geodemo.VisitOptions{Days: demoVisitDays, Seed: demoSeed})
	if err != nil {
		return err
	}
	if err := a.finder.Reload(ctx); err != nil {
		return err
	}
	err = a.db.InTx(ctx, func(tx *db.Tx) error {
		return a.audit.Record(ctx, tx, audit.Change{Action: "demo.visits", Entity: "dataset", EntityID: "demo",
			After: map[string]any{"visits": rep.Visits, "days": rep.Days, "office_days": rep.DayRows}})
	})
	if err != nil {
		return err
	}
	a.log.Info("demo visits seeded", "visits", rep.Visits, "days", rep.Days, "office_days", rep.DayRows,
		"elapsed_ms", time.Since(start).Milliseconds())
	return nil
}

func visitsImporter() importer {
	return importer{kind: "visits", summary: "load a CSV of visits (columns in docs/crowding.md) in one transaction",
		flags: []flagSpec{
			{name: "allow-inactive", help: "also take visits of offices that are not active"},
			{name: "show", arg: "N", help: "print the first N refused or duplicate rows (default 20; 0: all)"},
		},
		run: importVisits}
}

// importVisits: daftar import visits FILE [--allow-inactive] [--show N].
// The CSV columns are in docs/crowding.md. The whole file loads in one
// transaction; rows refused or already recorded are listed (the first N).
func importVisits(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, map[string]bool{"allow-inactive": true, "show": false})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("import visits FILE [--allow-inactive] [--show N]")
	}
	path := pos[0]
	allowInactive, err := switchValue(vals, "allow-inactive")
	if err != nil {
		return err
	}
	show := 20
	if v, ok := vals["show"]; ok {
		if show, err = strconv.Atoi(v); err != nil || show < 0 {
			return usageErr("--show must be a number of rejections to print (0: all)")
		}
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "import", rest, func(a *app, _ []string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		// The bar counts bytes read, a size known up front.
		bar := progress.New(e.stderr, "importing "+filepath.Base(path), st.Size(), "bytes")
		cr := &countingReader{r: f}
		begin := time.Now()
		rep, err := a.importVisits(ctx, cr, filepath.Base(path), visits.ImportOptions{AllowInactive: allowInactive,
			Progress: func(int64) { bar.Set(cr.n) }})
		bar.Finish()
		if err != nil {
			var de *daftar.Error
			if errors.As(err, &de) && de.Kind != daftar.KindInternal {
				return fmt.Errorf("%s: %s", path, de.Message)
			}
			return err
		}
		printVisitsReport(e.stdout, path, rep, show, time.Since(begin))
		return nil
	})
}

// importVisits loads a visits file with its audit event in the import's
// own transaction: a file is stored with its event or not at all, whenever
// the process is stopped.
func (a *app) importVisits(ctx context.Context, r io.Reader, name string, opt visits.ImportOptions) (visits.ImportReport, error) {
	opt.BeforeCommit = func(ctx context.Context, tx *db.Tx, rep visits.ImportReport) error {
		return a.audit.Record(ctx, tx, audit.Change{Action: "visits.import", Entity: "visits", EntityID: name,
			After: map[string]any{"rows": rep.Rows, "accepted": rep.Accepted, "duplicates": rep.Duplicates, "refused": rep.Refused}})
	}
	return a.visits.Import(ctx, r, opt)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func printVisitsReport(w io.Writer, path string, rep visits.ImportReport, show int, took time.Duration) {
	fmt.Fprintf(w, "daftar: %s: %d rows: %d accepted, %d duplicates, %d refused (%d office-days of rollups rebuilt) in %s\n",
		filepath.Base(path), rep.Rows, rep.Accepted, rep.Duplicates, rep.Refused, rep.Days, took.Round(time.Millisecond))
	for i, r := range rep.Rejections {
		if show > 0 && i >= show {
			fmt.Fprintf(w, "  ... and %d more\n", rep.Duplicates+rep.Refused-i)
			break
		}
		fmt.Fprintf(w, "  line %d, ticket %q: %s: %s\n", r.Line, r.Ticket, r.Status, r.Reason)
	}
}
