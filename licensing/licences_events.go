package licensing

import (
	"context"
	"time"
)

// LicenceEvent is one step of a licence's life: issue, activation,
// suspension, ... with who took it and why.
type LicenceEvent struct {
	ID        int64
	Action    string
	FromState string
	ToState   string
	Reason    string
	Actor     string
	At        time.Time
}

// Events returns a licence's history, oldest first.
func (s *Licences) Events(ctx context.Context, id int64) ([]LicenceEvent, error) {
	var out []LicenceEvent
	err := s.db.WithContext(ctx).Raw(`SELECT id, action, COALESCE(from_state, '') AS from_state, to_state, COALESCE(reason, '') AS reason,
		actor, at FROM licence_events WHERE licence_id = ? ORDER BY id`, id).Scan(&out).Error
	return out, err
}
