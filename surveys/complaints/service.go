package complaints

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"log/slog"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Config bounds what a filing may carry and says where citizens follow
// their case.
type Config struct {
	// DescriptionMax is the longest description, in characters (default
	// 2000: about a page; the API's body limit answers 413 long before a
	// description could be huge, and 422 names the field above this).
	DescriptionMax int
	// DescriptionMin is the shortest (default 10 characters).
	DescriptionMin int
	// NoteMax is the longest note on a step (default 2000 characters).
	NoteMax int
	// AmountMaxRials bounds the amount paid (default 100,000,000,000 rials:
	// far above any fee; a larger figure is a typing slip).
	AmountMaxRials int64
	// TrackURL is the public page where a citizen follows a case, for the
	// text messages (default "/complaint/track").
	TrackURL string
	// EscalateBatch is how many overdue cases one Escalate run flags at most
	// (default 500; the next run takes the rest).
	EscalateBatch int
}

func (c Config) withDefaults() Config {
	if c.DescriptionMax == 0 {
		c.DescriptionMax = 2000
	}
	if c.DescriptionMin == 0 {
		c.DescriptionMin = 10
	}
	if c.NoteMax == 0 {
		c.NoteMax = 2000
	}
	if c.AmountMaxRials == 0 {
		c.AmountMaxRials = 100_000_000_000
	}
	if c.TrackURL == "" {
		c.TrackURL = "/complaint/track"
	}
	if c.EscalateBatch == 0 {
		c.EscalateBatch = 500
	}
	return c
}

// Deps is everything the service needs; New refuses to start without any
// of them.
type Deps struct {
	DB         *db.DB
	Clock      daftar.Clock
	Audit      *audit.Log
	Calendar   *daftar.WorkCalendar
	Offices    Offices
	Catalogue  Catalogue
	Surveys    SurveyVisits
	Outbox     Outbox
	Inspectors Inspectors
	// MobileKey is the 32-byte AES-256 key that seals citizens' mobile
	// numbers (derive it with secrets.ComplaintMobile).
	MobileKey []byte
	Log       *slog.Logger
}

// Service files, follows and counts complaints.
type Service struct {
	db         *db.DB
	clock      daftar.Clock
	audit      *audit.Log
	cal        *daftar.WorkCalendar
	offices    Offices
	catalogue  Catalogue
	surveys    SurveyVisits
	outbox     Outbox
	inspectors Inspectors
	mobiles    cipher.AEAD
	log        *slog.Logger
	cfg        Config
}

// New returns the complaints service.
func New(d Deps, cfg Config) (*Service, error) {
	if err := deps.Check("complaints", "database", d.DB, "clock", d.Clock, "audit log", d.Audit,
		"working-day calendar", d.Calendar, "offices", d.Offices, "catalogue", d.Catalogue, "survey visits", d.Surveys,
		"outbox", d.Outbox, "inspectors", d.Inspectors, "mobile key", d.MobileKey); err != nil {
		return nil, err
	}
	if len(d.MobileKey) != 32 {
		return nil, errors.New("complaints: the mobile key must have 32 bytes (AES-256)")
	}
	block, err := aes.NewCipher(d.MobileKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, clock: d.Clock, audit: d.Audit, cal: d.Calendar, offices: d.Offices, catalogue: d.Catalogue,
		surveys: d.Surveys, outbox: d.Outbox, inspectors: d.Inspectors, mobiles: aead, log: log, cfg: cfg.withDefaults()}, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }
