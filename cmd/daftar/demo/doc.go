// Package demo generates the demo dataset: the only code that imports every
// domain package to fill a database.
//
// Each generator is deterministic for its seed and writes through the
// domain packages' exported services, the paths the API and the command
// line use: an exam file goes through licensing's import and the document
// review (exam.go, candidates.go); rounds are created, allocated and
// closed, and licences issued and activated (rounds.go); inspections are
// recorded and rankings computed and published (ranking.go). Where one
// request at a time would take minutes, the owning package exports one
// narrowly named bulk method, and says why (licensing.Candidates.ReviewBatch,
// surveys.Service.LoadHistory for the answers of surveys.go). What a
// generator reads comes through exported methods too (geo.Visits.Served):
// the package holds no SQL.
//
// The sizes of the dataset are chosen by its caller, cmd/daftar.
package demo
