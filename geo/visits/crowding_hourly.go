package visits

import (
	"context"
)

// OfficeHourly is one office's rollups merged over a range: its totals
// with the wait and service-time sketches, and its counts by hour of the
// day (Tehran), which is what the licensing demand model reads to find a
// city's peak hour.
type OfficeHourly struct {
	Stats Stats
	Hours [24]Counts
}

// OfficesHourly returns every office's merged rollups over a range, from
// the month rollups for whole Jalali months and the day rollups around them,
// in one pass. Offices without visits in the range are absent. The hourly
// counts skip the hourly sketches (only the totals' sketches are merged).
func (c *Crowding) OfficesHourly(ctx context.Context, r CrowdingRange) (map[int64]*OfficeHourly, error) {
	out := map[int64]*OfficeHourly{}
	scanRow := func(scan func(...any) error) error {
		var row rollupRow
		if err := scan(append([]any{&row.OfficeID}, row.scanTargets()...)...); err != nil {
			return err
		}
		st, err := row.stats()
		if err != nil {
			return err
		}
		o := out[row.OfficeID]
		if o == nil {
			o = &OfficeHourly{}
			out[row.OfficeID] = o
		}
		o.Stats.Merge(st)
		return addHourCounts(row.Hours, &o.Hours)
	}
	const cols = "office_id, " + statsSelect
	p := planRange(r)
	if p.monthTo > p.monthFrom {
		if err := c.db.Query(ctx, "SELECT "+cols+" FROM crowding_months WHERE month_at >= ? AND month_at < ?",
			[]any{p.monthFrom, p.monthTo}, scanRow); err != nil {
			return nil, err
		}
	}
	if len(p.edges) > 0 {
		w, args := p.edgeWhere()
		if err := c.db.Query(ctx, "SELECT "+cols+" FROM crowding_days WHERE "+w, args, scanRow); err != nil {
			return nil, err
		}
	}
	return out, nil
}
