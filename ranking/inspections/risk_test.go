package inspections_test

import (
	"math"
	"slices"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

func TestRiskFormula(t *testing.T) {
	days := func(d int) *int { return &d }
	for _, c := range []struct {
		name  string
		in    inspections.RiskInputs
		score float64
		codes []string
	}{
		{"nothing known, never inspected", inspections.RiskInputs{}, 10, []string{"since_last_inspection"}},
		{"inspected today, nothing else", inspections.RiskInputs{DaysSinceInspection: days(0)}, 0, nil},
		{"caps: every signal at its most", inspections.RiskInputs{UpheldComplaints: 9, OpenComplaints: 9, Responses: 50, ExtraFeeLow: 0.9,
			Flagged: 40, Adjusted: 1, Overdue: inspections.Findings{Critical: 5}, DaysSinceInspection: days(900)}, 100,
			[]string{"upheld_complaints", "extra_fee_rate", "overdue_actions", "low_satisfaction", "since_last_inspection", "open_complaints", "survey_flags"}},
		// 3 minor + 1 major + 1 critical overdue: 9 + 6 + 10 = 25, capped at 20.
		{"overdue by severity", inspections.RiskInputs{Overdue: inspections.Findings{Minor: 3, Major: 1, Critical: 1}, DaysSinceInspection: days(73)}, 22,
			[]string{"overdue_actions", "since_last_inspection"}},
		// No answers: neither the extra-fee nor the satisfaction signal.
		{"no survey answers", inspections.RiskInputs{ExtraFeeLow: 0.5, Adjusted: 1, DaysSinceInspection: days(0)}, 0, nil},
		// Satisfaction above the floor adds nothing; 2 of 3 answers with an
		// extra fee: the lower bound 0.2077 gives 16.62.
		{"a small sample", inspections.RiskInputs{Responses: 3, ExtraFeeRate: 2.0 / 3, ExtraFeeLow: 0.2077, ExtraFeeHigh: 0.9385, Adjusted: 4.3, DaysSinceInspection: days(0)}, 16.62,
			[]string{"extra_fee_rate"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			score, reasons := inspections.Risk(c.in, inspections.RiskConfig{})
			var codes []string
			sum := 0.0
			for _, r := range reasons {
				codes = append(codes, r.Code)
				sum += r.Points
			}
			if math.Abs(score-c.score) > 1e-9 || !slices.Equal(codes, c.codes) || math.Abs(sum-score) > 1e-9 {
				t.Fatalf("score %v reasons %v (sum %v), want %v %v", score, codes, sum, c.score, c.codes)
			}
		})
	}
}

// TestWorklistOrder ranks six offices whose scores are worked out by hand
// (today is 2026-11-25):
//
//	A  2 upheld (16) + 1 open (2) + extra-fee lower bound 0.09 (7.2) + 2 flags (2)
//	   + adjusted 3.6 (4) + inspected 90 days ago (10×90/365 = 2.47)   = 33.67
//	B  critical and major actions overdue (10 + 6) + inspected 24 days ago
//	   (10×24/365 = 0.66)                                            = 16.66
//	C  2 extra fees in 3 answers, lower bound 0.21 (16.8) + never inspected (10),
//	   adjusted 4.2 is above the floor                                = 26.8
//	D  inspected today, nothing else                                  =  0
//	E  never inspected                                                = 10
//	F  never inspected                                                = 10 (after E: the id breaks ties)
func TestWorklistOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 6)
		id := func(i int) int64 { return e.offices[i].ID }
		A, B, C, D, E, F := id(0), id(1), id(2), id(3), id(4), id(5)
		e.compl[A] = inspections.ComplaintCounts{Upheld: 2, Open: 1}
		e.survey[A] = inspections.SurveyFigures{Responses: 100, Flagged: 2, ExtraFeeRate: 0.15, ExtraFeeLow: 0.09, ExtraFeeHigh: 0.23, Adjusted: 3.6}
		e.survey[C] = inspections.SurveyFigures{Responses: 3, ExtraFeeRate: 2.0 / 3, ExtraFeeLow: 0.21, ExtraFeeHigh: 0.94, Adjusted: 4.2}
		e.record(A, "2026-08-27", nil)
		e.record(B, "2026-11-01", map[string]string{"fees_match": "fail", "queue_order": "fail"})
		e.record(D, "2026-11-25", nil)

		items, total, err := e.planner.Worklist(e.admin, inspections.WorklistFilter{})
		if err != nil || total != 6 {
			t.Fatalf("worklist: %d %v", total, err)
		}
		want := []struct {
			office int64
			score  float64
		}{{A, 33.67}, {C, 26.8}, {B, 16.66}, {E, 10}, {F, 10}, {D, 0}}
		for i, w := range want {
			it := items[i]
			sum := 0.0
			for _, r := range it.Reasons {
				sum += r.Points
			}
			if it.Office.ID != w.office || math.Abs(it.Score-w.score) > 1e-9 || math.Abs(sum-it.Score) > 1e-9 {
				t.Errorf("#%d: office %d score %v (reasons %v), want office %d score %v", i+1, it.Office.ID, it.Score, sum, w.office, w.score)
			}
		}
		var codes []string
		for _, r := range items[0].Reasons {
			codes = append(codes, r.Code)
		}
		if w := []string{"upheld_complaints", "extra_fee_rate", "low_satisfaction", "since_last_inspection", "open_complaints", "survey_flags"}; !slices.Equal(codes, w) {
			t.Fatalf("A's reasons %v, want %v", codes, w)
		}
		if r := items[0].Reasons[1]; r.Low == nil || *r.Low != 0.09 || *r.High != 0.23 || r.Value != 0.15 {
			t.Fatalf("extra-fee reason %+v", r)
		}
		if items[2].Reasons[0].Code != "overdue_actions" || items[2].Reasons[0].Value != 2 || *items[2].LastInspectedOn != "2026-11-01" {
			t.Fatalf("B: %+v", items[2])
		}

		// A page, a province, and the unassigned only.
		page, _, _ := e.planner.Worklist(e.admin, inspections.WorklistFilter{Limit: 2, Offset: 1})
		if len(page) != 2 || page[0].Office.ID != C || page[1].Office.ID != B {
			t.Fatalf("page: %+v", page)
		}
		if _, n, _ := e.planner.Worklist(e.admin, inspections.WorklistFilter{Province: "kerman"}); n != 0 {
			t.Fatalf("kerman: %d", n)
		}
		// The score kept with an assignment is the one office's alone, the
		// same as in the whole list.
		asg, err := e.planner.Assign(e.inspector, inspections.NewAssignment{OfficeID: A, InspectorID: e.inspectorID, DueOn: "2026-12-01", Reason: "شکایات"})
		if err != nil || asg.RiskScore == nil || math.Abs(*asg.RiskScore-33.67) > 1e-9 {
			t.Fatalf("assignment %+v %v", asg, err)
		}
		rest, n, _ := e.planner.Worklist(e.admin, inspections.WorklistFilter{Unassigned: true})
		if n != 5 || rest[0].Office.ID != C {
			t.Fatalf("unassigned: %d %+v", n, rest[0])
		}
		all, _, _ := e.planner.Worklist(e.admin, inspections.WorklistFilter{})
		if all[0].Assignment == nil || all[0].Assignment.Inspector != "insp" {
			t.Fatalf("A's assignment: %+v", all[0].Assignment)
		}
	})
}
