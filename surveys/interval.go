package surveys

import (
	"context"
	"math"
)

// Interval is the range a figure lies in with about 95% confidence.
type Interval struct{ Low, High float64 }

// AdjustedIntervals returns an interval of about 95% around each office's
// adjusted satisfaction (figs from FiguresFor over the same range), for
// the offices with counted responses:
//
//	adjusted ± 1.96 · s / √(w + n)
//
// where s is the standard deviation of the office's overall scores (with
// fewer than two, the widest a 1-5 score can have, 2) and w the prior
// weight: the national prior counts as w more answers, so the interval
// narrows with them as the figure moves less. It is clamped to 1-5.
func (s *Service) AdjustedIntervals(ctx context.Context, r Range, figs map[int64]*Figures) (map[int64]Interval, error) {
	ids := make([]int64, 0, len(figs))
	for id, f := range figs {
		if f.Responses > 0 {
			ids = append(ids, id)
		}
	}
	out := make(map[int64]Interval, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		OfficeID int64
		N        int64
		Sum      float64
		SumSq    float64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT office_id, COUNT(*) AS n, SUM(overall) AS sum, SUM(overall * overall) AS sum_sq
		FROM survey_responses WHERE visit_day >= ? AND visit_day < ? AND excluded = FALSE AND office_id IN ? GROUP BY office_id`,
		r.From, r.To, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, x := range rows {
		f := figs[x.OfficeID]
		if f == nil || x.N == 0 {
			continue
		}
		sd := 2.0
		if x.N >= 2 {
			n := float64(x.N)
			sd = math.Sqrt(max(0, (x.SumSq-x.Sum*x.Sum/n)/(n-1)))
		}
		const z = 1.959963984540054
		half := z * sd / math.Sqrt(s.cfg.PriorWeight+float64(x.N))
		out[x.OfficeID] = Interval{Low: max(1, f.Adjusted-half), High: min(5, f.Adjusted+half)}
	}
	return out, nil
}
