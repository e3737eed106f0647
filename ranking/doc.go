// Package ranking ranks every office each period under the judiciary's
// directive: versioned weighted criteria (directive.go) computed from
// surveys, waiting, extra-fee reports, productivity and compliance, the
// inputs gathered from the registers (gather.go); national and provincial ranks and grades, every score
// explained component by component (score.go); runs that are drafts until
// an admin publishes them and never change after (service.go); and the
// inspections whose violations feed compliance (inspections.go).
package ranking
