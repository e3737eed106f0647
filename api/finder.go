package api

import (
	"math"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/gin-gonic/gin"
)

type finderItem struct {
	OfficeID         int64            `json:"office_id"`
	Code             string           `json:"code"`
	Name             string           `json:"name" doc:"Persian name"`
	NameEn           string           `json:"name_en"`
	City             string           `json:"city"`
	Address          string           `json:"address"`
	Phone            string           `json:"phone"`
	Latitude         float64          `json:"latitude"`
	Longitude        float64          `json:"longitude"`
	DistanceM        int64            `json:"distance_m" doc:"great-circle distance in metres"`
	PredictedWaitMin *float64         `json:"predicted_wait_min" doc:"mean wait at this weekday and hour over recent weeks (at the next opening when closed now); null without history"`
	Grade            *string          `json:"grade" doc:"the office's published ranking grade; null until rankings exist"`
	OpenNow          bool             `json:"open_now"`
	OpensAt          *time.Time       `json:"opens_at" doc:"when a closed office opens next"`
	OpeningHours     geo.OpeningHours `json:"opening_hours"`
	Score            float64          `json:"score" doc:"minutes: travel at the finder's speed plus the predicted (or assumed) wait; lower is better"`
}

type finderResponse struct {
	Items      []finderItem `json:"items"`
	Service    string       `json:"service"`
	RadiusM    float64      `json:"radius_m"`
	SpeedMPMin float64      `json:"speed_m_per_min"`
}

var finderQuery = []param{
	{Name: "lat", Type: "number", Description: "latitude (WGS84), required"},
	{Name: "lon", Type: "number", Description: "longitude (WGS84), required"},
	{Name: "service", Type: "string", Description: "service code, required"},
	{Name: "limit", Type: "integer", Description: "how many offices (default 10, at most 50)"},
}

func (s *Server) finder(c *gin.Context) (any, error) {
	var fe daftar.FieldErrors
	q := finder.Query{Lat: math.NaN(), Lon: math.NaN(), Service: strings.TrimSpace(c.Query("service"))}
	num := func(name string, dst *float64) {
		v, ok := c.GetQuery(name)
		if !ok || strings.TrimSpace(v) == "" {
			fe.Add(name, "required", "is required")
			return
		}
		f, err := daftar.ParseFloat(v)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			fe.Add(name, "invalid", "must be a number")
			return
		}
		*dst = f
	}
	num("lat", &q.Lat)
	num("lon", &q.Lon)
	if v, ok := c.GetQuery("limit"); ok {
		n, err := daftar.ParseInt(v)
		if err != nil || n < 1 || n > int64(s.Finder.Config().MaxLimit) {
			fe.Add("limit", "invalid", "must be a whole number from 1 to 50")
		} else {
			q.Limit = int(n)
		}
	}
	// Range checks only for the fields that parsed.
	for _, f := range s.Finder.Validate(&q) {
		if !hasField(fe, f.Field) {
			fe = append(fe, f)
		}
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return nil, err
	}
	res, err := s.Finder.Find(c.Request.Context(), q)
	if err != nil {
		return nil, err
	}
	cfg := s.Finder.Config()
	out := finderResponse{Items: make([]finderItem, len(res)), Service: q.Service, RadiusM: cfg.RadiusM, SpeedMPMin: cfg.SpeedMPerMin}
	for i, r := range res {
		o := r.Office
		out.Items[i] = finderItem{OfficeID: o.ID, Code: o.Code, Name: o.NameFa, NameEn: o.NameEn, City: o.CityCode, Address: o.Address,
			Phone: o.Phone, Latitude: o.Latitude, Longitude: o.Longitude, DistanceM: int64(math.Round(r.DistanceM)),
			PredictedWaitMin: round2(r.PredictedWaitMin), Grade: r.Grade, OpenNow: r.OpenNow, OpensAt: r.NextOpen,
			OpeningHours: o.Hours, Score: math.Round(r.Score*100) / 100}
	}
	publicCache(c, "public, max-age=60")
	return out, nil
}

func hasField(fe daftar.FieldErrors, name string) bool {
	for _, f := range fe {
		if f.Field == name {
			return true
		}
	}
	return false
}
