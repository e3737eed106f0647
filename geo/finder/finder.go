package finder

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/deps"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/quadtree"
)

// The finder sends a citizen to an office. It takes the pool of nearest
// active offices that offer the service within RadiusM (the limit asked for
// plus half as many again, at least 5 more: 15 for the default 10), and
// orders them by
//
//	score (minutes) = distance_m / SpeedMPerMin + predicted wait
//
// that is the time to get there at an urban door-to-door speed (default
// 250 m/min, 15 km/h) plus the wait predicted for the hour the office is
// next open (now, when it is open). The predicted wait is the mean observed
// wait of the office at that weekday and hour over the last ProfileWeeks
// weeks; with fewer than MinSamples waits there, the office's mean over all
// its hours; with no history of its own (a new office), the same figures of
// its city's offices taken together, reported as an estimate; with none at
// all, DefaultWaitMin (reported as null). Ties go
// to the nearer office. Limiting the choice to the nearest offices keeps
// citizens close to home (a 40-minute shorter wait never sends anyone
// across Tehran) and the search as cheap as a nearest-neighbour query.
//
// Offices live in an in-memory quadtree (orb) over an equirectangular
// projection (longitude scaled by the cosine of 32.5°, Iran's middle
// latitude), updated from the register's Changes. The tree picks the pool by
// projected distance; the distances reported and scored are true
// great-circle (haversine) metres, and the radius applies to them.

// Config tunes the finder.
type Config struct {
	RadiusM        float64 // search radius (default 30 km)
	SpeedMPerMin   float64 // travel speed for the score (default 250 m/min)
	DefaultWaitMin float64 // assumed wait of an office with no history (default 15)
	ProfileWeeks   int     // history behind the predicted waits (default 8)
	MinSamples     int     // waits needed at a weekday-hour (default 5)
	MaxLimit       int     // largest limit (default 50)
	ExtraPool      int     // offices scored beyond the limit (default 5; the pool is limit + max(ExtraPool, limit/2))
	DefaultLimit   int     // default limit (default 10)
}

func (c Config) withDefaults() Config {
	if c.RadiusM == 0 {
		c.RadiusM = 30_000
	}
	if c.SpeedMPerMin == 0 {
		c.SpeedMPerMin = 250
	}
	if c.DefaultWaitMin == 0 {
		c.DefaultWaitMin = 15
	}
	if c.ProfileWeeks == 0 {
		c.ProfileWeeks = 8
	}
	if c.MinSamples == 0 {
		c.MinSamples = 5
	}
	if c.MaxLimit == 0 {
		c.MaxLimit = 50
	}
	if c.DefaultLimit == 0 {
		c.DefaultLimit = 10
	}
	if c.ExtraPool == 0 {
		c.ExtraPool = 5
	}
	return c
}

const (
	projLat      = 32.5
	metresPerDeg = geo.EarthRadiusM * math.Pi / 180
)

var projCos = math.Cos(projLat * math.Pi / 180)

func project(lat, lon float64) orb.Point { return orb.Point{lon * projCos, lat} }

// projBound is Iran's bounding box in the projection, with a margin.
var projBound = orb.Bound{Min: orb.Point{(geo.MinLon - 1) * projCos, geo.MinLat - 1}, Max: orb.Point{(geo.MaxLon + 1) * projCos, geo.MaxLat + 1}}

// finderEntry is one office in the index; what a search reads comes
// first and inline (the opening hours in minutes), the office itself last.
type finderEntry struct {
	p       orb.Point // projected
	p2      orb.Point // longitude, latitude
	cosLat  float64   // for the haversine
	profile *waitProfile
	id      int64
	spans   [7][4][2]int16 // opening spans per weekday, minutes
	nSpans  [7]uint8
	// cold
	services []uint64 // bit i: catalogue service i
	office   offices.Office
}

func (e *finderEntry) Point() orb.Point { return e.p }

func (e *finderEntry) offers(bit int) bool {
	w := bit / 64
	return w < len(e.services) && e.services[w]&(1<<(bit%64)) != 0
}

// waitProfile is an office's mean wait (minutes) per weekday and hour;
// NaN where unknown.
type waitProfile struct {
	slot    [7][24]float32
	overall float32
}

// Grades gives each office's grade in the latest published ranking (nil
// when it has none).
type Grades interface {
	Grade(officeID int64) *string
}

// Finder is the citizens' office finder. It is safe for concurrent use.
type Finder struct {
	offices  *offices.Register
	crowding *visits.Crowding
	grades   Grades
	clock    daftar.Clock
	cfg      Config
	log      *slog.Logger
	bits     map[string]int // service code → bit

	mu       sync.RWMutex
	trees    []*quadtree.Quadtree // one per service, by bit
	byID     map[int64]*finderEntry
	profiles map[int64]*waitProfile
	// cities are each city's profile over its offices' waits: the
	// estimate for an office with no history of its own (estimate.go).
	cities map[string]*waitProfile
}

// New builds the index from the register and the wait profiles from the
// rollups, and listens to the register's changes.
func New(ctx context.Context, register *offices.Register, changes *offices.Changes, crowding *visits.Crowding, grades Grades,
	clock daftar.Clock, log *slog.Logger, cfg Config) (*Finder, error) {
	if err := deps.Check("finder", "office register", register, "office changes", changes, "crowding", crowding,
		"grades", grades, "clock", clock); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Finder{offices: register, crowding: crowding, grades: grades, clock: clock, cfg: cfg.withDefaults(), log: log,
		bits: map[string]int{}, profiles: map[int64]*waitProfile{}, cities: map[string]*waitProfile{}}
	for i, s := range register.Catalogue().All() {
		f.bits[s.Code] = i
	}
	f.resetIndex()
	changes.Listen(f.Update)
	if err := f.Reload(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// Reload rebuilds the index from the register and the wait profiles from
// the rollups (after a bulk load that announced no changes, like the demo).
func (f *Finder) Reload(ctx context.Context) error {
	all, err := f.offices.All(ctx)
	if err != nil {
		return fmt.Errorf("finder: %w", err)
	}
	f.mu.Lock()
	f.resetIndex()
	f.mu.Unlock()
	for _, o := range all {
		f.Update(o)
	}
	return f.RefreshProfiles(ctx)
}

// Config returns the effective configuration.
func (f *Finder) Config() Config { return f.cfg }

// Update puts an office into the index, or takes it out when it is not
// active (the register's Changes call it after every committed change).
func (f *Finder) Update(o offices.Office) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.byID[o.ID]; ok {
		for b, t := range f.trees {
			if old.offers(b) {
				t.Remove(old, func(p orb.Pointer) bool { return p.(*finderEntry).id == o.ID })
			}
		}
		delete(f.byID, o.ID)
	}
	if o.Status != offices.Active {
		return
	}
	e := &finderEntry{p: project(o.Latitude, o.Longitude), p2: o.Point(), cosLat: math.Cos(o.Latitude * math.Pi / 180),
		id: o.ID, office: o, profile: f.profiles[o.ID]}
	for d, spans := range o.Hours {
		for i, sp := range spans[:min(len(spans), 4)] { // at most 4 spans a day
			e.spans[d][i] = [2]int16{int16(sp.Open), int16(sp.Close)}
		}
		e.nSpans[d] = uint8(min(len(spans), 4))
	}
	e.services = make([]uint64, (len(f.bits)+63)/64)
	for _, s := range o.Services {
		if b, ok := f.bits[s]; ok {
			e.services[b/64] |= 1 << (b % 64)
		}
	}
	if !projBound.Contains(e.p) {
		f.log.Warn("finder: office outside the index bounds", "office_id", o.ID)
		return
	}
	for b, t := range f.trees {
		if e.offers(b) {
			t.Add(e)
		}
	}
	f.byID[o.ID] = e
}

// Len is the number of offices in the index.
func (f *Finder) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.byID)
}

// RefreshProfiles recomputes every office's wait profile from the last
// ProfileWeeks weeks of day rollups.
func (f *Finder) RefreshProfiles(ctx context.Context) error {
	now := f.clock.Now().Unix()
	from := daftar.DayStart(now) - int64(f.cfg.ProfileWeeks)*7*daftar.DaySeconds
	sums, err := f.crowding.WaitSums(ctx, from)
	if err != nil {
		return fmt.Errorf("finder: profiles: %w", err)
	}
	profiles := make(map[int64]*waitProfile, len(sums))
	for id, a := range sums {
		profiles[id] = f.profileOf(a)
	}
	f.mu.Lock()
	f.profiles = profiles
	for id, e := range f.byID {
		e.profile = profiles[id]
	}
	f.cities = f.cityProfiles(sums)
	f.mu.Unlock()
	return nil
}

// Query is a citizen's question.
type Query struct {
	Lat, Lon float64
	Service  string
	Limit    int
}

// Result is one office of the answer.
type Result struct {
	Office           *offices.Office // the index's snapshot: read only
	DistanceM        float64
	PredictedWaitMin *float64
	Score            float64
	OpenNow          bool
	NextOpen         *time.Time // when it opens next, if closed now
	Grade            *string
	// WaitEstimated is set when the office has no history of its own and
	// PredictedWaitMin is its city's offices' wait at that hour instead.
	WaitEstimated bool
	// BestHour is the hour of the day (Tehran, 0-23) still ahead today,
	// while the office is open, with the least predicted wait, and
	// BestHourWaitMin that wait; nil when it is closed for the rest of the
	// day or nothing is known of its hours (estimate.go).
	BestHour        *int
	BestHourWaitMin *float64

	wait, bestWait float64 // PredictedWaitMin and BestHourWaitMin point here
	bestHour       int
	next           time.Time
}

// Validate checks a query; the errors name the fields.
func (f *Finder) Validate(q *Query) daftar.FieldErrors {
	cat := f.offices.Catalogue()
	var fe daftar.FieldErrors
	if math.IsNaN(q.Lat) || q.Lat < geo.MinLat || q.Lat > geo.MaxLat {
		fe.Add("lat", "outside_iran", fmt.Sprintf("must be a latitude in Iran (%.0f to %.0f)", geo.MinLat, geo.MaxLat))
	}
	if math.IsNaN(q.Lon) || q.Lon < geo.MinLon || q.Lon > geo.MaxLon {
		fe.Add("lon", "outside_iran", fmt.Sprintf("must be a longitude in Iran (%.0f to %.1f)", geo.MinLon, geo.MaxLon))
	}
	if q.Service == "" {
		fe.Add("service", "required", "is required")
	} else if _, ok := cat.Get(q.Service); !ok {
		fe.Add("service", "unknown", "is not a service code of the catalogue")
	}
	if q.Limit == 0 {
		q.Limit = f.cfg.DefaultLimit
	}
	if q.Limit < 1 || q.Limit > f.cfg.MaxLimit {
		fe.Add("limit", "out_of_range", fmt.Sprintf("must be between 1 and %d", f.cfg.MaxLimit))
	}
	return fe
}

type candidate struct {
	e       *finderEntry
	dist    float64
	score   float64
	wait    float32 // for the score
	openMin int16   // the slot predicted: minute of the day...
	dayOff  int8    // ... and days ahead (-1: never open)
	known   bool
	open    bool
	// estimated: wait is the city's, the office has no history
	estimated bool
}

// clockAt is the Tehran weekday (0 Saturday) and minute of the day of t.
type clockAt struct {
	weekday, minute int
	midnight        time.Time
}

func clockOf(t time.Time) clockAt {
	unix := t.Unix()
	day := daftar.DayStart(unix)
	return clockAt{weekday: daftar.WeekdayIndex(unix), minute: int((unix - day) / 60), midnight: time.Unix(day, 0).In(daftar.Tehran())}
}

var pointerPool = sync.Pool{New: func() any { s := make([]orb.Pointer, 0, 64); return &s }}

// Find answers a query (validate it first): up to Limit offices, best
// score first.
func (f *Finder) Find(ctx context.Context, q Query) ([]Result, error) {
	bit, ok := f.bits[q.Service]
	if !ok {
		return nil, daftar.Invalid("invalid_query", "the query is not valid", daftar.Field("service", "unknown", "is not a service code of the catalogue"))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = f.cfg.DefaultLimit
	}
	pool := limit + max(f.cfg.ExtraPool, limit/2)
	at := clockOf(f.clock.Now())
	origin := orb.Point{q.Lon, q.Lat}
	bufp := pointerPool.Get().(*[]orb.Pointer)
	defer pointerPool.Put(bufp)

	f.mu.RLock()
	defer f.mu.RUnlock()
	// No maxDistance: orb's search narrows its box only once it holds k
	// points, so a radius would make it walk the whole tree wherever fewer
	// than k offices are near. Offices beyond the radius are dropped below.
	buf := f.trees[bit].KNearest((*bufp)[:0], project(q.Lat, q.Lon), pool)
	*bufp = buf
	candp := candidatePool.Get().(*[]candidate)
	defer candidatePool.Put(candp)
	cands := (*candp)[:0]
	cosLat := math.Cos(q.Lat * math.Pi / 180)
	for _, p := range buf {
		e := p.(*finderEntry)
		d := haversine(origin, cosLat, e.p2, e.cosLat)
		if d > f.cfg.RadiusM {
			continue
		}
		c := f.predict(e, at)
		c.e, c.dist = e, d
		c.score = d/f.cfg.SpeedMPerMin + float64(c.wait)
		cands = append(cands, c)
	}
	*candp = cands
	sortCandidates(cands)
	if len(cands) > limit {
		cands = cands[:limit]
	}
	out := make([]Result, len(cands))
	for i, c := range cands {
		r := &out[i]
		r.Office, r.DistanceM, r.Score, r.OpenNow = &c.e.office, c.dist, c.score, c.open
		if c.known {
			r.wait = float64(c.wait)
			r.PredictedWaitMin, r.WaitEstimated = &r.wait, c.estimated
		}
		if h, w, ok := f.bestHour(c.e, at); ok {
			r.bestHour, r.bestWait = h, float64(w)
			r.BestHour, r.BestHourWaitMin = &r.bestHour, &r.bestWait
		}
		if !c.open && c.dayOff >= 0 {
			r.next = at.midnight.AddDate(0, 0, int(c.dayOff)).Add(time.Duration(c.openMin) * time.Minute).UTC()
			r.NextOpen = &r.next
		}
		r.Grade = f.grades.Grade(c.e.id)
	}
	return out, nil
}

// haversine is Distance (the same formula and Earth radius) with the
// cosines of the latitudes given.
func haversine(a orb.Point, cosA float64, b orb.Point, cosB float64) float64 {
	const rad = math.Pi / 180
	sLat := math.Sin((b[1] - a[1]) * rad / 2)
	sLon := math.Sin((b[0] - a[0]) * rad / 2)
	h := sLat*sLat + cosA*cosB*sLon*sLon
	return 2 * geo.EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

var candidatePool = sync.Pool{New: func() any { s := make([]candidate, 0, 64); return &s }}

// before orders candidates: lower score, then nearer, then lower id.
func before(a, b *candidate) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.e.id < b.e.id
}

// sortCandidates is an insertion sort: the pool is small.
func sortCandidates(c []candidate) {
	for i := 1; i < len(c); i++ {
		x := c[i]
		j := i
		for ; j > 0 && before(&x, &c[j-1]); j-- {
			c[j] = c[j-1]
		}
		c[j] = x
	}
}

// predict returns the wait to expect at the office: at the current hour
// when it is open now, else at the hour it next opens (within a week).
func (f *Finder) predict(e *finderEntry, at clockAt) candidate {
	c := candidate{wait: float32(f.cfg.DefaultWaitMin), openMin: int16(at.minute)}
	minute := int16(at.minute)
	for _, s := range e.spans[at.weekday][:e.nSpans[at.weekday]] {
		if minute >= s[0] && minute < s[1] {
			c.open = true
			break
		}
	}
	wd := at.weekday
	if !c.open {
		c.dayOff = -1
	next:
		for d := 0; d <= 7; d++ {
			w := (at.weekday + d) % 7
			for _, s := range e.spans[w][:e.nSpans[w]] {
				if d == 0 && s[0] <= minute {
					continue
				}
				c.dayOff, c.openMin, wd = int8(d), s[0], w
				break next
			}
		}
		if c.dayOff < 0 {
			return c
		}
	}
	if p := e.profile; p != nil {
		if v := p.slot[wd][c.openMin/60]; v == v { // not NaN
			c.wait, c.known = v, true
		} else if v := p.overall; v == v {
			c.wait, c.known = v, true
		}
	}
	if !c.known {
		if p := f.cities[e.office.CityCode]; p != nil {
			if v := p.slot[wd][c.openMin/60]; v == v {
				c.wait, c.known, c.estimated = v, true, true
			} else if v := p.overall; v == v {
				c.wait, c.known, c.estimated = v, true, true
			}
		}
	}
	return c
}

// resetIndex empties the index: one quadtree per service of the
// catalogue, so a search needs no filter.
func (f *Finder) resetIndex() {
	f.trees = make([]*quadtree.Quadtree, len(f.bits))
	for i := range f.trees {
		f.trees[i] = quadtree.New(projBound)
	}
	f.byID = map[int64]*finderEntry{}
}
