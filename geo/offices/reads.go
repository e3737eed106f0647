package offices

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
)

// The reads other packages make of the register. Those that take a tx run
// inside the caller's transaction when it is given (a *db.Tx over gorm or
// pgx alike) and outside any when it is nil; those taking ids read every
// office when ids is nil.

// Summary is what other packages read of every office: who and where it
// is, without its hours and services.
type Summary struct {
	ID           int64
	Code         string
	NameFa       string
	NameEn       string
	ProvinceCode string
	CityCode     string
	DistrictCode *string
	Status       string
	Counters     int
	Latitude     float64
	Longitude    float64
}

// Summaries returns every office's summary, by id (some 2,000 rows: a
// caller reads them once per request and aggregates in memory).
func (o *Register) Summaries(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := o.db.Query(ctx, `SELECT id, code, name_fa, name_en, province_code, city_code, district_code, status, counters,
		latitude, longitude FROM offices ORDER BY id`, nil, func(scan func(...any) error) error {
		var s Summary
		if err := scan(&s.ID, &s.Code, &s.NameFa, &s.NameEn, &s.ProvinceCode, &s.CityCode, &s.DistrictCode, &s.Status,
			&s.Counters, &s.Latitude, &s.Longitude); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// Label names an office.
type Label struct {
	Code, NameFa, NameEn string
}

// Labels returns the code and names of offices by id.
func (o *Register) Labels(ctx context.Context, tx *db.Tx, ids []int64) (map[int64]Label, error) {
	out := make(map[int64]Label, len(ids))
	err := o.each(ctx, tx, "SELECT id, code, name_fa, name_en FROM offices", ids, func(scan func(...any) error) error {
		var id int64
		var l Label
		if err := scan(&id, &l.Code, &l.NameFa, &l.NameEn); err != nil {
			return err
		}
		out[id] = l
		return nil
	})
	return out, err
}

// Shape is what the crowding rollups need of an office: its counters and
// opening hours.
type Shape struct {
	ID       int64
	Counters int
	Hours    geo.OpeningHours
}

// Shapes returns the shapes of offices by id.
func (o *Register) Shapes(ctx context.Context, tx *db.Tx, ids []int64) (map[int64]Shape, error) {
	out := make(map[int64]Shape, len(ids))
	err := o.each(ctx, tx, "SELECT id, counters, opening_hours FROM offices", ids, func(scan func(...any) error) error {
		var s Shape
		var hours string
		if err := scan(&s.ID, &s.Counters, &hours); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(hours), &s.Hours); err != nil {
			return fmt.Errorf("office %d opening hours: %w", s.ID, err)
		}
		out[s.ID] = s
		return nil
	})
	return out, err
}

// Serving is what checking a visit needs of its office.
type Serving struct {
	ID       int64
	Code     string
	Status   string
	Counters int
	Services map[string]bool
}

// Servings returns what checking visits needs of offices by id.
func (o *Register) Servings(ctx context.Context, tx *db.Tx, ids []int64) (map[int64]*Serving, error) {
	out := make(map[int64]*Serving, len(ids))
	err := o.each(ctx, tx, "SELECT id, code, status, counters FROM offices", ids, func(scan func(...any) error) error {
		s := &Serving{Services: map[string]bool{}}
		if err := scan(&s.ID, &s.Code, &s.Status, &s.Counters); err != nil {
			return err
		}
		out[s.ID] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = o.each(ctx, tx, "SELECT office_id, service_code FROM office_services", ids, func(scan func(...any) error) error {
		var id int64
		var code string
		if err := scan(&id, &code); err != nil {
			return err
		}
		if s := out[id]; s != nil {
			s.Services[code] = true
		}
		return nil
	}, "office_id")
	return out, err
}

// Exists reports whether there is an office with the id.
func (o *Register) Exists(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	var n int64
	err := o.db.Or(tx).Query(ctx, "SELECT COUNT(*) FROM offices WHERE id = ?", []any{id}, func(scan func(...any) error) error { return scan(&n) })
	return n > 0, err
}

// Counts are the register's numbers for the dashboard.
type Counts struct {
	Total            int64
	ByStatus         map[string]int64
	ActiveByProvince map[string]int64
}

// Count counts the offices by status, and the active ones by province.
func (o *Register) Count(ctx context.Context) (Counts, error) {
	c := Counts{ByStatus: map[string]int64{}, ActiveByProvince: map[string]int64{}}
	err := o.db.Query(ctx, "SELECT status, COUNT(*) FROM offices GROUP BY status", nil, func(scan func(...any) error) error {
		var status string
		var n int64
		if err := scan(&status, &n); err != nil {
			return err
		}
		c.ByStatus[status] = n
		c.Total += n
		return nil
	})
	if err != nil {
		return c, err
	}
	err = o.db.Query(ctx, "SELECT province_code, COUNT(*) FROM offices WHERE status = ? GROUP BY province_code", []any{Active},
		func(scan func(...any) error) error {
			var province string
			var n int64
			if err := scan(&province, &n); err != nil {
				return err
			}
			c.ActiveByProvince[province] = n
			return nil
		})
	return c, err
}

// Lock takes the row locks that serialise every write to the visits and
// rollups of these offices (PostgreSQL; SQLite has one writer). FOR NO KEY
// UPDATE conflicts with itself but not with the foreign-key checks of
// inserted visits.
func (o *Register) Lock(ctx context.Context, tx *db.Tx, ids []int64) error {
	if tx.Dialect() != db.Postgres || len(ids) == 0 {
		return nil
	}
	for _, chunk := range chunks(sortedUnique(ids), 1000) {
		if _, err := tx.Exec(ctx, "SELECT id FROM offices WHERE id IN ("+db.Placeholders(len(chunk))+") ORDER BY id FOR NO KEY UPDATE",
			db.Int64Args(chunk)...); err != nil {
			return fmt.Errorf("lock offices: %w", err)
		}
	}
	return nil
}

// each runs the query over the offices with ids (500 at a time), or over
// all of them when ids is nil; key is the id column (id by default).
func (o *Register) each(ctx context.Context, tx *db.Tx, q string, ids []int64, fn func(scan func(...any) error) error, key ...string) error {
	run := o.db.Or(tx)
	if ids == nil {
		return run.Query(ctx, q, nil, fn)
	}
	col := "id"
	if len(key) > 0 {
		col = key[0]
	}
	for _, chunk := range chunks(ids, 500) {
		if err := run.Query(ctx, q+" WHERE "+col+" IN ("+db.Placeholders(len(chunk))+")", db.Int64Args(chunk), fn); err != nil {
			return err
		}
	}
	return nil
}

func chunks(ids []int64, n int) [][]int64 {
	var out [][]int64
	for start := 0; start < len(ids); start += n {
		out = append(out, ids[start:min(len(ids), start+n)])
	}
	return out
}

func sortedUnique(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}
