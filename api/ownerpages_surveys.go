package api

import (
	"html/template"
	"math"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/gin-gonic/gin"
)

// satisfactionView is the dashboard's survey section for the current
// Jalali month (the survey summary route's default period), under the
// same rule as the owner's route: below the minimum of answers nothing is
// shown, comments included.
type satisfactionView struct {
	Period       string
	Withheld     bool
	WithheldText string
	Rows         []figureRow
	Trend        template.HTML
	// Comments are the last ended month's (CommentsPeriod), withheld
	// when it had fewer answers than the minimum.
	CommentsPeriod   string
	CommentsWithheld bool
	Comments         []template.HTML
	NoComments       bool
}

// ownerCommentsShown is how many comments the section shows, as the
// owner's summary route does.
const ownerCommentsShown = 20

// trendMonths is how many months the trend chart covers, this one last.
const trendMonths = 6

func (s *Server) satisfactionSection(c *gin.Context, k kit, id int64) (satisfactionView, error) {
	ctx := c.Request.Context()
	per := daftar.MonthOf(s.Clock.Now())
	v := satisfactionView{Period: k.Period(per)}
	r := surveys.RangeOf(per)
	figs, err := s.Surveys.FiguresFor(ctx, r, []int64{id})
	if err != nil {
		return v, err
	}
	f := figs[id]
	minN := s.Surveys.Config().MinResponses
	v.Rows = []figureRow{{Key: "responses", Label: k.t("own_responses"), Value: k.Int(f.Responses)}}
	if f.Withheld {
		v.Withheld = true
		v.WithheldText = k.t("withheld_fewer_than") + " " + k.Int(int64(minN)) + " " + k.t("withheld_answers")
	} else {
		ivs, err := s.Surveys.AdjustedIntervals(ctx, r, figs)
		if err != nil {
			return v, err
		}
		iv := ivs[id]
		between := func(lo, hi string) string { return lo + " " + k.t("to") + " " + hi }
		v.Rows = append(v.Rows,
			figureRow{Key: "response_rate", Label: k.t("response_rate"), Value: k.Pct(f.ResponseRate, 0)},
			figureRow{Key: "csat", Label: k.t("own_csat"), Value: k.Pct(f.CSAT, 0)},
			figureRow{Key: "nps", Label: k.t("own_nps"), Value: k.Num(f.NPS, 0)},
			figureRow{Key: "adjusted", Label: k.t("own_adjusted_satisfaction"), Value: k.Num(f.Adjusted, 2) + " " + k.t("of_five"),
				Peer: between(k.Num(iv.Low, 2), k.Num(iv.High, 2))},
			figureRow{Key: "extra_fee", Label: k.t("extra_fee_reports"), Value: k.Pct(f.ExtraFeeRate, 1),
				Peer: between(k.Pct(f.ExtraFeeLow, 1), k.Pct(f.ExtraFeeHigh, 1))},
			figureRow{Key: "national_mean", Label: k.t("national_mean"), Value: k.Num(f.NationalMean, 2) + " " + k.t("of_five")},
		)
	}
	// Comments under the owners' rule (the owner's summary route reads
	// them the same way): only for a month that has ended with enough
	// answers, so the last month's, never this one's.
	prev := per.Previous()
	v.CommentsPeriod = k.Period(prev)
	texts, shown, err := s.Surveys.OwnerComments(ctx, id, prev, ownerCommentsShown)
	if err != nil {
		return v, err
	}
	v.CommentsWithheld = !shown
	for _, t := range texts {
		v.Comments = append(v.Comments, k.Text(t))
	}
	v.NoComments = shown && len(v.Comments) == 0
	v.Trend, err = s.satisfactionTrend(c, k, id, per)
	return v, err
}

// satisfactionTrend charts the adjusted satisfaction of the last months
// with its interval; a month below the minimum of answers is not drawn.
func (s *Server) satisfactionTrend(c *gin.Context, k kit, id int64, last daftar.Period) (template.HTML, error) {
	ctx := c.Request.Context()
	months := make([]daftar.Period, trendMonths)
	p := last
	for i := trendMonths - 1; i >= 0; i-- {
		months[i] = p
		p = p.Previous()
	}
	lc := chart.LineChart{Min: 1, Max: 5, XTitle: k.t("month"), Band: &chart.Band{Label: k.t("interval_95")}}
	series := chart.Series{Name: k.t("own_adjusted_satisfaction")}
	started := false // months before the first with figures are left off
	for _, m := range months {
		r := surveys.RangeOf(m)
		figs, err := s.Surveys.FiguresFor(ctx, r, []int64{id})
		if err != nil {
			return "", err
		}
		f := figs[id]
		val, lo, hi := math.NaN(), math.NaN(), math.NaN()
		if !f.Withheld && f.Responses > 0 {
			ivs, err := s.Surveys.AdjustedIntervals(ctx, r, figs)
			if err != nil {
				return "", err
			}
			val, lo, hi = f.Adjusted, ivs[id].Low, ivs[id].High
		}
		if started = started || !math.IsNaN(val); !started {
			continue
		}
		lc.Labels = append(lc.Labels, k.Period(m))
		series.Values = append(series.Values, val)
		lc.Band.Low, lc.Band.High = append(lc.Band.Low, lo), append(lc.Band.High, hi)
	}
	lc.Series = []chart.Series{series}
	o := k.Chart(k.t("chart_satisfaction_trend"), k.t("chart_satisfaction_trend_desc"))
	o.Format = chart.Persian(2)
	if !k.fa() {
		o.Format = chart.Latin(2)
	}
	return k.Figure(lc, o), nil
}
