package visits

import (
	"context"
	"log/slog"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Service records the citizens served at the offices, in batches sent by
// each office's queue system (POST /api/v1/offices/{id}/visits) or loaded
// from CSV files (daftar import visits), and keeps the crowding rollups in
// step in the same transaction.
type Service struct {
	db      *db.DB
	clock   daftar.Clock
	offices *offices.Register
	cat     *geo.Catalogue
	inviter SurveyInviter
	cfg     Config
	log     *slog.Logger
}

// Config bounds what a batch may hold.
type Config struct {
	// MaxBatch is the most visits one request may carry (default 1000).
	MaxBatch int
	// Skew is how far in the future a time may lie, for clocks that run
	// fast (default 5 minutes).
	Skew time.Duration
	// MaxAge is how old an arrival may be (default 400 days; negative: no
	// limit): staff batches and imports.
	MaxAge time.Duration
	// OwnerMaxAge is how old an arrival an office owner may record
	// (default 3 days): owners report their day, they do not rewrite
	// their history (each backdated served visit would also get a survey
	// link).
	OwnerMaxAge time.Duration
	// MaxDuration is the longest a visit may last from arrival to finish
	// (default 16 hours).
	MaxDuration time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxBatch == 0 {
		c.MaxBatch = 1000
	}
	if c.Skew == 0 {
		c.Skew = 5 * time.Minute
	}
	if c.MaxAge == 0 {
		c.MaxAge = 400 * 24 * time.Hour
	}
	if c.OwnerMaxAge == 0 {
		c.OwnerMaxAge = 72 * time.Hour
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = 16 * time.Hour
	}
	return c
}

// SurveyInviter hands each citizen served a link to the survey of their
// visit (package surveys). It runs inside the batch's transaction with the
// visits just accepted whose outcome is served, and returns the link of each
// visit by id (visits without one get none). A failure rolls the whole
// batch back.
type SurveyInviter interface {
	Invite(ctx context.Context, tx *db.Tx, officeID int64, visits []Visit) (map[int64]string, error)
}

// New returns the visits service. The inviter is required: every citizen
// served is invited to the survey.
func New(d *db.DB, clock daftar.Clock, register *offices.Register, inviter SurveyInviter, log *slog.Logger, cfg Config) (*Service, error) {
	if err := deps.Check("visits", "database", d, "clock", clock, "office register", register, "survey inviter", inviter); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, offices: register, cat: register.Catalogue(), inviter: inviter, cfg: cfg.withDefaults(), log: log}, nil
}

// Config returns the effective configuration.
func (v *Service) Config() Config { return v.cfg }
