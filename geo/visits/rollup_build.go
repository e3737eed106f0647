package visits

import (
	"sort"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
)

// Rollups. The crowding figures are read from two tables that hold, per
// office, one row per Tehran day with visits (crowding_days) and one per
// Jalali month (crowding_months). A row has the period's counts and sums, its
// wait and service-time sketches, and the same again for each hour of the
// day in its hours column. A day row is computed from the raw visits of that
// office-day, and a month row by merging its day rows, so both can always be
// rebuilt from the visits and are never updated incrementally: every write
// path (the API batch, the CSV import, the demo and the nightly repair job)
// rebuilds the days it touched, and their months, in its own transaction,
// while it holds the office's lock.

// rawVisit is what a rollup needs of a visit.
type rawVisit struct {
	Arrived, Called, Finished int64 // Unix seconds; 0 when absent
	Outcome                   string
}

// seen reports whether the citizen reached a counter (served or referred):
// only these count in waits, service times and busy time.
func (v rawVisit) seen() bool { return v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred }

// queueSpan is the time the visit spent in the queue: arrival to call, or
// for one never called, arrival to leaving.
func (v rawVisit) queueSpan() (from, to int64) {
	switch {
	case v.Called > 0:
		return v.Arrived, v.Called
	case v.Finished > 0:
		return v.Arrived, v.Finished
	}
	return 0, 0
}

// dayBuilder computes day rows; it keeps its buffers between days.
type dayBuilder struct {
	hours    [24]Counts
	waits    [24][]int64
	services [24][]int64
	allWait  []int64
	allServ  []int64
	events   []queueEvent
	enc      hourEncoder
}

type queueEvent struct {
	t     int64
	delta int64
}

// build computes the row of one office-day from its visits (all arriving on
// that Tehran day). It returns false when the day had no visits.
func (b *dayBuilder) build(off offices.Shape, dayAt int64, visits []rawVisit) (rollupRow, bool) {
	if len(visits) == 0 {
		return rollupRow{}, false
	}
	dayEnd := dayAt + 86400
	for h := range b.hours {
		b.hours[h] = Counts{}
		b.waits[h] = b.waits[h][:0]
		b.services[h] = b.services[h][:0]
	}
	b.allWait, b.allServ, b.events = b.allWait[:0], b.allServ[:0], b.events[:0]
	weekday := daftar.WeekdayIndex(dayAt)
	for _, s := range off.Hours[weekday] {
		b.spread(dayAt+int64(s.Open)*60, dayAt+int64(s.Close)*60, dayAt, func(c *Counts, sec int64) {
			c.OpenS += sec
			c.CounterS += sec * int64(off.Counters)
		})
	}
	for _, v := range visits {
		h := int((v.Arrived - dayAt) / 3600)
		if h < 0 || h > 23 {
			continue
		}
		c := &b.hours[h]
		c.Arrivals++
		switch v.Outcome {
		case OutcomeServed:
			c.Served++
		case OutcomeNoShow:
			c.NoShows++
		case OutcomeCancelled:
			c.Cancelled++
		case OutcomeReferred:
			c.Referred++
		}
		if v.seen() && v.Called > 0 {
			w := v.Called - v.Arrived
			c.Waits++
			c.WaitSum += w
			c.WaitMax = max(c.WaitMax, w)
			b.waits[h] = append(b.waits[h], w)
			b.allWait = append(b.allWait, w)
			if v.Finished > 0 {
				s := v.Finished - v.Called
				c.Services++
				c.ServiceSum += s
				c.ServiceMax = max(c.ServiceMax, s)
				b.services[h] = append(b.services[h], s)
				b.allServ = append(b.allServ, s)
				b.spread(v.Called, v.Finished, dayAt, func(c *Counts, sec int64) { c.BusyS += sec })
			}
		}
		if from, to := v.queueSpan(); to > from {
			from, to = max(from, dayAt), min(to, dayEnd)
			if to > from {
				b.events = append(b.events, queueEvent{from, 1}, queueEvent{to, -1})
			}
		}
	}
	b.sweepQueue(dayAt)

	row := rollupRow{OfficeID: off.ID, At: dayAt, Weekday: weekday}
	b.enc.start()
	for h := range b.hours {
		c := &b.hours[h]
		if !c.active() {
			continue
		}
		row.Counts.Add(c)
		b.enc.b = append(b.enc.b, byte(h))
		b.enc.n++
		b.enc.appendCounts(c)
		b.enc.b = appendEncodedValues(b.enc.b, b.waits[h])
		b.enc.b = appendEncodedValues(b.enc.b, b.services[h])
	}
	row.Hours = b.enc.finish()
	row.WaitSketch = appendEncodedValues(nil, b.allWait)
	row.ServiceSketch = appendEncodedValues(nil, b.allServ)
	return row, true
}

// spread calls add for each hour of the day overlapped by [from, to), with
// the seconds of overlap.
func (b *dayBuilder) spread(from, to, dayAt int64, add func(c *Counts, sec int64)) {
	from, to = max(from, dayAt), min(to, dayAt+86400)
	for from < to {
		h := (from - dayAt) / 3600
		end := min(to, dayAt+(h+1)*3600)
		add(&b.hours[h], end-from)
		from = end
	}
}

// sweepQueue rebuilds the queue length over the day from the arrival and
// call times: its time integral (person-seconds) and maximum per hour.
// At equal times departures are taken before arrivals.
func (b *dayBuilder) sweepQueue(dayAt int64) {
	ev := b.events
	sort.Slice(ev, func(i, j int) bool {
		if ev[i].t != ev[j].t {
			return ev[i].t < ev[j].t
		}
		return ev[i].delta < ev[j].delta
	})
	var level int64
	last := dayAt
	for _, e := range ev {
		if level > 0 && e.t > last {
			lv := level
			b.spread(last, e.t, dayAt, func(c *Counts, sec int64) {
				c.QueueArea += lv * sec
				c.QueueMax = max(c.QueueMax, lv)
			})
		}
		last = e.t
		level += e.delta
		if level > 0 {
			// The level reached at this instant counts in its hour even
			// if it changes again within the same second.
			if h := (e.t - dayAt) / 3600; h >= 0 && h < 24 {
				b.hours[h].QueueMax = max(b.hours[h].QueueMax, level)
			}
		}
	}
}

// mergeRows merges rows (day rows of one office and month) into a month
// row; weekday is ignored.
func mergeRows(officeID, at int64, rows []rollupRow) (rollupRow, error) {
	var hours [24]*Stats
	var wait, service Sketch
	out := rollupRow{OfficeID: officeID, At: at}
	for i := range rows {
		r := &rows[i]
		out.Counts.Add(&r.Counts)
		if err := wait.MergeEncoded(r.WaitSketch); err != nil {
			return out, err
		}
		if err := service.MergeEncoded(r.ServiceSketch); err != nil {
			return out, err
		}
		if err := mergeHours(r.Hours, &hours); err != nil {
			return out, err
		}
	}
	var enc hourEncoder
	enc.start()
	for h, st := range hours {
		if st == nil {
			continue
		}
		enc.b = append(enc.b, byte(h))
		enc.n++
		enc.appendCounts(&st.Counts)
		enc.b = st.Wait.AppendEncoded(enc.b)
		enc.b = st.Service.AppendEncoded(enc.b)
		putStats(st)
	}
	out.Hours = enc.finish()
	out.WaitSketch = wait.Encode()
	out.ServiceSketch = service.Encode()
	return out, nil
}
