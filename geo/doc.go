// Package geo is Daftar's sense of place: the gazetteer of provinces,
// cities and districts with their populations, centroids and boundaries
// (gazetteer.go), the reference data shipped with the product and loaded on
// start (refdata.go), the catalogue of citizen services (services.go),
// opening hours (hours.go) and distances on the sphere (distance.go).
//
// What happens at those places lives in the packages below it: the office
// register and its siting rules in geo/offices, visits, rollups and
// crowding figures in geo/visits, and the citizens' finder in geo/finder.
package geo
