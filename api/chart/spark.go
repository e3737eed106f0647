package chart

import (
	"html/template"
	"strings"
)

// Sparkline is a small line without axes, to sit beside a figure.
type Sparkline struct {
	Values []float64
	Labels []string // optional; the points' tooltips and the table's rows
	// Min and Max fix the vertical range when Max > Min; otherwise it is
	// the data's own.
	Min, Max   float64
	XTitle     string // the table's category header
	ValueTitle string // the table's value header
	Colour     string
}

// Marks is how many points the SVG draws: the finite values.
func (c Sparkline) Marks() int { return LineChart{Series: []Series{{Values: c.Values}}}.Marks() }

// SVG draws the line, 120 by 32 by default, first value at the reading
// start, with the last value stressed.
func (c Sparkline) SVG(o Options) template.HTML {
	r := o.resolve(120, 32, "spark", c.Values, c.Labels)
	lo, hi, ok := extent(c.Values)
	if !ok {
		return empty(r, "spark")
	}
	if c.Max > c.Min && finite(c.Min) && finite(c.Max) {
		lo, hi = min(lo, c.Min), max(hi, c.Max)
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	const pad = 3.0
	n := len(c.Values)
	x := func(i int) float64 {
		d := (r.w - 2*pad) / 2
		if n > 1 {
			d = float64(i) * (r.w - 2*pad) / float64(n-1)
		}
		if r.RTL {
			return r.w - pad - d
		}
		return pad + d
	}
	y := func(v float64) float64 { return pad + (hi-clampDraw(v))/(hi-lo)*(r.h-2*pad) }
	col := seriesColour(0, c.Colour)

	var s svg
	s.root(r, "spark", r.h, "img", "data-points", itoa(c.Marks()))
	var d strings.Builder
	pen, last := false, -1
	for i, v := range c.Values {
		if !finite(v) {
			pen = false
			continue
		}
		if pen {
			d.WriteString(" L")
		} else {
			d.WriteString(" M")
		}
		d.WriteString(f(x(i)) + " " + f(y(v)))
		pen, last = true, i
	}
	s.leaf("path", "d", strings.TrimSpace(d.String()), "fill", "none", "stroke", col, "stroke-width", "1.5", "stroke-linejoin", "round")
	for i, v := range c.Values {
		if !finite(v) {
			continue
		}
		rad := "1"
		if i == last {
			rad = "2.5"
		}
		s.open("circle", "cx", f(x(i)), "cy", f(y(v)), "r", rad, "fill", col, "data-point", itoa(i), "data-value", raw(v))
		s.title(pointTitle(label(c.Labels, i), "", false, r.num(v)))
		s.close("circle")
	}
	s.close("svg")
	return s.html()
}
