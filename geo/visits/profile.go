package visits

import (
	"context"
	"fmt"
)

// WaitSums are one office's observed waits by weekday (0 Saturday) and
// hour of the day: their total in seconds and their number.
type WaitSums struct {
	Sum, N [7][24]float64
}

// WaitSums returns every office's waits by weekday and hour over the day
// rollups from the Tehran day starting at from (Unix seconds): what the
// finder predicts an office's wait from.
func (c *Crowding) WaitSums(ctx context.Context, from int64) (map[int64]*WaitSums, error) {
	out := map[int64]*WaitSums{}
	var hours [24]*Stats
	err := c.db.Query(ctx, "SELECT office_id, weekday, hours FROM crowding_days WHERE day_at >= ?", []any{from},
		func(scan func(...any) error) error {
			var id int64
			var wd int
			var b []byte
			if err := scan(&id, &wd, &b); err != nil {
				return err
			}
			if wd < 0 || wd > 6 {
				return nil
			}
			for h := range hours {
				putStats(hours[h])
				hours[h] = nil
			}
			if err := mergeHours(b, &hours); err != nil {
				return fmt.Errorf("office %d: %w", id, err)
			}
			a := out[id]
			if a == nil {
				a = &WaitSums{}
				out[id] = a
			}
			for h, st := range hours {
				if st != nil && st.Waits > 0 {
					a.Sum[wd][h] += float64(st.WaitSum)
					a.N[wd][h] += float64(st.Waits)
				}
			}
			return nil
		})
	return out, err
}
