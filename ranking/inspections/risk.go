package inspections

import (
	"fmt"
	"math"
)

// The risk score of an office, 0 to 100 points: the sum of seven signals,
// each capped so that no single one decides alone. Over a window of
// RiskConfig.WindowDays (180) days ending today:
//
//	upheld complaints         8 points each                        at most 24
//	open complaints           2 points each                        at most  6
//	extra-fee reports         80 × the Wilson 95% lower bound of
//	                          the survey's extra-fee rate          at most 20
//	survey flags              1 point per flagged response         at most  5
//	low satisfaction          10 × (4 − the adjusted overall
//	                          satisfaction, 1-5), when below 4     at most 15
//	overdue corrective        3 minor, 6 major, 10 critical,
//	actions (today)           each                                 at most 20
//	time since the last       10 × days / 365; never inspected: 10 at most 10
//	inspection
//
// The extra-fee signal takes the interval's lower bound, not the rate, so
// that a few answers cannot put an office at the top: two reports in three
// answers are a rate of 67% but a lower bound of 21%, while forty in four
// hundred (10%) keep 7%. The satisfaction signal
// reads the adjusted mean, which pulls small samples toward the national
// mean for the same reason. Offices without survey answers get neither.
// Each signal's points are rounded to hundredths and the score is their
// sum, so the reasons add up to the score exactly.

// Risk signal codes, in the order the formula lists them.
const (
	ReasonUpheldComplaints = "upheld_complaints"
	ReasonOpenComplaints   = "open_complaints"
	ReasonExtraFee         = "extra_fee_rate"
	ReasonSurveyFlags      = "survey_flags"
	ReasonLowSatisfaction  = "low_satisfaction"
	ReasonOverdueActions   = "overdue_actions"
	ReasonSinceInspection  = "since_last_inspection"
)

// RiskConfig are the figures of the formula that are settings.
type RiskConfig struct {
	// WindowDays is how far back complaints and survey answers count
	// (default 180).
	WindowDays int
	// SatisfactionFloor is the adjusted satisfaction below which an office
	// is at risk (default 4 on the 1-5 scale).
	SatisfactionFloor float64
}

func (c RiskConfig) withDefaults() RiskConfig {
	if c.WindowDays <= 0 {
		c.WindowDays = 180
	}
	if c.SatisfactionFloor <= 0 {
		c.SatisfactionFloor = 4
	}
	return c
}

// RiskInputs are one office's signals.
type RiskInputs struct {
	UpheldComplaints int
	OpenComplaints   int
	// Survey answers counted over the window, the extra-fee rate with its
	// Wilson interval, the flagged answers and the adjusted satisfaction.
	Responses    int64
	ExtraFeeRate float64
	ExtraFeeLow  float64
	ExtraFeeHigh float64
	Flagged      int64
	Adjusted     float64
	// Overdue are the corrective actions overdue today, by severity.
	Overdue Findings
	// DaysSinceInspection is nil when the office was never inspected.
	DaysSinceInspection *int
}

// Reason is one signal's share of the score, with the figure behind it.
type Reason struct {
	Code   string
	Points float64
	// Value is the signal's figure: a count, the extra-fee rate, the
	// adjusted satisfaction, or days since the last inspection (-1: never).
	Value float64
	// Low and High are the extra-fee rate's Wilson interval.
	Low, High *float64
	// Detail says it in English; pages say it in Persian from the code.
	Detail string
}

func points(x float64) float64 { return math.Round(x*100) / 100 }

// Risk scores one office. The reasons list every signal that adds points,
// the largest first.
func Risk(in RiskInputs, cfg RiskConfig) (float64, []Reason) {
	cfg = cfg.withDefaults()
	var out []Reason
	add := func(r Reason, raw, cap float64) {
		r.Points = points(math.Min(cap, raw))
		if r.Points > 0 {
			out = append(out, r)
		}
	}
	add(Reason{Code: ReasonUpheldComplaints, Value: float64(in.UpheldComplaints),
		Detail: fmt.Sprintf("%d upheld complaints in %d days", in.UpheldComplaints, cfg.WindowDays)}, 8*float64(in.UpheldComplaints), 24)
	add(Reason{Code: ReasonOpenComplaints, Value: float64(in.OpenComplaints),
		Detail: fmt.Sprintf("%d complaints still open", in.OpenComplaints)}, 2*float64(in.OpenComplaints), 6)
	if in.Responses > 0 {
		low, high := in.ExtraFeeLow, in.ExtraFeeHigh
		add(Reason{Code: ReasonExtraFee, Value: in.ExtraFeeRate, Low: &low, High: &high,
			Detail: fmt.Sprintf("%.1f%% of %d answers report an extra fee (95%% interval %.1f%%-%.1f%%)", 100*in.ExtraFeeRate, in.Responses, 100*low, 100*high)},
			80*low, 20)
	}
	add(Reason{Code: ReasonSurveyFlags, Value: float64(in.Flagged),
		Detail: fmt.Sprintf("%d survey answers flagged as stuffed", in.Flagged)}, float64(in.Flagged), 5)
	if in.Responses > 0 {
		add(Reason{Code: ReasonLowSatisfaction, Value: in.Adjusted,
			Detail: fmt.Sprintf("adjusted satisfaction %.2f of 5, below %.1f", in.Adjusted, cfg.SatisfactionFloor)},
			10*math.Max(0, cfg.SatisfactionFloor-in.Adjusted), 15)
	}
	o := in.Overdue
	add(Reason{Code: ReasonOverdueActions, Value: float64(o.Minor + o.Major + o.Critical),
		Detail: fmt.Sprintf("%d corrective actions overdue (%d critical, %d major, %d minor)", o.Minor+o.Major+o.Critical, o.Critical, o.Major, o.Minor)},
		3*float64(o.Minor)+6*float64(o.Major)+10*float64(o.Critical), 20)
	if in.DaysSinceInspection == nil {
		add(Reason{Code: ReasonSinceInspection, Value: -1, Detail: "never inspected"}, 10, 10)
	} else {
		d := *in.DaysSinceInspection
		add(Reason{Code: ReasonSinceInspection, Value: float64(d), Detail: fmt.Sprintf("last inspected %d days ago", d)}, 10*float64(d)/365, 10)
	}
	// Largest first; the formula's order on a tie.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Points > out[j-1].Points; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	score := 0.0
	for _, r := range out {
		score += r.Points
	}
	return points(score), out
}
