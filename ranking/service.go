package ranking

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"gorm.io/gorm"
)

// Gatherer reads what a period's ranking is computed from (Sources), and
// what came in late for a period a run read at a moment (the next run's
// notes).
type Gatherer interface {
	Inputs(ctx context.Context, p daftar.Period, d Directive) (RunInputs, error)
	LateCounts(ctx context.Context, p daftar.Period, readAt time.Time) (arrivals, answers map[int64]int64, err error)
}

// Service keeps directives and runs, and the grades of the latest published
// run (the finder shows them). Runs are in runs.go (compute, publish),
// store.go (what is stored and its checksums), results.go (reads),
// verify.go (reproduce and drift) and notes.go (late data).
type Service struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	offices *offices.Register
	log     *slog.Logger
	gather  Gatherer

	mu     sync.RWMutex
	grades map[int64]string
}

// New returns the ranking service; its grades are empty until
// RefreshGrades.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, register *offices.Register, log *slog.Logger, g Gatherer) (*Service, error) {
	if err := deps.Check("ranking", "database", d, "clock", clock, "audit log", a, "office register", register, "gatherer", g); err != nil {
		return nil, err
	}
	if src, ok := g.(Sources); ok {
		if err := src.check(); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, offices: register, log: log, gather: g, grades: map[int64]string{}}, nil
}

// EnsureDefaultDirective stores the shipped directives (versions 1 and 2)
// that are not stored yet; see EnsureShippedDirectives.
func (s *Service) EnsureDefaultDirective(ctx context.Context) error {
	return s.EnsureShippedDirectives(ctx)
}

// Directives lists every version, newest first.
func (s *Service) Directives(ctx context.Context) ([]Directive, error) {
	var rows []struct{ Body string }
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM ranking_directives ORDER BY version DESC").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Directive, 0, len(rows))
	for _, r := range rows {
		var d Directive
		if err := json.Unmarshal([]byte(r.Body), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// AddDirective stores d as the next version (versions are never edited).
func (s *Service) AddDirective(ctx context.Context, d Directive) (Directive, error) {
	d.EffectiveFrom = daftar.NormalizeDigits(d.EffectiveFrom)
	if err := d.Validate(); err != nil {
		return d, err
	}
	actor, _ := daftar.ActorFrom(ctx)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		d, err = s.insertDirective(ctx, tx, d, actor.Username)
		return err
	})
	return d, err
}

// addDirective stores a shipped directive as the next version, trying again
// when another replica stored one at the same moment.
func (s *Service) addDirective(ctx context.Context, d Directive, by string) error {
	var err error
	for try := 0; try < 3; try++ {
		err = s.db.Tx(ctx, func(tx *gorm.DB) error {
			var names []string
			if err := tx.Raw("SELECT body FROM ranking_directives").Scan(&names).Error; err != nil {
				return err
			}
			for _, body := range names {
				var have Directive
				if json.Unmarshal([]byte(body), &have) == nil && have.Name == d.Name {
					return nil // stored meanwhile
				}
			}
			_, err := s.insertDirective(ctx, tx, d, by)
			return err
		})
		if !daftar.IsKind(err, daftar.KindConflict) {
			return err
		}
	}
	return err
}

func (s *Service) insertDirective(ctx context.Context, tx *gorm.DB, d Directive, by string) (Directive, error) {
	var v []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM ranking_directives").Scan(&v).Error; err != nil {
		return d, err
	}
	d.Version = v[0] + 1
	body, _ := json.Marshal(d)
	if err := tx.Exec("INSERT INTO ranking_directives (version, effective_from, body, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
		d.Version, d.EffectiveFrom, string(body), s.clock.Now(), by).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return d, daftar.Conflict("directive_version_taken", "another version was added at the same time; try again")
		}
		return d, err
	}
	return d, s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "directive.add", Entity: "ranking_directive", EntityID: d.Version, After: d})
}

// InForce returns the directive in force on a day: the version with the
// latest effective date on or before it (the newest version on a tie).
func (s *Service) InForce(ctx context.Context, day time.Time) (Directive, error) {
	d, _, err := s.inForce(ctx, day)
	return d, err
}

// inForce is InForce with the directive's body as stored (what a run's
// inputs checksum covers).
func (s *Service) inForce(ctx context.Context, day time.Time) (Directive, string, error) {
	var rows []struct{ Body string }
	err := s.db.WithContext(ctx).Raw(`SELECT body FROM ranking_directives WHERE effective_from <= ? ORDER BY effective_from DESC, version DESC LIMIT 1`,
		daftar.TehranDate(day)).Scan(&rows).Error
	if err != nil {
		return Directive{}, "", err
	}
	if len(rows) == 0 {
		return Directive{}, "", daftar.Unprocessable("no_directive", "no ranking directive is in force for this period")
	}
	var d Directive
	return d, rows[0].Body, json.Unmarshal([]byte(rows[0].Body), &d)
}

// directive returns a stored version with its body.
func (s *Service) directive(ctx context.Context, version int) (Directive, string, error) {
	var rows []struct{ Body string }
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM ranking_directives WHERE version = ?", version).Scan(&rows).Error; err != nil {
		return Directive{}, "", err
	}
	if len(rows) == 0 {
		return Directive{}, "", fmt.Errorf("ranking: directive version %d is not stored", version)
	}
	var d Directive
	return d, rows[0].Body, json.Unmarshal([]byte(rows[0].Body), &d)
}
