package visits

import (
	"context"
	"slices"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
)

// PeerFigures are the medians of an office's city peers' figures over a
// range: what an owner reads their own figures against. The peers are the
// other offices of the same city with visits in the range. A median is nil
// when no peer has that figure.
type PeerFigures struct {
	City    string // the city's region code
	Offices int    // peers with visits in the range
	// Medians of the peers' figures (counts too are medians, so they may
	// end in a half).
	Arrivals, Served           *float64
	WaitP50, WaitP90, WaitMean *float64
	OverTargetShare            *float64
	Utilisation                *float64
	QueueMax, QueueMean        *float64
}

// CityPeers returns the medians of the figures of the office's city peers
// over a range, from the same rollups as Office.
func (c *Crowding) CityPeers(ctx context.Context, officeID int64, r CrowdingRange) (PeerFigures, error) {
	all, err := c.offices.Summaries(ctx)
	if err != nil {
		return PeerFigures{}, err
	}
	city := ""
	for _, o := range all {
		if o.ID == officeID {
			city = o.CityCode
		}
	}
	if city == "" {
		return PeerFigures{}, daftar.NotFound("office_not_found", "no such office")
	}
	out := PeerFigures{City: city}
	var ids []int64
	for _, o := range all {
		if o.CityCode == city && o.ID != officeID && o.Status == offices.Active {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
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
		if a := acc[row.OfficeID]; a != nil {
			a.Merge(st)
		} else {
			acc[row.OfficeID] = st
		}
		return nil
	}
	const cols = "office_id, arrivals, served, no_shows, cancelled, referred, waits, wait_sum, wait_max, services, service_sum, service_max, busy_s, open_s, counter_s, queue_area, queue_max, wait_sketch, service_sketch"
	in := " AND office_id IN (" + db.Placeholders(len(ids)) + ")"
	p := planRange(r)
	if p.monthTo > p.monthFrom {
		args := append([]any{p.monthFrom, p.monthTo}, db.Int64Args(ids)...)
		if err := c.db.Query(ctx, "SELECT "+cols+" FROM crowding_months WHERE month_at >= ? AND month_at < ?"+in, args, scanRow); err != nil {
			return out, err
		}
	}
	if len(p.edges) > 0 {
		w, args := p.edgeWhere()
		if err := c.db.Query(ctx, "SELECT "+cols+" FROM crowding_days WHERE "+w+in, append(args, db.Int64Args(ids)...), scanRow); err != nil {
			return out, err
		}
	}
	var arrivals, served, p50, p90, mean, over, util, qmax, qmean []float64
	add := func(list *[]float64, v *float64) {
		if v != nil {
			*list = append(*list, *v)
		}
	}
	for _, st := range acc {
		f := st.Figures(c.target())
		out.Offices++
		arrivals, served = append(arrivals, float64(f.Arrivals)), append(served, float64(f.Served))
		add(&p50, f.WaitP50)
		add(&p90, f.WaitP90)
		add(&mean, f.WaitMean)
		add(&over, f.OverTargetShare)
		add(&util, f.Utilisation)
		add(&qmean, f.QueueMean)
		if f.QueueMax != nil {
			qmax = append(qmax, float64(*f.QueueMax))
		}
	}
	out.Arrivals, out.Served, out.WaitP50, out.WaitP90, out.WaitMean = medianOf(arrivals), medianOf(served), medianOf(p50), medianOf(p90), medianOf(mean)
	out.OverTargetShare, out.Utilisation, out.QueueMax, out.QueueMean = medianOf(over), medianOf(util), medianOf(qmax), medianOf(qmean)
	return out, nil
}

// medianOf is the median of vs (the mean of the middle two for an even
// count); nil for none.
func medianOf(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	slices.Sort(vs)
	m := vs[len(vs)/2]
	if len(vs)%2 == 0 {
		m = (vs[len(vs)/2-1] + m) / 2
	}
	return &m
}
