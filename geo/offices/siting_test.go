package offices_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/internal/geotest"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/paulmach/orb"
)

func newRegister(t *testing.T, d *db.DB) *offices.Register {
	t.Helper()
	// A known boundary for one district, to test the polygon rule.
	district := func(d *db.DB) {
		d.Gorm.Exec(`INSERT INTO regions (code, level, parent_code, name_fa, name_en, population, census_year, latitude, longitude, boundary)
		VALUES ('tehran-d1', 'district', 'tehran', 'منطقه ۱', 'District 1', 500000, 1395, 35.80, 51.45,
		'{"type":"Polygon","coordinates":[[[51.40,35.77],[51.50,35.77],[51.50,35.83],[51.40,35.83],[51.40,35.77]]]}')`)
	}
	return geotest.New(t, d, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), offices.Config{CityRadiusScale: 1, MinCityRadiusM: 1000}, district).Offices
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
			_, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر آزمون"), City: ptr("yazd"), Latitude: &lat, Longitude: &lon, Counters: ptr(2)})
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
			_, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر منطقه"), City: ptr("tehran"), District: ptr("tehran-d1"),
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
		_, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر"), City: ptr("mashhad"), District: ptr("tehran-d1"),
			Latitude: ptr(36.3), Longitude: ptr(59.6), Counters: ptr(2)})
		if de, ok := daftar.AsError(err); !ok || len(de.Fields) == 0 || de.Fields[0].Field != "district" {
			t.Fatalf("district of another city: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
