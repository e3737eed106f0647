package inspections

import (
	"log/slog"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Service records and reads inspections.
type Service struct {
	db    *db.DB
	clock daftar.Clock
	audit *audit.Log
	log   *slog.Logger
}

// New returns the inspections service.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, log: log}
}
