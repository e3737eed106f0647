package visits

import "context"

// Batch is what an office sent at one moment: the visits recorded together
// (one API batch, one file, or a queue system sending each visit as it
// ends), with their outcomes and the span of their arrivals.
type Batch struct {
	RecordedAt                int64 // Unix seconds
	Visits, Served            int
	FirstArrival, LastArrival int64
}

// Batches returns the office's latest batches received, newest first: the
// visits grouped by the moment they were recorded.
func (v *Service) Batches(ctx context.Context, officeID int64, limit int) ([]Batch, error) {
	var out []Batch
	err := v.db.Query(ctx, `SELECT recorded_at, COUNT(*), SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END), MIN(arrived_at), MAX(arrived_at)
		FROM visits WHERE office_id = ? GROUP BY recorded_at ORDER BY recorded_at DESC LIMIT ?`, []any{OutcomeServed, officeID, limit},
		func(scan func(...any) error) error {
			var b Batch
			if err := scan(&b.RecordedAt, &b.Visits, &b.Served, &b.FirstArrival, &b.LastArrival); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	return out, err
}
