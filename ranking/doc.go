// Package ranking ranks every office each period under the judiciary's
// directive: versioned weighted criteria (directive.go, version 2 in
// directive_v2.go) computed from surveys, waiting, extra-fee reports,
// productivity and compliance, the inputs gathered from the registers
// through small sources (gather.go); national and provincial ranks and
// grades, every score explained component by component, peers by city or
// size (score.go, peers.go); runs that are drafts until an admin publishes
// them and never change after (runs.go), storing what they read so that
// they reproduce bit for bit (store.go); verification in two parts,
// reproduce and drift against today's data (verify.go, drift.go,
// verifyview.go); late data counted in the next runs' notes (notes.go);
// reads of results and grades (results.go); runs set against the previous
// published one (compare.go). Inspections, corrective actions and complaints
// are other packages' (ranking/inspections, surveys/complaints), read through
// the sources' interfaces.
package ranking
