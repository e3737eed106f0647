package main

import (
	"context"
	"errors"
	"time"

	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/daftar-ir/daftar/internal/snapshots"
	"github.com/daftar-ir/daftar/licensing"
)

// Scale (docs/scale.md): the stored models, computed in the background
// and read by requests.

// modelIdle is how long a stored model nobody reads is kept up to date
// before it is dropped (the defaults are always kept).
const modelIdle = 24 * time.Hour

// initModels builds the stored regional crowding figures and demand model.
func (a *app) initModels() error {
	store, err := snapshots.NewStore(a.db, a.clock, a.log)
	if err != nil {
		return err
	}
	if a.regionModels, err = visits.NewRegionModels(a.crowding, store, a.clock); err != nil {
		return err
	}
	a.demandModels, err = licensing.NewDemandModels(a.demand, store)
	return err
}

// modelJobs keep the stored models current.
func (a *app) modelJobs() []jobs.Job {
	return []jobs.Job{
		// A cluster job (registerJobs): once per firing across replicas.
		// Each firing fingerprints every stored model's inputs and
		// recomputes those that changed, so changes coming in faster than
		// the schedule cost one recompute per firing (debounced). Every
		// minute; DAFTAR_JOB_SCHEDULES=models-refresh=... changes it.
		{Name: "models-refresh", Spec: "* * * * *", Timeout: 10 * time.Minute, Run: a.refreshModels},
	}
}

// refreshModels recomputes the stored models whose inputs changed,
// reading those inputs from a read replica when there is one.
func (a *app) refreshModels(ctx context.Context) error {
	ctx = db.ReadOnly(ctx)
	rr, err1 := a.regionModels.Refresh(ctx, modelIdle)
	dr, err2 := a.demandModels.Refresh(ctx, modelIdle)
	if rr.Computed+dr.Computed+rr.Dropped+dr.Dropped > 0 {
		a.log.Info("stored models refreshed", "crowding_regions", rr.Computed, "demand", dr.Computed, "dropped", rr.Dropped+dr.Dropped)
	}
	return errors.Join(err1, err2)
}
