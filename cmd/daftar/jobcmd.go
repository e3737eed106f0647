package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/jobs"
)

// Scheduled jobs from the command line (daftar job list, daftar job run)
// and the scheduler's own housekeeping.

// jobRunsKept is how long job_runs keeps a run.
const jobRunsKept = 90 * 24 * time.Hour

// housekeepingJobs keep the plumbing's tables small.
func (a *app) housekeepingJobs() []jobs.Job {
	return []jobs.Job{
		{Name: "purge-sessions", Spec: "17 * * * *", Run: func(ctx context.Context) error {
			_, err := a.accounts.PurgeSessions(ctx)
			return err
		}},
		// A minute of SMS draining is 525,600 runs a year: keep 90 days.
		{Name: "jobs-prune", Spec: "20 3 * * *", Timeout: 10 * time.Minute, Run: func(ctx context.Context) error {
			n, err := jobs.Prune(ctx, a.db, a.clock.Now().Add(-jobRunsKept))
			if n > 0 {
				a.log.Info("old job runs deleted", "count", n)
			}
			return err
		}},
	}
}

// checkJobSchedules refuses an override of a job that does not exist.
func checkJobSchedules(overrides map[string]string, used map[string]bool) error {
	var unknown []string
	for name := range overrides {
		if !used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("DAFTAR_JOB_SCHEDULES names no such job: %s ('daftar job list' lists them)", strings.Join(unknown, ", "))
	}
	return nil
}

// jobSchedulesText is the setting as it is written.
func jobSchedulesText(m map[string]string) string {
	var parts []string
	for name, spec := range m {
		parts = append(parts, name+"="+spec)
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func jobCommands() []command {
	return []command{
		{name: "list", maxArgs: 0, config: true, quiet: true, run: jobListCmd,
			summary: "the scheduled jobs: kind, schedule, next firing, last run"},
		{name: "run", args: "NAME", minArgs: 1, maxArgs: 1, config: true, quiet: true, run: jobRunCmd,
			summary: "run a cluster job now and wait for it (skipped, exit 1, while it runs on a replica)",
			detail: "A manual run has a firing of its own: it never takes a scheduled firing's place, and is recorded in\n" +
				"job_runs with this host's instance name and /cli. Local refreshes reload a server's memory, so they\n" +
				"run on each replica through POST /api/v1/jobs/NAME/run, not here."},
	}
}

func jobListCmd(ctx context.Context, e env, args []string) error {
	_, _, rest, err := splitArgs(args, nil)
	if err != nil {
		return err
	}
	return withApp(ctx, e, "job", rest, func(a *app, _ []string) error {
		return printJobs(ctx, e.stdout, a.jobs)
	})
}

func printJobs(ctx context.Context, w io.Writer, s *jobs.Scheduler) error {
	list := s.Jobs()
	fmt.Fprintf(w, "daftar: %d scheduled jobs; cluster jobs run once per firing across replicas, local refreshes on every replica\n", len(list))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSCHEDULE\tNEXT (TEHRAN)\tLAST RUN")
	for _, j := range list {
		last := "never"
		runs, err := s.Recent(ctx, j.Name, 1)
		if err != nil {
			return err
		}
		if len(runs) == 1 {
			last = describeRun(runs[0])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Kind, j.Spec, daftar.FormatJalaliDateTime(j.Next), last)
	}
	return tw.Flush()
}

// describeRun is one line about a run: status, where, when, how long.
func describeRun(r jobs.Run) string {
	out := fmt.Sprintf("%s on %s at %s", r.Status, r.Instance, daftar.FormatJalaliDateTime(r.StartedAt))
	if r.FinishedAt != nil && r.Status != jobs.StatusSkipped {
		out += fmt.Sprintf(" (%s)", r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	}
	if r.Detail != "" {
		d := r.Detail
		if len(d) > 80 {
			d = d[:80] + "..."
		}
		out += ": " + d
	}
	return out
}

func jobRunCmd(ctx context.Context, e env, args []string) error {
	_, pos, rest, err := splitArgs(args, nil)
	if err != nil {
		return err
	}
	name := pos[0]
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "job", rest, func(a *app, _ []string) error {
		// Its own instance name, so job_runs tells a manual run from the
		// command line from the servers' runs.
		a.jobs = jobs.New(a.db, a.log, a.clock, a.cfg.Instance+"/cli")
		if err := a.registerJobs(); err != nil {
			return err
		}
		info, ok := findJob(a.jobs, name)
		if !ok {
			return usageErr("no job %q; 'daftar job list' lists them", name)
		}
		if info.Kind == jobs.Local {
			return usageErr("%s is a local refresh of a server's memory: run it on each replica with POST /api/v1/jobs/%s/run", name, name)
		}
		begin := time.Now()
		r, err := a.jobs.RunNow(ctx, name)
		if err != nil && r.ID == 0 {
			return err
		}
		fmt.Fprintf(e.stdout, "daftar: %s: %s in %s\n", name, describeRun(r), time.Since(begin).Round(time.Millisecond))
		switch {
		case err != nil:
			return fmt.Errorf("%s failed: %w", name, err)
		case r.Status == jobs.StatusSkipped:
			return errors.New(name + " was not run: " + r.Detail)
		}
		return nil
	})
}

func findJob(s *jobs.Scheduler, name string) (jobs.Info, bool) {
	for _, j := range s.Jobs() {
		if j.Name == name {
			return j, true
		}
	}
	return jobs.Info{}, false
}
