// Package mix is the Daftar load mix for internal/loadtest: it signs in to
// a running server, discovers its offices, cities and services through the
// API, and builds the requests of the reads and writes that matter at scale
// (one office, a province's office list, the finder, an office's crowding,
// a batch of visits, the regional crowding, the demand model). Run it
// through scripts/loadtest; docs/loadtest.md says how.
package mix
