package complaints

import (
	"context"
	"sort"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// escalator is the actor of the escalation job.
var escalator = daftar.SystemActor("complaints-escalation")

// Escalate flags every open case past its deadline that is not flagged
// yet, with an event and an audit record each, and returns how many it
// flagged. A case is flagged once, however often and on however many
// replicas this runs at the same time (the flag is set by a conditional
// UPDATE); a reopened case gets a new deadline and may be flagged again. At
// most Config.EscalateBatch cases per call.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	ctx = daftar.WithActor(ctx, escalator)
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	flagged := 0
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		got, err := flagOverdue(ctx, tx, now, s.cfg.EscalateBatch)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(got))
		for id := range got {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			st := got[id]
			if err := insertEvent(ctx, tx, id, Event{At: now, Action: escalateStep, From: st, To: st,
				ActorName: escalator.Username, ActorRole: escalator.Role}); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Change{Action: "complaint.escalate", Entity: "complaint", EntityID: id,
				After: map[string]any{"state": st, "escalated_at": now}}); err != nil {
				return err
			}
		}
		flagged = len(ids)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if flagged > 0 {
		s.log.InfoContext(ctx, "overdue complaints escalated", "count", flagged)
	}
	return flagged, nil
}
