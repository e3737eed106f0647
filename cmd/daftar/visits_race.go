//go:build race

package main

// Under the race detector SQLite (compiled from C to Go) runs about ten
// times slower, and the full demo history would dominate every test that
// seeds the demo; a race-instrumented build seeds three days instead.
const demoVisitDays = 3
