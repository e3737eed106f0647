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

// Destination is the point d metres from c on the bearing theta (radians
// from north), on the same sphere as Distance.
func Destination(c orb.Point, d, theta float64) orb.Point {
	if d == 0 {
		return c
	}
	phi1, lam1 := c.Lat()*math.Pi/180, c.Lon()*math.Pi/180
	delta := d / EarthRadiusM
	phi2 := math.Asin(math.Sin(phi1)*math.Cos(delta) + math.Cos(phi1)*math.Sin(delta)*math.Cos(theta))
	lam2 := lam1 + math.Atan2(math.Sin(theta)*math.Sin(delta)*math.Cos(phi1), math.Cos(delta)-math.Sin(phi1)*math.Sin(phi2))
	return orb.Point{lam2 * 180 / math.Pi, phi2 * 180 / math.Pi}
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
