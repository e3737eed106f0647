// Package geotest sets the scene for the tests of geo's packages: the
// reference data loaded into a fresh database, and an office register over
// it with a clock the test moves.
package geotest

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Places is the scene: a system actor's context, the clock, the reference
// data and the register (announcing on Changes).
type Places struct {
	T       testing.TB
	Ctx     context.Context
	Clock   *daftar.ManualClock
	Gaz     *geo.Gazetteer
	Cat     *geo.Catalogue
	Changes *offices.Changes
	Offices *offices.Register
}

// New loads the reference data into d and builds the register, its clock
// at now. Each extra runs between the two (a test's own regions).
func New(t testing.TB, d *db.DB, now time.Time, cfg offices.Config, extra ...func(d *db.DB)) *Places {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, fn := range extra {
		fn(d)
	}
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := geo.LoadCatalogue(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	p := &Places{T: t, Ctx: ctx, Clock: daftar.NewManualClock(now), Gaz: gaz, Cat: cat, Changes: offices.NewChanges()}
	if p.Offices, err = offices.New(d, p.Clock, audit.New(d, p.Clock), gaz, cat, p.Changes, cfg); err != nil {
		t.Fatal(err)
	}
	return p
}

// Office registers an office; hours nil keeps the default hours.
func (p *Places) Office(code, city string, lat, lon float64, counters int, services []string, hours map[string][]string) offices.Office {
	p.T.Helper()
	nameFa, nameEn := "دفتر "+code, "Office "+code
	o, err := p.Offices.Create(p.Ctx, offices.Input{Code: &code, NameFa: &nameFa, NameEn: &nameEn,
		City: &city, Latitude: &lat, Longitude: &lon, Counters: &counters, Services: services, OpeningHours: hours})
	if err != nil {
		p.T.Fatal(err)
	}
	return o
}
