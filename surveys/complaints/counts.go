package complaints

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// UpheldByOffice counts, per office, the complaints filed in [from, to)
// that are decided upheld (resolved or closed after being resolved), for
// the ranking's compliance criterion. A complaint belongs to the period it
// was filed in, so a period's count only grows as its cases are decided,
// and a reopened case drops out until it is decided again. Offices without
// one are absent.
func (s *Service) UpheldByOffice(ctx context.Context, from, to time.Time) (map[int64]int, error) {
	return countByOffice(ctx, s.db, from.UTC(), to.UTC(), " AND outcome = ?", string(Upheld))
}

// ComplaintRisk is what complaints tell the inspections' worklist about an
// office over a period (complaints filed in it).
type ComplaintRisk struct {
	Filed   int // all complaints filed
	Upheld  int // decided upheld
	Open    int // not decided yet
	Overdue int // not decided and past their deadline now
}

// RiskByOffice returns the complaint figures of every office with a
// complaint filed in [from, to).
func (s *Service) RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]ComplaintRisk, error) {
	from, to = from.UTC(), to.UTC()
	now := s.clock.Now().UTC()
	open := stateArgs(openStates)
	ph := db.Placeholders(len(open))
	filed, err := countByOffice(ctx, s.db, from, to, "")
	if err != nil {
		return nil, err
	}
	upheld, err := countByOffice(ctx, s.db, from, to, " AND outcome = ?", string(Upheld))
	if err != nil {
		return nil, err
	}
	pending, err := countByOffice(ctx, s.db, from, to, " AND state IN ("+ph+")", open...)
	if err != nil {
		return nil, err
	}
	overdue, err := countByOffice(ctx, s.db, from, to, " AND state IN ("+ph+") AND due_at < ?", append(open, now)...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ComplaintRisk, len(filed))
	for id, n := range filed {
		out[id] = ComplaintRisk{Filed: n, Upheld: upheld[id], Open: pending[id], Overdue: overdue[id]}
	}
	return out, nil
}
