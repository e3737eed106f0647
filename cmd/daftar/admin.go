package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/migrate"
)

// withApp loads the configuration and opens the app for a one-shot command.
func withApp(ctx context.Context, e env, name string, args []string, fn func(a *app, rest []string) error) error {
	cfg, rest, err := loadConfig(name, args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	a, err := openApp(ctx, cfg, log, daftar.SystemClock{})
	if err != nil {
		return err
	}
	defer a.close()
	return fn(a, rest)
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

func seedCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "demo" {
		return usageErr("seed demo")
	}
	return withApp(ctx, e, "seed", args[1:], func(a *app, rest []string) error {
		if err := a.seedDemo(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "daftar: demo dataset ready")
		return nil
	})
}

func auditCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageErr("audit verify")
	}
	return withApp(ctx, e, "audit", args[1:], func(a *app, rest []string) error {
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

// userCmd: user create USERNAME --role R [--office ID] [--name N]
//
//	user passwd USERNAME
//	user disable USERNAME
//
// Passwords are read from standard input (one line), never from flags.
func userCmd(ctx context.Context, e env, args []string) error {
	if len(args) < 2 {
		return usageErr("user create USERNAME --role ROLE [--office ID] [--name NAME] | user passwd USERNAME | user disable USERNAME (passwords are read from standard input)")
	}
	verb, username, rest := args[0], args[1], args[2:]
	var role, name string
	var office int64
	var flagArgs []string
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case "--role", "-role":
			if i+1 < len(rest) {
				role = rest[i+1]
				i++
			}
		case "--office", "-office":
			if i+1 < len(rest) {
				fmt.Sscanf(rest[i+1], "%d", &office)
				i++
			}
		case "--name", "-name":
			if i+1 < len(rest) {
				name = rest[i+1]
				i++
			}
		default:
			flagArgs = append(flagArgs, rest[i])
		}
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "user", flagArgs, func(a *app, _ []string) error {
		switch verb {
		case "create":
			pw, err := readPassword(e)
			if err != nil {
				return err
			}
			in := accounts.NewUser{Username: username, FullName: name, Password: pw, Role: daftar.Role(role)}
			if office != 0 {
				in.OfficeID = &office
			}
			u, err := a.accounts.Create(ctx, in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "daftar: created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
		case "passwd":
			u, err := a.accounts.ByUsername(ctx, username)
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
		case "disable":
			u, err := a.accounts.ByUsername(ctx, username)
			if err != nil {
				return describe(err)
			}
			yes := true
			if _, err := a.accounts.Update(ctx, u.ID, accounts.Patch{Disabled: &yes}); err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "daftar: %s disabled; its sessions were ended\n", u.Username)
		default:
			return usageErr("user create|passwd|disable USERNAME")
		}
		return nil
	})
}

func readPassword(e env) (string, error) {
	fmt.Fprint(e.stderr, "password (one line on standard input): ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// describe renders a domain error with its field errors for the terminal.
func describe(err error) error {
	de, ok := daftar.AsError(err)
	if !ok {
		return err
	}
	msg := de.Message
	for _, f := range de.Fields {
		msg += fmt.Sprintf("; %s: %s", f.Field, f.Message)
	}
	return fmt.Errorf("%s", msg)
}
