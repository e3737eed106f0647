// Package demo generates the demo dataset: the only code that imports every
// domain package to fill a database.
//
// Each generator is deterministic for its seed and writes through the
// domain packages' exported services, the same paths the API and the
// command line use (an exam file goes through licensing's import, rounds
// are created, allocated and closed, licences issued and activated,
// inspections recorded, rankings computed and published). Where one
// request at a time would take minutes, the owning package exports one
// narrowly named bulk method for it (surveys.Service.LoadHistory), and the
// generator reads what it needs through exported methods too
// (geo.Visits.Served): the demo holds no SQL of its own.
//
// The sizes of the dataset are chosen by its caller, cmd/daftar.
package demo
