package visits

import (
	"context"
)

// OfficeStats are one office's merged rollups over a range: its counts
// (served, counter seconds, ...) and its figures.
type OfficeStats struct {
	Counts  Counts
	Figures Figures
}

// OfficesStats returns every office's figures over a range, from the
// month rollups for whole Jalali months and the day rollups around them
// (what the ranking reads for a period). Offices without visits are absent.
func (c *Crowding) OfficesStats(ctx context.Context, r CrowdingRange) (map[int64]OfficeStats, error) {
	acc := map[int64]*Stats{}
	scanRow := func(scan func(...any) error) error {
		var row rollupRow
		if err := scan(append([]any{&row.OfficeID}, row.scanTargets()[:countsFields+2]...)...); err != nil {
			return err
		}
		st, err := row.stats()
		if err != nil {
			return err
		}
		a := acc[row.OfficeID]
		if a == nil {
			a = &Stats{}
			acc[row.OfficeID] = a
		}
		a.Merge(st)
		return nil
	}
	if err := c.eachOfficeRollup(ctx, r, scanRow); err != nil {
		return nil, err
	}
	out := make(map[int64]OfficeStats, len(acc))
	for id, st := range acc {
		out[id] = OfficeStats{Counts: st.Counts, Figures: st.Figures(c.target())}
	}
	return out, nil
}

// eachOfficeRollup reads every office's rollup rows covering r: whole
// months from crowding_months, the days at either end from crowding_days.
// Each row is office_id followed by the rollup's counts and sketches.
func (c *Crowding) eachOfficeRollup(ctx context.Context, r CrowdingRange, scanRow func(scan func(dest ...any) error) error) error {
	const cols = "office_id, arrivals, served, no_shows, cancelled, referred, waits, wait_sum, wait_max, services, service_sum, service_max, busy_s, open_s, counter_s, queue_area, queue_max, wait_sketch, service_sketch"
	p := planRange(r)
	if p.monthTo > p.monthFrom {
		if err := c.db.Query(ctx, "SELECT "+cols+" FROM crowding_months WHERE month_at >= ? AND month_at < ?",
			[]any{p.monthFrom, p.monthTo}, scanRow); err != nil {
			return err
		}
	}
	if len(p.edges) > 0 {
		w, args := p.edgeWhere()
		return c.db.Query(ctx, "SELECT "+cols+" FROM crowding_days WHERE "+w, args, scanRow)
	}
	return nil
}
