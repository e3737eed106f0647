package visits

import "sync"

// Counts are the additive and max figures of a rollup row, in seconds.
type Counts struct {
	Arrivals, Served, NoShows, Cancelled, Referred int64
	Waits, WaitSum, WaitMax                        int64
	Services, ServiceSum, ServiceMax               int64
	BusyS, OpenS, CounterS                         int64
	QueueArea, QueueMax                            int64
}

const countsFields = 16

func (c *Counts) fields() [countsFields]*int64 {
	return [countsFields]*int64{&c.Arrivals, &c.Served, &c.NoShows, &c.Cancelled, &c.Referred,
		&c.Waits, &c.WaitSum, &c.WaitMax, &c.Services, &c.ServiceSum, &c.ServiceMax,
		&c.BusyS, &c.OpenS, &c.CounterS, &c.QueueArea, &c.QueueMax}
}

// Add merges o into c.
func (c *Counts) Add(o *Counts) {
	c.Arrivals += o.Arrivals
	c.Served += o.Served
	c.NoShows += o.NoShows
	c.Cancelled += o.Cancelled
	c.Referred += o.Referred
	c.Waits += o.Waits
	c.WaitSum += o.WaitSum
	c.WaitMax = max(c.WaitMax, o.WaitMax)
	c.Services += o.Services
	c.ServiceSum += o.ServiceSum
	c.ServiceMax = max(c.ServiceMax, o.ServiceMax)
	c.BusyS += o.BusyS
	c.OpenS += o.OpenS
	c.CounterS += o.CounterS
	c.QueueArea += o.QueueArea
	c.QueueMax = max(c.QueueMax, o.QueueMax)
}

func (c *Counts) active() bool {
	return c.Arrivals > 0 || c.BusyS > 0 || c.OpenS > 0 || c.QueueArea > 0
}

// Stats is a mergeable rollup: counts and the two sketches.
type Stats struct {
	Counts
	Wait, Service Sketch
}

// statsPool keeps the accumulators of the crowding queries (their
// sketches' bins are most of a query's allocations).
var statsPool = sync.Pool{New: func() any { return &Stats{} }}

func getStats() *Stats { return statsPool.Get().(*Stats) }

// putStats empties st and returns it to the pool.
func putStats(st *Stats) {
	if st == nil {
		return
	}
	st.Counts = Counts{}
	st.Wait.Reset()
	st.Service.Reset()
	statsPool.Put(st)
}

// Merge adds o into s.
func (s *Stats) Merge(o *Stats) {
	s.Counts.Add(&o.Counts)
	s.Wait.Merge(&o.Wait)
	s.Service.Merge(&o.Service)
}

// Empty reports whether nothing was recorded.
func (s *Stats) Empty() bool { return !s.Counts.active() && s.Wait.Count() == 0 }
