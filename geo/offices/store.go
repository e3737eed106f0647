package offices

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// The store: the only code with SQL on offices and office_services.

// row is an office as the offices table holds it.
type row struct {
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
}

func (row) TableName() string { return "offices" }

// rowOf is the stored form of off.
func (o *Register) rowOf(off *Office) (row, error) {
	hours, err := hoursJSON(off.Hours)
	if err != nil {
		return row{}, err
	}
	return row{ID: off.ID, Code: off.Code, NameFa: off.NameFa, NameEn: off.NameEn, OwnerName: off.OwnerName,
		ProvinceCode: off.ProvinceCode, CityCode: off.CityCode, DistrictCode: off.DistrictCode, Latitude: off.Latitude,
		Longitude: off.Longitude, Address: off.Address, Phone: off.Phone, Counters: off.Counters, HoursJSON: hours,
		Status: off.Status, SearchText: o.searchText(off), Version: off.Version, CreatedAt: off.CreatedAt, UpdatedAt: off.UpdatedAt}, nil
}

// office is the row as an Office, without its services.
func (r *row) office() (Office, error) {
	off := Office{ID: r.ID, Code: r.Code, NameFa: r.NameFa, NameEn: r.NameEn, OwnerName: r.OwnerName,
		ProvinceCode: r.ProvinceCode, CityCode: r.CityCode, DistrictCode: r.DistrictCode, Latitude: r.Latitude,
		Longitude: r.Longitude, Address: r.Address, Phone: r.Phone, Counters: r.Counters, Status: r.Status,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Services: []string{}}
	if err := json.Unmarshal([]byte(r.HoursJSON), &off.Hours); err != nil {
		return off, fmt.Errorf("office %d opening hours: %w", r.ID, err)
	}
	return off, nil
}

var errCodeTaken = daftar.Conflict("office_code_taken", "an office with this code exists").With("field", "code")

// insert writes a new office (numbering it when it has no code), its
// services and its audit event.
func (o *Register) insert(ctx context.Context, t *db.Tx, off *Office) error {
	return o.insertWith(ctx, t, off, "")
}

// insertWith is insert, recording a siting exemption in the audit event.
func (o *Register) insertWith(ctx context.Context, t *db.Tx, off *Office, exemption string) error {
	tx := t.Gorm()
	if off.Code == "" {
		code, err := nextCode(tx, off.ProvinceCode)
		if err != nil {
			return err
		}
		off.Code = code
	}
	r, err := o.rowOf(off)
	if err != nil {
		return err
	}
	if err := tx.Create(&r).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return errCodeTaken
		}
		return err
	}
	off.ID = r.ID
	if err := writeServices(tx, off.ID, off.Services); err != nil {
		return err
	}
	after := off.auditView()
	if exemption != "" {
		after["siting_exemption"] = exemption
	}
	return o.audit.Record(ctx, t, audit.Change{Action: "office.create", Entity: "office", EntityID: off.ID, After: after})
}

// update writes off over the stored version off.Version (and its services
// when they changed), moving it to the next version.
func (o *Register) update(t *db.Tx, off *Office, services bool) error {
	r, err := o.rowOf(off)
	if err != nil {
		return err
	}
	res := t.Gorm().Model(&row{}).Where("id = ? AND version = ?", off.ID, off.Version).Updates(map[string]any{
		"code": r.Code, "name_fa": r.NameFa, "name_en": r.NameEn, "owner_name": r.OwnerName,
		"province_code": r.ProvinceCode, "city_code": r.CityCode, "district_code": r.DistrictCode,
		"latitude": r.Latitude, "longitude": r.Longitude, "address": r.Address, "phone": r.Phone,
		"counters": r.Counters, "opening_hours": r.HoursJSON, "status": r.Status,
		"search_text": r.SearchText, "updated_at": r.UpdatedAt, "version": r.Version + 1,
	})
	if res.Error != nil {
		if db.IsUniqueViolation(res.Error) {
			return errCodeTaken
		}
		return res.Error
	}
	if res.RowsAffected == 0 {
		return daftar.Conflict("office_version_stale", "the office was changed by someone else; reload and try again")
	}
	off.Version++
	if services {
		return writeServices(t.Gorm(), off.ID, off.Services)
	}
	return nil
}

// setStatus moves the office to status over its stored version.
func (o *Register) setStatus(t *db.Tx, off Office, status string) error {
	res := t.Gorm().Model(&row{}).Where("id = ? AND version = ?", off.ID, off.Version).
		Updates(map[string]any{"status": status, "version": off.Version + 1, "updated_at": o.clock.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return daftar.Conflict("office_version_stale", "the office was changed concurrently; try again")
	}
	return nil
}

// nextCode numbers offices per province: THR-0001, THR-0002, ...
func nextCode(tx *gorm.DB, province string) (string, error) {
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

var errNotFound = daftar.NotFound("office_not_found", "no such office")

func (o *Register) get(tx *gorm.DB, id int64, lock bool) (Office, error) {
	var r row
	if err := db.TakeByID(tx, &r, id, lock, errNotFound); err != nil {
		return Office{}, err
	}
	list, err := withDetails(tx, []row{r})
	if err != nil {
		return Office{}, err
	}
	return list[0], nil
}

// withDetails turns rows into offices with their opening hours and
// services.
func withDetails(tx *gorm.DB, rows []row) ([]Office, error) {
	out := make([]Office, len(rows))
	for start := 0; start < len(rows); start += 500 {
		chunk := rows[start:min(start+500, len(rows))]
		ids := make([]int64, len(chunk))
		at := make(map[int64]int, len(chunk))
		for i := range chunk {
			off, err := chunk[i].office()
			if err != nil {
				return nil, err
			}
			out[start+i] = off
			ids[i] = off.ID
			at[off.ID] = start + i
		}
		var svc []struct {
			OfficeID    int64
			ServiceCode string
		}
		if err := tx.Raw("SELECT office_id, service_code FROM office_services WHERE office_id IN ? ORDER BY office_id, service_code", ids).
			Scan(&svc).Error; err != nil {
			return nil, err
		}
		for _, s := range svc {
			off := &out[at[s.OfficeID]]
			off.Services = append(off.Services, s.ServiceCode)
		}
	}
	return out, nil
}

// List returns a page of offices ordered by code, with the total.
func (o *Register) List(ctx context.Context, f Filter) ([]Office, int64, error) {
	q := o.db.WithContext(ctx).Model(&row{})
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
	var rows []row
	if err := q.Order("code").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out, err := withDetails(o.db.WithContext(ctx), rows)
	return out, total, err
}

// All returns every office with its details (for indexes and demand).
func (o *Register) All(ctx context.Context) ([]Office, error) {
	var rows []row
	if err := o.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return withDetails(o.db.WithContext(ctx), rows)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`%`, "", `_`, "").Replace(s)
}

// InsertBatch writes offices as they are (demo data and bulk loads), in the
// caller's transaction, in batches; ids are filled in. Nothing is audited
// or announced: the caller records the load as one event and reloads what
// indexes offices.
func (o *Register) InsertBatch(ctx context.Context, t *db.Tx, list []Office) error {
	tx := t.Gorm()
	now := o.clock.Now()
	rows := make([]row, len(list))
	for i := range list {
		off := &list[i]
		if off.CreatedAt.IsZero() {
			off.CreatedAt, off.UpdatedAt = now, now
		}
		r, err := o.rowOf(off)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	if err := tx.CreateInBatches(rows, 200).Error; err != nil {
		return fmt.Errorf("insert offices: %w", err)
	}
	var svc []map[string]any
	for i := range list {
		list[i].ID = rows[i].ID
		for _, s := range list[i].Services {
			svc = append(svc, map[string]any{"office_id": rows[i].ID, "service_code": s})
		}
	}
	if len(svc) > 0 {
		if err := tx.Table("office_services").CreateInBatches(svc, 400).Error; err != nil {
			return fmt.Errorf("insert office services: %w", err)
		}
	}
	return nil
}
