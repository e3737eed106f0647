package api

import (
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/gin-gonic/gin"
)

type officeResponse struct {
	ID              int64            `json:"id"`
	Code            string           `json:"code"`
	Name            string           `json:"name" doc:"the office's name in Persian"`
	NameEn          string           `json:"name_en"`
	OwnerName       string           `json:"owner_name"`
	Province        string           `json:"province"`
	City            string           `json:"city" doc:"region code of the city"`
	District        *string          `json:"district"`
	Latitude        float64          `json:"latitude"`
	Longitude       float64          `json:"longitude"`
	Address         string           `json:"address"`
	Phone           string           `json:"phone"`
	Counters        int              `json:"counters"`
	OpeningHours    geo.OpeningHours `json:"opening_hours"`
	Services        []string         `json:"services" doc:"service codes of the catalogue"`
	Status          string           `json:"status" doc:"pending, active, suspended or closed"`
	Version         int64            `json:"version"`
	CreatedAt       time.Time        `json:"created_at"`
	CreatedAtJalali string           `json:"created_at_jalali"`
	UpdatedAt       time.Time        `json:"updated_at"`
	UpdatedAtJalali string           `json:"updated_at_jalali"`
}

func officeOf(o offices.Office) officeResponse {
	return officeResponse{ID: o.ID, Code: o.Code, Name: o.NameFa, NameEn: o.NameEn, OwnerName: o.OwnerName,
		Province: o.ProvinceCode, City: o.CityCode, District: o.DistrictCode, Latitude: o.Latitude, Longitude: o.Longitude,
		Address: o.Address, Phone: o.Phone, Counters: o.Counters, OpeningHours: o.Hours, Services: o.Services,
		Status: o.Status, Version: o.Version, CreatedAt: utc(o.CreatedAt), CreatedAtJalali: jalali(o.CreatedAt),
		UpdatedAt: utc(o.UpdatedAt), UpdatedAtJalali: jalali(o.UpdatedAt)}
}

// officeRequest creates (required fields as marked) or patches (every field
// optional) an office.
type officeRequest struct {
	Code         opt[string]              `json:"code" doc:"optional on create: PROVINCE-NNNN is assigned"`
	Name         opt[string]              `json:"name" doc:"Persian name; required on create"`
	NameEn       opt[string]              `json:"name_en"`
	OwnerName    opt[string]              `json:"owner_name"`
	City         opt[string]              `json:"city" doc:"city code; required on create"`
	District     opt[string]              `json:"district" doc:"null clears"`
	Latitude     opt[float64]             `json:"latitude" doc:"required on create; must lie in the city's area"`
	Longitude    opt[float64]             `json:"longitude" doc:"required on create"`
	Address      opt[string]              `json:"address"`
	Phone        opt[string]              `json:"phone"`
	Counters     opt[int]                 `json:"counters" doc:"1-100; required on create"`
	OpeningHours opt[map[string][]string] `json:"opening_hours" doc:"{\"sat\": [\"08:00-13:00\", \"16:00-19:00\"], ...}; default Sat-Wed 07:30-13:30 and 15:00-18:00, Thu 07:30-12:30"`
	Services     opt[[]string]            `json:"services" doc:"service codes offered"`
	Status       opt[string]              `json:"status" doc:"pending, active, suspended or closed; an office created active, made active again or moved while active keeps the minimum distance from every other active office (422 naming the nearest)"`
	// SitingExemption lets an admin open an office without the distance rule.
	SitingExemption opt[string] `json:"siting_exemption" doc:"admins: the reason to open (or move) this office without the minimum distance, e.g. entering an office that serves today; 10-500 characters, audited"`
	Version         opt[int64]  `json:"version" doc:"PATCH only: the version read (or send If-Match)"`
}

func (r officeRequest) input() (offices.Input, daftar.FieldErrors) {
	var fe daftar.FieldErrors
	for name, null := range map[string]bool{"code": r.Code.Null, "name": r.Name.Null, "city": r.City.Null,
		"latitude": r.Latitude.Null, "longitude": r.Longitude.Null, "counters": r.Counters.Null,
		"opening_hours": r.OpeningHours.Null, "services": r.Services.Null, "status": r.Status.Null} {
		if null {
			fe.Add(name, "null", "may not be null")
		}
	}
	in := offices.Input{Code: r.Code.ptr(), NameFa: r.Name.ptr(), NameEn: r.NameEn.ptr(), OwnerName: r.OwnerName.ptr(),
		City: r.City.ptr(), Latitude: r.Latitude.ptr(), Longitude: r.Longitude.ptr(), Address: r.Address.ptr(),
		Phone: r.Phone.ptr(), Counters: r.Counters.ptr(), Status: r.Status.ptr(), SitingExemption: r.SitingExemption.ptr()}
	if r.District.Set {
		d := ""
		if !r.District.Null {
			d = r.District.Value
		}
		in.District = &d
	}
	if r.OpeningHours.Set && !r.OpeningHours.Null {
		in.OpeningHours = r.OpeningHours.Value
		if in.OpeningHours == nil {
			in.OpeningHours = map[string][]string{}
		}
	}
	if r.Services.Set && !r.Services.Null {
		in.Services = r.Services.Value
		if in.Services == nil {
			in.Services = []string{}
		}
	}
	return in, fe
}

func (s *Server) createOffice(c *gin.Context) (any, error) {
	var req officeRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	in, fe := req.input()
	if req.Version.Set {
		fe.Add("version", "not_allowed", "a new office has no version")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_office", "the office is not valid"); err != nil {
		return nil, err
	}
	off, err := s.Offices.Create(c.Request.Context(), in)
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: officeOf(off), ETag: off.Version, Location: "/api/v1/offices/" + itoa(int(off.ID))}, nil
}

func (s *Server) getOffice(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	off, err := s.Offices.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return tagged(officeOf(off), off.Version), nil
}

func (s *Server) updateOffice(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req officeRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	in, fe := req.input()
	if err := fe.Err(daftar.KindInvalid, "invalid_office", "the change is not valid"); err != nil {
		return nil, err
	}
	version, err := versionFrom(c, req.Version.ptr(), func() (int64, error) {
		off, err := s.Offices.Get(c.Request.Context(), id)
		return off.Version, err
	})
	if err != nil {
		return nil, err
	}
	off, err := s.Offices.Update(c.Request.Context(), id, in, version)
	if err != nil {
		return nil, err
	}
	return tagged(officeOf(off), off.Version), nil
}

var officesQuery = append([]param{
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "city", Type: "string", Description: "city code"},
	{Name: "status", Type: "string", Enum: offices.Statuses},
	{Name: "service", Type: "string", Description: "offices offering this service code"},
	{Name: "q", Type: "string", Description: "text in code, name (fa or en), owner or address"},
}, pageQuery...)

func (s *Server) listOffices(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 200)
	f := offices.Filter{Limit: p.PageSize, Offset: p.Offset(), Query: q.text("q", 200), Province: q.province("province"),
		City: q.city("city"), Status: q.oneOf("status", offices.Statuses), Service: q.service("service")}
	if err := q.err(); err != nil {
		return nil, err
	}
	if a, _ := daftar.ActorFrom(c.Request.Context()); a.Role == daftar.RoleOfficeOwner {
		f.IDs = []int64{a.OfficeID}
	}
	list, total, err := s.Offices.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]officeResponse, len(list))
	for i, o := range list {
		out[i] = officeOf(o)
	}
	return listOf(out, p, total), nil
}
