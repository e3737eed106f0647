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
	// verbose (-v): a one-shot command shows its log lines.
	verbose bool
}

func commands() []command {
	return []command{
		{name: "serve", summary: "run the server (the default command)", config: true, maxArgs: 0, run: serveCmd,
			detail: "With --demo (DAFTAR_DEMO) an empty database is first filled with the demo dataset: the server\n" +
				"listens at once, /healthz answers 200, /readyz 503 with the progress until the data is ready."},
		{name: "migrate", summary: "apply pending migrations and exit", config: true, quiet: true, maxArgs: 0, run: migrateCmd},
		{name: "seed", summary: "fill an empty database with a dataset", subs: []command{
			{name: "demo", summary: "the demo dataset (1,200 offices, visits, surveys, candidates, rounds, rankings)",
				config: true, quiet: true, maxArgs: 0, run: seedDemoCmd},
		}},
		{name: "user", summary: "manage accounts (passwords are read from standard input, never from flags)", subs: userCommands()},
		{name: "audit", summary: "check the audit log", subs: []command{
			{name: "verify", summary: "walk the audit log's hash chain; names the first broken event",
				config: true, quiet: true, maxArgs: 0, run: auditVerifyCmd},
		}},
		{name: "import", summary: "load a file", subs: importCommands()},
		{name: "job", summary: "the scheduled jobs: list them, run one now", subs: jobCommands()},
		{name: "report", args: "KIND.xlsx|KIND.csv", minArgs: 1, maxArgs: 1, summary: "write a report as the API serves it",
			detail: "Kinds: " + strings.Join(reportKinds, ", ") + ".", flags: reportFlags, config: true, quiet: true, run: reportCmd},
		{name: "demand", summary: "where new offices are needed, with the figures", flags: demandFlags, config: true, quiet: true,
			maxArgs: 0, run: demandCmd},
		{name: "healthcheck", summary: "exit 0 when the local server answers /healthz (the container's HEALTHCHECK)",
			config: true, maxArgs: 0, run: healthcheckCmd},
		{name: "version", summary: "print the version, the module version and the VCS revision", maxArgs: 0, run: versionCmd},
		{name: "help", args: "[COMMAND]", maxArgs: 2, summary: "list the commands, or show one command's usage and flags"},
	}
}

// run is the whole program; main only calls it. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	err := runArgs(ctx, e, args)
	switch {
	case err == nil, errors.Is(err, errHelp), errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		fmt.Fprintln(stderr, "daftar:", msg)
		if hint := usageHint(args); !strings.Contains(msg, hint) {
			fmt.Fprintln(stderr, hint)
		}
		return 2
	}
	fmt.Fprintln(stderr, "daftar:", err)
	return 1
}

func runArgs(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return dispatch(ctx, e, []command{mustFind("serve")}, nil)
	}
	switch a := args[0]; {
	case isHelpFlag(a):
		printCommands(e.stdout)
		return errHelp
	case a == "--version" || a == "-version":
		return versionCmd(ctx, e, nil)
	case a == "help":
		return helpCmd(e, args[1:])
	case strings.HasPrefix(a, "-"):
		// Flags alone: serve with them (daftar --demo).
		return dispatch(ctx, e, []command{mustFind("serve")}, args)
	}
	path, err := lookup(args[:1])
	if err != nil {
		return err
	}
	return dispatch(ctx, e, path, args[1:])
}

// usageHint says where the usage of the command at fault is.
func usageHint(args []string) string {
	var names []string
	list := commands()
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		found := false
		for _, c := range list {
			if c.name == a && c.name != "help" {
				names, list, found = append(names, a), c.subs, true
				break
			}
		}
		if !found {
			break
		}
	}
	if len(names) == 0 {
		return "'daftar -h' lists the commands"
	}
	return "'daftar " + strings.Join(names, " ") + " -h' shows its usage"
}

func mustFind(name string) command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	panic("no command " + name)
}

var errUsage = errors.New("usage")

// usageErr is a mistake in the command line: exit 2, said once.
func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

func versionCmd(ctx context.Context, e env, args []string) error {
	b := readBuild()
	fmt.Fprintln(e.stdout, "daftar", b.short())
	for _, l := range b.details() {
		fmt.Fprintln(e.stdout, "  "+l)
	}
	return nil
}
