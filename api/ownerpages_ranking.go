package api

import (
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/gin-gonic/gin"
)

// rankingView is the dashboard's ranking section: the latest published
// result (as the office's ranking route gives it), a bar per criterion,
// the one lever, and the score over the published runs.
type rankingView struct {
	None                       bool
	Period, Directive          string
	Score                      string
	Grade                      template.HTML
	RankNational, RankProvince string
	Ranked                     string
	Insufficient               bool
	Bars                       template.HTML
	Rows                       []criterionRow
	Lever                      string
	History                    template.HTML
}

type criterionRow struct {
	Key, Label, Raw, Score, Weight, Contribution, Median, Best string
	// ScoreN and ContributionN are the route's figures, for tests.
	ScoreN, ContributionN float64
}

// rankingHistory is how many published runs the route and the chart read.
const rankingHistory = 24

func (s *Server) rankingSection(c *gin.Context, k kit, id int64) (rankingView, error) {
	ctx := c.Request.Context()
	list, err := s.Ranking.OfficeResults(ctx, id, rankingHistory)
	if err != nil {
		return rankingView{}, err
	}
	if len(list) == 0 {
		return rankingView{None: true}, nil
	}
	latest := list[0]
	d, err := s.directiveOf(c, latest.Run.DirectiveVersion)
	if err != nil {
		return rankingView{}, err
	}
	res := latest.Result
	v := rankingView{Period: s.periodLabel(k, latest.Run.Period), Directive: k.Int(int64(latest.Run.DirectiveVersion)),
		Ranked: k.Int(int64(latest.Run.Ranked)), Insufficient: res.InsufficientData, Score: k.NumP(res.Score, 2), Grade: "—",
		RankNational: "—", RankProvince: "—"}
	if res.Grade != nil {
		v.Grade = k.LTR(*res.Grade)
	}
	if res.RankNational != nil {
		v.RankNational = k.Int(int64(*res.RankNational))
	}
	if res.RankProvince != nil {
		v.RankProvince = k.Int(int64(*res.RankProvince))
	}
	bars := chart.HBarChart{MedianLabel: k.t("peer_median"), BestLabel: k.t("peer_best"),
		LabelTitle: k.t("criterion"), ValueTitle: k.t("criterion_score"), NoteTitle: k.t("weight_and_contribution")}
	for _, comp := range res.Components {
		med, best := d.OnScale(comp)
		label := criterionLabel(k, comp.Criterion)
		note := k.t("weight") + " " + k.Pct(comp.Weight, 0) + k.t("sep") + k.t("contribution") + " " + k.Num(comp.Contribution, 1)
		bars.Rows = append(bars.Rows, chart.Criterion{Label: label, Score: comp.Score, Note: note,
			Peers: &chart.Peers{Median: valueOr(med), Best: valueOr(best)}})
		v.Rows = append(v.Rows, criterionRow{Key: comp.Criterion, Label: label, Raw: criterionFigure(k, comp.Criterion, comp.Raw),
			Score: k.Num(comp.Score, 1), Weight: k.Pct(comp.Weight, 0), Contribution: k.Num(comp.Contribution, 1),
			Median: criterionFigure(k, comp.Criterion, comp.PeerMedian), Best: criterionFigure(k, comp.Criterion, comp.PeerBest),
			ScoreN: comp.Score, ContributionN: comp.Contribution})
	}
	v.Bars = k.Figure(bars, k.Chart(k.t("chart_criteria"), k.t("chart_criteria_desc")))
	if lv, ok := d.Lever(res); ok && !res.InsufficientData {
		text := k.t("lever_to_top")
		target := ""
		if lv.Target != nil {
			text, target = k.t("lever_to_best"), criterionFigure(k, lv.Criterion, lv.Target)
		}
		v.Lever = strings.NewReplacer("{criterion}", criterionLabel(k, lv.Criterion), "{target}", target, "{gain}", k.Num(lv.Gain, 1)).Replace(text)
	}
	// The score over the published runs, oldest first.
	runs := slices.Clone(list)
	slices.Reverse(runs)
	lc := chart.LineChart{Min: 0, Max: 100, XTitle: k.t("ranking_period")}
	score := chart.Series{Name: k.t("score")}
	for _, r := range runs {
		lc.Labels = append(lc.Labels, s.periodLabel(k, r.Run.Period))
		score.Values = append(score.Values, valueOr(r.Result.Score))
	}
	lc.Series = []chart.Series{score}
	v.History = k.Figure(lc, k.Chart(k.t("chart_score_history"), k.t("chart_score_history_desc")))
	return v, nil
}

// directiveOf is the directive version a run was computed under.
func (s *Server) directiveOf(c *gin.Context, version int) (ranking.Directive, error) {
	all, err := s.Ranking.Directives(c.Request.Context())
	if err != nil {
		return ranking.Directive{}, err
	}
	for _, d := range all {
		if d.Version == version {
			return d, nil
		}
	}
	// Not stored (cannot happen for a published run): no scale to place
	// the peers on, rather than another version's.
	return ranking.Directive{Version: version}, nil
}

// periodLabel writes a run's period ("1405-08") in words.
func (s *Server) periodLabel(k kit, period string) string {
	p, err := daftar.ParsePeriod(period)
	if err != nil {
		return k.Digits(period)
	}
	return k.Period(p)
}

// criterionLabel names a criterion of the directive: in the dictionary's
// words, or, for one a newer directive added that the dictionary does not
// know yet, "criterion" and its code, left to right.
func criterionLabel(k kit, criterion string) string {
	if w := k.t("crit_" + criterion); w != "crit_"+criterion {
		return w
	}
	return k.t("criterion") + " \u2066" + criterion + "\u2069"
}

// criterionFigure writes a criterion's raw figure in its own unit.
func criterionFigure(k kit, criterion string, raw *float64) string {
	if raw == nil || math.IsNaN(*raw) {
		return "—"
	}
	switch criterion {
	case ranking.CritSatisfaction:
		return k.Num(*raw, 2) + " " + k.t("of_five")
	case ranking.CritWaitP90:
		return k.Minutes(raw)
	case ranking.CritOverTarget, ranking.CritExtraFee:
		return k.Pct(*raw, 1)
	case ranking.CritProductivity:
		return k.Num(*raw, 1) + " " + k.t("per_counter_hour")
	case ranking.CritCompliance:
		return k.Num(*raw, 0) + " " + k.t("of_hundred")
	}
	return k.Num(*raw, 2)
}
