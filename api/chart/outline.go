package chart

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// iranJSON is the country's outline, made by scripts/make-iran-outline.mjs
// from Natural Earth (public domain; see outline/NOTICE).
//
//go:embed outline/iran.json
var iranJSON []byte

type outline struct {
	Rings [][][2]float64 `json:"rings"` // [lon, lat]
	// The outline's extent, the map's bounds when none are given.
	south, west, north, east float64
}

// iranOutline decodes the embedded outline once: it is constant data, and
// decoding it on every map would be waste.
var iranOutline = sync.OnceValue(func() outline {
	var o outline
	if err := json.Unmarshal(iranJSON, &o); err != nil || len(o.Rings) == 0 {
		// The file is embedded and a test decodes it, so this is a broken
		// build; the maps then still draw their points, over no outline.
		return outline{south: 25, west: 44, north: 39.8, east: 63.4}
	}
	o.south, o.west, o.north, o.east = 90, 180, -90, -180
	for _, ring := range o.Rings {
		for _, p := range ring {
			o.west, o.east = min(o.west, p[0]), max(o.east, p[0])
			o.south, o.north = min(o.south, p[1]), max(o.north, p[1])
		}
	}
	return o
})
