package ranking

// An owner reads their result criterion by criterion: their score on each,
// where the peers' median and best would score on the same scale, and the
// one criterion where improving would raise the total most.

// OnScale returns a component's peer median and best (raw figures) on the
// component's own 0-100 score scale, as its bar is drawn: a fixed
// criterion through the directive's targets, a peer criterion at its
// percentile (the median 50, the best 100). nil when the run had no peers
// for it, or the directive does not weigh it.
func (d Directive) OnScale(c Component) (median, best *float64) {
	crit, ok := d.criterion(c.Criterion)
	if !ok {
		return nil, nil
	}
	conv := func(raw *float64, peerScore float64) *float64 {
		if raw == nil {
			return nil
		}
		v := peerScore
		if crit.Normalisation == NormFixed {
			v = 100 * clamp((*raw-crit.Worst)/(crit.Best-crit.Worst), 0, 1)
		}
		v = round(v, 4)
		return &v
	}
	return conv(c.PeerMedian, 50), conv(c.PeerBest, 100)
}

func (d Directive) criterion(name string) (Criterion, bool) {
	for _, c := range d.Criteria {
		if c.Criterion == name {
			return c, true
		}
	}
	return Criterion{}, false
}

// Lever is the criterion where improving raises an office's score most.
type Lever struct {
	Criterion string
	// Gain is the points the total would gain were the office as good on
	// it as the best of its peers (as good as the scale allows when the
	// run had none): weight × (target − score).
	Gain float64
	// Target is the raw figure aimed at: the peers' best, nil when the
	// scale's top is the aim.
	Target *float64
}

// Lever picks, for a ranked result, the criterion with the largest Gain
// (the first in the directive's order among equals); ok is false when no
// criterion has anything to gain.
func (d Directive) Lever(r Result) (Lever, bool) {
	var out Lever
	found := false
	for _, c := range r.Components {
		target, aim := 100.0, (*float64)(nil)
		if _, best := d.OnScale(c); best != nil {
			target, aim = *best, c.PeerBest
		}
		gain := round(c.Weight*(target-c.Score), 2)
		if gain > 0 && (!found || gain > out.Gain) {
			out, found = Lever{Criterion: c.Criterion, Gain: gain, Target: aim}, true
		}
	}
	return out, found
}
