package offices

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/paulmach/orb"
)

// Site is a location asked for an office of City, at least MinDistanceM
// metres from every active office other than Except (0: none).
type Site struct {
	City         string
	Lat, Lon     float64
	MinDistanceM float64
	Except       int64
}

// NearestOffice is what a refused location is told of the office it is
// too close to (the nearest_office of the error).
type NearestOffice struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	NameEn    string  `json:"name_en"`
	DistanceM float64 `json:"distance_m"`
}

// CheckSite applies the siting rules to a location inside tx: inside the
// city's area (its boundary, or the register's radius around its centre)
// and at least MinDistanceM from every active office other than Except. It
// returns a 422 naming the field, and for a location too close the
// nearest office and its distance.
func (o *Register) CheckSite(ctx context.Context, tx *db.Tx, s Site) error {
	c, ok := o.gaz.Get(s.City)
	if !ok || c.Level != geo.LevelCity {
		return daftar.Unprocessable("unknown_city", "the licence's city is not in the gazetteer", daftar.Field("region", "unknown", "not a city"))
	}
	lat, lon := s.Lat, s.Lon
	if !geo.InIran(lat, lon) {
		return daftar.Unprocessable("outside_iran", "the location does not lie in Iran",
			daftar.Field("latitude", "outside_iran", "must lie in Iran"), daftar.Field("longitude", "outside_iran", "must lie in Iran"))
	}
	p := orb.Point{lon, lat}
	radius := o.CityRadius(c)
	if !c.Contains(p, radius) {
		dist := geo.Distance(c.Centroid(), p)
		msg := fmt.Sprintf("lies outside %s: %.0f m from its centre, more than the %.0f m allowed", c.NameEn, dist, radius)
		if c.HasBoundary() {
			msg = fmt.Sprintf("lies outside the boundary of %s", c.NameEn)
		}
		return daftar.Unprocessable("outside_city", "the office must lie in the licence's city",
			daftar.Field("latitude", "outside_city", msg), daftar.Field("longitude", "outside_city", msg)).
			With("city", c.Code).With("distance_from_centre_m", math.Round(dist)).With("allowed_radius_m", math.Round(radius))
	}
	return o.checkDistance(ctx, tx, lat, lon, s.MinDistanceM, s.Except)
}

// checkDistance refuses a location closer than minDistance to an active
// office other than except, naming the nearest.
func (o *Register) checkDistance(ctx context.Context, tx *db.Tx, lat, lon, minDistance float64, except int64) error {
	if minDistance <= 0 {
		return nil
	}
	p := orb.Point{lon, lat}
	const mPerDeg = math.Pi * geo.EarthRadiusM / 180
	dLat := minDistance / mPerDeg * 1.01
	dLon := minDistance / (mPerDeg * math.Cos(math.Min(89, math.Abs(lat)+dLat)*math.Pi/180)) * 1.01
	type near struct {
		ID             int64
		Code           string
		NameFa, NameEn string
		Lat, Lon       float64
	}
	best, bestD := near{}, math.Inf(1)
	err := tx.Query(ctx, `SELECT id, code, name_fa, name_en, latitude, longitude FROM offices
		WHERE status = ? AND id <> ? AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?`,
		[]any{Active, except, lat - dLat, lat + dLat, lon - dLon, lon + dLon}, func(scan func(...any) error) error {
			var n near
			if err := scan(&n.ID, &n.Code, &n.NameFa, &n.NameEn, &n.Lat, &n.Lon); err != nil {
				return err
			}
			if d := geo.Distance(p, orb.Point{n.Lon, n.Lat}); d < bestD {
				best, bestD = n, d
			}
			return nil
		})
	if err != nil {
		return err
	}
	if bestD < minDistance {
		msg := fmt.Sprintf("is %.0f m from the active office %s (%s); at least %.0f m is required", bestD, best.Code, best.NameEn, minDistance)
		return daftar.Unprocessable("too_close_to_office", msg,
			daftar.Field("latitude", "too_close", msg), daftar.Field("longitude", "too_close", msg)).
			With("nearest_office", NearestOffice{ID: best.ID, Code: best.Code, Name: best.NameFa, NameEn: best.NameEn, DistanceM: math.Round(bestD*10) / 10}).
			With("min_distance_m", minDistance)
	}
	return nil
}

// siting applies the distance rule to an office opened through the
// register: created active, active again (re-opened), or moved or given
// another city while active; was is nil for a new office. An admin may
// state an exemption instead (today's offices entered as they stand), a
// reason of 10 to 500 characters that is returned for the audit event.
func (o *Register) siting(ctx context.Context, tx *db.Tx, was, off *Office, exemption *string) (string, error) {
	opening := off.Status == Active && (was == nil || was.Status != Active || was.Latitude != off.Latitude ||
		was.Longitude != off.Longitude || was.CityCode != off.CityCode)
	if exemption != nil {
		reason := daftar.NormalizeText(*exemption)
		a, _ := daftar.ActorFrom(ctx)
		switch n := len([]rune(reason)); {
		case a.Role != daftar.RoleAdmin:
			return "", daftar.Forbidden("siting_exemption_forbidden", "only an admin may exempt an office from the siting rule")
		case !opening:
			return "", daftar.Unprocessable("invalid_office", "the office is not valid",
				daftar.Field("siting_exemption", "not_applicable", "only opening an office, or moving an active one, takes an exemption"))
		case n < 10 || n > 500:
			return "", daftar.Unprocessable("invalid_office", "the office is not valid",
				daftar.Field("siting_exemption", "invalid", "the reason for the exemption, 10 to 500 characters"))
		}
		return reason, nil
	}
	if !opening || o.cfg.MinDistanceM < 0 {
		return "", nil
	}
	if err := o.LockSiting(ctx, tx, off.ProvinceCode); err != nil {
		return "", err
	}
	return "", o.checkDistance(ctx, tx, off.Latitude, off.Longitude, o.cfg.MinDistanceM, off.ID)
}

// LockSiting makes the office openings of one province inside tx take
// turns (PostgreSQL; SQLite has one writer), so two offices opening at once
// cannot both pass the distance rule, nor take one code. The lock holds
// until tx ends.
func (o *Register) LockSiting(ctx context.Context, tx *db.Tx, province string) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", sitingLockKey(province))
	return err
}

func sitingLockKey(province string) int64 {
	h := fnv.New64a()
	h.Write([]byte("daftar-siting:" + province))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}
