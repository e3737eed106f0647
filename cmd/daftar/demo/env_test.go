package demo

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/licensing"
)

// env is what the generators' tests build on: a migrated database with the
// reference data, a manual clock and the audit log.
type env struct {
	d     *db.DB
	clock *daftar.ManualClock
	gaz   *geo.Gazetteer
	cat   *geo.Catalogue
	audit *audit.Log
	ctx   context.Context
}

// 2026-11-22 is 1405/09/01 in Tehran.
var testNow = time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	e := &env{d: d, clock: daftar.NewManualClock(testNow), ctx: daftar.WithActor(context.Background(), daftar.SystemActor("test"))}
	if err := geo.LoadReference(e.ctx, d); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.gaz, err = geo.LoadGazetteer(e.ctx, d); err != nil {
		t.Fatal(err)
	}
	if e.cat, err = geo.LoadCatalogue(e.ctx, d); err != nil {
		t.Fatal(err)
	}
	e.audit = audit.New(d, e.clock)
	return e
}

const testSecret = "test-secret-0123456789abcdef0123456789"

// licensing returns exam intake and the candidates' register.
func (e *env) licensing(t testing.TB) (*licensing.Exams, *licensing.Candidates) {
	t.Helper()
	codes, err := licensing.NewNationalCodes(secrets.Derive(testSecret, secrets.NationalCodeHash), secrets.Derive(testSecret, secrets.NationalCodeEncrypt))
	if err != nil {
		t.Fatal(err)
	}
	return licensing.NewExams(e.d, e.clock, e.audit, e.gaz, codes, licensing.ExamConfig{}),
		licensing.NewCandidates(e.d, e.clock, e.audit, e.gaz, codes)
}
