package chart

import (
	"html/template"
	"sort"
)

const colBar, colBarHigh = "#8fbfc4", "#0d5c63"

// BarChart is one value per category drawn as vertical bars: the wait by
// hour of day, the arrivals by weekday.
type BarChart struct {
	Labels []string
	Values []float64 // NaN where there is no value
	// Highlight draws the Highlight largest positive values in the strong
	// colour (the busy hours), named HighlightLabel in the legend.
	Highlight      int
	HighlightLabel string
	Target         *Target
	Unit           string
	XTitle         string // the table's category header
	ValueTitle     string // the table's value header
	Min, Max       float64
}

func (c BarChart) n() int { return max(len(c.Labels), len(c.Values)) }

// Marks is how many bars the SVG draws: the finite values.
func (c BarChart) Marks() int {
	m := 0
	for _, v := range c.Values {
		if finite(v) {
			m++
		}
	}
	return m
}

// highlighted reports, per category, whether it is one of the largest.
func (c BarChart) highlighted() []bool {
	hl := make([]bool, c.n())
	if c.Highlight <= 0 {
		return hl
	}
	var idx []int
	for i, v := range c.Values {
		if finite(v) && v > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.Values[idx[a]] > c.Values[idx[b]] })
	for _, i := range idx[:min(c.Highlight, len(idx))] {
		hl[i] = true
	}
	return hl
}

// SVG draws the bars; with no finite value it draws o.NoData.
func (c BarChart) SVG(o Options) template.HTML {
	r := o.resolve(360, 220, "bars", c.Labels, c.Values)
	lo, hi, ok := extent(c.Values)
	if !ok {
		return empty(r, "bars")
	}
	if c.Target != nil && finite(c.Target.Value) {
		t := clampDraw(c.Target.Value)
		lo, hi = min(lo, t), max(hi, t)
	}
	lo, hi = min(lo, 0), max(hi, 0) // bars stand on zero
	fixed := false
	if c.Max > c.Min && finite(c.Min) && finite(c.Max) {
		fixed = lo >= c.Min && hi <= c.Max && c.Min <= 0
		lo, hi = min(lo, c.Min), max(hi, c.Max)
	}
	hl := c.highlighted()
	var items []legendItem
	if c.Highlight > 0 && c.HighlightLabel != "" {
		items = append(items, legendItem{'b', colBarHigh, c.HighlightLabel})
	}
	top := legend(nil, r, items, 4, r.w-4, 0)
	fr := newFrame(r, c.Labels, c.n(), lo, hi, fixed, top, c.Unit)

	var s svg
	s.root(r, "bars", r.h, "img", "data-bars", itoa(c.Marks()))
	legend(&s, r, items, 4, r.w-4, 13)
	fr.axes(&s)
	bw := max(fr.slot()*0.72, 1)
	zero := fr.y(0)
	s.open("g", "class", "chart-bars")
	var boxes []box
	for i := range fr.n {
		v := at(c.Values, i)
		if !finite(v) {
			continue
		}
		y, h := fr.y(v), zero-fr.y(v)
		if h < 0 {
			y, h = zero, -h
		}
		h = max(h, 1) // a zero is a sliver, not a gap that reads as missing
		if v >= 0 && h == 1 {
			y = zero - 1
		}
		col := colBar
		if hl[i] {
			col = colBarHigh
		}
		a := []string{"x", f(fr.x(i) - bw/2), "y", f(y), "width", f(bw), "height", f(h), "fill", col,
			"data-bar", itoa(i), "data-value", raw(v)}
		if hl[i] {
			a = append(a, "data-highlight", "true")
		}
		boxes = append(boxes, box{fr.x(i) - bw/2, y, fr.x(i) + bw/2, y + h})
		s.open("rect", a...)
		s.title(pointTitle(label(c.Labels, i), "", false, r.num(v)))
		s.close("rect")
	}
	s.close("g")
	if c.Target != nil && finite(c.Target.Value) {
		drawTarget(&s, fr, *c.Target, boxes)
	}
	s.close("svg")
	return s.html()
}
