package geodemo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
)

// Demo visits: a few weeks of history for every demo office, simulated
// rather than drawn at random, so that waits, queues and utilisation
// hang together. Demand per resident is the same everywhere, so an
// office's arrivals follow the population it serves (the average office
// gets MeanDailyVisits on a working day, whatever the register's size): the cities short of offices (ThinCities) are
// busy, past capacity in the morning peak, and the oversupplied ones
// (OversuppliedCities) calm. For each office-day arrivals follow an hourly
// profile (a morning peak, a lunch dip, a lighter afternoon; Thursday's
// short day; Friday closed) and a weekday profile; the office's counters
// serve them first come, first served within its opening hours; some
// citizens do not answer their call, some give up after waiting, a few are
// referred. Offices differ as real ones do (OfficeTraits): some draw more of
// their city's citizens, some serve faster, a few keep a counter closed.
// The rollups are computed from the same visits by geo/visits (the builder
// of the live path) and written beside them.

// MeanDailyVisits are the visits of the average office on a working day.
// With the demo's 1,200 offices over the gazetteer's 43 million city
// residents that is 0.0012 visits a resident a working day (about 0.3 a
// year: some 13 million visits a year), 43 a day for an office serving the
// average 36,000 people.
const MeanDailyVisits = 43

// maxLoad caps an office's offered load over its open day (arrivals times
// the mean service time over its counters' open time): past it a queue
// would only grow, and in the busiest cities citizens would go elsewhere.
const maxLoad = 0.93

// OfficeTraits are how one demo office differs from the others of its
// city, the same for a seed and an office id: the visits and the survey
// answers of the demo read them.
type OfficeTraits struct {
	Popularity   float64 // its share of its city's citizens, relative (1: an even share)
	Speed        float64 // its service times, relative (below 1: faster)
	ShortStaffed bool    // keeps one counter closed
	Courtesy     float64 // added to its citizens' mean satisfaction (1-5)
}

// Traits returns an office's traits.
func Traits(seed uint64, officeID int64) OfficeTraits {
	h := fnv.New64a()
	fmt.Fprintf(h, "daftar-demo-traits:%d", officeID)
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	return OfficeTraits{Popularity: math.Exp(0.3*r.NormFloat64() - 0.045), Speed: math.Exp(0.12 * r.NormFloat64()),
		ShortStaffed: r.IntN(100) < 12, Courtesy: 0.4 * r.NormFloat64()}
}

// VisitOptions tunes the demo history.
type VisitOptions struct {
	Days int    // days of history ending yesterday (default 60)
	Seed uint64 // the same seed gives the same visits
	// Scale multiplies every office's arrivals (default 1).
	Scale float64
	// Target, when set, replaces Scale: the scale is chosen for the
	// history to hold about this many visits (estimated from its last
	// fortnight simulated at scale 1).
	Target int
	// Progress, when set, is told the offices whose history is written.
	Progress func(offices int)
}

// VisitReport sums up the demo history.
type VisitReport struct {
	Offices, Days, Visits, DayRows, MonthRows int
}

// demoServiceMix weighs the services citizens come for.
var demoServiceMix = map[string]float64{
	"criminal_record": 30, "e_notification": 12, "case_information": 8, "sana_registration": 8, "petition": 7,
	"complaint": 5, "brief_submission": 4, "sana_update": 3, "judicial_unit_appointment": 3, "power_of_attorney": 2,
	"formal_notice": 2, "execution_request": 2, "financial_conviction_inquiry": 2, "self_declaration": 2,
}

// demoHourWeight is the relative arrival rate at each hour of the day.
var demoHourWeight = [24]float64{7: 0.7, 8: 1.3, 9: 1.7, 10: 1.6, 11: 1.3, 12: 1.0, 13: 0.6, 14: 0.4, 15: 0.8, 16: 0.9, 17: 0.7, 18: 0.5, 19: 0.3}

// demoWeekdayWeight, Saturday first: the week starts busy.
var demoWeekdayWeight = [7]float64{1.15, 1.05, 1.0, 1.0, 0.95, 1.1, 0}

// Simulator simulates the visits of offices, each at its load (arrival
// rate over capacity): the demo's and the crowding tests' source of
// visits that hang together.
type Simulator struct {
	cat         *geo.Catalogue
	seed        uint64
	scale       float64
	daily       map[int64]float64 // office → arrivals on a working day of weight 1
	perResident float64           // visits a resident makes on a working day
	loads       map[int64]float64 // office → load factor (arrival rate / capacity), given
	services    []string
	weights     []float64
}

// SimOptions tune a Simulator.
type SimOptions struct {
	Seed  uint64            // the same seed gives the same visits
	Scale float64           // multiplies every office's arrivals (default 1)
	Loads map[int64]float64 // loads by office that replace the demo's
}

// NewSimulator sets each office's arrivals from the population it serves
// (the same demand per resident everywhere, such that the average office
// gets MeanDailyVisits; its city's population shared among its offices by
// their popularity), unless opt gives its load.
func NewSimulator(cat *geo.Catalogue, gaz *geo.Gazetteer, list []offices.Office, opt SimOptions) *Simulator {
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	g := &Simulator{cat: cat, seed: opt.Seed, scale: opt.Scale, daily: map[int64]float64{}, loads: map[int64]float64{}}
	for _, s := range cat.All() {
		if w, ok := demoServiceMix[s.Code]; ok {
			g.services = append(g.services, s.Code)
			g.weights = append(g.weights, w)
		} else {
			g.services = append(g.services, s.Code)
			g.weights = append(g.weights, 0.4)
		}
	}
	// Each city's residents shared among its offices by popularity.
	share := map[string]float64{}
	for _, o := range list {
		share[o.CityCode] += Traits(opt.Seed, o.ID).Popularity
	}
	g.perResident = DemandPerResident(gaz, list)
	for _, o := range list {
		pop := 36_000.0
		if c, ok := gaz.Get(o.CityCode); ok && share[o.CityCode] > 0 {
			pop = float64(c.Population) * Traits(opt.Seed, o.ID).Popularity / share[o.CityCode]
		}
		g.daily[o.ID] = g.perResident * pop
	}
	for id, load := range opt.Loads {
		g.loads[id] = load
	}
	return g
}

// DemandPerResident is the visits a resident of the offices' cities makes
// on a working day, such that the average office of list gets
// MeanDailyVisits.
func DemandPerResident(gaz *geo.Gazetteer, list []offices.Office) float64 {
	seen := map[string]bool{}
	var pop float64
	for _, o := range list {
		if c, ok := gaz.Get(o.CityCode); ok && !seen[o.CityCode] {
			seen[o.CityCode] = true
			pop += float64(c.Population)
		}
	}
	if pop == 0 {
		return MeanDailyVisits / 36_000.0
	}
	return MeanDailyVisits * float64(len(list)) / pop
}

func (g *Simulator) rngFor(officeID int64) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "daftar-demo-visits:%d", officeID)
	return rand.New(rand.NewPCG(g.seed, h.Sum64()))
}

func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 40 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// Visits simulates the visits of one office over the days, appending them
// to out in order of arrival.
func (g *Simulator) Visits(off *offices.Office, days []int64, out []visits.Visit) []visits.Visit {
	r := g.rngFor(off.ID)
	offered := make([]string, 0, len(g.services))
	var weights []float64
	var total, meanSvc float64
	for i, s := range g.services {
		if off.Offers(s) {
			offered = append(offered, s)
			weights = append(weights, g.weights[i])
			total += g.weights[i]
			if svc, ok := g.cat.Get(s); ok {
				meanSvc += g.weights[i] * float64(svc.HandlingMinutes)
			}
		}
	}
	if len(offered) == 0 {
		return out
	}
	meanSvc /= total
	pick := func() string {
		x := r.Float64() * total
		for i, w := range weights {
			if x -= w; x < 0 {
				return offered[i]
			}
		}
		return offered[len(offered)-1]
	}
	tr := Traits(g.seed, off.ID)
	meanSvc *= tr.Speed
	counters := max(off.Counters, 1)
	var perMin float64 // arrivals per open minute at weight 1
	if load, ok := g.loads[off.ID]; ok {
		perMin = load * g.scale * float64(counters) / meanSvc
	} else {
		// A working day of weight 1 (a Saturday's hours) carries the
		// office's daily arrivals, its load capped.
		var weighted, open float64
		for _, s := range off.Hours[0] {
			for m := s.Open; m < s.Close; m++ {
				weighted += demoHourWeight[m/60]
				open++
			}
		}
		if weighted > 0 {
			perMin = g.daily[off.ID] / weighted
			if cap := maxLoad * open * float64(counters) / meanSvc / weighted; perMin > cap {
				perMin = cap
			}
			perMin *= g.scale
		}
	}
	if tr.ShortStaffed && counters > 1 {
		counters-- // one counter stays closed
	}
	free := make([]int64, counters)
	var arrivals []int64
	for _, dayAt := range days {
		wd := daftar.WeekdayIndex(dayAt)
		spans := off.Hours[wd]
		if len(spans) == 0 || demoWeekdayWeight[wd] == 0 {
			continue
		}
		dayFactor := demoWeekdayWeight[wd] * math.Exp(0.15*r.NormFloat64()-0.011)
		arrivals = arrivals[:0]
		for _, s := range spans {
			for m := s.Open; m < s.Close; {
				h := m / 60
				end := min(s.Close, (h+1)*60)
				n := poisson(r, perMin*demoHourWeight[h]*dayFactor*float64(end-m))
				for k := 0; k < n; k++ {
					arrivals = append(arrivals, dayAt+int64(m)*60+int64(r.Float64()*float64(end-m)*60))
				}
				m = end
			}
		}
		slices.Sort(arrivals)
		for i := range free {
			free[i] = 0
		}
		lastClose := dayAt + int64(spans[len(spans)-1].Close)*60
		j := daftar.ToJalali(time.Unix(dayAt, 0))
		for seq, at := range arrivals {
			v := visits.Visit{OfficeID: off.ID, Arrived: at, Service: pick(), Channel: visits.ChannelWalkIn, RecordedAt: at,
				Ticket: fmt.Sprintf("%04d%02d%02d-%04d", j.Year, j.Month, j.Day, seq+1)}
			if r.IntN(10) == 0 {
				v.Channel = visits.ChannelAppointment
			}
			// The first counter free; service starts within opening hours
			// (counters finish the queue up to 30 minutes after closing).
			c := 0
			for i := range free {
				if free[i] < free[c] {
					c = i
				}
			}
			start := max(at, free[c])
			start = nextServiceTime(spans, dayAt, start)
			patience := int64(r.ExpFloat64() * 100 * 60)
			switch {
			case start < 0 || start > lastClose+30*60:
				v.Outcome, v.Finished = visits.OutcomeCancelled, max(lastClose, at+60)
			case start-at > patience:
				v.Outcome, v.Finished = visits.OutcomeCancelled, at+patience
			case r.IntN(100) < 3:
				v.Outcome, v.Called, v.Counter = visits.OutcomeNoShow, start, c+1
				free[c] = start + 60
			default:
				svc, _ := g.cat.Get(v.Service)
				minutes := float64(svc.HandlingMinutes) * tr.Speed * math.Exp(0.35*r.NormFloat64()-0.06)
				dur := max(int64(minutes*60), 60)
				v.Outcome = visits.OutcomeServed
				if r.IntN(100) < 3 {
					v.Outcome, dur = visits.OutcomeReferred, dur/2+30
				}
				v.Called, v.Finished, v.Counter = start, start+dur, c+1
				free[c] = v.Finished
			}
			v.RecordedAt = max(v.Arrived, v.Called, v.Finished)
			out = append(out, v)
		}
	}
	return out
}

// nextServiceTime moves t into the opening spans of the day: unchanged
// inside a span, the next opening in a gap, t itself after the last span
// (overtime). It returns -1 for a day with no spans.
func nextServiceTime(spans []geo.Span, dayAt, t int64) int64 {
	if len(spans) == 0 {
		return -1
	}
	for _, s := range spans {
		open, close := dayAt+int64(s.Open)*60, dayAt+int64(s.Close)*60
		if t < open {
			return open
		}
		if t < close {
			return t
		}
	}
	return t
}

// HistoryDays lists the Tehran days of a history: days days ending
// yesterday.
func HistoryDays(now time.Time, days int) []int64 {
	today := daftar.DayStart(now.Unix())
	out := make([]int64, 0, days)
	for d := days; d >= 1; d-- {
		out = append(out, today-int64(d)*86400)
	}
	return out
}

// SeedVisits writes the demo history of every office of the register
// (deterministic for a seed and a day) with its rollups, in one bulk
// transaction of geo/visits.
func SeedVisits(ctx context.Context, v *visits.Service, register *offices.Register, now time.Time, opt VisitOptions) (VisitReport, error) {
	if opt.Days <= 0 {
		opt.Days = 60
	}
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	all, err := register.All(ctx)
	if err != nil {
		return VisitReport{}, err
	}
	days := HistoryDays(now, opt.Days)
	if opt.Target > 0 && len(days) > 0 {
		sample := days[max(0, len(days)-14):]
		probe := NewSimulator(register.Catalogue(), register.Gazetteer(), all, SimOptions{Seed: opt.Seed})
		var n int
		var buf []visits.Visit
		for i := range all {
			buf = probe.Visits(&all[i], sample, buf[:0])
			n += len(buf)
		}
		if n > 0 {
			opt.Scale = float64(opt.Target) / (float64(n) / float64(len(sample)) * float64(len(days)))
		}
	}
	g := NewSimulator(register.Catalogue(), register.Gazetteer(), all, SimOptions{Seed: opt.Seed, Scale: opt.Scale})
	rep := VisitReport{Offices: len(all), Days: opt.Days}
	if len(days) > 0 {
		if _, err := v.PreparePartitions(ctx, days[0], days[len(days)-1]+daftar.DaySeconds); err != nil {
			return rep, fmt.Errorf("demo visits: %w", err)
		}
	}
	loaded, err := v.LoadHistory(ctx, len(all), func(i int, out []visits.Visit) []visits.Visit {
		if opt.Progress != nil {
			opt.Progress(i)
		}
		return g.Visits(&all[i], days, out)
	})
	rep.Visits, rep.DayRows, rep.MonthRows = loaded.Visits, loaded.DayRows, loaded.MonthRows
	if err != nil {
		return rep, fmt.Errorf("demo visits: %w", err)
	}
	return rep, nil
}
