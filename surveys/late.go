package surveys

import (
	"context"
	"time"
)

// AnswersReceivedAfter counts, by office, the counted answers to visits of
// the range that arrived after the hour of a moment: the answers a ranking
// run computed at that moment could not have read (its "late answers").
// Answers are stamped to the hour they came in (nothing finer is kept), so
// those of the moment's own hour are not counted here; a run's drift, which
// compares whole inputs, still sees them. It reads the index on the hour
// received, so it costs what came in since, not the whole range.
func (s *Service) AnswersReceivedAfter(ctx context.Context, r Range, at time.Time) (map[int64]int64, error) {
	hour := at.Unix() / 3600 * 3600
	rows, err := s.db.SQL.QueryContext(ctx, s.rebind(`SELECT office_id, COUNT(*) FROM survey_responses
		WHERE received_hour > ? AND visit_day >= ? AND visit_day < ? AND excluded = FALSE GROUP BY office_id`), hour, r.From, r.To)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
