package api

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/gin-gonic/gin"
)

type finderOption struct{ Code, Name string }

type finderRow struct {
	Name, Phone, Address, Distance, Wait, Grade string
	Open                                        bool
}

// finderPage is /finder: citizens choose a service and their city (or give
// a location) and get the nearest open offices with the shortest expected
// wait. It works without JavaScript.
func (s *Server) finderPage(c *gin.Context) (any, error) {
	lang := s.langOf(c)
	tr := translator(lang)
	num := numberFormatter(lang)
	data := map[string]any{"Service": c.Query("service"), "City": c.Query("city"), "Lat": c.Query("lat"), "Lon": c.Query("lon")}
	var services []finderOption
	for _, sv := range s.Catalogue.All() {
		services = append(services, finderOption{sv.Code, nameIn(lang, sv.NameFa, sv.NameEn)})
	}
	var cities []finderOption
	for _, r := range s.Gazetteer.Level(geo.LevelCity) {
		cities = append(cities, finderOption{r.Code, nameIn(lang, r.NameFa, r.NameEn)})
	}
	data["Services"], data["Cities"] = services, cities
	pd := pageData{Data: data}
	if data["Service"] == "" && data["City"] == "" && data["Lat"] == "" {
		return page{Name: "finder", Title: "finder", Data: pd}, nil
	}
	data["Asked"] = true
	q := finder.Query{Service: c.Query("service"), Limit: 10, Lat: math.NaN(), Lon: math.NaN()}
	if city := c.Query("city"); city != "" && strings.TrimSpace(c.Query("lat")) == "" {
		r, ok := s.Gazetteer.Get(city)
		if !ok || r.Level != geo.LevelCity {
			pd.Error = tr("finder_bad_place")
			return page{Status: http.StatusBadRequest, Name: "finder", Title: "finder", Data: pd}, nil
		}
		q.Lat, q.Lon = r.Latitude, r.Longitude
	} else {
		lat, err1 := daftar.ParseFloat(c.Query("lat"))
		lon, err2 := daftar.ParseFloat(c.Query("lon"))
		if err1 != nil || err2 != nil {
			pd.Error = tr("finder_bad_place")
			return page{Status: http.StatusBadRequest, Name: "finder", Title: "finder", Data: pd}, nil
		}
		q.Lat, q.Lon = lat, lon
	}
	if fe := s.Finder.Validate(&q); len(fe) > 0 {
		pd.Error = tr("finder_bad_place")
		if fe[0].Field == "service" {
			pd.Error = tr("finder_bad_service")
		}
		return page{Status: http.StatusBadRequest, Name: "finder", Title: "finder", Data: pd}, nil
	}
	res, err := s.Finder.Find(c.Request.Context(), q)
	if err != nil {
		return nil, err
	}
	var rows []finderRow
	for _, r := range res {
		row := finderRow{Name: nameIn(lang, r.Office.NameFa, r.Office.NameEn), Phone: r.Office.Phone, Address: r.Office.Address, Open: r.OpenNow, Grade: "—"}
		row.Distance = num(fmt.Sprintf("%.1f", r.DistanceM/1000)) + " " + tr("km")
		row.Wait = "—"
		if r.PredictedWaitMin != nil {
			row.Wait = num(fmt.Sprintf("%.0f", *r.PredictedWaitMin)) + " " + tr("minutes")
		}
		if r.Grade != nil {
			row.Grade = *r.Grade
		}
		rows = append(rows, row)
	}
	data["Results"] = rows
	return page{Name: "finder", Title: "finder", Data: pd}, nil
}
