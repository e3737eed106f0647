package licensing

import (
	"math"
	"sort"

	"github.com/daftar-ir/daftar/geo"
	"github.com/paulmach/orb"
)

// Accessibility by the enhanced two-step floating catchment area method
// (E2SFCA; Luo & Qi, 2009). Supply sits at sites (offices), demand at
// population points. Distance bands (zones) around each site carry
// weights that fall with distance.
//
//	step 1, for each site j:   R_j = S_j / Σ_k P_k·W(d_kj)   over points k with d_kj ≤ d0
//	step 2, for each point i:  A_i = Σ_j R_j·W(d_ij)         over sites j with d_ij ≤ d0
//
// where W is the weight of the zone a distance falls in and d0 the outer
// edge of the last zone (the catchment). A_i is the supply within reach of
// the residents of point i per resident; Daftar reports it per 100,000
// residents. With every site reaching some population, Σ_i P_i·A_i = Σ_j S_j:
// the method shares out the supply, it never creates or loses any, so the
// population-weighted mean of A over the country is the national supply per
// resident.

// Zone is one distance band of the catchment: distances up to UpToM metres
// (and beyond the previous zone's edge) count with Weight.
type Zone struct {
	UpToM  float64 `json:"up_to_m"`
	Weight float64 `json:"weight"`
}

// DefaultZones are Luo & Qi's three bands with their Gaussian weights (1.00,
// 0.68, 0.22: a Gaussian decay read at the middle of each band), over
// distances fit for an urban front desk: 0-2 km, 2-5 km, 5-10 km.
var DefaultZones = []Zone{{UpToM: 2000, Weight: 1.00}, {UpToM: 5000, Weight: 0.68}, {UpToM: 10000, Weight: 0.22}}

// PopPoint is a place where Pop residents live.
type PopPoint struct {
	Lat, Lon float64
	Pop      float64
}

// Site is a place offering Supply (an office: 1).
type Site struct {
	Lat, Lon float64
	Supply   float64
}

// zoneWeight returns the weight of distance d, 0 beyond the catchment.
func zoneWeight(zones []Zone, d float64) float64 {
	for _, z := range zones {
		if d <= z.UpToM {
			return z.Weight
		}
	}
	return 0
}

// E2SFCA computes each site's supply-to-demand ratio R_j and each point's
// accessibility A_i (supply per resident). Zones must be in increasing
// order of distance. Pairs are found through a grid of cells as wide as the
// catchment, so the work follows the pairs within reach, not all pairs.
func E2SFCA(points []PopPoint, sites []Site, zones []Zone) (ratio, access []float64) {
	ratio = make([]float64, len(sites))
	access = make([]float64, len(points))
	if len(zones) == 0 || len(points) == 0 || len(sites) == 0 {
		return ratio, access
	}
	d0 := zones[len(zones)-1].UpToM
	g := newGrid(points, d0)
	type pair struct {
		point int
		w     float64
	}
	reach := make([][]pair, len(sites))
	for j, s := range sites {
		var demand float64
		sp := orb.Point{s.Lon, s.Lat}
		g.near(s.Lat, s.Lon, func(i int) {
			p := points[i]
			w := zoneWeight(zones, geo.Distance(sp, orb.Point{p.Lon, p.Lat}))
			if w > 0 {
				reach[j] = append(reach[j], pair{i, w})
				demand += p.Pop * w
			}
		})
		if demand > 0 {
			ratio[j] = s.Supply / demand
		}
	}
	for j, list := range reach {
		if ratio[j] == 0 {
			continue
		}
		for _, pw := range list {
			access[pw.point] += ratio[j] * pw.w
		}
	}
	return ratio, access
}

// grid buckets points into cells at least d metres wide everywhere in
// their latitude range, so every point within d of a place lies in the
// place's cell or one of its eight neighbours.
type grid struct {
	dLat, dLon float64
	cells      map[[2]int][]int
}

func newGrid(points []PopPoint, d float64) *grid {
	maxLat := 0.0
	for _, p := range points {
		maxLat = max(maxLat, math.Abs(p.Lat))
	}
	const mPerDeg = math.Pi * geo.EarthRadiusM / 180
	// One more degree of margin: a site may lie a little nearer the pole
	// than any point.
	cos := math.Cos(math.Min(89, maxLat+1) * math.Pi / 180)
	g := &grid{dLat: d / mPerDeg * 1.001, dLon: d / (mPerDeg * cos) * 1.001, cells: map[[2]int][]int{}}
	for i, p := range points {
		k := g.key(p.Lat, p.Lon)
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

func (g *grid) key(lat, lon float64) [2]int {
	return [2]int{int(math.Floor(lat / g.dLat)), int(math.Floor(lon / g.dLon))}
}

func (g *grid) near(lat, lon float64, fn func(i int)) {
	k := g.key(lat, lon)
	for a := -1; a <= 1; a++ {
		for b := -1; b <= 1; b++ {
			for _, i := range g.cells[[2]int{k[0] + a, k[1] + b}] {
				fn(i)
			}
		}
	}
}

// Population points. The gazetteer knows each city's population, centre and
// urban radius, not where in the city people live, so each city is spread
// over rings of points around its centre with a negative-exponential
// density (Clark's urban density model, density ∝ e^(-b·r/R)): most
// residents near the centre, fewer toward the edge. A city's districts,
// when the gazetteer has them with a population, are spread the same way
// around their own centres instead.

// densityDecay is b in e^(-b·r/R): the density at the edge is e^-2 (about
// 14%) of that at the centre.
const densityDecay = 2.0

// cityRings is the number of rings of points around a centre: 1 + 6+12+...
// = 61 points for 4 rings.
const cityRings = 4

// spreadPopulation returns points around a centre holding pop residents
// within radius metres.
func spreadPopulation(centre orb.Point, radius float64, pop float64) []PopPoint {
	if pop <= 0 {
		return nil
	}
	if radius <= 0 {
		return []PopPoint{{Lat: centre.Lat(), Lon: centre.Lon(), Pop: pop}}
	}
	step := radius / cityRings
	type ring struct {
		r, weight float64
		n         int
	}
	var rings []ring
	total := 0.0
	for k := 0; k <= cityRings; k++ {
		r := float64(k) * step
		inner, outer := max(0, r-step/2), min(radius, r+step/2)
		area := math.Pi * (outer*outer - inner*inner)
		w := area * math.Exp(-densityDecay*r/radius)
		n := max(1, 6*k)
		rings = append(rings, ring{r, w, n})
		total += w
	}
	var out []PopPoint
	for k, rg := range rings {
		each := pop * rg.weight / total / float64(rg.n)
		for m := 0; m < rg.n; m++ {
			theta := 2 * math.Pi * (float64(m) + 0.5*float64(k%2)) / float64(rg.n)
			p := geo.Destination(centre, rg.r, theta)
			out = append(out, PopPoint{Lat: p.Lat(), Lon: p.Lon(), Pop: each})
		}
	}
	return out
}

// populationPoints spreads every city of the gazetteer (or its districts)
// and returns the points with the city each belongs to.
func populationPoints(gaz *geo.Gazetteer) ([]PopPoint, []string) {
	var pts []PopPoint
	var city []string
	for _, c := range gaz.Level(geo.LevelCity) {
		var districts []*geo.Region
		for _, d := range gaz.Children(c.Code) {
			if d.Level == geo.LevelDistrict && d.Population > 0 {
				districts = append(districts, d)
			}
		}
		sort.Slice(districts, func(i, j int) bool { return districts[i].Code < districts[j].Code })
		var add []PopPoint
		if len(districts) > 0 {
			for _, d := range districts {
				add = append(add, spreadPopulation(d.Centroid(), d.RadiusM, float64(d.Population))...)
			}
		} else {
			add = spreadPopulation(c.Centroid(), c.RadiusM, float64(c.Population))
		}
		pts = append(pts, add...)
		for range add {
			city = append(city, c.Code)
		}
	}
	return pts, city
}
