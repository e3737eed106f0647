package finder

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/geo/internal/geotest"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
)

// env is a register, visits and crowding over a fresh database, for a
// finder to be built on.
type env struct {
	*geotest.Places
	visits *visits.Service
	crowd  *visits.Crowding
}

// vNow is the tests' present: Sunday 1405/09/01 (2026-11-22) 12:00 Tehran.
var vNow = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

type noInvitations struct{}

func (noInvitations) Invite(context.Context, *db.Tx, int64, []visits.Visit) (map[int64]string, error) {
	return nil, nil
}

// fakeGrades grades every office alike once set.
type fakeGrades struct {
	mu    sync.Mutex
	grade *string
}

func (g *fakeGrades) set(grade string) {
	g.mu.Lock()
	g.grade = &grade
	g.mu.Unlock()
}

func (g *fakeGrades) Grade(int64) *string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.grade
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	e := &env{Places: geotest.New(t, d, vNow, offices.Config{})}
	var err error
	if e.visits, err = visits.New(d, e.Clock, e.Offices, noInvitations{}, nil, visits.Config{}); err != nil {
		t.Fatal(err)
	}
	if e.crowd, err = visits.NewCrowding(d, e.Offices, visits.CrowdingConfig{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func vptr[T any](v T) *T { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
