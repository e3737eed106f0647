package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the mean Earth radius (IUGG), which gives the smallest
// average error for a spherical model; orb's geo package uses the
// equatorial radius, 0.1% longer.
const EarthRadiusM = 6371008.8

// Distance is the great-circle (haversine) distance between two points in
// metres.
func Distance(a, b orb.Point) float64 {
	lat1, lat2 := a.Lat()*math.Pi/180, b.Lat()*math.Pi/180
	dLat := lat2 - lat1
	dLon := (b.Lon() - a.Lon()) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Iran's bounding box: a location outside it is a typing error.
const (
	MinLat, MaxLat = 25.0, 40.0
	MinLon, MaxLon = 44.0, 63.5
)

// InIran reports whether a point lies in Iran's bounding box.
func InIran(lat, lon float64) bool {
	return lat >= MinLat && lat <= MaxLat && lon >= MinLon && lon <= MaxLon
}
