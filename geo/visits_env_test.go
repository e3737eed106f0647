package geo

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// vEnv is a register, visits and crowding over a fresh database.
type vEnv struct {
	t       testing.TB
	ctx     context.Context
	d       *db.DB
	clock   *daftar.ManualClock
	gaz     *Gazetteer
	cat     *Catalogue
	offices *Offices
	visits  *Visits
	crowd   *Crowding
}

// vNow is the tests' present: Sunday 1405/09/01 (2026-11-22) 12:00 Tehran.
var vNow = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

func newVEnv(t testing.TB, d *db.DB) *vEnv {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	if err := LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, err := LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalogue(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(vNow)
	e := &vEnv{t: t, ctx: ctx, d: d, clock: clock, gaz: gaz, cat: cat}
	e.offices = NewOffices(d, clock, audit.New(d, clock), gaz, cat, OfficesConfig{})
	e.visits = NewVisits(d, clock, cat, nil, VisitsConfig{})
	e.crowd = NewCrowding(d, gaz, CrowdingConfig{})
	return e
}

func vptr[T any](v T) *T { return &v }

// office registers an office; hours nil keeps the default hours.
func (e *vEnv) office(code, city string, lat, lon float64, counters int, services []string, hours map[string][]string) Office {
	e.t.Helper()
	o, err := e.offices.Create(e.ctx, OfficeInput{Code: &code, NameFa: vptr("دفتر " + code), NameEn: vptr("Office " + code),
		City: &city, Latitude: &lat, Longitude: &lon, Counters: &counters, Services: services, OpeningHours: hours})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// demoRegister inserts n demo offices.
func (e *vEnv) demoRegister(n int) []Office {
	e.t.Helper()
	list := DemoOffices(e.gaz, e.cat, rand.New(rand.NewPCG(1405, 1405)), n)
	if err := e.d.InTx(e.ctx, func(tx *db.Tx) error { return e.offices.InsertBatch(e.ctx, tx, list) }); err != nil {
		e.t.Fatal(err)
	}
	return list
}
