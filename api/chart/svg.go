package chart

import (
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Colours: the brand teal first, then hues far from it (orange, purple,
// blue); a series is also named in the legend, never by colour alone.
var palette = [...]string{"#0d5c63", "#c05621", "#5b3fa6", "#2b6cb0", "#718096", "#b83280"}

const (
	colInk    = "#1d2433"
	colMuted  = "#5b6577"
	colGrid   = "#e3e7ee"
	colAxis   = "#8a94a6"
	colTarget = "#a4161a"
	fontSize  = 14.0
	smallSize = 12.5
)

func seriesColour(i int, given string) string {
	if given != "" {
		return given
	}
	return palette[i%len(palette)]
}

// svg builds the markup. Every attribute value and text goes through esc.
type svg struct{ b strings.Builder }

// f writes a coordinate: one decimal is finer than any screen needs and
// keeps the output (and the golden files) small.
func f(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

// raw is a value for data-value: as given, so a test can compare it.
func raw(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (s *svg) el(tag string, attrs ...string) {
	s.b.WriteByte('<')
	s.b.WriteString(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		s.b.WriteByte(' ')
		s.b.WriteString(attrs[i])
		s.b.WriteString(`="`)
		s.b.WriteString(esc(attrs[i+1]))
		s.b.WriteByte('"')
	}
}

// open writes <tag attrs...>.
func (s *svg) open(tag string, attrs ...string) { s.el(tag, attrs...); s.b.WriteByte('>') }

// leaf writes <tag attrs.../>. A line per element keeps golden files'
// diffs readable; between elements the newline draws nothing.
func (s *svg) leaf(tag string, attrs ...string) { s.el(tag, attrs...); s.b.WriteString("/>\n") }

func (s *svg) close(tag string) { s.b.WriteString("</" + tag + ">\n") }

// title writes a <title> child: the tooltip and accessible name of a mark.
func (s *svg) title(t string) {
	if t != "" {
		s.b.WriteString("<title>" + esc(t) + "</title>")
	}
}

// text writes a label; halo draws a white outline under it so that it stays
// readable over lines and bars.
func (s *svg) text(x, y float64, anchor string, size float64, content string, halo bool, attrs ...string) {
	a := []string{"x", f(x), "y", f(y), "text-anchor", anchor}
	if size != fontSize {
		a = append(a, "font-size", f(size))
	}
	if halo {
		a = append(a, "stroke", "#fff", "stroke-width", "3", "stroke-linejoin", "round", "paint-order", "stroke")
	}
	s.open("text", append(a, attrs...)...)
	s.b.WriteString(esc(content))
	s.close("text")
}

func (s *svg) html() template.HTML { return template.HTML(s.b.String()) }

// root opens the <svg> with its accessible name and description.
func (s *svg) root(r resolved, kind string, h float64, role string, extra ...string) {
	dir := "ltr"
	if r.RTL {
		dir = "rtl"
	}
	labelled := r.ID + "-t"
	if r.Desc != "" {
		labelled += " " + r.ID + "-d"
	}
	a := []string{"xmlns", "http://www.w3.org/2000/svg", "viewBox", "0 0 " + f(r.w) + " " + f(h),
		"class", "chart chart-" + kind, "role", role, "aria-labelledby", labelled, "data-chart", kind,
		"direction", dir, "font-family", "Vazirmatn, Tahoma, sans-serif", "font-size", f(fontSize), "fill", colInk}
	s.open("svg", append(a, extra...)...)
	s.b.WriteString(`<title id="` + esc(r.ID) + `-t">` + esc(r.Title) + `</title>`)
	if r.Desc != "" {
		s.b.WriteString(`<desc id="` + esc(r.ID) + `-d">` + esc(r.Desc) + `</desc>`)
	}
}

// empty is the whole chart when there is nothing to draw: the caller's
// "no data" words in a frame of the chart's size.
func empty(r resolved, kind string) template.HTML {
	var s svg
	s.root(r, kind, r.h, "img", "data-empty", "true")
	s.leaf("rect", "x", "0.5", "y", "0.5", "width", f(r.w-1), "height", f(r.h-1), "rx", "6", "fill", "#f6f7f9", "stroke", colGrid)
	size := fontSize
	if r.h < 3*fontSize {
		size = max(r.h/2.5, 6)
	}
	s.text(r.w/2, r.h/2+size/3, "middle", size, fit(r.NoData, r.w-8, size), false, "fill", colMuted)
	s.close("svg")
	return s.html()
}

// esc escapes for both HTML and XML, after dropping what XML cannot carry.
func esc(s string) string { return template.HTMLEscapeString(clean(s)) }

// clean drops control characters and invalid UTF-8, which no label needs and
// which would make the SVG ill-formed XML.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if badRune(r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s { // invalid bytes arrive as RuneError and are dropped
		if r != utf8.RuneError && !badRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func badRune(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f ||
		(r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF
}

// textWidth estimates how wide s is drawn at size. No font metrics are at
// hand on the server, so it errs wide: a label judged to fit does fit.
// The factors are Vazirmatn's average advances measured in chromium
// (Persian letters 0.47 em, digits 0.52 to 0.56, Latin 0.50 and 0.63)
// plus a margin.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == ' ':
			w += 0.3
		case r == '\u200c' || r == '\u200e' || r == '\u200f' || unicode.Is(unicode.Mn, r):
		case r == '.', r == ',', r == '٫', r == '٬', r == ':':
			w += 0.32
		case r >= '0' && r <= '9', r >= '۰' && r <= '۹':
			w += 0.58
		case r >= 'a' && r <= 'z':
			w += 0.53
		case r < 0x80:
			w += 0.67
		default:
			w += 0.52
		}
	}
	return w * size
}

// fit shortens s with an ellipsis until it is judged to fit in width.
func fit(s string, width, size float64) string {
	s = clean(s)
	if textWidth(s, size) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && textWidth(string(rs)+"…", size) > width {
		rs = rs[:len(rs)-1]
	}
	return strings.TrimSpace(string(rs)) + "…"
}

func itoa(i int) string { return strconv.Itoa(i) }
