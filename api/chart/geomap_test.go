package chart_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/api/chart"
)

func attr(t *testing.T, n node, a string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attrs[a], 64)
	if err != nil {
		t.Fatalf("%s=%q on %v", a, n.attrs[a], n.attrs)
	}
	return v
}

func TestMap(t *testing.T) {
	stops := []chart.Stop{{Upto: 10, Colour: "#111111", Label: "low"}, {Upto: 20, Colour: "#222222", Label: "mid"}, {Upto: 30, Colour: "#333333", Label: "high"}}
	tehran := chart.Point{Lat: 35.69, Lon: 51.39, Value: 5, Label: "Tehran", Href: "/offices/1"}
	mashhad := chart.Point{Lat: 36.30, Lon: 59.60, Value: 25, Label: "Mashhad"}
	bandar := chart.Point{Lat: 27.18, Lon: 56.27, Value: 99, Label: "Bandar Abbas"}
	paris := chart.Point{Lat: 48.85, Lon: 2.35, Value: 1, Label: "Paris"}
	country := chart.Map{Points: []chart.Point{tehran, mashhad, bandar, paris}, Stops: stops, LegendTitle: "wait"}

	ns := parse(t, string(country.SVG(chart.Options{Title: "map"})))
	ms := marks(ns)
	if len(ms) != 3 || country.Marks() != 3 {
		t.Fatalf("%d marks (Marks %d), want the 3 inside Iran", len(ms), country.Marks())
	}
	byIndex := map[string]node{}
	for _, m := range ms {
		byIndex[m.attrs["data-point"]] = m
	}
	// The step scale: 5 is low, 25 high, 99 past the last stop takes its colour.
	for i, want := range []string{"#111111", "#333333", "#333333"} {
		if got := byIndex[strconv.Itoa(i)].attrs["fill"]; got != want {
			t.Errorf("point %d: fill %s, want %s", i, got, want)
		}
	}
	// North up, east right, whatever the language.
	for _, o := range []chart.Options{{}, {RTL: true}} {
		ms := marks(parse(t, string(country.SVG(o))))
		pos := map[string][2]float64{}
		for _, m := range ms {
			pos[m.attrs["data-point"]] = [2]float64{attr(t, m, "cx"), attr(t, m, "cy")}
		}
		if !(pos["1"][0] > pos["0"][0] && pos["2"][1] > pos["0"][1]) {
			t.Errorf("RTL=%v: Mashhad %v not east of Tehran %v, or Bandar Abbas %v not south", o.RTL, pos["1"], pos["0"], pos["2"])
		}
	}
	// Equirectangular with cos(latitude): a degree east is cos(lat) of a degree north.
	p := func(lat, lon float64) [2]float64 {
		m := chart.Map{Points: []chart.Point{{Lat: lat, Lon: lon}}}
		n := marks(parse(t, string(m.SVG(chart.Options{}))))[0]
		return [2]float64{attr(t, n, "cx"), attr(t, n, "cy")}
	}
	a, east, north := p(32, 52), p(32, 54), p(34, 52)
	ratio := (east[0] - a[0]) / (a[1] - north[1])
	if k := math.Cos(32.4 * math.Pi / 180); math.Abs(ratio-k) > 0.03 {
		t.Errorf("east/north scale %.3f, want about cos(lat) %.3f", ratio, k)
	}
	// The outline is drawn, the link kept, the legend's words there.
	svg := string(country.SVG(chart.Options{}))
	for _, want := range []string{`class="chart-outline"`, `<a href="/offices/1">`, ">low<", ">high<", ">wait<", `role="group"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("country map lacks %s", want)
		}
	}

	// A city: the circle, the points near it, the "you are here" mark.
	city := chart.Map{Points: []chart.Point{tehran, {Lat: 35.75, Lon: 51.45, Value: 15, Label: "north"}, mashhad}, Stops: stops,
		City: &chart.Circle{Lat: 35.70, Lon: 51.40, Radius: 10_000, Label: "Tehran"}, Here: &chart.Here{Lat: 35.71, Lon: 51.41, Label: "here"}}
	ns = parse(t, string(city.SVG(chart.Options{})))
	if len(marks(ns)) != 2 || city.Marks() != 2 {
		t.Errorf("city: %d marks, want the 2 in Tehran", len(marks(ns)))
	}
	var circle, here bool
	var view []string
	for _, n := range ns {
		switch {
		case n.attrs["class"] == "chart-city":
			circle = true
			// 10 km at 1.25 times the radius on each side: the circle
			// spans 80% of the map's width.
			view = strings.Fields(ns[0].attrs["viewBox"])
			w, _ := strconv.ParseFloat(view[2], 64)
			if d := 2 * attr(t, n, "r") / (w - 12); math.Abs(d-0.8) > 0.02 {
				t.Errorf("city circle spans %.2f of the map, want 0.8", d)
			}
		case n.attrs["data-here"] == "true":
			here = true
		}
	}
	if !circle || !here {
		t.Errorf("city map: circle %v, here %v", circle, here)
	}
	// Bounds win over the circle.
	zoom := chart.Map{Points: []chart.Point{tehran, mashhad}, Bounds: &chart.Bounds{South: 35, West: 59, North: 37, East: 60}, City: city.City}
	if zoom.Marks() != 1 || len(marks(parse(t, string(zoom.SVG(chart.Options{}))))) != 1 {
		t.Error("bounds around Mashhad should hold one point")
	}
	// No point: the outline and the caller's words.
	none := chart.Map{}.SVG(chart.Options{NoData: "nothing here"})
	if !strings.Contains(string(none), "nothing here") || !strings.Contains(string(none), "chart-outline") {
		t.Error("an empty map shows the country and the caller's words")
	}
}

func TestSequential(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 2, 5, 9, 1000} {
		cs := chart.Sequential(n)
		if len(cs) != min(max(n, 0), 64) {
			t.Errorf("Sequential(%d) has %d colours", n, len(cs))
		}
		for _, c := range cs {
			if len(c) != 7 || c[0] != '#' {
				t.Errorf("Sequential(%d): %q", n, c)
			}
		}
	}
	if cs := chart.Sequential(4); cs[0] != "#fed976" || cs[3] != "#800026" {
		t.Errorf("Sequential(4) = %v: from light yellow to dark red", cs)
	}
}
