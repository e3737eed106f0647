package licensing

import (
	"math"
	"testing"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/paulmach/orb"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestE2SFCAWorkedExample: two population points and two offices on one
// meridian, with zones 0-1 km (weight 1) and 1-3 km (weight 0.5).
//
//	P1 = 1000 at 0 m, P2 = 3000 at 2,000 m; A (supply 1) at 0 m, B (supply 2) at 4,500 m.
//	A reaches P1 (0 m, w 1) and P2 (2,000 m, w 0.5); B reaches P2 (2,500 m, w 0.5), not P1 (4,500 m).
//	R_A = 1 / (1000·1 + 3000·0.5) = 0.0004;  R_B = 2 / (3000·0.5) = 0.0013333
//	A_1 = R_A·1 = 0.0004;  A_2 = R_A·0.5 + R_B·0.5 = 0.00086667
//	and Σ P·A = 0.4 + 2.6 = 3 = the supply.
func TestE2SFCAWorkedExample(t *testing.T) {
	const lat0, lon = 35.0, 51.0
	zones := []Zone{{UpToM: 1000, Weight: 1}, {UpToM: 3000, Weight: 0.5}}
	points := []PopPoint{{Lat: lat0, Lon: lon, Pop: 1000}, {Lat: metresNorth(lat0, 2000), Lon: lon, Pop: 3000}}
	sites := []Site{{Lat: lat0, Lon: lon, Supply: 1}, {Lat: metresNorth(lat0, 4500), Lon: lon, Supply: 2}}
	ratio, access := E2SFCA(points, sites, zones)
	for i, want := range []float64{0.0004, 2.0 / 1500} {
		if !near(ratio[i], want, 1e-12) {
			t.Errorf("R[%d] = %v, want %v", i, ratio[i], want)
		}
	}
	for i, want := range []float64{0.0004, 0.0002 + 1.0/1500} {
		if !near(access[i], want, 1e-12) {
			t.Errorf("A[%d] = %v, want %v", i, access[i], want)
		}
	}
	if sum := 1000*access[0] + 3000*access[1]; !near(sum, 3, 1e-9) {
		t.Errorf("Σ P·A = %v, want the supply 3", sum)
	}
	// Beyond the catchment nothing reaches; an office reaching nobody has no ratio.
	ratio, access = E2SFCA(points, []Site{{Lat: metresNorth(lat0, 10000), Lon: lon, Supply: 1}}, zones)
	if ratio[0] != 0 || access[0] != 0 || access[1] != 0 {
		t.Errorf("out of reach: %v %v", ratio, access)
	}
}

// TestE2SFCAGridMatchesAllPairs: the grid finds exactly the pairs an
// all-pairs scan finds, near the cells' edges too.
func TestE2SFCAGridMatchesAllPairs(t *testing.T) {
	var points []PopPoint
	var sites []Site
	for i := 0; i < 40; i++ {
		for j := 0; j < 40; j++ {
			points = append(points, PopPoint{Lat: 35 + float64(i)*0.013, Lon: 51 + float64(j)*0.017, Pop: float64(100 + i*j)})
		}
	}
	for k := 0; k < 60; k++ {
		sites = append(sites, Site{Lat: 35 + float64(k%9)*0.061, Lon: 51 + float64(k/9)*0.093, Supply: 1})
	}
	_, got := E2SFCA(points, sites, DefaultZones)
	// All pairs by hand.
	ratio := make([]float64, len(sites))
	for j, s := range sites {
		demand := 0.0
		for _, p := range points {
			demand += p.Pop * zoneWeight(DefaultZones, geo.Distance(orb.Point{s.Lon, s.Lat}, orb.Point{p.Lon, p.Lat}))
		}
		if demand > 0 {
			ratio[j] = s.Supply / demand
		}
	}
	for i, p := range points {
		want := 0.0
		for j, s := range sites {
			want += ratio[j] * zoneWeight(DefaultZones, geo.Distance(orb.Point{s.Lon, s.Lat}, orb.Point{p.Lon, p.Lat}))
		}
		if !near(got[i], want, 1e-15) {
			t.Fatalf("point %d: grid %v, all pairs %v", i, got[i], want)
		}
	}
}

func TestSpreadPopulation(t *testing.T) {
	c := orb.Point{51.39, 35.69}
	pts := spreadPopulation(c, 25000, 8_693_706)
	if len(pts) != 1+6+12+18+24 {
		t.Fatalf("%d points", len(pts))
	}
	sum, inner := 0.0, 0.0
	for _, p := range pts {
		sum += p.Pop
		d := geo.Distance(c, orb.Point{p.Lon, p.Lat})
		if d > 25000+1 {
			t.Fatalf("a point %f m from the centre, beyond the radius", d)
		}
		if d < 12600 {
			inner += p.Pop
		}
	}
	if !near(sum, 8_693_706, 1e-3) {
		t.Fatalf("population %f", sum)
	}
	// The density falls from the centre: the inner half of the radius (a
	// quarter of the area) holds far more than a quarter of the residents.
	if inner/sum < 0.4 {
		t.Fatalf("inner share %f", inner/sum)
	}
	if got := spreadPopulation(c, 0, 100); len(got) != 1 || got[0].Pop != 100 {
		t.Fatalf("no radius: %v", got)
	}
}

// TestErlangCWorkedExample: 2 Erlangs on 3 counters. C(3, 2) = (2³/3!·3/1)
// / (1 + 2 + 2 + 4) = 4/9; with a 1-minute service and λ = 2/min the
// expected wait is (4/9)/(3 - 2) = 0.444 min; P(W > t) = 4/9·e^(-t), so the
// 90th percentile is ln(40/9) = 1.4917 min and the median is 0.
func TestErlangCWorkedExample(t *testing.T) {
	if c := visits.ErlangC(3, 2); !near(c, 4.0/9, 1e-12) {
		t.Fatalf("C = %v", c)
	}
	q90, ok := visits.ErlangCWaitQuantile(2, 1, 3, 0.9)
	if !ok || !near(q90, math.Log(40.0/9), 1e-12) {
		t.Fatalf("p90 = %v %v", q90, ok)
	}
	if q50, ok := visits.ErlangCWaitQuantile(2, 1, 3, 0.5); !ok || q50 != 0 {
		t.Fatalf("p50 = %v", q50)
	}
	if _, ok := visits.ErlangCWaitQuantile(3, 1, 3, 0.9); ok {
		t.Fatal("a = c must be unstable")
	}
	// A city of one kind of office is that office's queue.
	q := cityQueue{lambda: 4, service: 1, offices: map[int]int{3: 2}}
	w, ok := q.meanWait()
	if !ok || !near(w, 4.0/9, 1e-12) {
		t.Fatalf("city wait %v", w)
	}
	p90, ok := q.waitQuantile(0.9)
	if !ok || !near(p90, math.Log(40.0/9), 1e-9) {
		t.Fatalf("city p90 %v", p90)
	}
	if u := q.utilisation(); !near(u, 2.0/3, 1e-12) {
		t.Fatalf("utilisation %v", u)
	}
	// Unequal offices: arrivals follow counters, so both run at ρ = 0.8;
	// the mean is the arrival-weighted mean of each office's wait.
	q = cityQueue{lambda: 4, service: 1, offices: map[int]int{2: 1, 3: 1}}
	w2, _ := visits.ErlangCWait(1.6, 1, 2)
	w3, _ := visits.ErlangCWait(2.4, 1, 3)
	if w, ok := q.meanWait(); !ok || !near(w, 0.4*w2+0.6*w3, 1e-12) {
		t.Fatalf("mixed wait %v", w)
	}
	// The p90 of the mixture leaves 10% above it.
	p90, _ = q.waitQuantile(0.9)
	over := 0.4*visits.ErlangC(2, 1.6)*math.Exp(-(2-1.6)*p90) + 0.6*visits.ErlangC(3, 2.4)*math.Exp(-(3-2.4)*p90)
	if !near(over, 0.1, 1e-9) {
		t.Fatalf("P(W > p90) = %v", over)
	}
}

// TestQueueNeed: the fewest offices added is the first number that meets
// the target, found against a plain count.
func TestQueueNeed(t *testing.T) {
	for _, c := range []struct {
		lambda, service float64
		offices         map[int]int
		k               int
		target          float64
	}{
		{4, 1, map[int]int{3: 1}, 3, 0.5},
		{0.9, 12, map[int]int{4: 1, 5: 1}, 4, 10},
		{2.5, 15, map[int]int{}, 4, 5},
		{0.2, 10, map[int]int{3: 3}, 3, 10},
	} {
		q := cityQueue{lambda: c.lambda, service: c.service, offices: c.offices}
		want := 0
		for !q.plus(want, c.k).meets(c.target) {
			want++
		}
		if got := q.addsNeeded(c.k, c.target); got != want {
			t.Errorf("%+v: adds %d, want %d", c, got, want)
		}
		if want > 0 && q.plus(want-1, c.k).meets(c.target) {
			t.Errorf("%+v: %d - 1 would do", c, want)
		}
	}
}
