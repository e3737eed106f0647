// Package visits records the citizens served at the offices and answers
// how crowded each office, city and province is. It owns the visits table
// and the two rollup tables computed from it:
//
//   - intake: batches from an office's queue system (Service.Record) and
//     CSV files (Service.Import), checked alike (check.go), each visit once
//     per ticket; every citizen served is invited to the survey through the
//     SurveyInviter, in the batch's transaction;
//   - rollups: one row per office and Tehran day, one per office and Jalali
//     month, with counts, sums and two quantile sketches (sketch.go), and
//     the same per hour of the day (rollup_hours.go); built from the raw
//     visits (rollup_build.go) and stored (rollup_store.go) in the
//     transaction that wrote the visits, under the office's row lock;
//   - figures: Crowding answers an office by hour, weekday or day, the
//     cities and provinces, the whole network for the ranking and the
//     demand model, and the wait profiles the finder predicts with;
//   - the M/M/c queue: ErlangC and friends (erlang.go), the one
//     implementation the crowding figures and licensing's demand model
//     share.
//
// The office facts it needs (status, counters, services, opening hours,
// row locks) it reads from geo/offices.
package visits
