package surveys

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// Range is a span of visit days, [From, To), as Tehran dates YYYY-MM-DD.
type Range struct{ From, To string }

// RangeOf is the days of a Jalali period.
func RangeOf(p daftar.Period) Range {
	return Range{From: daftar.TehranDate(p.Start()), To: daftar.TehranDate(p.End())}
}

// RangeOfTimes is the days from one instant to another (end exclusive).
func RangeOfTimes(from, to time.Time) Range {
	return Range{From: daftar.TehranDate(from), To: daftar.TehranDate(to)}
}

// Figures are one office's survey figures over a range.
type Figures struct {
	OfficeID      int64
	Invitations   int64 // invitations sent for visits in the range
	Responses     int64 // counted responses (flagged ones are left out)
	Flagged       int64 // responses left out by a stuffing flag
	ResponseRate  float64
	MeanOverall   float64
	MeanCourtesy  float64
	MeanWaiting   float64
	MeanFeesClear float64
	MeanRecommend float64
	CSAT          float64 // share of overall 4 or 5
	NPS           float64 // -100..100
	ExtraFeeRate  float64
	ExtraFeeLow   float64 // Wilson 95% interval
	ExtraFeeHigh  float64
	// Adjusted is the overall satisfaction pulled toward the national mean
	// for small samples (BayesianMean with Config.PriorWeight).
	Adjusted     float64
	NationalMean float64
	// Withheld is set when the figures are hidden from owners and the
	// public: fewer responses than Config.MinResponses.
	Withheld bool
}

// sums is the aggregate row the figures are computed from: one bare SQL
// aggregate over the responses of the range.
type sums struct {
	OfficeID   int64
	N          int64
	Overall    int64
	Courtesy   int64
	Waiting    int64
	FeesClear  int64
	Recommend  int64
	CSAT       int64
	Promoters  int64
	Detractors int64
	ExtraFee   int64
}

const sumsSQL = `SELECT office_id, COUNT(*) AS n, SUM(overall) AS overall, SUM(courtesy) AS courtesy, SUM(waiting) AS waiting,
	SUM(fees_clear) AS fees_clear, SUM(recommend) AS recommend,
	SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END) AS csat,
	SUM(CASE WHEN recommend >= 9 THEN 1 ELSE 0 END) AS promoters,
	SUM(CASE WHEN recommend <= 6 THEN 1 ELSE 0 END) AS detractors,
	SUM(CASE WHEN extra_fee THEN 1 ELSE 0 END) AS extra_fee
	FROM survey_responses WHERE visit_day >= ? AND visit_day < ? AND excluded = FALSE`

// FiguresFor computes the figures of the given offices (all offices with
// responses or invitations when ids is nil) over a range, from three
// aggregates: responses, flagged responses and invitations per office.
func (s *Service) FiguresFor(ctx context.Context, r Range, ids []int64) (map[int64]*Figures, error) {
	g := s.db.WithContext(ctx)
	var all []sums
	var national float64
	if ids == nil {
		if err := g.Raw(sumsSQL+" GROUP BY office_id", r.From, r.To).Scan(&all).Error; err != nil {
			return nil, err
		}
		var nSum, oSum int64
		for _, x := range all {
			nSum += x.N
			oSum += x.Overall
		}
		if nSum > 0 {
			national = float64(oSum) / float64(nSum)
		}
		s.rememberNational(r, national)
	} else {
		if err := g.Raw(sumsSQL+" AND office_id IN ? GROUP BY office_id", r.From, r.To, ids).Scan(&all).Error; err != nil {
			return nil, err
		}
		var err error
		if national, err = s.NationalMean(ctx, r); err != nil {
			return nil, err
		}
	}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := map[int64]*Figures{}
	get := func(id int64) *Figures {
		if ids != nil && !want[id] {
			return nil
		}
		f, ok := out[id]
		if !ok {
			f = &Figures{OfficeID: id, NationalMean: national}
			out[id] = f
		}
		return f
	}
	for _, x := range all {
		if f := get(x.OfficeID); f != nil {
			f.fill(x, national, s.cfg)
		}
	}
	// Invitations come from their per-day counts, flagged answers from the
	// flags: neither needs another pass over the responses.
	var counts []struct {
		OfficeID int64
		N        int64
	}
	restrict, args := "", []any{r.From, r.To}
	if ids != nil {
		restrict, args = " AND office_id IN ?", append(args, ids)
	}
	if err := g.Raw(`SELECT office_id, SUM(invitations) AS n FROM survey_invitation_days WHERE visit_day >= ? AND visit_day < ?`+restrict+` GROUP BY office_id`, args...).Scan(&counts).Error; err != nil {
		return nil, err
	}
	for _, c := range counts {
		if f := get(c.OfficeID); f != nil {
			f.Invitations = c.N
		}
	}
	counts = nil
	if err := g.Raw(`SELECT r.office_id, COUNT(*) AS n FROM survey_responses r WHERE r.id IN (SELECT response_id FROM survey_flags WHERE overruled_at IS NULL)
		AND r.visit_day >= ? AND r.visit_day < ?`+strings.ReplaceAll(restrict, "office_id", "r.office_id")+` GROUP BY r.office_id`, args...).Scan(&counts).Error; err != nil {
		return nil, err
	}
	for _, c := range counts {
		if f := get(c.OfficeID); f != nil {
			f.Flagged = c.N
		}
	}
	for _, id := range ids {
		get(id) // offices with nothing still get (empty, withheld) figures
	}
	for _, f := range out {
		if f.Invitations > 0 {
			f.ResponseRate = float64(f.Responses+f.Flagged) / float64(f.Invitations)
		}
		f.Withheld = f.Responses < int64(s.cfg.MinResponses)
		if f.Responses == 0 {
			f.Adjusted = national
		}
	}
	return out, nil
}

func (f *Figures) fill(x sums, national float64, cfg Config) {
	f.Responses = x.N
	if x.N == 0 {
		return
	}
	n := float64(x.N)
	f.MeanOverall = float64(x.Overall) / n
	f.MeanCourtesy = float64(x.Courtesy) / n
	f.MeanWaiting = float64(x.Waiting) / n
	f.MeanFeesClear = float64(x.FeesClear) / n
	f.MeanRecommend = float64(x.Recommend) / n
	f.CSAT = float64(x.CSAT) / n
	f.NPS = NPS(x.Promoters, x.Detractors, x.N)
	f.ExtraFeeRate = float64(x.ExtraFee) / n
	f.ExtraFeeLow, f.ExtraFeeHigh = Wilson(x.ExtraFee, x.N)
	f.Adjusted = BayesianMean(float64(x.Overall), x.N, national, cfg.PriorWeight)
}

// Comments returns the latest comments of an office over a range (counted
// responses only), newest first.
func (s *Service) Comments(ctx context.Context, officeID int64, r Range, limit int) ([]Comment, error) {
	var out []Comment
	err := s.db.WithContext(ctx).Raw(`SELECT visit_day, overall, comment FROM survey_responses
		WHERE office_id = ? AND visit_day >= ? AND visit_day < ? AND excluded = FALSE AND comment IS NOT NULL AND comment <> ''
		ORDER BY visit_day DESC, id DESC LIMIT ?`, officeID, r.From, r.To, limit).Scan(&out).Error
	return out, err
}

// OwnerComments are an office's comments as its owner may read them
// (k-anonymity): the texts alone, in random order, and only for a whole
// period (a Jalali month or quarter) that has ended with at least
// MinResponses counted responses; otherwise none, and shown is false. With
// fewer answers, a hand-picked range of days or a period still running
// (whose comments appear one by one, each after the visit behind it) an
// owner could tie a comment to a ticket and so to a citizen. Staff read
// Comments, with the day and the score.
func (s *Service) OwnerComments(ctx context.Context, officeID int64, p daftar.Period, limit int) (comments []string, shown bool, err error) {
	if !p.Valid() || s.clock.Now().Before(p.End()) {
		return nil, false, nil
	}
	r := RangeOf(p)
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM survey_responses
		WHERE office_id = ? AND visit_day >= ? AND visit_day < ? AND excluded = FALSE`, officeID, r.From, r.To).Scan(&n).Error; err != nil {
		return nil, false, err
	}
	if n < int64(s.cfg.MinResponses) {
		return nil, false, nil
	}
	// Every comment of the period, in no order tied to the visits, then a
	// random sample: the newest would tell the latest visits.
	var texts []string
	if err := s.db.WithContext(ctx).Raw(`SELECT comment FROM survey_responses
		WHERE office_id = ? AND visit_day >= ? AND visit_day < ? AND excluded = FALSE AND comment IS NOT NULL AND comment <> ''
		LIMIT ?`, officeID, r.From, r.To, maxOwnerComments).Scan(&texts).Error; err != nil {
		return nil, false, err
	}
	rand.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	if len(texts) > limit {
		texts = texts[:limit]
	}
	if texts == nil {
		texts = []string{}
	}
	return texts, true, nil
}

// maxOwnerComments bounds the comments read for one owner's sample.
const maxOwnerComments = 5000

// Comment is one citizen's comment, with the day of the visit and the
// overall score, nothing more: for staff only.
type Comment struct {
	VisitDay string `json:"visit_day"`
	Overall  int    `json:"overall"`
	Comment  string `json:"comment"`
}

// NationalMean is the mean overall satisfaction of every counted response
// in the range: the prior of the adjusted figures. It is remembered for a
// few minutes, since one office's page should not scan the whole country.
func (s *Service) NationalMean(ctx context.Context, r Range) (float64, error) {
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.national[r]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < 10*time.Minute && !now.Before(c.at) {
		return c.mean, nil
	}
	var row struct {
		N   int64
		Sum int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) AS n, COALESCE(SUM(overall), 0) AS sum FROM survey_responses
		WHERE visit_day >= ? AND visit_day < ? AND excluded = FALSE`, r.From, r.To).Scan(&row).Error; err != nil {
		return 0, err
	}
	mean := 0.0
	if row.N > 0 {
		mean = float64(row.Sum) / float64(row.N)
	}
	s.rememberNational(r, mean)
	return mean, nil
}

type nationalEntry struct {
	mean float64
	at   time.Time
}

func (s *Service) rememberNational(r Range, mean float64) {
	s.mu.Lock()
	if len(s.national) > 1000 {
		s.national = map[Range]nationalEntry{}
	}
	s.national[r] = nationalEntry{mean, s.clock.Now()}
	s.mu.Unlock()
}

// Sums are an office's counted responses, the sum of its overall scores
// and its extra-fee reports over a range: what the ranking reads.
type Sums struct {
	Responses  int64
	OverallSum int64
	ExtraFee   int64
}

// SumsFor returns every office's sums over a range, from one aggregate.
func (s *Service) SumsFor(ctx context.Context, r Range) (map[int64]Sums, error) {
	// Only the three sums the ranking needs: the full figures' aggregate
	// costs twice as much on a month of a million answers a year.
	rows, err := s.db.SQL.QueryContext(ctx, s.rebind(`SELECT office_id, COUNT(*), SUM(overall), SUM(CASE WHEN extra_fee THEN 1 ELSE 0 END)
		FROM survey_responses WHERE visit_day >= ? AND visit_day < ? AND excluded = FALSE GROUP BY office_id`), r.From, r.To)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Sums{}
	for rows.Next() {
		var id int64
		var x Sums
		if err := rows.Scan(&id, &x.Responses, &x.OverallSum, &x.ExtraFee); err != nil {
			return nil, err
		}
		out[id] = x
	}
	return out, rows.Err()
}

// rebind writes ? placeholders as $1, $2, ... for PostgreSQL.
func (s *Service) rebind(q string) string {
	if s.db.Dialect != db.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
