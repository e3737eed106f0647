package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// env is what a command receives from the process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, usage string
	run         func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve [flags]            run the server (the default)", serveCmd},
		{"migrate", "migrate [flags]          apply pending migrations and exit", migrateCmd},
		{"seed", "seed demo [flags]        fill an empty database with the demo dataset", seedCmd},
		{"user", "user create|passwd|disable ...  manage accounts", userCmd},
		{"audit", "audit verify [flags]     check the audit log's hash chain", auditCmd},
		{"import", "import KIND FILE [flags] load a file (exam-results, visits)", importCmd},
		{"report", "report KIND.xlsx|KIND.csv [--out FILE] [--period P]  write a report (offices, crowding, surveys, rankings, candidates, licences, allocations, demand, inspections)", reportCmd},
		{"demand", "demand [--province CODE] [--top N] [--explain]  where new offices are needed, with the figures", demandCmd},
		{"healthcheck", "healthcheck              exit 0 when the local server answers /healthz", healthcheckCmd},
		{"version", "version                  print the version", versionCmd},
	}
}

// run is the whole program; main only calls it. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, e, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintln(stderr, "daftar:", err)
				usage(stderr)
				return 2
			}
			fmt.Fprintln(stderr, "daftar:", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "daftar: unknown command %q\n", name)
	usage(stderr)
	return 2
}

var errUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: daftar <command> [flags]")
	for _, c := range commands() {
		fmt.Fprintln(w, "  "+c.usage)
	}
	fmt.Fprintln(w, "Every flag has an environment variable; see daftar serve -h.")
}

func versionCmd(ctx context.Context, e env, args []string) error {
	fmt.Fprintln(e.stdout, "daftar", version)
	return nil
}
