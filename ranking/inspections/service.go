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
	cal   *daftar.WorkCalendar
	log   *slog.Logger
}

// New returns the inspections service; cal counts the working days
// corrective actions are given.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, cal *daftar.WorkCalendar, log *slog.Logger) (*Service, error) {
	if err := deps.Check("inspections", "database", d, "clock", clock, "audit log", a, "work calendar", cal); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, cal: cal, log: log}, nil
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

// DueWorkingDays is how long an office has to fix a failed item, in
// working days after the inspection's day (Saturday to Wednesday, Thursday
// half, Friday and official holidays off): a week for what harms citizens
// at once (fees above the tariff, their data), two weeks for what misleads
// them, four for the rest.
func DueWorkingDays(severity string) int {
	switch severity {
	case SeverityCritical:
		return 5
	case SeverityMajor:
		return 10
	}
	return 20
}

// dueOn is the Tehran day by whose end a failure found on day (Tehran
// midnight) must be fixed.
func (s *Service) dueOn(day time.Time, severity string) (string, error) {
	t, err := s.cal.Deadline(day, daftar.WorkingDays(DueWorkingDays(severity))*daftar.WorkingDay)
	if err != nil {
		return "", err
	}
	return daftar.TehranDate(t), nil
}
