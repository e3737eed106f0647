package licensing

import (
	"context"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Close freezes a round's allocation: no more allocating or overriding,
// and licences may be issued from it.
func (s *Rounds) Close(ctx context.Context, id int64, reason string) (Round, error) {
	var fe daftar.FieldErrors
	reason = checkReason(reason, false, &fe)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_close", "the request is not valid"); err != nil {
		return Round{}, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		switch row.State {
		case RoundClosed:
			return roundClosed()
		case RoundOpen:
			return daftar.Conflict("round_not_allocated", "allocate the round before closing it").With("state", row.State)
		}
		now := s.now()
		if err := s.touch(tx, row, map[string]any{"state": RoundClosed, "closed_at": now}, false); err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.close", Entity: "licensing_round", EntityID: id,
			Before: map[string]any{"state": row.State}, After: map[string]any{"state": RoundClosed, "reason": reason, "placed": row.Placed}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}
