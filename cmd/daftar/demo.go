package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Demo accounts: every office owner signs in as owner-<office code> with
// this password (documented in the README; never use the demo in production).
const (
	demoOwnerPassword = "demo-owner-1405"
	demoOffices       = 1200
	demoSeed          = 1405
)

// seedDemo fills an empty database with the demo dataset, deterministically.
// report, when set, is told the percentage done after each step, and what
// comes next.
func (a *app) seedDemo(ctx context.Context, report func(pct int, doing string)) error {
	step := demoProgress(report)
	empty, err := a.isEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		a.log.Info("demo: the database already has offices; nothing seeded")
		return nil
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(demoSeed, demoSeed))
	list := geodemo.Offices(a.gazetteer, a.catalogue, rng, demoOffices)
	// One hash for every demo owner: hashing 1,200 passwords with OWASP's
	// argon2id parameters would take most of a minute.
	hash, err := accounts.HashPassword(demoOwnerPassword, accounts.OWASPArgon2)
	if err != nil {
		return err
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	err = a.db.InTx(ctx, func(tx *db.Tx) error {
		if err := a.offices.InsertBatch(ctx, tx, list); err != nil {
			return err
		}
		owners := make([]accounts.NewUser, len(list))
		for i, off := range list {
			id := off.ID
			owners[i] = accounts.NewUser{Username: "owner-" + strings.ToLower(off.Code), FullName: off.OwnerName,
				Role: daftar.RoleOfficeOwner, OfficeID: &id}
		}
		if err := a.accounts.InsertBatch(tx, owners, hash); err != nil {
			return err
		}
		for _, u := range []accounts.NewUser{
			{Username: "ministry", FullName: "کارشناس وزارت", Role: daftar.RoleMinistry},
			{Username: "inspector", FullName: "بازرس", Role: daftar.RoleInspector},
		} {
			if err := a.accounts.InsertBatch(tx, []accounts.NewUser{u}, hash); err != nil {
				return err
			}
		}
		return a.audit.Record(ctx, tx, audit.Change{Action: "demo.seed", Entity: "dataset", EntityID: "demo",
			After: map[string]any{"offices": len(list), "owners": len(owners)}})
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	step("offices")
	if err := a.seedDemoCandidates(ctx); err != nil {
		return err
	}
	step("candidates")
	if err := a.seedDemoVisits(ctx); err != nil {
		return err
	}
	step("visits")
	if err := a.seedDemoSurveys(ctx); err != nil {
		return err
	}
	step("surveys")
	if err := a.seedDemoComplaints(ctx); err != nil {
		return err
	}
	step("complaints")
	if err := a.seedDemoLicensing(ctx); err != nil {
		return err
	}
	step("licensing")
	if err := a.seedDemoRanking(ctx); err != nil {
		return err
	}
	step("ranking")
	a.log.Info("demo dataset seeded", "offices", len(list), "elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
