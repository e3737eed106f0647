package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/migrate"
	"github.com/daftar-ir/daftar/internal/progress"
)

// withApp loads the configuration and opens the app for a one-shot command.
// Its log lines stay off the terminal unless -v was given: the command
// prints what it did, and an error is returned (and said once).
func withApp(ctx context.Context, e env, name string, args []string, fn func(a *app, rest []string) error) error {
	cfg, rest, err := loadConfig(name, args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if e.verbose {
		log = newLogger(cfg, e.stderr)
	}
	defer boundMemory(e.getenv)()
	a, err := openApp(ctx, cfg, log, daftar.SystemClock{})
	if err != nil {
		return err
	}
	defer a.close()
	return fn(a, rest)
}

// commandMemoryLimit is the soft memory limit of the one-shot commands
// (imports, seeds, reports): the bulk paths stream, and the limit keeps
// the garbage collector from letting the heap grow to twice what is live
// before it runs. GOMEMLIMIT in the environment takes precedence.
const commandMemoryLimit = 256 << 20

// boundMemory sets commandMemoryLimit until the returned function puts
// the previous limit back.
func boundMemory(getenv func(string) string) (restore func()) {
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(commandMemoryLimit)
	return func() { debug.SetMemoryLimit(old) }
}

func migrateCmd(ctx context.Context, e env, args []string) error {
	return withApp(ctx, e, "migrate", args, func(a *app, rest []string) error {
		all, err := migrate.All()
		if err != nil {
			return err
		}
		// openApp applied whatever was pending.
		fmt.Fprintf(e.stdout, "daftar: schema at version %d (%s)\n", all[len(all)-1].Version, a.db.Dialect)
		return nil
	})
}

func seedDemoCmd(ctx context.Context, e env, args []string) error {
	return withApp(ctx, e, "seed", args, func(a *app, rest []string) error {
		bar := progress.New(e.stderr, "seeding demo data", 100, "%")
		err := a.seedDemo(ctx, func(pct int, _ string) { bar.Set(int64(pct)) })
		bar.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "daftar: demo dataset ready")
		return nil
	})
}

func auditVerifyCmd(ctx context.Context, e env, args []string) error {
	return withApp(ctx, e, "audit", args, func(a *app, rest []string) error {
		n, err := audit.Verify(ctx, a.db)
		if b, ok := audit.IsBroken(err); ok {
			fmt.Fprintf(e.stdout, "daftar: audit chain BROKEN at event %d after %d good events: %s\n", b.EventID, n, b.Reason)
			return fmt.Errorf("audit chain broken at event %d", b.EventID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "daftar: audit chain intact: %d events\n", n)
		return nil
	})
}

func userCommands() []command {
	return []command{
		{name: "create", args: "USERNAME", minArgs: 1, maxArgs: 1, config: true, quiet: true, run: userCreateCmd,
			summary: "create an account; its password is read from standard input (one line)",
			detail:  "Roles: admin, ministry, inspector, office_owner (which needs --office).",
			flags: []flagSpec{
				{name: "role", arg: "ROLE", help: "admin, ministry, inspector or office_owner (required)"},
				{name: "office", arg: "CODE|ID", help: "the office of an office_owner: its code (THR-0001) or its id"},
				{name: "name", arg: "\"FULL NAME\"", help: "the person's full name"},
			}},
		{name: "passwd", args: "USERNAME", minArgs: 1, maxArgs: 1, config: true, quiet: true, run: userPasswdCmd,
			summary: "set an account's password from standard input and end its sessions"},
		{name: "disable", args: "USERNAME", minArgs: 1, maxArgs: 1, config: true, quiet: true, run: userDisableCmd,
			summary: "disable an account and end its sessions"},
	}
}

var userCreateOwn = map[string]bool{"role": false, "office": false, "name": false}

// userCreateCmd: user create USERNAME --role R [--office CODE|ID] [--name N].
// Everything is checked (the account's fields, the office, a free
// username) before the password is asked for.
func userCreateCmd(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, userCreateOwn)
	if err != nil {
		return err
	}
	role := daftar.Role(vals["role"])
	if vals["role"] == "" {
		return usageErr("user create needs --role (admin, ministry, inspector or office_owner)")
	}
	if !role.Valid() {
		return usageErr("--role %q is not a role: admin, ministry, inspector or office_owner", vals["role"])
	}
	switch {
	case role == daftar.RoleOfficeOwner && vals["office"] == "":
		return usageErr("an office_owner needs --office CODE|ID")
	case role != daftar.RoleOfficeOwner && vals["office"] != "":
		return usageErr("--office is only for --role office_owner")
	}
	// The username and name, before the database is even opened (the
	// office, a placeholder here, is checked once it is found).
	probe := accounts.NewUser{Username: pos[0], FullName: vals["name"], Role: role}
	if role == daftar.RoleOfficeOwner {
		placeholder := int64(1)
		probe.OfficeID = &placeholder
	}
	if err := accounts.CheckNewUser(probe); err != nil {
		return usageErr("%s", describe(err))
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "user", rest, func(a *app, _ []string) error {
		in := accounts.NewUser{Username: pos[0], FullName: vals["name"], Role: role}
		if v := vals["office"]; v != "" {
			id, err := a.resolveOffice(ctx, v)
			if err != nil {
				return err
			}
			in.OfficeID = &id
		}
		if _, err := a.accounts.ByUsername(ctx, in.Username); err == nil {
			return fmt.Errorf("an account named %s exists", accounts.NormalizeUsername(in.Username))
		} else if !daftar.IsKind(err, daftar.KindNotFound) {
			return err
		}
		pw, err := readPassword(e)
		if err != nil {
			return err
		}
		in.Password = pw
		u, err := a.accounts.Create(ctx, in)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(e.stdout, "daftar: created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
		return nil
	})
}

func userPasswdCmd(ctx context.Context, e env, args []string) error {
	_, pos, rest, err := splitArgs(args, nil)
	if err != nil {
		return err
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "user", rest, func(a *app, _ []string) error {
		u, err := a.accounts.ByUsername(ctx, pos[0])
		if err != nil {
			return describe(err)
		}
		pw, err := readPassword(e)
		if err != nil {
			return err
		}
		if _, err := a.accounts.Update(ctx, u.ID, accounts.Patch{Password: &pw}); err != nil {
			return describe(err)
		}
		fmt.Fprintf(e.stdout, "daftar: password of %s changed; its sessions were ended\n", u.Username)
		return nil
	})
}

func userDisableCmd(ctx context.Context, e env, args []string) error {
	_, pos, rest, err := splitArgs(args, nil)
	if err != nil {
		return err
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "user", rest, func(a *app, _ []string) error {
		u, err := a.accounts.ByUsername(ctx, pos[0])
		if err != nil {
			return describe(err)
		}
		yes := true
		if _, err := a.accounts.Update(ctx, u.ID, accounts.Patch{Disabled: &yes}); err != nil {
			return describe(err)
		}
		fmt.Fprintf(e.stdout, "daftar: %s disabled; its sessions were ended\n", u.Username)
		return nil
	})
}

// resolveOffice reads --office: an office's code (THR-0001, any case) or
// its numeric id.
func (a *app) resolveOffice(ctx context.Context, v string) (int64, error) {
	if n, err := daftar.ParseInt(v); err == nil && n > 0 {
		if _, err := a.offices.Get(ctx, n); err == nil {
			return n, nil
		} else if !daftar.IsKind(err, daftar.KindNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("--office %s: no office has the id %d", v, n)
	}
	list, _, err := a.offices.List(ctx, offices.Filter{Query: v, Limit: 50})
	if err != nil {
		return 0, err
	}
	for _, o := range list {
		if strings.EqualFold(o.Code, strings.TrimSpace(v)) {
			return o.ID, nil
		}
	}
	return 0, fmt.Errorf("--office %s: no office has the code %q (give an office code such as THR-0001, or an id)", v, v)
}

func readPassword(e env) (string, error) {
	fmt.Fprint(e.stderr, "password (one line on standard input): ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// describe renders a domain error with its field errors for the terminal,
// each thing said once (a file-level error repeats its message on the
// field "file").
func describe(err error) error {
	de, ok := daftar.AsError(err)
	if !ok {
		return err
	}
	msg := de.Message
	for _, f := range de.Fields {
		if f.Message == de.Message {
			continue
		}
		msg += fmt.Sprintf("; %s: %s", f.Field, f.Message)
	}
	return fmt.Errorf("%s", msg)
}
