package visits

import (
	"context"
	"slices"
	"strings"
)

// NationalByDay returns the whole network's figures for each day of the
// range that had visits, in day order: the staff pages' national trend.
// It merges every office's day rollup (sketches included), so a day's
// percentiles are the country's, not a mean of offices'.
func (c *Crowding) NationalByDay(ctx context.Context, r CrowdingRange) ([]Group, error) {
	days := map[int64]*Stats{}
	var order []int64
	err := c.db.Query(ctx, "SELECT day_at, "+strings.TrimSuffix(statsSelect, ", hours")+" FROM crowding_days WHERE day_at >= ? AND day_at < ?",
		[]any{r.From, r.To}, func(scan func(...any) error) error {
			var row rollupRow
			if err := scan(append([]any{&row.At}, row.scanTargets()[:countsFields+2]...)...); err != nil {
				return err
			}
			st, err := row.stats()
			if err != nil {
				return err
			}
			acc := days[row.At]
			if acc == nil {
				acc = &Stats{}
				days[row.At] = acc
				order = append(order, row.At)
			}
			acc.Merge(st)
			return nil
		})
	if err != nil {
		return nil, err
	}
	slices.Sort(order)
	out := make([]Group, 0, len(order))
	for _, d := range order {
		day := d
		out = append(out, Group{Day: &day, Figures: days[d].Figures(c.target())})
	}
	return out, nil
}
