package visits

import "context"

// OfficesArrivals returns every office's arrivals (visits recorded, every
// outcome) over a range, from the rollups' counts alone: no sketch is read,
// so it costs a fraction of OfficesStats. The ranking compares it with the
// arrivals a published run read, to count the visits that came in late.
func (c *Crowding) OfficesArrivals(ctx context.Context, r CrowdingRange) (map[int64]int64, error) {
	out := map[int64]int64{}
	scan := func(scan func(...any) error) error {
		var id, n int64
		if err := scan(&id, &n); err != nil {
			return err
		}
		out[id] += n
		return nil
	}
	p := planRange(r)
	if p.monthTo > p.monthFrom {
		if err := c.db.Query(ctx, "SELECT office_id, SUM(arrivals) FROM crowding_months WHERE month_at >= ? AND month_at < ? GROUP BY office_id",
			[]any{p.monthFrom, p.monthTo}, scan); err != nil {
			return nil, err
		}
	}
	if len(p.edges) > 0 {
		w, args := p.edgeWhere()
		if err := c.db.Query(ctx, "SELECT office_id, SUM(arrivals) FROM crowding_days WHERE "+w+" GROUP BY office_id", args, scan); err != nil {
			return nil, err
		}
	}
	return out, nil
}
