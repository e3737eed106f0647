package chart

import "math"

// legendItem is one entry of a legend: a swatch of a kind and its words.
type legendItem struct {
	kind   byte // 'l' line, 'd' dashed line, 'b' box, 'B' translucent box, 'c' circle, 'm' marker bar, 'k' diamond
	colour string
	label  string
}

const (
	legendRow    = 17.0
	legendSwatch = 14.0
)

// legend lays the items out from the reading start of [x0, x1], wrapping
// rows, with the first row's baseline at y. It draws when s is not nil and
// returns the height used.
func legend(s *svg, r resolved, items []legendItem, x0, x1, y float64) float64 {
	if len(items) == 0 {
		return 0
	}
	cur, rows := r.startX(x0, x1), 1
	for _, it := range items {
		tw := min(textWidth(it.label, smallSize), x1-x0-legendSwatch-4)
		need := legendSwatch + 4 + tw
		left := cur - x0
		if !r.RTL {
			left = x1 - cur
		}
		if need > left && cur != r.startX(x0, x1) {
			rows++
			cur = r.startX(x0, x1)
		}
		if s != nil {
			yy := y + float64(rows-1)*legendRow
			sx := cur // swatch's left edge
			tx := cur + legendSwatch + 4
			if r.RTL {
				sx = cur - legendSwatch
				tx = cur - legendSwatch - 4
			}
			swatch(s, it, sx, yy-4)
			s.text(tx, yy, r.anchor(r.startSide()), smallSize, fit(it.label, tw+1, smallSize), false)
		}
		if r.RTL {
			cur -= need + 12
		} else {
			cur += need + 12
		}
	}
	return float64(rows) * legendRow
}

// swatch draws a legend swatch whose left edge is x, centred on y.
func swatch(s *svg, it legendItem, x, y float64) {
	c := it.colour
	switch it.kind {
	case 'l':
		s.leaf("line", "x1", f(x), "y1", f(y), "x2", f(x+legendSwatch), "y2", f(y), "stroke", c, "stroke-width", "2.5")
	case 'd':
		s.leaf("line", "x1", f(x), "y1", f(y), "x2", f(x+legendSwatch), "y2", f(y), "stroke", c, "stroke-width", "2", "stroke-dasharray", "4 2")
	case 'b':
		s.leaf("rect", "x", f(x), "y", f(y-5), "width", f(legendSwatch), "height", "10", "fill", c)
	case 'B':
		s.leaf("rect", "x", f(x), "y", f(y-5), "width", f(legendSwatch), "height", "10", "fill", c, "fill-opacity", "0.3")
	case 'c':
		s.leaf("circle", "cx", f(x+legendSwatch/2), "cy", f(y), "r", "4.5", "fill", c, "stroke", "#fff")
	case 'm':
		s.leaf("rect", "x", f(x+legendSwatch/2-1), "y", f(y-6), "width", "2.5", "height", "12", "fill", c)
	case 'k':
		diamond(s, x+legendSwatch/2, y, 5, c)
	}
}

func diamond(s *svg, x, y, r float64, c string, attrs ...string) {
	pts := f(x) + "," + f(y-r) + " " + f(x+r) + "," + f(y) + " " + f(x) + "," + f(y+r) + " " + f(x-r) + "," + f(y)
	s.leaf("polygon", append([]string{"points", pts, "fill", c, "stroke", "#fff", "stroke-width", "1"}, attrs...)...)
}

// frame is the plot area of a chart with categories along x and values up y.
type frame struct {
	r              resolved
	x0, x1, y0, y1 float64 // plot area; y0 is the top
	lo, hi         float64
	ticks          []float64
	tickLabels     []string
	n              int
	labels         []string
	unit           string
	every          int  // draw every n-th category label
	stagger        bool // alternate the labels over two rows
	fixed          bool // the caller fixed [lo, hi]: keep it exactly
}

const (
	xLabelRow = 16.0
	gap       = 6.0
	// staggerMax is the most categories whose labels are staggered over
	// two rows rather than thinned: a few words (weekdays, months) all
	// deserve a place; a long run of numbers (hours, days) reads well
	// with every other one.
	staggerMax = 12
)

// newFrame fits the plot below top (the legend), the value axis labels
// beside it (on the left, or on the right for right-to-left) and the
// category labels under it.
func newFrame(r resolved, labels []string, n int, lo, hi float64, fixed bool, top float64, unit string) frame {
	fr := frame{r: r, n: max(n, 1), labels: labels, unit: unit, y0: top + 6, every: 1, fixed: fixed}
	if top > 0 {
		fr.y0 += 4 // the top tick label clear of the legend
	}
	if unit != "" {
		fr.y0 += legendRow
	}
	fr.place(lo, hi, 1)
	widest := 0.0
	for _, l := range labels {
		widest = max(widest, textWidth(l, smallSize))
	}
	fr.every = max(1, int(math.Ceil((widest+6)/fr.slot())))
	if fr.every == 2 && fr.n <= staggerMax {
		fr.every, fr.stagger = 1, true
		fr.place(lo, hi, 2)
	}
	return fr
}

// place sets the plot's bottom for rows of category labels, the ticks for
// that height, and the sides for the widest tick label.
func (fr *frame) place(lo, hi float64, rows int) {
	r := fr.r
	fr.y1 = max(r.h-6-float64(rows)*xLabelRow, fr.y0+20)
	count := int(math.Max(2, math.Min(6, (fr.y1-fr.y0)/36)))
	if fr.fixed {
		fr.ticks, fr.lo, fr.hi = exactTicks(lo, hi, count)
	} else {
		fr.ticks, fr.lo, fr.hi = niceTicks(lo, hi, count)
	}
	fr.tickLabels = fr.tickLabels[:0]
	labelW, prev := 0.0, ""
	for _, t := range fr.ticks {
		l := r.num(t)
		if l == prev {
			l = "" // a formatter too coarse for the step: show each label once
		} else {
			prev = l
		}
		fr.tickLabels = append(fr.tickLabels, l)
		labelW = max(labelW, textWidth(l, smallSize))
	}
	labelW = min(max(labelW, textWidth(fr.unit, smallSize)-gap), r.w/3)
	if r.RTL {
		fr.x0, fr.x1 = gap, r.w-4-labelW-gap
	} else {
		fr.x0, fr.x1 = 4+labelW+gap, r.w-gap
	}
}

func (fr frame) y(v float64) float64 {
	v = clampDraw(v)
	return fr.y1 - (v-fr.lo)/(fr.hi-fr.lo)*(fr.y1-fr.y0)
}

func (fr frame) slot() float64 { return (fr.x1 - fr.x0) / float64(fr.n) }

// x is the centre of category i: from the left, or from the right for RTL.
func (fr frame) x(i int) float64 {
	if fr.r.RTL {
		return fr.x1 - (float64(i)+0.5)*fr.slot()
	}
	return fr.x0 + (float64(i)+0.5)*fr.slot()
}

// axes draws the grid, the value labels, the unit and the category labels.
func (fr frame) axes(s *svg) {
	r := fr.r
	s.open("g", "class", "chart-axis", "fill", colMuted)
	labelX, side := fr.x0-gap, byte('r')
	if r.RTL {
		labelX, side = fr.x1+gap, 'l'
	}
	if len(fr.ticks) == 0 || fr.ticks[0] != fr.lo {
		s.leaf("line", "x1", f(fr.x0), "y1", f(fr.y1), "x2", f(fr.x1), "y2", f(fr.y1), "stroke", colAxis, "stroke-width", "1")
	}
	for i, t := range fr.ticks {
		y := fr.y(t)
		stroke := colGrid
		if t == 0 || t == fr.lo {
			stroke = colAxis
		}
		s.leaf("line", "x1", f(fr.x0), "y1", f(y), "x2", f(fr.x1), "y2", f(y), "stroke", stroke, "stroke-width", "1")
		if fr.tickLabels[i] != "" {
			s.text(labelX, y+4, r.anchor(side), smallSize, fr.tickLabels[i], false)
		}
	}
	if fr.unit != "" {
		ux := 4.0
		if r.RTL {
			ux = r.w - 4
		}
		s.text(ux, fr.y0-10, r.anchor(r.startSide()), smallSize, fit(fr.unit, r.w/2, smallSize), false)
	}
	room := fr.slot()*float64(fr.every) - 4
	if fr.stagger {
		room = 2*fr.slot() - 4
	}
	for i := 0; i < fr.n && i < len(fr.labels); i += fr.every {
		l := fit(fr.labels[i], room, smallSize)
		// Keep an edge label inside the drawing.
		half := textWidth(l, smallSize) / 2
		x := min(max(fr.x(i), half+2), r.w-half-2)
		y := fr.y1 + 15
		if fr.stagger && i%2 == 1 {
			y += xLabelRow
		}
		s.text(x, y, "middle", smallSize, l, false)
	}
	s.close("g")
}
