package visits

import "context"

// ExportedVisit is one visit as a report shows it: nothing that identifies
// the citizen or ties the visit to anything else. No mobile, no ticket (an
// office's ticket and day find its holder in the office's own records),
// no id (an invitation, and so a survey link, carries the visit's id).
// Times are Unix seconds, 0 when absent.
type ExportedVisit struct {
	OfficeID                  int64
	Service                   string
	Arrived, Called, Finished int64
	Outcome, Channel          string
	Counter                   int
}

// EachVisit hands every visit arriving in [from, to) (Unix seconds), of
// one office or (officeID 0) all, to fn, ordered by office and arrival,
// streaming them from the database: an export of a quarter of the national
// year (some seven million visits) holds one visit at a time. fn must not
// keep v.
func (v *Service) EachVisit(ctx context.Context, from, to, officeID int64, fn func(v *ExportedVisit) error) error {
	q := `SELECT office_id, service_code, arrived_at, COALESCE(called_at, 0), COALESCE(finished_at, 0), outcome, channel, COALESCE(counter, 0)
		FROM visits WHERE arrived_at >= ? AND arrived_at < ?`
	args := []any{from, to}
	if officeID != 0 {
		q += " AND office_id = ?"
		args = append(args, officeID)
	}
	q += " ORDER BY office_id, arrived_at, id"
	// The few dozen services and the outcomes and channels are shared
	// strings, not one per row.
	intern := map[string]string{}
	shared := func(s string) string {
		if c, ok := intern[s]; ok {
			return c
		}
		intern[s] = s
		return s
	}
	var x ExportedVisit
	return v.db.QueryStream(ctx, q, args, func(scan func(...any) error) error {
		if err := scan(&x.OfficeID, &x.Service, &x.Arrived, &x.Called, &x.Finished, &x.Outcome, &x.Channel, &x.Counter); err != nil {
			return err
		}
		x.Service, x.Outcome, x.Channel = shared(x.Service), shared(x.Outcome), shared(x.Channel)
		return fn(&x)
	})
}
