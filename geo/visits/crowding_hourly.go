package visits

import (
	"context"
	"encoding/binary"
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

// addHourCounts decodes an hours column (see hourEncoder) and adds each
// hour's counts into into[hour], skipping the hour's sketches.
func addHourCounts(b []byte, into *[24]Counts) error {
	return walkHours(b, func(h int, c *Counts, rest []byte) (int, error) {
		into[h].Add(c)
		w1, err := skipSketch(rest)
		if err != nil {
			return 0, err
		}
		w2, err := skipSketch(rest[w1:])
		if err != nil {
			return 0, err
		}
		return w1 + w2, nil
	})
}

// skipSketch returns the length of the encoded sketch at the start of b
// (see appendBins) without decoding its bins.
func skipSketch(b []byte) (int, error) {
	if len(b) == 0 || b[0] != sketchVersion {
		return 0, errBadHours
	}
	pos := 1
	uv := func() (uint64, bool) {
		v, k := binary.Uvarint(b[pos:])
		if k <= 0 {
			return 0, false
		}
		pos += k
		return v, true
	}
	runs, ok := uv()
	if !ok || runs > 1<<16 {
		return 0, errBadHours
	}
	if _, ok := uv(); !ok { // the last bin
		return 0, errBadHours
	}
	for r := uint64(0); r < runs; r++ {
		if _, ok := uv(); !ok { // gap
			return 0, errBadHours
		}
		n, ok := uv()
		if !ok || n == 0 || n > maxSketchBin+1 {
			return 0, errBadHours
		}
		for m := uint64(0); m < n; m++ {
			if _, ok := uv(); !ok {
				return 0, errBadHours
			}
		}
	}
	return pos, nil
}
