package mix

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/loadtest"
)

// The endpoints of the mix, by the names the flags use.
const (
	EndpointOffice          = "office"           // GET /api/v1/offices/{id}
	EndpointOfficesList     = "offices_list"     // GET /api/v1/offices?province=&page_size=
	EndpointFinder          = "finder"           // GET /api/v1/finder?lat=&lon=&service=&limit=
	EndpointCrowding        = "crowding"         // GET /api/v1/offices/{id}/crowding?from=&to=
	EndpointVisits          = "visits"           // POST /api/v1/offices/{id}/visits
	EndpointCrowdingRegions = "crowding_regions" // GET /api/v1/crowding/regions
	EndpointDemand          = "demand"           // GET /api/v1/demand
)

// Names lists the endpoints in the order they are reported.
func Names() []string {
	return []string{EndpointOffice, EndpointOfficesList, EndpointFinder, EndpointCrowding, EndpointVisits,
		EndpointCrowdingRegions, EndpointDemand}
}

// DefaultWeights is the share of each endpoint in a total rate: mostly
// single-office reads and the finder, visit batches as offices upload them,
// and the national models a few times per hundred requests.
func DefaultWeights() map[string]float64 {
	return map[string]float64{
		EndpointOffice: 4, EndpointOfficesList: 2, EndpointFinder: 4, EndpointCrowding: 2, EndpointVisits: 2,
		EndpointCrowdingRegions: 1, EndpointDemand: 1,
	}
}

// Options shape the requests.
type Options struct {
	Province     string // offices_list: the province's code (THR)
	PageSize     int    // offices_list: page_size (20)
	FinderLimit  int    // finder: limit (10)
	CrowdingDays int    // crowding: days up to today (30)
	Batch        int    // visits per batch (20)
	MobileShare  float64
	Seed         uint64
	RunID        string // makes this run's tickets unique
	Now          func() time.Time
}

// Mix builds the requests of every endpoint from what Discover found.
type Mix struct {
	api    *API
	world  World
	opt    Options
	cities []float64 // cumulative population, to pick cities by size
	notes  *Notes
}

// New checks the options and the world.
func New(api *API, w World, opt Options, notes *Notes) (*Mix, error) {
	switch {
	case api == nil:
		return nil, fmt.Errorf("mix: the API client is required")
	case notes == nil:
		return nil, fmt.Errorf("mix: the notes are required")
	case opt.Now == nil:
		return nil, fmt.Errorf("mix: Options.Now is required")
	case len(w.Offices) == 0 || len(w.Cities) == 0 || len(w.Services) == 0:
		return nil, fmt.Errorf("mix: the world needs offices, cities and services")
	case opt.PageSize < 1 || opt.FinderLimit < 1 || opt.CrowdingDays < 1 || opt.Batch < 1:
		return nil, fmt.Errorf("mix: page size, finder limit, crowding days and batch must be positive")
	case opt.MobileShare < 0 || opt.MobileShare > 1:
		return nil, fmt.Errorf("mix: the mobile share must be from 0 to 1")
	case opt.RunID == "":
		return nil, fmt.Errorf("mix: Options.RunID is required")
	}
	m := &Mix{api: api, world: w, opt: opt, notes: notes}
	var sum float64
	for _, c := range w.Cities {
		sum += float64(max(c.Population, 1))
		m.cities = append(m.cities, sum)
	}
	return m, nil
}

// Endpoints returns the named endpoints, in the order given.
func (m *Mix) Endpoints(names []string) ([]loadtest.Endpoint, error) {
	var out []loadtest.Endpoint
	for i, n := range names {
		e := loadtest.Endpoint{Name: n}
		build := m.builder(n)
		if build == nil {
			return nil, fmt.Errorf("unknown endpoint %q (known: %s)", n, strings.Join(Names(), ", "))
		}
		idx := uint64(i)
		e.NewRequest = func(ctx context.Context, seq int64) (*http.Request, error) {
			// A generator per request: deterministic for a seed, and never
			// shared between goroutines.
			r := rand.New(rand.NewPCG(m.opt.Seed, uint64(seq)<<8|idx))
			return build(ctx, seq, r)
		}
		if n == EndpointVisits {
			e.Check = m.checkVisits
		}
		out = append(out, e)
	}
	return out, nil
}

type builder func(ctx context.Context, seq int64, r *rand.Rand) (*http.Request, error)

func (m *Mix) builder(name string) builder {
	switch name {
	case EndpointOffice:
		return func(ctx context.Context, _ int64, r *rand.Rand) (*http.Request, error) {
			return m.api.NewRequest(ctx, http.MethodGet, officePath(m.office(r).ID, ""), nil, nil)
		}
	case EndpointOfficesList:
		q := url.Values{"province": {m.opt.Province}, "page_size": {strconv.Itoa(m.opt.PageSize)}}
		return func(ctx context.Context, _ int64, _ *rand.Rand) (*http.Request, error) {
			return m.api.NewRequest(ctx, http.MethodGet, "/api/v1/offices", q, nil)
		}
	case EndpointFinder:
		return m.finder
	case EndpointCrowding:
		return func(ctx context.Context, _ int64, r *rand.Rand) (*http.Request, error) {
			today := m.opt.Now().In(daftar.Tehran())
			q := url.Values{"from": {today.AddDate(0, 0, 1-m.opt.CrowdingDays).Format("2006-01-02")},
				"to": {today.Format("2006-01-02")}}
			return m.api.NewRequest(ctx, http.MethodGet, officePath(m.office(r).ID, "/crowding"), q, nil)
		}
	case EndpointVisits:
		return func(ctx context.Context, seq int64, r *rand.Rand) (*http.Request, error) {
			o := m.office(r)
			body, err := m.visitBatch(o, seq, r)
			if err != nil {
				return nil, err
			}
			return m.api.NewRequest(ctx, http.MethodPost, officePath(o.ID, "/visits"), nil, body)
		}
	case EndpointCrowdingRegions:
		return func(ctx context.Context, _ int64, _ *rand.Rand) (*http.Request, error) {
			return m.api.NewRequest(ctx, http.MethodGet, "/api/v1/crowding/regions", nil, nil)
		}
	case EndpointDemand:
		return func(ctx context.Context, _ int64, _ *rand.Rand) (*http.Request, error) {
			return m.api.NewRequest(ctx, http.MethodGet, "/api/v1/demand", nil, nil)
		}
	}
	return nil
}

func officePath(id int64, tail string) string {
	return "/api/v1/offices/" + strconv.FormatInt(id, 10) + tail
}

func (m *Mix) office(r *rand.Rand) Office { return m.world.Offices[r.IntN(len(m.world.Offices))] }

// finder asks from a point in a city picked by population, anywhere within
// the city's radius, for a service some office offers.
func (m *Mix) finder(ctx context.Context, _ int64, r *rand.Rand) (*http.Request, error) {
	c := m.world.Cities[sort.SearchFloat64s(m.cities, r.Float64()*m.cities[len(m.cities)-1])]
	radius := c.RadiusM
	if radius <= 0 {
		radius = 3000
	}
	// Uniform over the disc: the distance goes as the square root.
	d, theta := radius*math.Sqrt(r.Float64()), 2*math.Pi*r.Float64()
	const metresPerDegree = 111_320.0
	lat := c.Latitude + d*math.Cos(theta)/metresPerDegree
	lon := c.Longitude + d*math.Sin(theta)/(metresPerDegree*math.Cos(c.Latitude*math.Pi/180))
	q := url.Values{
		"lat":     {strconv.FormatFloat(lat, 'f', 5, 64)},
		"lon":     {strconv.FormatFloat(lon, 'f', 5, 64)},
		"service": {m.world.Services[r.IntN(len(m.world.Services))]},
		"limit":   {strconv.Itoa(m.opt.FinderLimit)},
	}
	return m.api.NewRequest(ctx, http.MethodGet, "/api/v1/finder", q, nil)
}
