package geo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/paulmach/orb"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Office statuses.
const (
	OfficePending   = "pending"   // licensed, not yet open
	OfficeActive    = "active"    // serving citizens
	OfficeSuspended = "suspended" // temporarily closed by decision
	OfficeClosed    = "closed"    // permanently closed
)

// OfficeStatuses lists every status.
var OfficeStatuses = []string{OfficePending, OfficeActive, OfficeSuspended, OfficeClosed}

// Office is one office of the register.
type Office struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	Code         string    `gorm:"column:code"`
	NameFa       string    `gorm:"column:name_fa"`
	NameEn       string    `gorm:"column:name_en"`
	OwnerName    string    `gorm:"column:owner_name"`
	ProvinceCode string    `gorm:"column:province_code"`
	CityCode     string    `gorm:"column:city_code"`
	DistrictCode *string   `gorm:"column:district_code"`
	Latitude     float64   `gorm:"column:latitude"`
	Longitude    float64   `gorm:"column:longitude"`
	Address      string    `gorm:"column:address"`
	Phone        string    `gorm:"column:phone"`
	Counters     int       `gorm:"column:counters"`
	HoursJSON    string    `gorm:"column:opening_hours"`
	Status       string    `gorm:"column:status"`
	SearchText   string    `gorm:"column:search_text"`
	Version      int64     `gorm:"column:version"`
	CreatedAt    time.Time `gorm:"column:created_at"`
	UpdatedAt    time.Time `gorm:"column:updated_at"`

	Services []string     `gorm:"-"`
	Hours    OpeningHours `gorm:"-"`
}

func (Office) TableName() string { return "offices" }

// Point is the office's location.
func (o *Office) Point() orb.Point { return orb.Point{o.Longitude, o.Latitude} }

// Offers reports whether the office offers the service.
func (o *Office) Offers(service string) bool {
	for _, s := range o.Services {
		if s == service {
			return true
		}
	}
	return false
}

// auditView is what the audit log keeps of an office.
func (o *Office) auditView() map[string]any {
	return map[string]any{"id": o.ID, "code": o.Code, "name_fa": o.NameFa, "name_en": o.NameEn, "owner_name": o.OwnerName,
		"city": o.CityCode, "district": o.DistrictCode, "latitude": o.Latitude, "longitude": o.Longitude,
		"address": o.Address, "phone": o.Phone, "counters": o.Counters, "opening_hours": o.Hours,
		"services": o.Services, "status": o.Status, "version": o.Version}
}

// OfficesConfig sets the siting rule for "inside its city".
type OfficesConfig struct {
	// CityRadiusScale multiplies each city's urban radius (default 1.25).
	CityRadiusScale float64
	// MinCityRadiusM is the smallest radius used for any city (default 3000).
	MinCityRadiusM float64
}

func (c OfficesConfig) withDefaults() OfficesConfig {
	if c.CityRadiusScale == 0 {
		c.CityRadiusScale = 1.25
	}
	if c.MinCityRadiusM == 0 {
		c.MinCityRadiusM = 3000
	}
	return c
}

// Offices is the offices register.
type Offices struct {
	db    *db.DB
	clock daftar.Clock
	audit *audit.Log
	gaz   *Gazetteer
	cat   *Catalogue
	cfg   OfficesConfig

	mu        sync.RWMutex
	listeners []func(Office)
}

// NewOffices returns the register.
func NewOffices(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *Gazetteer, cat *Catalogue, cfg OfficesConfig) *Offices {
	return &Offices{db: d, clock: clock, audit: a, gaz: gaz, cat: cat, cfg: cfg.withDefaults()}
}

// Gazetteer returns the regions the register checks against.
func (o *Offices) Gazetteer() *Gazetteer { return o.gaz }

// Catalogue returns the service catalogue.
func (o *Offices) Catalogue() *Catalogue { return o.cat }

// OnChange registers fn to be told of every office created or changed, after
// the change is committed (the finder's spatial index listens).
func (o *Offices) OnChange(fn func(Office)) {
	o.mu.Lock()
	o.listeners = append(o.listeners, fn)
	o.mu.Unlock()
}

// Changed tells the listeners that an office was changed outside the
// register (licensing opens and suspends offices).
func (o *Offices) Changed(ctx context.Context, id int64) {
	if off, err := o.Get(ctx, id); err == nil {
		o.notify(off)
	}
}

func (o *Offices) notify(off Office) {
	o.mu.RLock()
	ls := append([]func(Office){}, o.listeners...)
	o.mu.RUnlock()
	for _, fn := range ls {
		fn(off)
	}
}

// CityRadius is the radius used for "inside the city" for a city.
func (o *Offices) CityRadius(city *Region) float64 {
	return max(city.RadiusM*o.cfg.CityRadiusScale, o.cfg.MinCityRadiusM)
}

// OfficeInput is what creating an office takes; on update, nil fields stay.
type OfficeInput struct {
	Code         *string
	NameFa       *string
	NameEn       *string
	OwnerName    *string
	City         *string
	District     *string // "" clears it
	Latitude     *float64
	Longitude    *float64
	Address      *string
	Phone        *string
	Counters     *int
	OpeningHours map[string][]string // nil keeps; set replaces
	Services     []string            // nil keeps; set replaces
	Status       *string
}

var (
	officeCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,31}$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)
)

// apply copies the input onto off, collecting field errors.
func (o *Offices) apply(off *Office, in OfficeInput, fe *daftar.FieldErrors, creating bool) {
	text := func(field string, p *string, dst *string, minLen, maxLen int, required bool) {
		if p == nil {
			if required && creating {
				fe.Add(field, "required", "is required")
			}
			return
		}
		v := daftar.NormalizeText(*p)
		switch n := len([]rune(v)); {
		case n == 0 && required:
			fe.Add(field, "required", "is required")
		case n > 0 && n < minLen:
			fe.Add(field, "too_short", fmt.Sprintf("must be at least %d characters", minLen))
		case n > maxLen:
			fe.Add(field, "too_long", fmt.Sprintf("must be at most %d characters", maxLen))
		default:
			*dst = v
		}
	}
	if in.Code != nil {
		c := strings.ToUpper(daftar.NormalizeText(*in.Code))
		if !officeCodePattern.MatchString(c) {
			fe.Add("code", "invalid", "2-32 characters: latin letters, digits and '-'")
		} else {
			off.Code = c
		}
	}
	text("name", in.NameFa, &off.NameFa, 2, 200, true)
	text("name_en", in.NameEn, &off.NameEn, 2, 200, false)
	text("owner_name", in.OwnerName, &off.OwnerName, 2, 200, false)
	text("address", in.Address, &off.Address, 5, 500, false)
	if in.Phone != nil {
		p := daftar.NormalizeDigits(strings.TrimSpace(*in.Phone))
		if p != "" && !phonePattern.MatchString(p) {
			fe.Add("phone", "invalid", "must be a phone number of 5-20 digits")
		} else {
			off.Phone = p
		}
	}
	if in.Counters != nil {
		if *in.Counters < 1 || *in.Counters > 100 {
			fe.Add("counters", "out_of_range", "must be between 1 and 100")
		} else {
			off.Counters = *in.Counters
		}
	} else if creating {
		fe.Add("counters", "required", "is required")
	}
	if in.Status != nil {
		if !validStatus(*in.Status) {
			fe.Add("status", "invalid", "must be one of pending, active, suspended, closed")
		} else {
			off.Status = *in.Status
		}
	}
	if in.OpeningHours != nil {
		h, errs := ParseOpeningHours(in.OpeningHours)
		*fe = append(*fe, errs...)
		if len(errs) == 0 {
			off.Hours = h
		}
	}
	if in.Services != nil {
		seen := map[string]bool{}
		list := make([]string, 0, len(in.Services))
		for i, s := range in.Services {
			if _, ok := o.cat.Get(s); !ok {
				fe.Add(fmt.Sprintf("services[%d]", i), "unknown", fmt.Sprintf("%q is not in the service catalogue", s))
				continue
			}
			if !seen[s] {
				seen[s] = true
				list = append(list, s)
			}
		}
		if len(in.Services) > 100 {
			fe.Add("services", "too_many", "at most 100 services")
		}
		sort.Strings(list)
		off.Services = list
	}
	o.applyPlace(off, in, fe, creating)
}

// applyPlace checks the city, district and location together: the location
// must lie in Iran and in the city's area (its boundary when known,
// otherwise a radius around its centre, measured on the sphere).
func (o *Offices) applyPlace(off *Office, in OfficeInput, fe *daftar.FieldErrors, creating bool) {
	if creating {
		if in.City == nil {
			fe.Add("city", "required", "is required")
		}
		if in.Latitude == nil {
			fe.Add("latitude", "required", "is required")
		}
		if in.Longitude == nil {
			fe.Add("longitude", "required", "is required")
		}
	}
	if in.City != nil {
		city, ok := o.gaz.Get(*in.City)
		if !ok || city.Level != LevelCity {
			fe.Add("city", "unknown", fmt.Sprintf("%q is not a city code of the gazetteer", *in.City))
			return
		}
		if city.Code != off.CityCode {
			off.DistrictCode = nil
		}
		off.CityCode = city.Code
		prov, _ := o.gaz.Province(city.Code)
		off.ProvinceCode = prov.Code
	}
	if in.District != nil {
		if *in.District == "" {
			off.DistrictCode = nil
		} else if d, ok := o.gaz.Get(*in.District); !ok || d.Level != LevelDistrict || d.Parent() != off.CityCode {
			fe.Add("district", "unknown", "is not a district of the office's city")
		} else {
			code := d.Code
			off.DistrictCode = &code
		}
	}
	if in.Latitude != nil {
		off.Latitude = *in.Latitude
	}
	if in.Longitude != nil {
		off.Longitude = *in.Longitude
	}
	if in.Latitude == nil && in.Longitude == nil && in.City == nil && in.District == nil {
		return
	}
	if !InIran(off.Latitude, off.Longitude) {
		if off.Latitude < MinLat || off.Latitude > MaxLat {
			fe.Add("latitude", "outside_iran", fmt.Sprintf("must lie in Iran (%.0f to %.0f)", MinLat, MaxLat))
		}
		if off.Longitude < MinLon || off.Longitude > MaxLon {
			fe.Add("longitude", "outside_iran", fmt.Sprintf("must lie in Iran (%.0f to %.1f)", MinLon, MaxLon))
		}
		return
	}
	city, ok := o.gaz.Get(off.CityCode)
	if !ok {
		return
	}
	area := city
	if off.DistrictCode != nil {
		if d, ok := o.gaz.Get(*off.DistrictCode); ok && d.HasBoundary() {
			area = d
		}
	}
	radius := o.CityRadius(city)
	if !area.Contains(off.Point(), radius) {
		dist := Distance(city.Centroid(), off.Point())
		msg := fmt.Sprintf("lies outside %s: %.1f km from its centre, more than the %.1f km allowed", city.NameEn, dist/1000, radius/1000)
		if area.HasBoundary() {
			msg = fmt.Sprintf("lies outside the boundary of %s", area.NameEn)
		}
		fe.Add("latitude", "outside_city", msg)
		fe.Add("longitude", "outside_city", msg)
	}
}

func validStatus(s string) bool {
	for _, v := range OfficeStatuses {
		if s == v {
			return true
		}
	}
	return false
}

func (o *Offices) finish(off *Office) error {
	b, err := json.Marshal(off.Hours)
	if err != nil {
		return err
	}
	off.HoursJSON = string(b)
	names := []string{off.Code, off.NameFa, off.NameEn, off.OwnerName, off.Address}
	if c, ok := o.gaz.Get(off.CityCode); ok {
		names = append(names, c.NameFa, c.NameEn)
	}
	off.SearchText = daftar.FoldForMatch(strings.Join(names, " "))
	return nil
}

// Create registers an office.
func (o *Offices) Create(ctx context.Context, in OfficeInput) (Office, error) {
	now := o.clock.Now()
	off := Office{Status: OfficeActive, Version: 1, CreatedAt: now, UpdatedAt: now, Hours: DefaultOpeningHours(), Services: []string{}}
	var fe daftar.FieldErrors
	o.apply(&off, in, &fe, true)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office is not valid"); err != nil {
		return Office{}, err
	}
	if err := o.finish(&off); err != nil {
		return Office{}, err
	}
	err := o.db.Tx(ctx, func(tx *gorm.DB) error {
		if off.Code == "" {
			code, err := o.nextCode(tx, off.ProvinceCode)
			if err != nil {
				return err
			}
			off.Code = code
		}
		if err := tx.Create(&off).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return daftar.Conflict("office_code_taken", "an office with this code exists").With("field", "code")
			}
			return err
		}
		if err := writeServices(tx, off.ID, off.Services); err != nil {
			return err
		}
		return o.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "office.create", Entity: "office", EntityID: off.ID, After: off.auditView()})
	})
	if err != nil {
		return Office{}, err
	}
	o.notify(off)
	return off, nil
}

// nextCode numbers offices per province: THR-0001, THR-0002, ...
func (o *Offices) nextCode(tx *gorm.DB, province string) (string, error) {
	var codes []string
	if err := tx.Raw("SELECT code FROM offices WHERE code LIKE ?", province+"-%").Scan(&codes).Error; err != nil {
		return "", err
	}
	n := 0
	for _, c := range codes {
		var k int
		if _, err := fmt.Sscanf(strings.TrimPrefix(c, province+"-"), "%d", &k); err == nil && k > n {
			n = k
		}
	}
	return fmt.Sprintf("%s-%04d", province, n+1), nil
}

func writeServices(tx *gorm.DB, officeID int64, services []string) error {
	if err := tx.Exec("DELETE FROM office_services WHERE office_id = ?", officeID).Error; err != nil {
		return err
	}
	if len(services) == 0 {
		return nil
	}
	rows := make([]map[string]any, 0, len(services))
	for _, s := range services {
		rows = append(rows, map[string]any{"office_id": officeID, "service_code": s})
	}
	return tx.Table("office_services").Create(rows).Error
}

// Get returns one office with its services.
func (o *Offices) Get(ctx context.Context, id int64) (Office, error) {
	return o.get(o.db.WithContext(ctx), id, false)
}

func (o *Offices) get(tx *gorm.DB, id int64, lock bool) (Office, error) {
	var off Office
	q := tx
	if lock && o.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(&off).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return off, daftar.NotFound("office_not_found", "no such office")
		}
		return off, err
	}
	list := []*Office{&off}
	if err := o.loadDetails(tx, list); err != nil {
		return off, err
	}
	return off, nil
}

func (o *Offices) loadDetails(tx *gorm.DB, list []*Office) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	byID := make(map[int64]*Office, len(list))
	for i, off := range list {
		ids[i] = off.ID
		byID[off.ID] = off
		off.Services = []string{}
		if err := json.Unmarshal([]byte(off.HoursJSON), &off.Hours); err != nil {
			return fmt.Errorf("office %d opening hours: %w", off.ID, err)
		}
	}
	var rows []struct {
		OfficeID    int64
		ServiceCode string
	}
	if err := tx.Raw("SELECT office_id, service_code FROM office_services WHERE office_id IN ? ORDER BY office_id, service_code", ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		byID[r.OfficeID].Services = append(byID[r.OfficeID].Services, r.ServiceCode)
	}
	return nil
}

// OfficeFilter selects offices.
type OfficeFilter struct {
	IDs      []int64 // restrict to these (an owner's own office)
	Province string
	City     string
	Status   string
	Service  string
	Query    string // text in fa or en
	Limit    int
	Offset   int
}

// List returns a page of offices ordered by code, with the total.
func (o *Offices) List(ctx context.Context, f OfficeFilter) ([]Office, int64, error) {
	q := o.db.WithContext(ctx).Model(&Office{})
	if f.IDs != nil {
		q = q.Where("id IN ?", f.IDs)
	}
	if f.Province != "" {
		q = q.Where("province_code = ?", f.Province)
	}
	if f.City != "" {
		q = q.Where("city_code = ?", f.City)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Service != "" {
		q = q.Where("id IN (SELECT office_id FROM office_services WHERE service_code = ?)", f.Service)
	}
	if f.Query != "" {
		for _, word := range strings.Fields(daftar.FoldForMatch(f.Query)) {
			q = q.Where("search_text LIKE ?", "%"+escapeLike(word)+"%")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Office
	if err := q.Order("code").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Office, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	return rows, total, o.loadDetails(o.db.WithContext(ctx), ptrs)
}

// All returns every office with its details (for indexes and demand).
func (o *Offices) All(ctx context.Context) ([]Office, error) {
	var rows []Office
	if err := o.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	ptrs := make([]*Office, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	for start := 0; start < len(ptrs); start += 500 {
		if err := o.loadDetails(o.db.WithContext(ctx), ptrs[start:min(start+500, len(ptrs))]); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`%`, "", `_`, "").Replace(s)
}

// Update applies in to the office. expectVersion, when non-zero, must match
// the stored version: a stale write is a conflict.
func (o *Offices) Update(ctx context.Context, id int64, in OfficeInput, expectVersion int64) (Office, error) {
	var out Office
	err := o.db.Tx(ctx, func(tx *gorm.DB) error {
		off, err := o.get(tx, id, true)
		if err != nil {
			return err
		}
		if expectVersion != 0 && expectVersion != off.Version {
			return daftar.Conflict("office_version_stale", "the office was changed by someone else; reload and try again").
				With("current_version", off.Version)
		}
		before := off.auditView()
		var fe daftar.FieldErrors
		o.apply(&off, in, &fe, false)
		if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office is not valid"); err != nil {
			return err
		}
		if err := o.finish(&off); err != nil {
			return err
		}
		off.UpdatedAt = o.clock.Now()
		res := tx.Model(&Office{}).Where("id = ? AND version = ?", off.ID, off.Version).Updates(map[string]any{
			"code": off.Code, "name_fa": off.NameFa, "name_en": off.NameEn, "owner_name": off.OwnerName,
			"province_code": off.ProvinceCode, "city_code": off.CityCode, "district_code": off.DistrictCode,
			"latitude": off.Latitude, "longitude": off.Longitude, "address": off.Address, "phone": off.Phone,
			"counters": off.Counters, "opening_hours": off.HoursJSON, "status": off.Status,
			"search_text": off.SearchText, "updated_at": off.UpdatedAt, "version": off.Version + 1,
		})
		if res.Error != nil {
			if db.IsUniqueViolation(res.Error) {
				return daftar.Conflict("office_code_taken", "an office with this code exists").With("field", "code")
			}
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("office_version_stale", "the office was changed by someone else; reload and try again")
		}
		off.Version++
		if in.Services != nil {
			if err := writeServices(tx, off.ID, off.Services); err != nil {
				return err
			}
		}
		out = off
		return o.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "office.update", Entity: "office", EntityID: off.ID, Before: before, After: off.auditView()})
	})
	if err != nil {
		return Office{}, err
	}
	o.notify(out)
	return out, nil
}

// SetStatus changes an office's status inside a caller's transaction (the
// licence lifecycle opens, suspends and closes offices), audited.
func (o *Offices) SetStatus(ctx context.Context, t *db.Tx, id int64, status, reason string) error {
	tx := t.Gorm()
	off, err := o.get(tx, id, true)
	if err != nil {
		return err
	}
	if off.Status == status {
		return nil
	}
	res := tx.Model(&Office{}).Where("id = ? AND version = ?", id, off.Version).
		Updates(map[string]any{"status": status, "version": off.Version + 1, "updated_at": o.clock.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return daftar.Conflict("office_version_stale", "the office was changed concurrently; try again")
	}
	return o.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "office.status", Entity: "office", EntityID: id,
		Before: map[string]any{"status": off.Status}, After: map[string]any{"status": status, "reason": reason}})
}
