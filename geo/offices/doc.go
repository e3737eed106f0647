// Package offices is the register of judicial e-services offices: code,
// names, owner, city and location, counters, opening hours, the services
// offered and the status of each. Its store is the only code with SQL on
// the offices and office_services tables; every other package reads
// through the methods here (the active offices of a period, names and
// codes, counters and hours for the rollups, the serving rules for visits,
// counts for the dashboard) and writes through them, inside a shared db.Tx
// where a change spans packages (a licence activation opens its office).
//
// The siting rules live here too: an office lies inside its city's area
// (its boundary when the gazetteer has one, otherwise a radius around its
// centre, measured on the sphere) and, when a licence opens it, at least a
// minimum distance from every active office (siting.go).
//
// Changes are announced on a Changes hub once committed: the finder's
// spatial index listens there.
package offices
