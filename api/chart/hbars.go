package chart

import (
	"html/template"
	"math"
)

// Criterion is one row of an HBarChart: a score with, when known, the
// peers' median and best, and the caller's note (weight and contribution).
type Criterion struct {
	Label string
	Score float64 // NaN: no score
	Peers *Peers  // nil: no markers
	Note  string
}

// Peers are the markers drawn over a criterion's bar; NaN omits one.
type Peers struct{ Median, Best float64 }

// HBarChart is a horizontal bar per criterion on a 0..Max scale (the
// ranking's explanation): label and score above each bar, the note below.
type HBarChart struct {
	Rows        []Criterion
	Max         float64 // the scale's end; 0 is 100
	MedianLabel string  // legend word for the peers' median marker
	BestLabel   string  // legend word for the best marker
	// The table's headers.
	LabelTitle, ValueTitle, NoteTitle string
}

const colTrack, colMedian, colBest = "#e3e7ee", "#1d2433", "#c05621"

func (c HBarChart) max() float64 {
	if c.Max > 0 && finite(c.Max) {
		return c.Max
	}
	return 100
}

// Marks is how many bars the SVG draws: the finite scores.
func (c HBarChart) Marks() int {
	m := 0
	for _, row := range c.Rows {
		if finite(row.Score) {
			m++
		}
	}
	return m
}

func (c HBarChart) rowHeight(row Criterion) float64 {
	if row.Note != "" {
		return 64
	}
	return 46
}

// SVG draws the rows; with no row it draws o.NoData. Its height follows
// the rows unless o.Height is set.
func (c HBarChart) SVG(o Options) template.HTML {
	seed := make([]any, 0, len(c.Rows))
	for _, row := range c.Rows {
		seed = append(seed, row.Label, row.Score, row.Note)
		if row.Peers != nil {
			seed = append(seed, *row.Peers)
		}
	}
	r := o.resolve(360, 0, "hbars", seed...)
	if len(c.Rows) == 0 {
		if r.h == 0 {
			r.h = 80
		}
		return empty(r, "hbars")
	}
	var items []legendItem
	if c.MedianLabel != "" {
		items = append(items, legendItem{'m', colMedian, c.MedianLabel})
	}
	if c.BestLabel != "" {
		items = append(items, legendItem{'k', colBest, c.BestLabel})
	}
	y := legend(nil, r, items, 4, r.w-4, 0) + 4
	if len(items) == 0 {
		y = 0
	}
	h := y
	for _, row := range c.Rows {
		h += c.rowHeight(row)
	}
	if r.h == 0 {
		r.h = h
	}
	var s svg
	s.root(r, "hbars", r.h, "img", "data-bars", itoa(c.Marks()))
	legend(&s, r, items, 4, r.w-4, 13)
	// The track is inset so that a best marker at either end is whole.
	x0, x1 := 8.0, r.w-8
	scale := (x1 - x0) / c.max()
	// pos is where a score falls on the track, from the reading start.
	pos := func(v float64) float64 {
		d := min(max(clampDraw(v), 0), c.max()) * scale
		if r.RTL {
			return x1 - d
		}
		return x0 + d
	}
	for i, row := range c.Rows {
		s.open("g", "class", "chart-row")
		score := "—"
		if finite(row.Score) {
			score = r.num(row.Score)
		}
		scoreW := textWidth(score, fontSize) + 4
		s.text(r.startX(x0, x1), y+15, r.anchor(r.startSide()), fontSize, fit(row.Label, x1-x0-scoreW-8, fontSize), false)
		s.text(r.endX(x0, x1), y+15, r.anchor(r.endSide()), fontSize, score, false, "font-weight", "bold")
		ty := y + 22
		s.leaf("rect", "x", f(x0), "y", f(ty), "width", f(x1-x0), "height", "12", "rx", "2", "fill", colTrack)
		if finite(row.Score) {
			a, b := pos(0), pos(row.Score)
			s.open("rect", "x", f(math.Min(a, b)), "y", f(ty), "width", f(math.Max(math.Abs(b-a), 1)), "height", "12", "rx", "2",
				"fill", palette[0], "data-bar", itoa(i), "data-value", raw(row.Score))
			s.title(pointTitle(row.Label, "", false, score))
			s.close("rect")
		}
		if p := row.Peers; p != nil {
			if finite(p.Median) {
				s.open("rect", "x", f(pos(p.Median)-1.25), "y", f(ty-3), "width", "2.5", "height", "18", "fill", colMedian, "data-median", raw(p.Median))
				s.title(pointTitle(c.MedianLabel, "", false, r.num(p.Median)))
				s.close("rect")
			}
			if finite(p.Best) {
				s.open("g", "data-best", raw(p.Best))
				s.title(pointTitle(c.BestLabel, "", false, r.num(p.Best)))
				diamond(&s, pos(p.Best), ty+6, 6, colBest)
				s.close("g")
			}
		}
		if row.Note != "" {
			s.text(r.startX(x0, x1), ty+29, r.anchor(r.startSide()), smallSize, fit(row.Note, x1-x0, smallSize), false, "fill", colMuted)
		}
		s.close("g")
		y += c.rowHeight(row)
	}
	s.close("svg")
	return s.html()
}
