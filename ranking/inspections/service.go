package inspections

import (
	"log/slog"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Service records and reads inspections, keeps the checklists and runs the
// corrective actions' lifecycle.
type Service struct {
	db    *db.DB
	clock daftar.Clock
	audit *audit.Log
	log   *slog.Logger
}

// New returns the inspections service.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, log *slog.Logger) (*Service, error) {
	if err := deps.Check("inspections", "database", d, "clock", clock, "audit log", a); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, log: log}, nil
}

// now is the clock's time as both engines store it.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Severities of a finding, a checklist item and a corrective action.
const (
	SeverityMinor    = "minor"
	SeverityMajor    = "major"
	SeverityCritical = "critical"
)

func validSeverity(s string) bool {
	return s == SeverityMinor || s == SeverityMajor || s == SeverityCritical
}

// DueDays is how long an office has to fix a failed item, in calendar days
// from the inspection's day: a week for what harms citizens at once (fees
// above the tariff, their data), two weeks for what misleads them, a month
// for the rest.
func DueDays(severity string) int {
	switch severity {
	case SeverityCritical:
		return 7
	case SeverityMajor:
		return 14
	}
	return 30
}
