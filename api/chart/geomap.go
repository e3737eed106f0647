package chart

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strings"
)

// Point is an office (or any place) on a Map.
type Point struct {
	Lat, Lon float64
	Value    float64 // coloured by the Map's Stops; NaN is "no value" grey
	Label    string  // the tooltip and the table's row
	Href     string  // optional link (relative or http/https; others are dropped)
}

// Stop is one step of a Map's colour scale: values up to Upto (and above
// the previous stop) take Colour. Values above the last stop take its colour.
type Stop struct {
	Upto   float64
	Colour string
	Label  string // the legend's words for this step
}

// Bounds are a map's extent in degrees.
type Bounds struct{ South, West, North, East float64 }

// Circle draws a city as a circle of Radius metres around its centre.
type Circle struct {
	Lat, Lon, Radius float64
	Label            string
}

// Here is the "you are here" mark.
type Here struct {
	Lat, Lon float64
	Label    string
}

// Map is points over the outline of Iran, or over a city when Bounds or
// City is set, in an equirectangular projection scaled by the cosine of the
// middle latitude (true enough at the scale of one country).
type Map struct {
	Points       []Point
	Stops        []Stop // ascending Upto
	LegendTitle  string
	MissingLabel string  // legend words for points without a value
	Bounds       *Bounds // nil: the city circle's, or the whole country
	City         *Circle
	Here         *Here
	// The table's headers.
	LabelTitle, ValueTitle string
}

const colMissing, colLand, colBorder, colHere = "#a0a8b5", "#f1f3f6", "#8a94a6", "#1a73e8"

// Sequential returns n colours from light to dark for Stops, along
// ColorBrewer's yellow-orange-red ramp (which ColorBrewer lists as safe for
// colour-blind readers).
func Sequential(n int) []string {
	anchors := [][3]float64{{254, 217, 118}, {253, 141, 60}, {227, 26, 28}, {128, 0, 38}}
	n = min(max(n, 0), 64)
	out := make([]string, n)
	for i := range out {
		t := 0.5
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		seg := min(int(t*float64(len(anchors)-1)), len(anchors)-2)
		u := t*float64(len(anchors)-1) - float64(seg)
		a, b := anchors[seg], anchors[seg+1]
		out[i] = fmt.Sprintf("#%02x%02x%02x", int(a[0]+(b[0]-a[0])*u+0.5), int(a[1]+(b[1]-a[1])*u+0.5), int(a[2]+(b[2]-a[2])*u+0.5))
	}
	return out
}

func (m Map) colour(v float64) string {
	if !finite(v) {
		return colMissing
	}
	if len(m.Stops) == 0 {
		return palette[0]
	}
	for _, s := range m.Stops {
		if v <= s.Upto {
			return s.Colour
		}
	}
	return m.Stops[len(m.Stops)-1].Colour
}

func validLatLon(lat, lon float64) bool {
	return finite(lat) && finite(lon) && lat >= -85 && lat <= 85 && lon >= -180 && lon <= 180
}

// bounds is the extent drawn: the given bounds, the city's, or the country's.
func (m Map) bounds() (b Bounds, zoom bool) {
	if g := m.Bounds; g != nil && validLatLon(g.South, g.West) && validLatLon(g.North, g.East) &&
		g.North > g.South && g.East > g.West {
		return *g, true
	}
	if c := m.City; c != nil && validLatLon(c.Lat, c.Lon) && finite(c.Radius) && c.Radius > 0 {
		dLat := min(c.Radius, 500e3) * 1.25 / metresPerDegree
		dLon := dLat / math.Cos(c.Lat*math.Pi/180)
		return Bounds{c.Lat - dLat, c.Lon - dLon, c.Lat + dLat, c.Lon + dLon}, true
	}
	o := iranOutline()
	return Bounds{o.south - 0.3, o.west - 0.3, o.north + 0.3, o.east + 0.3}, false
}

const metresPerDegree = 111_320.0

// projection maps degrees onto the drawing.
type projection struct {
	b          Bounds
	k, s       float64 // cos(middle latitude), units per degree
	ox, oy     float64
	mapW, mapH float64
}

func (p projection) xy(lat, lon float64) (float64, float64) {
	return p.ox + (lon-p.b.West)*p.k*p.s, p.oy + (p.b.North-lat)*p.s
}

func (p projection) inside(lat, lon float64) bool {
	return validLatLon(lat, lon) && lat >= p.b.South && lat <= p.b.North && lon >= p.b.West && lon <= p.b.East
}

// Marks is how many points the SVG draws: those with a place inside the
// map's bounds.
func (m Map) Marks() int {
	b, _ := m.bounds()
	p := projection{b: b}
	n := 0
	for _, pt := range m.Points {
		if p.inside(pt.Lat, pt.Lon) {
			n++
		}
	}
	return n
}

func (m Map) legendItems() []legendItem {
	var items []legendItem
	for _, s := range m.Stops {
		items = append(items, legendItem{'c', s.Colour, s.Label})
	}
	if m.MissingLabel != "" {
		for _, pt := range m.Points {
			if !finite(pt.Value) {
				items = append(items, legendItem{'c', colMissing, m.MissingLabel})
				break
			}
		}
	}
	return items
}

// SVG draws the map. The country's outline is drawn on every map, clipped
// to the bounds, so a border or coast near a city shows too.
func (m Map) SVG(o Options) template.HTML {
	seed := []any{m.Points, m.Stops}
	for _, p := range []any{m.Bounds, m.City, m.Here} {
		seed = append(seed, fmt.Sprintf("%+v", deref(p)))
	}
	r := o.resolve(360, 0, "map", seed...)
	b, zoom := m.bounds()
	const pad = 6.0
	p := projection{b: b, k: math.Cos((b.North + b.South) / 2 * math.Pi / 180)}
	p.mapW = r.w - 2*pad
	p.s = p.mapW / ((b.East - b.West) * p.k)
	p.mapH = (b.North - b.South) * p.s
	items := m.legendItems()
	legendH := legend(nil, r, items, 4, r.w-4, 0)
	if m.LegendTitle != "" && len(items) > 0 {
		legendH += legendRow
	}
	maxH := 1.25 * r.w
	if o.Height > 0 && finite(o.Height) {
		maxH = max(r.h-legendH-3*pad, 40)
	}
	if p.mapH > maxH { // a tall extent: fit the height and centre it
		p.s *= maxH / p.mapH
		p.mapH = maxH
		p.mapW = (b.East - b.West) * p.k * p.s
	}
	p.ox, p.oy = (r.w-p.mapW)/2, pad
	if r.h == 0 {
		r.h = pad + p.mapH + pad + legendH + pad
	}

	var s svg
	role := "img"
	for _, pt := range m.Points {
		if safeHref(pt.Href) != "" {
			role = "group" // an image's children are hidden from screen readers, links too
			break
		}
	}
	s.root(r, "map", r.h, role, "data-points", itoa(m.Marks()))
	clip := r.ID + "-clip"
	s.open("defs")
	s.open("clipPath", "id", clip)
	s.leaf("rect", "x", f(p.ox), "y", f(p.oy), "width", f(p.mapW), "height", f(p.mapH))
	s.close("clipPath")
	s.close("defs")
	s.open("g", "clip-path", "url(#"+clip+")")
	s.leaf("rect", "x", f(p.ox), "y", f(p.oy), "width", f(p.mapW), "height", f(p.mapH), "fill", "#fbfcfd")
	var d strings.Builder
	for _, ring := range iranOutline().Rings {
		for i, q := range ring {
			x, y := p.xy(q[1], q[0])
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString("L")
			}
			d.WriteString(f(x) + " " + f(y))
		}
		d.WriteString("Z")
	}
	if d.Len() > 0 {
		s.leaf("path", "d", d.String(), "fill", colLand, "stroke", colBorder, "stroke-width", "1", "stroke-linejoin", "round", "class", "chart-outline")
	}
	if c := m.City; c != nil && validLatLon(c.Lat, c.Lon) && finite(c.Radius) && c.Radius > 0 {
		x, y := p.xy(c.Lat, c.Lon)
		rad := min(c.Radius, 500e3) / metresPerDegree * p.s
		s.leaf("circle", "cx", f(x), "cy", f(y), "r", f(rad), "fill", "#e6f0f1", "stroke", palette[0], "stroke-width", "1.5", "stroke-dasharray", "6 4", "class", "chart-city")
	}
	s.close("g")
	m.drawPoints(&s, r, p, zoom)
	if c := m.City; c != nil && c.Label != "" && validLatLon(c.Lat, c.Lon) {
		x, y := p.xy(c.Lat, c.Lon)
		rad := min(c.Radius, 500e3) / metresPerDegree * p.s
		ly := max(y-rad-5, p.oy+fontSize+2)
		s.text(x, ly, "middle", fontSize, fit(c.Label, p.mapW-8, fontSize), true, "font-weight", "bold", "fill", palette[0])
	}
	if h := m.Here; h != nil && p.inside(h.Lat, h.Lon) {
		x, y := p.xy(h.Lat, h.Lon)
		s.open("g", "class", "chart-here", "data-here", "true")
		s.title(h.Label)
		s.leaf("circle", "cx", f(x), "cy", f(y), "r", "11", "fill", colHere, "fill-opacity", "0.18")
		s.leaf("circle", "cx", f(x), "cy", f(y), "r", "5.5", "fill", colHere, "stroke", "#fff", "stroke-width", "2")
		if h.Label != "" {
			// Beside the mark on the reading-end side, or the other side
			// when that would leave the map. side is the mark's side of
			// the label: 'l' puts the label to the mark's right.
			tw := textWidth(h.Label, fontSize)
			right := !r.RTL
			if right && x+14+tw > p.ox+p.mapW || !right && x-14-tw < p.ox {
				right = !right
			}
			side, lx := byte('l'), x+14
			if !right {
				side, lx = 'r', x-14
			}
			s.text(lx, y+4, r.anchor(side), fontSize, h.Label, true, "font-weight", "bold", "fill", colHere)
		}
		s.close("g")
	}
	if m.Marks() == 0 && r.NoData != "" {
		s.text(r.w/2, p.oy+p.mapH/2, "middle", fontSize, fit(r.NoData, p.mapW-8, fontSize), true, "fill", colMuted, "data-empty", "true")
	}
	// The legend below the map.
	ly := p.oy + p.mapH + pad + 13
	if m.LegendTitle != "" && len(items) > 0 {
		s.text(r.startX(4, r.w-4), ly, r.anchor(r.startSide()), smallSize, fit(m.LegendTitle, r.w-8, smallSize), false, "font-weight", "bold")
		ly += legendRow
	}
	legend(&s, r, items, 4, r.w-4, ly)
	s.close("svg")
	return s.html()
}

// drawPoints draws the points in rising value, so the worst lie on top.
func (m Map) drawPoints(s *svg, r resolved, p projection, zoom bool) {
	idx := make([]int, 0, len(m.Points))
	for i, pt := range m.Points {
		if p.inside(pt.Lat, pt.Lon) {
			idx = append(idx, i)
		}
	}
	rank := func(v float64) float64 {
		if !finite(v) {
			return math.Inf(-1)
		}
		return v
	}
	sort.SliceStable(idx, func(a, b int) bool { return rank(m.Points[idx[a]].Value) < rank(m.Points[idx[b]].Value) })
	rad := "4.5"
	if zoom {
		rad = "7"
	}
	s.open("g", "class", "chart-points")
	for _, i := range idx {
		pt := m.Points[i]
		x, y := p.xy(pt.Lat, pt.Lon)
		href := safeHref(pt.Href)
		if href != "" {
			s.open("a", "href", href)
		}
		a := []string{"cx", f(x), "cy", f(y), "r", rad, "fill", m.colour(pt.Value), "stroke", "#fff", "stroke-width", "1.2", "data-point", itoa(i)}
		if finite(pt.Value) {
			a = append(a, "data-value", raw(pt.Value))
		} else {
			a = append(a, "data-missing", "true")
		}
		s.open("circle", a...)
		title := pt.Label
		if finite(pt.Value) {
			title = pointTitle(pt.Label, "", false, r.num(pt.Value))
		}
		s.title(title)
		s.close("circle")
		if href != "" {
			s.close("a")
		}
	}
	s.close("g")
}

// Table is a row per point: its label (linked), value and scale step.
func (m Map) Table(o Options) template.HTML {
	r := o.resolve(0, 0, "map")
	head := []string{m.LabelTitle, m.ValueTitle}
	if len(m.Stops) > 0 {
		head = append(head, m.LegendTitle)
	}
	var rows [][]cell
	for _, pt := range m.Points {
		row := []cell{{text: pt.Label, href: pt.Href}, numCell(r, pt.Value)}
		if len(m.Stops) > 0 {
			row = append(row, cell{text: m.stopLabel(pt.Value)})
		}
		rows = append(rows, row)
	}
	return table(r, head, rows)
}

func (m Map) stopLabel(v float64) string {
	if !finite(v) {
		return m.MissingLabel
	}
	for _, s := range m.Stops {
		if v <= s.Upto {
			return s.Label
		}
	}
	return m.Stops[len(m.Stops)-1].Label
}

// safeHref keeps relative and http(s) links; anything else (javascript:,
// data:) is dropped rather than escaped into a live link.
func safeHref(h string) string {
	h = strings.TrimSpace(h)
	if h == "" || clean(h) != h {
		return ""
	}
	u, err := url.Parse(h)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return h
	}
	return ""
}

func deref(p any) any {
	switch v := p.(type) {
	case *Bounds:
		if v != nil {
			return *v
		}
	case *Circle:
		if v != nil {
			return *v
		}
	case *Here:
		if v != nil {
			return *v
		}
	}
	return nil
}
