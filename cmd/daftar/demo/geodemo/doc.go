// Package geodemo generates the demo's places: the register of about 1,200
// offices spread over the cities by population (thin where licensing
// stopped for years), and weeks of their visits, simulated rather than
// drawn at random so that waits, queues and utilisation hang together.
//
// It stands apart from package demo, which fills a whole database and so
// imports every domain package: the tests of geo/visits, geo/finder and
// licensing simulate their offices and visits with it, which they could not
// do through a package that imports them.
package geodemo
