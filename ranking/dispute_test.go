package ranking

import (
	"fmt"
	"testing"
)

// disputeInputs are the six Karaj offices of the worked dispute in
// docs/ranking.md.
func disputeInputs() []Input {
	w := func(v float64) *float64 { return &v }
	k := func(id int64, resp, sum, extra int64, p90, over float64, served int64, hours float64, counters int, arrivals int64) Input {
		return Input{OfficeID: id, Code: fmt.Sprintf("ALB-%04d", id), Province: "ALB", City: "karaj", Counters: counters,
			Responses: resp, OverallSum: sum, ExtraFeeReports: extra, WaitP90Min: w(p90), OverTargetShare: w(over),
			Served: served, CounterHours: hours, Arrivals: arrivals}
	}
	in := []Input{
		k(1, 120, 492, 2, 12, 0.02, 1900, 680, 4, 2050),
		k(2, 90, 369, 1, 20, 0.05, 1500, 510, 3, 1600),
		k(3, 150, 660, 1, 38, 0.18, 1850, 520, 3, 2000),
		k(4, 80, 312, 4, 25, 0.08, 1200, 510, 3, 1300),
		k(5, 60, 246, 0, 30, 0.12, 900, 340, 2, 980),
		k(6, 110, 418, 3, 45, 0.22, 2100, 680, 4, 2250),
	}
	in[2].UpheldComplaints, in[2].OverdueActions = 1, 1
	in[5].Minor = 1
	return in
}

// TestWorkedDispute checks the numbers of the worked dispute in
// docs/ranking.md: the owner of ALB-0003 asks why the office is C behind
// ALB-0001's A when its citizens are the most satisfied in Karaj.
func TestWorkedDispute(t *testing.T) {
	d := DirectiveV2()
	byCode := map[string]Result{}
	for _, r := range d.Compute(disputeInputs()) {
		byCode[r.Code] = r
	}
	me, best := byCode["ALB-0003"], byCode["ALB-0001"]
	if *me.Score != 68.26 || *me.Grade != "C" || *me.RankProvince != 4 || *best.Score != 82.24 || *best.Grade != "A" {
		t.Fatalf("ALB-0003 %v %s #%d, ALB-0001 %v %s", *me.Score, *me.Grade, *me.RankProvince, *best.Score, *best.Grade)
	}
	want := map[string][2]float64{ // score, contribution
		CritSatisfaction: {79.3613, 23.8084}, CritWaitP90: {20, 3}, CritOverTarget: {20, 2},
		CritExtraFee: {96.3115, 14.4467}, CritProductivity: {100, 10}, CritCompliance: {75, 15},
	}
	for _, c := range me.Components {
		if w := want[c.Criterion]; c.Score != w[0] || c.Contribution != w[1] {
			t.Errorf("%s: score %v, contribution %v, want %v", c.Criterion, c.Score, c.Contribution, w)
		}
		if c.Criterion == CritWaitP90 && (*c.Raw != 38 || c.PeerGroup.Kind != GroupCity || c.PeerGroup.Region != "karaj" ||
			c.PeerGroup.Offices != 6 || c.PeerGroup.Better != 1 || c.PeerGroup.Behind != 4 || *c.PeerMedian != 27.5 || *c.PeerBest != 12) {
			t.Errorf("waiting explained as %+v %+v", c, c.PeerGroup)
		}
		if c.Criterion == CritCompliance && *c.Raw != 85 {
			t.Errorf("compliance raw %v", *c.Raw)
		}
	}
	// The second-shortest waits of Karaj on both criteria: A.
	faster := disputeInputs()
	p90, over := 15.0, 0.03
	faster[2].WaitP90Min, faster[2].OverTargetShare = &p90, &over
	for _, r := range d.Compute(faster) {
		if r.Code == "ALB-0003" && (*r.Score != 83.26 || *r.Grade != "A") {
			t.Errorf("with shorter waits: %v %s", *r.Score, *r.Grade)
		}
	}
	// Closing the overdue corrective action: compliance 95, a B.
	in := disputeInputs()
	in[2].OverdueActions = 0
	for _, r := range d.Compute(in) {
		if r.Code == "ALB-0003" && (*r.Score != 71.59 || *r.Grade != "B") {
			t.Errorf("without the overdue action: %v %s", *r.Score, *r.Grade)
		}
	}
}
