package offices

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
)

// Input is what creating an office takes; on update, nil fields stay.
type Input struct {
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
	// SitingExemption, an admin's reason, opens an office without the
	// distance rule (entering today's offices as they stand); audited.
	SitingExemption *string
}

var (
	// officeCodePattern is a province prefix, a hyphen and the office's
	// number or letters: THR-0001, the form the register assigns.
	officeCodePattern = regexp.MustCompile(`^[A-Z]{1,5}-[A-Z0-9]{1,12}$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)
)

// apply copies the input onto off, collecting field errors.
func (o *Register) apply(off *Office, in Input, fe *daftar.FieldErrors, creating bool) {
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
		// The code as typed (Persian digits read, spaces around dropped):
		// nothing is taken out of it, so "\u202eevil" or "a\u200bb" is
		// refused rather than stored as EVIL or AB.
		c := strings.ToUpper(strings.TrimSpace(daftar.NormalizeDigits(*in.Code)))
		if !officeCodePattern.MatchString(c) {
			fe.Add("code", "invalid", "a province prefix of 1-5 latin letters, '-' and 1-12 latin letters or digits, like THR-0001")
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
		h, errs := geo.ParseOpeningHours(in.OpeningHours)
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
func (o *Register) applyPlace(off *Office, in Input, fe *daftar.FieldErrors, creating bool) {
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
		if !ok || city.Level != geo.LevelCity {
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
		} else if d, ok := o.gaz.Get(*in.District); !ok || d.Level != geo.LevelDistrict || d.Parent() != off.CityCode {
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
	if !geo.InIran(off.Latitude, off.Longitude) {
		if off.Latitude < geo.MinLat || off.Latitude > geo.MaxLat {
			fe.Add("latitude", "outside_iran", fmt.Sprintf("must lie in Iran (%.0f to %.0f)", geo.MinLat, geo.MaxLat))
		}
		if off.Longitude < geo.MinLon || off.Longitude > geo.MaxLon {
			fe.Add("longitude", "outside_iran", fmt.Sprintf("must lie in Iran (%.0f to %.1f)", geo.MinLon, geo.MaxLon))
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
		dist := geo.Distance(city.Centroid(), off.Point())
		msg := fmt.Sprintf("lies outside %s: %.1f km from its centre, more than the %.1f km allowed", city.NameEn, dist/1000, radius/1000)
		if area.HasBoundary() {
			msg = fmt.Sprintf("lies outside the boundary of %s", area.NameEn)
		}
		fe.Add("latitude", "outside_city", msg)
		fe.Add("longitude", "outside_city", msg)
	}
}
