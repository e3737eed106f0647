package surveys

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
)

// AnswersReceivedAfter counts, by office, the counted answers to visits of
// the range that arrived after the hour of a moment: the answers a ranking
// run computed at that moment could not have read (its "late answers").
// Answers are stamped to the hour they came in (nothing finer is kept), so
// those of the moment's own hour are not counted here; a run's drift, which
// compares whole inputs, still sees them. A link stays open InvitationTTL
// after its visit, so only the visits of the range's last InvitationTTL
// before the moment can still be answered after it, and only until the
// range's end plus InvitationTTL: a run computed the day after its month
// reads a few days of answers, one computed later reads none.
func (s *Service) AnswersReceivedAfter(ctx context.Context, r Range, at time.Time) (map[int64]int64, error) {
	out := map[int64]int64{}
	hour := at.Unix() / 3600 * 3600
	end, err := time.ParseInLocation("2006-01-02", r.To, daftar.Tehran())
	if err != nil {
		return nil, err
	}
	last := end.Add(s.cfg.InvitationTTL + time.Hour).Unix()
	from := max(r.From, daftar.TehranDate(at.Add(-s.cfg.InvitationTTL-24*time.Hour)))
	if last <= hour || from >= r.To {
		return out, nil
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.rebind(`SELECT office_id, COUNT(*) FROM survey_responses
		WHERE received_hour > ? AND received_hour <= ? AND visit_day >= ? AND visit_day < ? AND excluded = FALSE GROUP BY office_id`),
		hour, last, from, r.To)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
