//go:build !race

package main

// demoVisitDays is the length of the demo's visit history (see
// visits_race.go for the race-instrumented builds of the tests).
const demoVisitDays = 60
