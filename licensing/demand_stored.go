package licensing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/deps"
	"github.com/daftar-ir/daftar/internal/snapshots"
)

// DemandModels serves the demand model from stored models. Computing it
// reads a window of every office's rollups and runs the accessibility
// model over the whole country, so it is computed in the background when
// its inputs change (the rollups of its window, the register, the
// licences; Refresh, the job models-refresh) and requests read the stored
// model, filter and page it. What-if reuses the stored model. A query
// nobody asked for before (another window or target) is computed on its
// first request, once however many ask, and kept up to date while it is
// read.
type DemandModels struct {
	m     *Demand
	model *snapshots.Model[storedDemand]
}

// storedDemand is a stored model: the result with each city's queue, which
// what-if needs.
type storedDemand struct {
	Model   DemandModel          `json:"model"`
	Regions []storedRegionDemand `json:"regions"`
}

type storedRegionDemand struct {
	RegionDemand
	Queue storedQueue `json:"queue"`
}

type storedQueue struct {
	Lambda  float64     `json:"lambda"`
	Service float64     `json:"service"`
	Offices map[int]int `json:"offices"`
}

// demandKey is a query as a stored model's key.
type demandKey struct {
	From   string  `json:"from,omitempty"`
	To     string  `json:"to,omitempty"`
	Target float64 `json:"target,omitempty"`
	WaitS  int64   `json:"wait_s,omitempty"`
}

const defaultDemandKey = "default"

func keyOfDemand(q DemandQuery) string {
	k := demandKey{Target: q.TargetPopulationPerOffice, WaitS: int64(q.WaitTarget / time.Second)}
	if !q.From.IsZero() {
		k.From = daftar.TehranDate(q.From)
	}
	if !q.To.IsZero() {
		k.To = daftar.TehranDate(q.To)
	}
	if k == (demandKey{}) {
		return defaultDemandKey
	}
	b, _ := json.Marshal(k)
	return string(b)
}

func queryOfDemand(key string) (DemandQuery, error) {
	var q DemandQuery
	if key == defaultDemandKey {
		return q, nil
	}
	var k demandKey
	if err := json.Unmarshal([]byte(key), &k); err != nil {
		return q, fmt.Errorf("demand: bad key %q", key)
	}
	day := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		return daftar.ParseDate(s)
	}
	var err1, err2 error
	q.From, err1 = day(k.From)
	q.To, err2 = day(k.To)
	if err1 != nil || err2 != nil {
		return q, fmt.Errorf("demand: bad key %q", key)
	}
	q.TargetPopulationPerOffice, q.WaitTarget = k.Target, time.Duration(k.WaitS)*time.Second
	return q, nil
}

// NewDemandModels returns the stored demand models.
func NewDemandModels(m *Demand, store *snapshots.Store) (*DemandModels, error) {
	if err := deps.Check("demand models", "demand", m, "snapshot store", store); err != nil {
		return nil, err
	}
	dm := &DemandModels{m: m}
	var err error
	dm.model, err = snapshots.NewModel(store, snapshots.Spec[storedDemand]{
		Kind: "demand",
		Version: func(ctx context.Context, key string) (string, error) {
			q, err := queryOfDemand(key)
			if err != nil {
				return "", err
			}
			return m.inputsVersion(ctx, q)
		},
		Compute: func(ctx context.Context, key string) (storedDemand, error) {
			q, err := queryOfDemand(key)
			if err != nil {
				return storedDemand{}, err
			}
			res, err := m.Compute(ctx, q)
			if err != nil {
				return storedDemand{}, err
			}
			return storedOf(res), nil
		},
	})
	return dm, err
}

// inputsVersion fingerprints what the model of q is computed from: its
// window (which moves on every day), the rollups of that window, the
// register, the licences and the settings.
func (m *Demand) inputsVersion(ctx context.Context, q DemandQuery) (string, error) {
	rng, err := m.window(q)
	if err != nil {
		return "", err
	}
	rv, err := m.crowding.RollupsVersion(ctx, rng)
	if err != nil {
		return "", err
	}
	ov, err := m.offices.Fingerprint(ctx)
	if err != nil {
		return "", err
	}
	var n, versions int64
	if err := m.db.Query(ctx, "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM licences", nil,
		func(scan func(...any) error) error { return scan(&n, &versions) }); err != nil {
		return "", fmt.Errorf("licences fingerprint: %w", err)
	}
	cfg, _ := json.Marshal(m.cfg)
	return fmt.Sprintf("v1;%s;%s;licences:%d/%d;crowding_target=%d;%s", rv, ov, n, versions, m.crowding.Config().TargetWait, cfg), nil
}

func storedOf(res *DemandResult) storedDemand {
	out := storedDemand{Model: res.Model, Regions: make([]storedRegionDemand, len(res.Regions))}
	for i, r := range res.Regions {
		out.Regions[i] = storedRegionDemand{RegionDemand: r, Queue: storedQueue{Lambda: r.queue.lambda, Service: r.queue.service, Offices: r.queue.offices}}
	}
	return out
}

func (s storedDemand) result() *DemandResult {
	res := &DemandResult{Model: s.Model, Regions: make([]RegionDemand, len(s.Regions))}
	for i, r := range s.Regions {
		res.Regions[i] = r.RegionDemand
		q := cityQueue{lambda: r.Queue.Lambda, service: r.Queue.Service, offices: r.Queue.Offices}
		if q.offices == nil {
			q.offices = map[int]int{}
		}
		res.Regions[i].queue = q
	}
	return res
}

// Get returns the stored model of q and when it was computed.
func (dm *DemandModels) Get(ctx context.Context, q DemandQuery) (*DemandResult, snapshots.Stamp, error) {
	if _, err := dm.m.window(q); err != nil {
		return nil, snapshots.Stamp{}, err
	}
	s, st, err := dm.model.Get(ctx, keyOfDemand(q))
	if err != nil {
		return nil, st, err
	}
	return s.result(), st, nil
}

// WhatIf is Demand.WhatIf over the stored model of q.
func (dm *DemandModels) WhatIf(ctx context.Context, code string, add int, q DemandQuery) (WhatIf, snapshots.Stamp, error) {
	if err := dm.m.checkWhatIf(code, add); err != nil {
		return WhatIf{}, snapshots.Stamp{}, err
	}
	res, st, err := dm.Get(ctx, q)
	if err != nil {
		return WhatIf{}, st, err
	}
	w, err := dm.m.WhatIfFrom(res, code, add)
	return w, st, err
}

// Refresh recomputes the stored models whose inputs changed: the default
// one (the configured window ending yesterday) and every other read within
// idle; the others are dropped.
func (dm *DemandModels) Refresh(ctx context.Context, idle time.Duration) (snapshots.RefreshReport, error) {
	return dm.model.Refresh(ctx, []string{defaultDemandKey}, idle)
}
