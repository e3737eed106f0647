package ranking

import (
	"math"
	"testing"
)

// TestExplain: peer markers on the score scale (fixed through the
// targets, peers at their percentile), and the lever is the largest
// weight × (peers' best − score).
func TestExplain(t *testing.T) {
	d := DefaultDirective()
	f := func(v float64) *float64 { return &v }
	sat := Component{Criterion: CritSatisfaction, Score: 50, Weight: 0.35, Normalisation: NormFixed, PeerMedian: f(4.1), PeerBest: f(4.7)}
	wait := Component{Criterion: CritWaitP90, Score: 20, Weight: 0.15, Normalisation: NormFixed, PeerMedian: f(40), PeerBest: f(10)}
	prod := Component{Criterion: CritProductivity, Score: 30, Weight: 0.10, Normalisation: NormPeers, PeerMedian: f(6.2), PeerBest: f(11)}
	comp := Component{Criterion: CritCompliance, Score: 100, Weight: 0.15, Normalisation: NormFixed, PeerMedian: f(100), PeerBest: f(100)}
	none := Component{Criterion: CritExtraFee, Score: 0, Weight: 0.15, Normalisation: NormFixed}
	for _, c := range []struct {
		c         Component
		med, best *float64
	}{
		{sat, f(100 * (4.1 - 2) / 3), f(100 * (4.7 - 2) / 3)}, // Best 5, Worst 2
		{wait, f(100 * (90 - 40) / 75.0), f(100)},             // Best 15, Worst 90: 10 min is past the best
		{prod, f(50), f(100)},
		{none, nil, nil},
		{Component{Criterion: "unknown", PeerMedian: f(1)}, nil, nil},
	} {
		med, best := d.OnScale(c.c)
		same := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) < 1e-3) }
		if !same(med, c.med) || !same(best, c.best) {
			t.Errorf("%s: %v %v", c.c.Criterion, deref(med), deref(best))
		}
	}
	// Gains: satisfaction 0.35·(90−50) = 14; waiting 0.15·(100−20) = 12;
	// productivity 0.10·(100−30) = 7; compliance 0; extra fee (no peers)
	// 0.15·100 = 15: the largest.
	lv, ok := d.Lever(Result{Components: []Component{sat, wait, prod, comp, none}})
	if !ok || lv.Criterion != CritExtraFee || lv.Gain != 15 || lv.Target != nil {
		t.Fatalf("lever %+v %v", lv, ok)
	}
	lv, ok = d.Lever(Result{Components: []Component{sat, wait, prod, comp}})
	if !ok || lv.Criterion != CritSatisfaction || lv.Gain != 14 || lv.Target == nil || *lv.Target != 4.7 {
		t.Fatalf("lever %+v %v", lv, ok)
	}
	if _, ok := d.Lever(Result{Components: []Component{comp}}); ok {
		t.Fatal("a result with full marks has a lever")
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
