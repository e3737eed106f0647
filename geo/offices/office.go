package offices

import (
	"reflect"
	"slices"
	"time"

	"github.com/daftar-ir/daftar/geo"
	"github.com/paulmach/orb"
)

// Statuses of an office.
const (
	Pending   = "pending"   // licensed, not yet open
	Active    = "active"    // serving citizens
	Suspended = "suspended" // temporarily closed by decision
	Closed    = "closed"    // permanently closed
)

// Statuses lists every status.
var Statuses = []string{Pending, Active, Suspended, Closed}

// Office is one office of the register.
type Office struct {
	ID           int64
	Code         string
	NameFa       string
	NameEn       string
	OwnerName    string
	ProvinceCode string
	CityCode     string
	DistrictCode *string
	Latitude     float64
	Longitude    float64
	Address      string
	Phone        string
	Counters     int
	Hours        geo.OpeningHours
	Services     []string // sorted service codes
	Status       string
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Point is the office's location.
func (o *Office) Point() orb.Point { return orb.Point{o.Longitude, o.Latitude} }

// Offers reports whether the office offers the service.
func (o *Office) Offers(service string) bool { return slices.Contains(o.Services, service) }

// auditView is what the audit log keeps of an office.
func (o *Office) auditView() map[string]any {
	return map[string]any{"id": o.ID, "code": o.Code, "name_fa": o.NameFa, "name_en": o.NameEn, "owner_name": o.OwnerName,
		"city": o.CityCode, "district": o.DistrictCode, "latitude": o.Latitude, "longitude": o.Longitude,
		"address": o.Address, "phone": o.Phone, "counters": o.Counters, "opening_hours": o.Hours,
		"services": o.Services, "status": o.Status, "version": o.Version}
}

func validStatus(s string) bool { return slices.Contains(Statuses, s) }

// sameOffice reports whether a change leaves every field as it was (the
// version and times aside): such a change writes nothing.
func sameOffice(a, b Office) bool {
	a.Version, a.CreatedAt, a.UpdatedAt = 0, time.Time{}, time.Time{}
	b.Version, b.CreatedAt, b.UpdatedAt = 0, time.Time{}, time.Time{}
	if len(a.Services) == 0 && len(b.Services) == 0 {
		a.Services, b.Services = nil, nil
	}
	return reflect.DeepEqual(a, b)
}
