package chart_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/api/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// words holds every word a test chart shows, per language: the package
// bakes in none.
type words map[string]string

var fa = words{
	"title": "انتظار بر حسب ساعت", "desc": "میانگین انتظار در هر ساعت روز", "nodata": "داده‌ای نیست",
	"busy": "ساعت‌های شلوغ", "min": "دقیقه", "hour": "ساعت", "wait": "انتظار", "target": "هدف",
	"p90": "صدک ۹۰", "median": "میانه", "day": "روز", "band": "بازه اطمینان", "peer": "میانه همتایان",
	"best": "بهترین", "criterion": "معیار", "score": "امتیاز", "note": "وزن و سهم", "office": "دفتر",
	"under": "کمتر از ۱۵", "mid": "۱۵ تا ۳۰", "over": "بیش از ۳۰", "missing": "بدون داده", "here": "شما اینجا هستید",
	"city": "تهران", "c1": "رضایت", "c2": "زمان انتظار", "c3": "شکایت‌ها", "c4": "رعایت ضوابط", "n1": "وزن ۳۰٪ · سهم ۲۴٫۸",
}

var en = words{
	"title": "Wait by hour", "desc": "Mean wait per hour of day", "nodata": "No data",
	"busy": "Busy hours", "min": "minutes", "hour": "Hour", "wait": "Wait", "target": "target",
	"p90": "p90", "median": "median", "day": "Day", "band": "95% interval", "peer": "peer median",
	"best": "best", "criterion": "Criterion", "score": "Score", "note": "Weight and contribution", "office": "Office",
	"under": "under 15", "mid": "15 to 30", "over": "over 30", "missing": "no data", "here": "You are here",
	"city": "Tehran", "c1": "Satisfaction", "c2": "Waiting", "c3": "Complaints", "c4": "Compliance", "n1": "weight 30% · contribution 24.8",
}

func opts(lang string, w words) chart.Options {
	o := chart.ForLang(lang)
	o.Title, o.Desc, o.NoData = w["title"], w["desc"], w["nodata"]
	return o
}

func nums(persian bool, from, to int, suffix string) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, chart.FormatNumber(float64(i), 0, persian)+suffix)
	}
	return out
}

var nan = math.NaN()

// kinds are the charts under test, each with its data's length.
func kinds(lang string) []struct {
	name  string
	c     chart.Chart
	marks int
} {
	w, persian := en, lang == "fa"
	if persian {
		w = fa
	}
	hours := []float64{nan, nan, nan, nan, nan, nan, nan, 4, 12.5, 28, 35.25, 31, 22, 18, 20, 26, 24, 15, 9, 3, 0, nan, nan, nan}
	daily := []float64{22, 25, 31, 40.5, 38, 29, 27, nan, 24, 33, 36, 30, 28, 26}
	median := []float64{11, 12, 14, 17, 16, 13, 12, 12, 11, 15, 16, 14, 13, 12}
	lo, hi := make([]float64, len(daily)), make([]float64, len(daily))
	for i, v := range daily {
		lo[i], hi[i] = v-5, v+4
	}
	stops := []chart.Stop{{Upto: 15, Colour: chart.Sequential(3)[0], Label: w["under"]}, {Upto: 30, Colour: chart.Sequential(3)[1], Label: w["mid"]},
		{Upto: math.Inf(1), Colour: chart.Sequential(3)[2], Label: w["over"]}}
	var pts []chart.Point
	for i, c := range [][2]float64{{35.69, 51.39}, {36.30, 59.60}, {32.65, 51.67}, {29.59, 52.58}, {38.08, 46.29}, {31.32, 48.67}, {27.18, 56.27}, {29.50, 60.86}, {37.28, 49.58}, {34.31, 47.07}} {
		v := float64(8 + i*5)
		if i == 3 {
			v = nan
		}
		pts = append(pts, chart.Point{Lat: c[0], Lon: c[1], Value: v, Label: w["office"] + " " + chart.FormatNumber(float64(i+1), 0, persian), Href: "/offices/" + strconv.Itoa(i+1)})
	}
	var near []chart.Point
	for i := range 6 {
		a := float64(i)
		near = append(near, chart.Point{Lat: 35.70 + 0.04*math.Sin(a), Lon: 51.39 + 0.05*math.Cos(a), Value: float64(5 + 7*i), Label: w["office"] + " " + chart.FormatNumber(float64(i+1), 0, persian)})
	}
	return []struct {
		name  string
		c     chart.Chart
		marks int
	}{
		{"bars", chart.BarChart{Labels: chart.HourLabels(persian), Values: hours, Highlight: 3, HighlightLabel: w["busy"], Unit: w["min"],
			XTitle: w["hour"], ValueTitle: w["wait"], Target: &chart.Target{Value: 30, Label: w["target"]}}, 14},
		{"line", chart.LineChart{Labels: nums(persian, 1, 14, ""), Series: []chart.Series{{Name: w["p90"], Values: daily}, {Name: w["median"], Values: median}},
			Target: &chart.Target{Value: 30, Label: w["target"]}, Band: &chart.Band{Low: lo, High: hi, Label: w["band"]}, Unit: w["min"], XTitle: w["day"]}, 27},
		{"hbars", chart.HBarChart{Rows: []chart.Criterion{
			{Label: w["c1"], Score: 82.5, Peers: &chart.Peers{Median: 74, Best: 95}, Note: w["n1"]},
			{Label: w["c2"], Score: 41, Peers: &chart.Peers{Median: 63, Best: 100}},
			{Label: w["c3"], Score: 0, Peers: &chart.Peers{Median: nan, Best: 12}},
			{Label: w["c4"], Score: 100},
		}, MedianLabel: w["peer"], BestLabel: w["best"], LabelTitle: w["criterion"], ValueTitle: w["score"], NoteTitle: w["note"]}, 4},
		{"spark", chart.Sparkline{Values: []float64{1210, 1180, 1102, 1090, 1050, 1036}, Labels: nums(persian, 1, 6, ""), XTitle: w["day"], ValueTitle: w["score"]}, 6},
		{"map", chart.Map{Points: pts, Stops: stops, LegendTitle: w["wait"], MissingLabel: w["missing"], LabelTitle: w["office"], ValueTitle: w["wait"]}, 10},
		{"mapcity", chart.Map{Points: near, Stops: stops, LegendTitle: w["wait"], City: &chart.Circle{Lat: 35.70, Lon: 51.39, Radius: 8000, Label: w["city"]},
			Here: &chart.Here{Lat: 35.71, Lon: 51.40, Label: w["here"]}, LabelTitle: w["office"], ValueTitle: w["wait"]}, 6},
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api/chart -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./api/chart -update rewrites it after a look):\n got %.300s\nwant %.300s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		w := en
		if lang == "fa" {
			w = fa
		}
		for _, k := range kinds(lang) {
			t.Run(k.name+"-"+lang, func(t *testing.T) {
				o := opts(lang, w)
				golden(t, k.name+"-"+lang+".svg", []byte(k.c.SVG(o)))
				golden(t, k.name+"-"+lang+".table.html", []byte(k.c.Table(o)))
			})
		}
	}
}

// node is a decoded element, for the checks below.
type node struct {
	name  string
	attrs map[string]string
	text  string // the text directly inside it
}

// parse decodes s as strict XML, failing the test when it is not
// well-formed, and returns its elements in document order.
func parse(t *testing.T, s string) []node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var out []node
	var open []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%.500s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			out = append(out, n)
			open = append(open, len(out)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				out[open[len(open)-1]].text += string(tok)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no element in %q", s)
	}
	return out
}

func marks(ns []node) []node {
	var out []node
	for _, n := range ns {
		if _, ok := n.attrs["data-point"]; ok {
			out = append(out, n)
		} else if _, ok := n.attrs["data-bar"]; ok {
			out = append(out, n)
		}
	}
	return out
}

func hasASCIIDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// Every output is well-formed; Persian output has no ASCII digit in any
// text a person reads; every value is drawn once, with its value.
func TestOutputs(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		w := en
		if lang == "fa" {
			w = fa
		}
		for _, k := range kinds(lang) {
			t.Run(k.name+"-"+lang, func(t *testing.T) {
				o := opts(lang, w)
				svg := parse(t, string(k.c.SVG(o)))
				tbl := parse(t, string(k.c.Table(o)))
				fig := parse(t, string(chart.Figure(k.c, o, w["title"])))
				if svg[0].name != "svg" || svg[0].attrs["role"] == "" || svg[1].name != "title" || svg[1].text != w["title"] || svg[2].name != "desc" {
					t.Errorf("root %v, then %s %q, %s", svg[0].attrs, svg[1].name, svg[1].text, svg[2].name)
				}
				if got := len(marks(svg)); got != k.marks {
					t.Errorf("%d marks, want %d", got, k.marks)
				}
				if k.c.Marks() != k.marks {
					t.Errorf("Marks() = %d, want %d", k.c.Marks(), k.marks)
				}
				for _, m := range marks(svg) {
					if m.attrs["data-missing"] == "true" {
						continue // a map's point without a value
					}
					if v, err := strconv.ParseFloat(m.attrs["data-value"], 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("data-value %q", m.attrs["data-value"])
					}
				}
				if fig[0].name != "figure" || len(marks(fig)) != k.marks {
					t.Errorf("figure: %s with %d marks", fig[0].name, len(marks(fig)))
				}
				if lang == "fa" {
					for _, n := range append(append(svg, tbl...), fig...) {
						if hasASCIIDigit(n.text) {
							t.Errorf("ASCII digit in Persian text <%s>%q", n.name, n.text)
						}
					}
				}
			})
		}
	}
}

// xs returns the x of each mark in data order.
func xs(t *testing.T, ns []node) []float64 {
	var out []float64
	for _, m := range marks(ns) {
		a := m.attrs["cx"]
		if a == "" {
			a = m.attrs["x"]
		}
		x, err := strconv.ParseFloat(a, 64)
		if err != nil {
			t.Fatalf("mark without x: %v", m.attrs)
		}
		out = append(out, x)
	}
	return out
}

// In Persian the category axis runs from the right; in English from the left.
func TestDirection(t *testing.T) {
	for _, k := range []string{"bars", "line", "spark"} {
		for _, lang := range []string{"fa", "en"} {
			var c chart.Chart
			for _, kk := range kinds(lang) {
				if kk.name == k {
					c = kk.c
				}
			}
			ns := parse(t, string(c.SVG(opts(lang, fa))))
			x := xs(t, ns)
			first, last := x[0], x[len(x)-1]
			if k == "line" {
				x = x[:13] // the first series: 14 days, one missing
				first, last = x[0], x[len(x)-1]
			}
			if (lang == "fa") != (first > last) {
				t.Errorf("%s %s: first mark at x=%v, last at %v", k, lang, first, last)
			}
			if dir := ns[0].attrs["direction"]; (lang == "fa") != (dir == "rtl") {
				t.Errorf("%s %s: direction %q", k, lang, dir)
			}
		}
	}
	// A criterion's bar grows from the reading start: the right edge in Persian.
	h := chart.HBarChart{Rows: []chart.Criterion{{Label: "x", Score: 25}, {Label: "y", Score: 100}}}
	for _, lang := range []string{"fa", "en"} {
		ms := marks(parse(t, string(h.SVG(chart.ForLang(lang)))))
		full, quarter := ms[1], ms[0]
		x := func(n node, a string) float64 { v, _ := strconv.ParseFloat(n.attrs[a], 64); return v }
		fullEnd, quarterEnd := x(full, "x")+x(full, "width"), x(quarter, "x")+x(quarter, "width")
		if lang == "fa" && math.Abs(fullEnd-quarterEnd) > 0.2 || lang == "en" && math.Abs(x(full, "x")-x(quarter, "x")) > 0.2 {
			t.Errorf("%s: bars %v and %v do not share their start", lang, full.attrs, quarter.attrs)
		}
	}
}

const hostile = `<script>alert("x")</script>&`

// Every word the caller gives is escaped, and a javascript: link is dropped.
func TestHostileWords(t *testing.T) {
	o := chart.Options{Title: hostile, Desc: hostile, NoData: hostile, ID: `"><script>`}
	cs := []chart.Chart{
		chart.LineChart{Labels: []string{hostile}, Series: []chart.Series{{Name: hostile, Values: []float64{1}, Colour: `red"/><script>`}, {Name: hostile, Values: []float64{2}}},
			Target: &chart.Target{Value: 1, Label: hostile}, Band: &chart.Band{Low: []float64{0}, High: []float64{3}, Label: hostile}, Unit: hostile, XTitle: hostile},
		chart.BarChart{Labels: []string{hostile}, Values: []float64{1}, Highlight: 1, HighlightLabel: hostile, Unit: hostile, XTitle: hostile, ValueTitle: hostile},
		chart.HBarChart{Rows: []chart.Criterion{{Label: hostile, Score: 50, Peers: &chart.Peers{Median: 1, Best: 2}, Note: hostile}}, MedianLabel: hostile, BestLabel: hostile},
		chart.Sparkline{Values: []float64{1, 2}, Labels: []string{hostile}},
		chart.Map{Points: []chart.Point{{Lat: 35.7, Lon: 51.4, Value: 1, Label: hostile, Href: "javascript:alert(1)"}, {Lat: 36, Lon: 59, Value: 2, Label: hostile, Href: " JAVASCRIPT:alert(1)"}},
			Stops: []chart.Stop{{Upto: 1, Colour: "#fff", Label: hostile}}, LegendTitle: hostile, City: &chart.Circle{Lat: 35.7, Lon: 51.4, Radius: 9e5, Label: hostile}, Here: &chart.Here{Lat: 35.7, Lon: 51.4, Label: hostile}},
		chart.LineChart{}, // empty: the NoData words
	}
	for i, c := range cs {
		for _, out := range []template.HTML{c.SVG(o), c.Table(o), chart.Figure(c, o, hostile)} {
			s := string(out)
			parse(t, s)
			if strings.Contains(strings.ToLower(s), "<script") || strings.Contains(strings.ToLower(s), "javascript:") {
				t.Errorf("chart %d lets markup or a script link through: %.400s", i, s)
			}
			if !strings.Contains(s, "&lt;script&gt;") {
				t.Errorf("chart %d: the words are missing: %.300s", i, s)
			}
		}
	}
}

// Nothing to draw, or values no chart can place, never panics and never
// makes ill-formed output; nothing at all shows the caller's words.
func TestBadInput(t *testing.T) {
	inf := math.Inf(1)
	bad := [][]float64{nil, {}, {nan}, {inf, -inf, nan}, {-5, -10, -2}, {1e300, -1e300, 5}, {math.MaxFloat64, math.SmallestNonzeroFloat64}, {0, 0, 0}, {7}}
	opt := []chart.Options{
		{NoData: "none"},
		{NoData: "none", RTL: true, Width: -1, Height: nan},
		{NoData: "none", Width: inf, Height: 1},
		{NoData: "none", Width: 1e9, Height: 1e9, Format: func(float64) string { return "" }},
	}
	for _, vs := range bad {
		drawable := false
		for _, v := range vs {
			drawable = drawable || !math.IsNaN(v) && !math.IsInf(v, 0)
		}
		for _, o := range opt {
			cs := []chart.Chart{
				chart.LineChart{Series: []chart.Series{{Values: vs}}, Labels: []string{"a"}, Target: &chart.Target{Value: nan}, Band: &chart.Band{Low: vs}, Min: inf, Max: nan},
				chart.LineChart{Series: []chart.Series{{Values: vs}}, Min: 0, Max: 1},
				chart.BarChart{Values: vs, Labels: []string{"a", "b", "c", "d", "e"}, Highlight: 99, Target: &chart.Target{Value: inf}},
				chart.HBarChart{Rows: rows(vs), Max: nan},
				chart.Sparkline{Values: vs, Min: nan, Max: 1},
				chart.Map{Points: points(vs), Bounds: &chart.Bounds{South: nan}, City: &chart.Circle{Lat: 35, Lon: 51, Radius: -1}},
				chart.Map{Points: points(vs), Bounds: &chart.Bounds{South: 35, West: 51, North: 35, East: 52}},
			}
			for i, c := range cs {
				svg := string(c.SVG(o))
				ns := parse(t, svg)
				parse(t, string(c.Table(o)))
				empty := ns[0].attrs["data-empty"] == "true"
				_, isMap := c.(chart.Map)
				_, isHBar := c.(chart.HBarChart)
				if !isMap && !isHBar && empty == drawable {
					t.Errorf("chart %d of %v: empty=%v", i, vs, empty)
				}
				if empty && !strings.Contains(svg, ">none<") {
					t.Errorf("chart %d: empty without the caller's words", i)
				}
				if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
					t.Errorf("chart %d of %v draws NaN or Inf coordinates: %.400s", i, vs, svg)
				}
			}
		}
	}
}

func rows(vs []float64) []chart.Criterion {
	var out []chart.Criterion
	for _, v := range vs {
		out = append(out, chart.Criterion{Label: "c", Score: v, Peers: &chart.Peers{Median: v, Best: -v}})
	}
	return out
}

func points(vs []float64) []chart.Point {
	out := []chart.Point{{Lat: nan, Lon: 51}, {Lat: 95, Lon: 51}, {Lat: 35, Lon: 400}}
	for _, v := range vs {
		out = append(out, chart.Point{Lat: 35.5, Lon: 51.5, Value: v})
	}
	return out
}

// Two charts that differ get different ids, so one page can hold both.
func TestIDs(t *testing.T) {
	a := parse(t, string(chart.Sparkline{Values: []float64{1, 2}}.SVG(chart.Options{Title: "a"})))
	b := parse(t, string(chart.Sparkline{Values: []float64{1, 3}}.SVG(chart.Options{Title: "a"})))
	c := parse(t, string(chart.Sparkline{Values: []float64{1, 3}}.SVG(chart.Options{Title: "a", ID: "mine"})))
	if a[1].attrs["id"] == b[1].attrs["id"] || c[1].attrs["id"] != "mine-t" || c[0].attrs["aria-labelledby"] != "mine-t" {
		t.Errorf("ids %q %q %q", a[1].attrs["id"], b[1].attrs["id"], c[1].attrs["id"])
	}
}

// A figure holds the chart and its table; with nothing drawn, only the
// chart's "no data".
func TestFigure(t *testing.T) {
	o := chart.Options{NoData: "none", Title: "t"}
	full := string(chart.Figure(chart.Sparkline{Values: []float64{1, 2}}, o, "as a table"))
	if !strings.Contains(full, "<details") || !strings.Contains(full, "<summary>as a table</summary>") || !strings.Contains(full, "<table") {
		t.Errorf("figure: %.300s", full)
	}
	empty := string(chart.Figure(chart.Sparkline{Values: []float64{nan}}, o, "as a table"))
	if strings.Contains(empty, "<details") || !strings.Contains(empty, ">none<") {
		t.Errorf("empty figure: %.300s", empty)
	}
}
