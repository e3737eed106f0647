package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Distance is the great-circle (haversine) distance between two points in
// metres.
func Distance(a, b orb.Point) float64 { return geo.DistanceHaversine(a, b) }

// Iran's bounding box: a location outside it is a typing error.
const (
	MinLat, MaxLat = 25.0, 40.0
	MinLon, MaxLon = 44.0, 63.5
)

// InIran reports whether a point lies in Iran's bounding box.
func InIran(lat, lon float64) bool {
	return lat >= MinLat && lat <= MaxLat && lon >= MinLon && lon <= MaxLon
}
