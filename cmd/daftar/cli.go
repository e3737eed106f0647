package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// The command line's grammar: every command (and subcommand) declares its
// positional arguments and its own flags, so that help, the order of flags
// and positional arguments, and the refusal of unknown flags are decided
// here once, before any command opens the database or asks for a password.

// flagSpec is one of a command's own flags.
type flagSpec struct {
	name string // without dashes: "office"
	arg  string // placeholder of its value ("CODE|ID"); "" for a switch
	help string
}

// command is one verb of the command line.
type command struct {
	name    string
	args    string // positional arguments as help shows them: "KIND.xlsx|KIND.csv"
	minArgs int
	maxArgs int // -1: any number
	summary string
	detail  string // more help, shown under the usage line
	flags   []flagSpec
	// config: the command opens the database, so it also takes the
	// configuration flags (those of serve -h).
	config bool
	// quiet: a one-shot command, whose log lines stay off the terminal
	// unless -v is given.
	quiet bool
	subs  []command
	// run receives the arguments as given, less the subcommand's name and
	// -v (commands parse their own flags with splitArgs).
	run func(ctx context.Context, e env, args []string) error
}

// verboseFlag shows the log lines a one-shot command otherwise keeps off
// the terminal.
var verboseFlag = flagSpec{name: "v", help: "show the log lines (JSON on standard error) that are otherwise hidden"}

// errHelp is returned when help was asked for and printed: exit 0.
var errHelp = errors.New("help shown")

// find returns the subcommand named name.
func (c command) find(name string) (command, bool) {
	for _, s := range c.subs {
		if s.name == name {
			return s, true
		}
	}
	return command{}, false
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// own maps the command's flags (and, for a command with subcommands, every
// subcommand's) to whether each is a switch, as splitArgs takes them.
func (c command) own() map[string]bool {
	m := map[string]bool{}
	add := func(fs []flagSpec) {
		for _, f := range fs {
			m[f.name] = f.arg == ""
		}
	}
	add(c.flags)
	for _, s := range c.subs {
		add(s.flags)
	}
	if c.quiet || slices.ContainsFunc(c.subs, func(s command) bool { return s.quiet }) {
		m[verboseFlag.name] = true
	}
	return m
}

// dispatch parses args for the command at path (its last element), prints
// help when asked, checks flags and the number of arguments, and runs it.
func dispatch(ctx context.Context, e env, path []command, args []string) error {
	c := path[len(path)-1]
	help := slices.ContainsFunc(args, isHelpFlag)
	own := c.own()
	vals, pos, rest, err := splitArgs(args, own)
	if err != nil && !help {
		return err
	}
	// Help is the deepest command named: import visits -h is the help
	// of import visits.
	if len(c.subs) > 0 && len(pos) > 0 {
		if sub, ok := c.find(pos[0]); ok {
			return dispatch(ctx, e, append(path, sub), without(args, pos[0]))
		}
	}
	if help {
		printHelp(e.stdout, path)
		return errHelp
	}
	if len(c.subs) > 0 {
		if len(pos) == 0 {
			return usageErr("%s needs one of: %s", c.pathName(path), c.subNames())
		}
		return usageErr("%s: unknown %s %q; one of: %s", c.pathName(path), c.subNoun(), pos[0], c.subNames())
	}
	for name := range vals {
		if !slices.ContainsFunc(c.flags, func(f flagSpec) bool { return f.name == name }) && !(c.quiet && name == verboseFlag.name) {
			return usageErr("--%s is not a flag of %s", name, c.pathName(path))
		}
	}
	if err := checkConfigFlags(c, path, rest); err != nil {
		return err
	}
	if len(pos) < c.minArgs || (c.maxArgs >= 0 && len(pos) > c.maxArgs) {
		if len(pos) > c.maxArgs && c.maxArgs >= 0 {
			return usageErr("%s takes %s, not %q", c.pathName(path), argsWord(c), pos)
		}
		return usageErr("%s needs %s", c.pathName(path), c.args)
	}
	if c.quiet {
		if v, err := switchValue(vals, verboseFlag.name); err != nil {
			return err
		} else if v {
			e.verbose = true
		}
		args = dropSwitch(args, verboseFlag.name)
	}
	return c.run(ctx, e, args)
}

// checkConfigFlags refuses flags that are neither the command's own nor
// configuration flags, naming them (instead of the flag package's list of
// every server flag).
func checkConfigFlags(c command, path []command, rest []string) error {
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if c.config && isConfigFlag(name) {
			continue
		}
		return usageErr("unknown flag %s for %s", a, c.pathName(path))
	}
	return nil
}

func isConfigFlag(name string) bool {
	for _, s := range settings() {
		if s.flag == name {
			return true
		}
	}
	return false
}

func argsWord(c command) string {
	if c.args == "" {
		return "no arguments"
	}
	return c.args
}

// without removes the first argument equal to name that is not a flag's
// value (the subcommand's name).
func without(args []string, name string) []string {
	for i, a := range args {
		if a == name {
			return append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return args
}

// dropSwitch removes a switch (-v, --v, -v=true) from args.
func dropSwitch(args []string, name string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && n == name {
			continue
		}
		out = append(out, a)
	}
	return out
}

// fullName is the command as typed: daftar user create.
func (c command) fullName(path []command) string { return "daftar " + c.pathName(path) }

// pathName is the command without the program: user create.
func (c command) pathName(path []command) string {
	names := make([]string, 0, len(path))
	for _, p := range path {
		names = append(names, p.name)
	}
	return strings.Join(names, " ")
}

func (c command) subNames() string {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func (c command) subNoun() string {
	if c.name == "import" {
		return "kind"
	}
	return "subcommand"
}

// synopsis is the usage line of a command: daftar user create USERNAME [flags].
func synopsis(path []command) string {
	c := path[len(path)-1]
	s := c.fullName(path)
	switch {
	case len(c.subs) > 0:
		s += " " + strings.ToUpper(c.subNoun()) + " ..."
	case c.args != "":
		s += " " + c.args
	}
	if len(c.flags) > 0 || c.config {
		s += " [flags]"
	}
	return s
}

// printHelp writes the help of the command at path.
func printHelp(w io.Writer, path []command) {
	c := path[len(path)-1]
	fmt.Fprintf(w, "usage: %s\n\n", synopsis(path))
	if c.summary != "" {
		fmt.Fprintln(w, upperFirst(c.summary)+".")
	}
	if c.detail != "" {
		fmt.Fprintln(w, c.detail)
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "\n%ss:\n", upperFirst(c.subNoun()))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range c.subs {
			fmt.Fprintf(tw, "  %s %s\t%s\n", s.name, s.args, s.summary)
		}
		tw.Flush()
		fmt.Fprintf(w, "\n'%s %s -h' shows the flags of each.\n", c.fullName(path), strings.ToUpper(c.subNoun()))
		return
	}
	flags := c.flags
	if c.quiet {
		flags = append(append([]flagSpec{}, flags...), verboseFlag)
	}
	if len(flags) > 0 {
		fmt.Fprintln(w, "\nFlags (before or after the arguments; -name or --name, a value as --name V or --name=V):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range flags {
			fmt.Fprintf(tw, "  %s %s\t%s\n", dashes(f.name), f.arg, f.help)
		}
		tw.Flush()
	}
	if c.name == "serve" {
		fmt.Fprintln(w, "\nSettings (each flag has an environment variable; a flag beats the variable):")
		printSettings(w)
	} else if c.config {
		fmt.Fprintln(w, "\nIt also takes the configuration flags of 'daftar serve -h' (--database-url, --data-dir, ...),")
		fmt.Fprintln(w, "each with its environment variable (DATABASE_URL, DAFTAR_DATA_DIR, ...).")
	}
}

// printSettings lists every configuration setting: flag, variable, default.
func printSettings(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range settings() {
		arg := "VALUE"
		if s.def == "true" || s.def == "false" {
			arg = ""
		}
		def := s.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "  --%s %s\t%s\t%s (default %s)\n", s.flag, arg, s.env, s.help, def)
	}
	tw.Flush()
}

// dashes writes a flag as it is usually typed: -v, --office.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// printCommands writes the list of commands (daftar -h).
func printCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: daftar COMMAND [arguments] [flags]")
	fmt.Fprintln(w, "\nDaftar runs and administers the register of judicial e-services offices.")
	fmt.Fprintln(w, "\nCommands:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimPrefix(synopsis([]command{c}), "daftar "), c.summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n'daftar COMMAND -h' or 'daftar help COMMAND' shows a command's flags; 'daftar serve -h' lists")
	fmt.Fprintln(w, "every configuration setting with its environment variable. With no command, daftar serves.")
}

// helpCmd: daftar help [COMMAND [SUBCOMMAND]].
func helpCmd(e env, args []string) error {
	if len(args) == 0 {
		printCommands(e.stdout)
		return errHelp
	}
	if isHelpFlag(args[0]) {
		args = []string{"help"}
	}
	path, err := lookup(args)
	if err != nil {
		return err
	}
	printHelp(e.stdout, path)
	return errHelp
}

// lookup finds the command named by names (user create).
func lookup(names []string) ([]command, error) {
	var path []command
	list := commands()
	for i, n := range names {
		var found *command
		for j := range list {
			if list[j].name == n {
				found = &list[j]
				break
			}
		}
		if found == nil {
			if i == 0 {
				return nil, usageErr("unknown command %q; 'daftar -h' lists the commands", n)
			}
			return nil, usageErr("%s: unknown %s %q; one of: %s", path[i-1].pathName(path), path[i-1].subNoun(), n, path[i-1].subNames())
		}
		path = append(path, *found)
		list = found.subs
	}
	return path, nil
}
