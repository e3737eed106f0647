package chart

import (
	"html/template"
	"strings"
)

// Series is one line: a value per category, NaN where there is none.
type Series struct {
	Name   string
	Values []float64
	Colour string // empty takes the palette's next colour
}

// Target is a horizontal reference line; its label is drawn with the
// formatted value after it ("target 30").
type Target struct {
	Value float64
	Label string
}

// Band shades an interval per category (such as a confidence interval)
// behind the lines.
type Band struct {
	Low, High []float64
	Label     string
}

// LineChart is one or more series over labelled categories (days, months,
// runs).
type LineChart struct {
	Labels []string // one per category, in time order
	Series []Series
	Target *Target
	Band   *Band
	Unit   string // the value axis' unit, drawn above it
	XTitle string // the category column's header in the table
	// Min and Max fix the value axis when Max > Min (data outside still
	// widens it); otherwise it spans zero and the data.
	Min, Max float64
}

func (c LineChart) n() int {
	n := len(c.Labels)
	for _, s := range c.Series {
		n = max(n, len(s.Values))
	}
	return n
}

// Marks is how many points the SVG draws: the finite values.
func (c LineChart) Marks() int {
	m := 0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if finite(v) {
				m++
			}
		}
	}
	return m
}

// domain is the value axis' range; fixed when the caller's Min and Max
// hold everything drawn.
func (c LineChart) domain() (lo, hi float64, fixed, ok bool) {
	lists := make([][]float64, 0, len(c.Series)+2)
	for _, s := range c.Series {
		lists = append(lists, s.Values)
	}
	lo, hi, ok = extent(lists...)
	if !ok {
		return 0, 0, false, false
	}
	if c.Band != nil {
		blo, bhi, bok := extent(c.Band.Low, c.Band.High)
		if bok {
			lo, hi = min(lo, blo), max(hi, bhi)
		}
	}
	if c.Target != nil && finite(c.Target.Value) {
		t := clampDraw(c.Target.Value)
		lo, hi = min(lo, t), max(hi, t)
	}
	if c.Max > c.Min && finite(c.Min) && finite(c.Max) {
		return min(lo, c.Min), max(hi, c.Max), lo >= c.Min && hi <= c.Max, true
	}
	return min(lo, 0), max(hi, 0), false, true
}

// SVG draws the chart; with no finite value it draws o.NoData.
func (c LineChart) SVG(o Options) template.HTML {
	r := o.resolve(360, 240, "line", c.Labels, c.Series)
	lo, hi, fixed, ok := c.domain()
	if !ok {
		return empty(r, "line")
	}
	var items []legendItem
	if len(c.Series) > 1 || c.Band != nil {
		for i, s := range c.Series {
			items = append(items, legendItem{'l', seriesColour(i, s.Colour), s.Name})
		}
	}
	if c.Band != nil && c.Band.Label != "" {
		items = append(items, legendItem{'B', bandColour(c), c.Band.Label})
	}
	top := legend(nil, r, items, 4, r.w-4, 0)
	n := c.n()
	fr := newFrame(r, c.Labels, n, lo, hi, fixed, top, c.Unit)

	var s svg
	s.root(r, "line", r.h, "img", "data-points", itoa(c.Marks()))
	legend(&s, r, items, 4, r.w-4, 13)
	fr.axes(&s)
	if c.Band != nil {
		c.drawBand(&s, fr)
	}
	if c.Target != nil && finite(c.Target.Value) {
		drawTarget(&s, fr, *c.Target, c.lineBoxes(fr))
	}
	for k, se := range c.Series {
		col := seriesColour(k, se.Colour)
		// The line breaks where a value is missing.
		var d strings.Builder
		pen := false
		for i := range n {
			v := at(se.Values, i)
			if !finite(v) {
				pen = false
				continue
			}
			if pen {
				d.WriteString(" L")
			} else {
				d.WriteString(" M")
			}
			d.WriteString(f(fr.x(i)) + " " + f(fr.y(v)))
			pen = true
		}
		s.open("g", "class", "chart-series", "data-series", itoa(k))
		if d.Len() > 0 {
			s.leaf("path", "d", strings.TrimSpace(d.String()), "fill", "none", "stroke", col, "stroke-width", "2.2", "stroke-linejoin", "round", "stroke-linecap", "round")
		}
		// Dots help up to a month of days; past that they bead the line,
		// so they stay as invisible targets for the tooltips.
		dot := []string{"r", "3", "fill", col, "stroke", "#fff", "stroke-width", "1"}
		switch {
		case n > 60:
			dot = []string{"r", "3", "fill", col, "fill-opacity", "0"}
		case n > 40:
			dot[1] = "2"
		}
		for i := range n {
			v := at(se.Values, i)
			if !finite(v) {
				continue
			}
			s.open("circle", append([]string{"cx", f(fr.x(i)), "cy", f(fr.y(v))}, append(dot, "data-point", itoa(i), "data-value", raw(v))...)...)
			s.title(pointTitle(label(c.Labels, i), se.Name, len(c.Series) > 1, r.num(v)))
			s.close("circle")
		}
		s.close("g")
	}
	s.close("svg")
	return s.html()
}

func bandColour(c LineChart) string {
	if len(c.Series) > 0 {
		return seriesColour(0, c.Series[0].Colour)
	}
	return palette[0]
}

// drawBand shades each run of categories where both ends are known.
func (c LineChart) drawBand(s *svg, fr frame) {
	var upper, lower []string
	flush := func() {
		if len(upper) > 0 {
			for i := len(lower) - 1; i >= 0; i-- {
				upper = append(upper, lower[i])
			}
			s.leaf("polygon", "points", strings.Join(upper, " "), "fill", bandColour(c), "fill-opacity", "0.2", "class", "chart-band")
		}
		upper, lower = upper[:0], lower[:0]
	}
	for i := range fr.n {
		lo, hi := at(c.Band.Low, i), at(c.Band.High, i)
		if !finite(lo) || !finite(hi) {
			flush()
			continue
		}
		x := f(fr.x(i))
		upper = append(upper, x+","+f(fr.y(max(lo, hi))))
		lower = append(lower, x+","+f(fr.y(min(lo, hi))))
	}
	flush()
}

// box is a rectangle of the drawing, for keeping labels off the data.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) hits(o box) bool { return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1 }

// drawTarget draws the dashed target line with its label: at the reading
// end above the line, unless the data lie there; then below it, then at the
// reading start.
func drawTarget(s *svg, fr frame, t Target, data []box) {
	r := fr.r
	y := fr.y(t.Value)
	s.open("g", "class", "chart-target", "data-target", raw(t.Value))
	s.leaf("line", "x1", f(fr.x0), "y1", f(y), "x2", f(fr.x1), "y2", f(y), "stroke", colTarget, "stroke-width", "1.5", "stroke-dasharray", "5 3")
	text := r.num(t.Value)
	if t.Label != "" {
		text = t.Label + " " + text
	}
	text = fit(text, (fr.x1-fr.x0)/2, smallSize)
	tw := textWidth(text, smallSize)
	type spot struct {
		x    float64
		side byte
		ly   float64
	}
	var spots []spot
	for _, side := range []byte{r.endSide(), r.startSide()} {
		x := fr.x1 - 2
		if side == 'l' {
			x = fr.x0 + 2
		}
		for _, ly := range []float64{y - 4, y + smallSize + 2} {
			if ly-smallSize >= fr.y0-6 && ly+3 <= fr.y1 {
				spots = append(spots, spot{x, side, ly})
			}
		}
	}
	best := spot{fr.x1 - 2, 'r', y - 4}
	if len(spots) > 0 {
		best = spots[0]
	}
	for _, sp := range spots {
		b := box{sp.x - tw, sp.ly - smallSize*0.8, sp.x, sp.ly + 3}
		if sp.side == 'l' {
			b.x0, b.x1 = sp.x, sp.x+tw
		}
		clear := true
		for _, d := range data {
			if b.hits(d) {
				clear = false
				break
			}
		}
		if clear {
			best = sp
			break
		}
	}
	s.text(best.x, best.ly, r.anchor(best.side), smallSize, text, true, "fill", colTarget)
	s.close("g")
}

// lineBoxes are the places a line chart's data occupy: its points and
// points along each segment.
func (c LineChart) lineBoxes(fr frame) []box {
	var out []box
	for _, se := range c.Series {
		px, py, pen := 0.0, 0.0, false
		for i := range fr.n {
			v := at(se.Values, i)
			if !finite(v) {
				pen = false
				continue
			}
			x, y := fr.x(i), fr.y(v)
			if pen {
				for k := 1; k < 4; k++ {
					u := float64(k) / 4
					mx, my := px+(x-px)*u, py+(y-py)*u
					out = append(out, box{mx - 2, my - 2, mx + 2, my + 2})
				}
			}
			out = append(out, box{x - 3, y - 3, x + 3, y + 3})
			px, py, pen = x, y, true
		}
	}
	return out
}

func label(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}

// pointTitle is the tooltip of a mark: "label: value", with the series'
// name when there are several.
func pointTitle(cat, series string, named bool, value string) string {
	var b strings.Builder
	b.WriteString(cat)
	if named && series != "" {
		if b.Len() > 0 {
			b.WriteString(" — ")
		}
		b.WriteString(series)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(value)
	return b.String()
}
