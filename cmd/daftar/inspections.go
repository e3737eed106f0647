package main

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/ranking/inspections/adapters"
)

func (a *app) initInspections(ctx context.Context) error {
	var err error
	if a.inspections, err = inspections.New(a.db, a.clock, a.audit, daftar.OfficialWorkCalendar(), a.log); err != nil {
		return err
	}
	if err := a.inspections.EnsureDefaultChecklist(ctx); err != nil {
		return err
	}
	a.planner, err = inspections.NewPlanner(a.inspections, a.inspectionSources(), inspections.RiskConfig{})
	return err
}

// inspectionSources are what the planner reads from the other registers.
func (a *app) inspectionSources() inspections.Sources {
	return inspections.Sources{Offices: adapters.Offices{Register: a.offices}, Surveys: adapters.Surveys{Service: a.surveys},
		Complaints: adapters.Complaints{Service: a.complaints}, Accounts: a.accounts}
}

// seedDemoInspections records the demo's inspections, corrective actions
// and assignments, as the demo inspector.
func (a *app) seedDemoInspections(ctx context.Context) error {
	start := time.Now()
	u, err := a.accounts.ByUsername(ctx, "inspector")
	if err != nil {
		return fmt.Errorf("demo inspections: %w", err)
	}
	rep, err := demo.Inspections(ctx, a.db, a.audit, a.inspectionSources(), u.Actor(), a.clock.Now(), demoSeed)
	if err != nil {
		return err
	}
	a.log.Info("demo inspections", "inspections", rep.Inspections, "corrective_actions", rep.Actions, "assignments", rep.Assignments,
		"elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
