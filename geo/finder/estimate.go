package finder

import (
	"math"

	"github.com/daftar-ir/daftar/geo/visits"
)

// A new office has no wait history, and a citizen choosing between it and
// an old one deserves better than "unknown": its city's offices taken
// together (every wait of the city at that weekday and hour, pooled) are
// the best guess, shown as an estimate. A city whose offices have no
// history either gives none.

// cityProfiles pools the waits of the indexed offices by city. It runs
// under f.mu.
func (f *Finder) cityProfiles(sums map[int64]*visits.WaitSums) map[string]*waitProfile {
	pooled := map[string]*visits.WaitSums{}
	for id, a := range sums {
		e, ok := f.byID[id]
		if !ok {
			continue
		}
		c := pooled[e.office.CityCode]
		if c == nil {
			c = &visits.WaitSums{}
			pooled[e.office.CityCode] = c
		}
		for wd := range a.Sum {
			for h := range a.Sum[wd] {
				c.Sum[wd][h] += a.Sum[wd][h]
				c.N[wd][h] += a.N[wd][h]
			}
		}
	}
	out := make(map[string]*waitProfile, len(pooled))
	for city, a := range pooled {
		out[city] = f.profileOf(a)
	}
	return out
}

// profileOf turns wait sums into a profile: the mean of every slot with at
// least MinSamples waits, and of all of them.
func (f *Finder) profileOf(a *visits.WaitSums) *waitProfile {
	p := &waitProfile{overall: float32(math.NaN())}
	var sum, n float64
	for wd := range p.slot {
		for h := range p.slot[wd] {
			p.slot[wd][h] = float32(math.NaN())
			if a.N[wd][h] >= float64(f.cfg.MinSamples) {
				p.slot[wd][h] = float32(a.Sum[wd][h] / a.N[wd][h] / 60)
			}
			sum += a.Sum[wd][h]
			n += a.N[wd][h]
		}
	}
	if n >= float64(f.cfg.MinSamples) {
		p.overall = float32(sum / n / 60)
	}
	return p
}

// bestHour is the hour still ahead today, while the office is open, whose
// predicted wait is the least (the earlier of equals): from the office's
// own profile when it has one, else its city's. It runs under f.mu.
func (f *Finder) bestHour(e *finderEntry, at clockAt) (hour int, wait float32, ok bool) {
	p := e.profile
	if p == nil || p.overall != p.overall { // nil or NaN: no history of its own
		p = f.cities[e.office.CityCode]
	}
	if p == nil {
		return 0, 0, false
	}
	spans := e.spans[at.weekday][:e.nSpans[at.weekday]]
	for h := at.minute / 60; h < 24; h++ {
		from, to := int16(max(h*60, at.minute)), int16((h+1)*60)
		open := false
		for _, s := range spans {
			if s[0] < to && s[1] > from {
				open = true
				break
			}
		}
		if v := p.slot[at.weekday][h]; open && v == v && (!ok || v < wait) {
			hour, wait, ok = h, v, true
		}
	}
	return hour, wait, ok
}
