package visits

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/geo/internal/geotest"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
)

// vEnv is a register, visits and crowding over a fresh database (exported
// as Env to the package's external tests).
type vEnv struct {
	*geotest.Places
	D      *db.DB
	Visits *Service
	Crowd  *Crowding
}

// vNow is the tests' present: Sunday 1405/09/01 (2026-11-22) 12:00 Tehran.
var vNow = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

// noInvitations is the survey inviter of these tests: the surveys are
// tested with their own package; here no visit gets a link.
type noInvitations struct{}

func (noInvitations) Invite(context.Context, *db.Tx, int64, []Visit) (map[int64]string, error) {
	return nil, nil
}

func newVEnv(t testing.TB, d *db.DB) *vEnv {
	t.Helper()
	e := &vEnv{Places: geotest.New(t, d, vNow, offices.Config{}), D: d}
	var err error
	if e.Visits, err = New(d, e.Clock, e.Offices, noInvitations{}, nil, Config{}); err != nil {
		t.Fatal(err)
	}
	if e.Crowd, err = NewCrowding(d, e.Offices, CrowdingConfig{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func vptr[T any](v T) *T { return &v }
