package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
)

// Options are what every kind of chart shares. The zero value draws a
// left-to-right chart with Persian digits and the kind's default size.
type Options struct {
	// Width and Height are the viewBox in user units; the SVG scales to
	// the width of its container. Zero takes the kind's default (360 wide),
	// which keeps 12-unit text readable on a 390 px phone.
	Width, Height float64
	// RTL runs the category axis from right to left (first point on the
	// right), puts the value axis on the right and mirrors text anchors.
	RTL bool
	// Format writes every number a person reads; nil is Persian(1).
	Format func(float64) string
	// Title and Desc name and describe the chart for screen readers (the
	// title is also the table's caption).
	Title, Desc string
	// NoData is drawn instead of a chart when there is nothing to draw.
	NoData string
	// ID prefixes the ids inside the SVG; empty derives one from the
	// content, so two different charts on one page do not clash.
	ID string
}

// ForLang is Options for a page language: "en" is left to right with ASCII
// digits, anything else Persian, right to left, with Persian digits.
func ForLang(lang string) Options {
	if lang == "en" {
		return Options{Format: Latin(1)}
	}
	return Options{RTL: true, Format: Persian(1)}
}

// Chart is what every kind offers: the drawing, the same figures as a
// table, and how many values the drawing marks.
type Chart interface {
	SVG(Options) template.HTML
	Table(Options) template.HTML
	Marks() int
}

// Figure is the chart followed by its table inside a <details> whose
// summary is the caller's words ("show as table"). With nothing drawn the
// chart's "no data" is the whole figure.
func Figure(c Chart, o Options, summary string) template.HTML {
	if c.Marks() == 0 {
		return template.HTML(`<figure class="chart-figure">` + string(c.SVG(o)) + `</figure>`)
	}
	return template.HTML(`<figure class="chart-figure">` + string(c.SVG(o)) +
		`<details class="chart-details"><summary>` + esc(summary) + `</summary>` +
		string(c.Table(o)) + `</details></figure>`)
}

// resolved is Options with its defaults filled in.
type resolved struct {
	Options
	w, h float64
}

func (o Options) resolve(w, h float64, kind string, seed ...any) resolved {
	r := resolved{Options: o, w: w, h: h}
	if o.Width > 0 && !math.IsInf(o.Width, 0) {
		r.w = min(o.Width, 4000)
	}
	if o.Height > 0 && !math.IsInf(o.Height, 0) {
		r.h = min(o.Height, 4000)
	}
	if r.Format == nil {
		r.Format = Persian(1)
	}
	if r.ID == "" {
		f := fnv.New32a()
		fmt.Fprint(f, kind, o.Title, o.Desc, seed)
		r.ID = fmt.Sprintf("ch%08x", f.Sum32())
	}
	return r
}

// num formats a value for a person.
func (r resolved) num(v float64) string { return r.Format(v) }

// anchor turns a physical alignment into text-anchor under the SVG's
// direction: 'l' means x is the text's left edge, 'r' its right edge.
func (r resolved) anchor(side byte) string {
	switch {
	case side == 'm':
		return "middle"
	case (side == 'l') != r.RTL:
		return "start"
	default:
		return "end"
	}
}

// startX and endX are the reading start and end of a horizontal span.
func (r resolved) startX(x0, x1 float64) float64 {
	if r.RTL {
		return x1
	}
	return x0
}

func (r resolved) endX(x0, x1 float64) float64 {
	if r.RTL {
		return x0
	}
	return x1
}

// startSide is the physical side where reading starts.
func (r resolved) startSide() byte {
	if r.RTL {
		return 'r'
	}
	return 'l'
}

func (r resolved) endSide() byte {
	if r.RTL {
		return 'l'
	}
	return 'r'
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// at is the i-th value, NaN past the end.
func at(vs []float64, i int) float64 {
	if i < len(vs) {
		return vs[i]
	}
	return math.NaN()
}

// clampDraw keeps absurd finite values from overflowing the scale maths;
// data-value still carries the value as given.
func clampDraw(v float64) float64 { return min(max(v, -1e15), 1e15) }
