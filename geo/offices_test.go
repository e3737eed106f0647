package geo_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/paulmach/orb"
)

func newRegister(t *testing.T, d *db.DB) *geo.Offices {
	t.Helper()
	ctx := context.Background()
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	// A known boundary for one district, to test the polygon rule.
	d.Gorm.Exec(`INSERT INTO regions (code, level, parent_code, name_fa, name_en, population, census_year, latitude, longitude, boundary)
		VALUES ('tehran-d1', 'district', 'tehran', 'منطقه ۱', 'District 1', 500000, 1395, 35.80, 51.45,
		'{"type":"Polygon","coordinates":[[[51.40,35.77],[51.50,35.77],[51.50,35.83],[51.40,35.83],[51.40,35.77]]]}')`)
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := geo.LoadCatalogue(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	clock := daftar.NewManualClock(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	return geo.NewOffices(d, clock, audit.New(d, clock), gaz, cat, geo.OfficesConfig{CityRadiusScale: 1, MinCityRadiusM: 1000})
}

// pointAt returns the point at distance metres due north of c.
func pointAt(c orb.Point, metres float64) (lat, lon float64) {
	return c.Lat() + metres/111_195, c.Lon()
}

// TestSitingAtTheCityEdge: an office just inside the city's radius is
// accepted, just outside refused, measured on the sphere.
func TestSitingAtTheCityEdge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		reg := newRegister(t, d)
		city, _ := reg.Gazetteer().Get("yazd")
		radius := reg.CityRadius(city)
		ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
		for i, c := range []struct {
			metres float64
			ok     bool
		}{{0, true}, {radius - 50, true}, {radius + 50, false}, {3 * radius, false}} {
			lat, lon := pointAt(city.Centroid(), c.metres)
			if got := geo.Distance(city.Centroid(), orb.Point{lon, lat}); math.Abs(got-c.metres) > 5 {
				t.Fatalf("test geometry: %.1f m, want %.1f", got, c.metres)
			}
			code := fmt.Sprintf("YAZ-T%d", i)
			_, err := reg.Create(ctx, geo.OfficeInput{Code: &code, NameFa: ptr("دفتر آزمون"), City: ptr("yazd"), Latitude: &lat, Longitude: &lon, Counters: ptr(2)})
			if c.ok && err != nil {
				t.Errorf("%.0f m from the centre (radius %.0f): refused: %v", c.metres, radius, err)
			}
			if !c.ok && !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Errorf("%.0f m from the centre (radius %.0f): want refused, got %v", c.metres, radius, err)
			}
		}
	})
}

// TestSitingInsideAKnownBoundary: where a district's boundary is known, it
// decides, not the radius.
func TestSitingInsideAKnownBoundary(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		reg := newRegister(t, d)
		ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
		in := func(code string, lat, lon float64) error {
			_, err := reg.Create(ctx, geo.OfficeInput{Code: &code, NameFa: ptr("دفتر منطقه"), City: ptr("tehran"), District: ptr("tehran-d1"),
				Latitude: &lat, Longitude: &lon, Counters: ptr(2)})
			return err
		}
		if err := in("THR-D1", 35.80, 51.45); err != nil {
			t.Fatalf("inside the polygon: %v", err)
		}
		// Inside Tehran's radius but outside the district's polygon.
		if err := in("THR-D2", 35.70, 51.40); !daftar.IsKind(err, daftar.KindUnprocessable) {
			t.Fatalf("outside the polygon: %v", err)
		}
		// A district of another city is refused.
		code := "THR-D3"
		_, err := reg.Create(ctx, geo.OfficeInput{Code: &code, NameFa: ptr("دفتر"), City: ptr("mashhad"), District: ptr("tehran-d1"),
			Latitude: ptr(36.3), Longitude: ptr(59.6), Counters: ptr(2)})
		if de, ok := daftar.AsError(err); !ok || len(de.Fields) == 0 || de.Fields[0].Field != "district" {
			t.Fatalf("district of another city: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestOpeningHours(t *testing.T) {
	h, fe := geo.ParseOpeningHours(map[string][]string{"sat": {"08:00-13:00", "16:00-19:00"}, "thu": {"۰۸:۰۰-۱۲:۰۰"}})
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	tehran := daftar.Tehran()
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 21, 8, 0, 0, 0, tehran), true},   // Saturday 08:00
		{time.Date(2026, 11, 21, 12, 59, 0, 0, tehran), true}, // Saturday 12:59
		{time.Date(2026, 11, 21, 13, 0, 0, 0, tehran), false}, // closes at 13:00
		{time.Date(2026, 11, 21, 17, 0, 0, 0, tehran), true},
		{time.Date(2026, 11, 26, 11, 0, 0, 0, tehran), true},   // Thursday
		{time.Date(2026, 11, 27, 10, 0, 0, 0, tehran), false},  // Friday
		{time.Date(2026, 11, 21, 4, 30, 0, 0, time.UTC), true}, // 08:00 Tehran in UTC
	} {
		if got := h.IsOpen(c.at); got != c.open {
			t.Errorf("%s: open=%v, want %v", c.at, got, c.open)
		}
	}
	if h.WeeklyMinutes() != 5*60+3*60+4*60 {
		t.Fatalf("weekly minutes %d", h.WeeklyMinutes())
	}
	for _, bad := range []map[string][]string{
		{"sat": {"8-13"}}, {"sat": {"08:00-25:00"}}, {"sat": {"13:00-08:00"}}, {"sat": {"08:00-13:00", "12:00-14:00"}},
		{"friday": {"08:00-13:00"}}, {"sat": {"08:60-09:00"}}, {"sat": {""}}, {"sat": {"08:00-09:00", "10:00-11:00", "12:00-13:00", "14:00-15:00", "16:00-17:00"}},
	} {
		if _, fe := geo.ParseOpeningHours(bad); len(fe) == 0 {
			t.Errorf("%v accepted", bad)
		}
	}
}

// FuzzOpeningHours: the parser never panics, and what it accepts is ordered
// and within the day.
func FuzzOpeningHours(f *testing.F) {
	for _, s := range []string{"08:00-13:00", "۰۸:۰۰-۱۲:۰۰", "23:59-24:00", "-", "8:0-9:0", "00:00-00:01"} {
		f.Add(s, "16:00-19:00")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		h, fe := geo.ParseOpeningHours(map[string][]string{"sat": {a, b}})
		if len(fe) > 0 {
			return
		}
		prev := -1
		for _, s := range h.Day(time.Saturday) {
			if s.Open < 0 || s.Close > 24*60 || s.Close <= s.Open || s.Open < prev {
				t.Fatalf("accepted a bad span %v from %q %q", s, a, b)
			}
			prev = s.Close
		}
	})
}

func TestDistanceKnownPairs(t *testing.T) {
	for _, c := range []struct {
		name        string
		a, b        orb.Point
		wantKm, tol float64
	}{
		// Great-circle distances from published airport-to-airport figures
		// (IKA/THR-MHD ≈ 740 km; Tehran-Isfahan ≈ 340 km).
		{"Tehran–Mashhad", orb.Point{51.389, 35.689}, orb.Point{59.6062, 36.2972}, 742, 8},
		{"Tehran–Isfahan", orb.Point{51.389, 35.689}, orb.Point{51.6776, 32.6539}, 338, 5},
		{"same point", orb.Point{51, 35}, orb.Point{51, 35}, 0, 0.001},
		{"one degree of latitude", orb.Point{51, 35}, orb.Point{51, 36}, 111.195, 0.01},
	} {
		got := geo.Distance(c.a, c.b) / 1000
		if math.Abs(got-c.wantKm) > c.tol {
			t.Errorf("%s: %.3f km, want %.3f±%.3f", c.name, got, c.wantKm, c.tol)
		}
	}
}
