package api

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/finder"
	"github.com/gin-gonic/gin"
)

// The citizens' finder (/finder): a service and a place (the browser's
// location, coordinates typed, or a city by its name) give the nearest
// open offices with the shortest expected wait, as the finder route
// answers, laid out for a phone: every figure of an office on its card,
// the service's official fee above them, and a map. A city named wins over
// coordinates (the form keeps the last location's). It works without
// JavaScript; the small script only fills the coordinates from the
// browser's location.

type finderOption struct{ Code, Name string }

type finderView struct {
	Services       []finderOption
	Cities         []string // Persian (or English) names for the datalist
	Service, City  string
	Lat, Lon       string
	Asked, Located bool
	Error          string
	ServiceName    string
	Fee            string
	Online         bool
	Place, Here    string
	Results        []finderCard
	Map            template.HTML
	MapPoints      int
	Found          string
	NotFound       string
}

// finderCard is one office of the answer, every field a citizen needs.
type finderCard struct {
	Anchor            string
	Name, Address     template.HTML
	Distance, Wait    string
	Grade             template.HTML
	Estimated, Open   bool
	OpensAt, BestHour string
	Phone             template.HTML
	Tel               template.URL
}

// finderPage is GET /finder.
func (s *Server) finderPage(c *gin.Context) (any, error) {
	k := s.kitOf(c)
	v := finderView{Service: strings.TrimSpace(c.Query("service")), City: strings.TrimSpace(c.Query("city")),
		Lat: strings.TrimSpace(c.Query("lat")), Lon: strings.TrimSpace(c.Query("lon"))}
	for _, sv := range s.Catalogue.All() {
		v.Services = append(v.Services, finderOption{sv.Code, nameIn(k.lang, sv.NameFa, sv.NameEn)})
	}
	for _, r := range s.Gazetteer.Level(geo.LevelCity) {
		v.Cities = append(v.Cities, nameIn(k.lang, r.NameFa, r.NameEn))
	}
	render := func(status int) (any, error) {
		return page{Status: status, Name: "finder", Title: "finder", Data: pageData{Data: &v}}, nil
	}
	if v.Service == "" && v.City == "" && v.Lat == "" && v.Lon == "" {
		return render(http.StatusOK)
	}
	v.Asked = true
	q := finder.Query{Service: v.Service, Lat: math.NaN(), Lon: math.NaN()}
	switch {
	case v.City == "" && (v.Lat != "" || v.Lon != ""):
		lat, err1 := daftar.ParseFloat(v.Lat)
		lon, err2 := daftar.ParseFloat(v.Lon)
		if err1 != nil || err2 != nil {
			v.Error = k.t("finder_bad_location")
			return render(http.StatusBadRequest)
		}
		q.Lat, q.Lon, v.Located, v.Place, v.Here = lat, lon, true, k.t("finder_near_you"), k.t("you_are_here")
	case v.City != "":
		r, ok := s.Gazetteer.MatchCity(v.City)
		if !ok {
			v.Error = k.t("finder_bad_city")
			return render(http.StatusBadRequest)
		}
		v.City = nameIn(k.lang, r.NameFa, r.NameEn)
		v.Place = strings.ReplaceAll(k.t("finder_in_city"), "{city}", v.City)
		v.Here = strings.ReplaceAll(k.t("city_centre"), "{city}", v.City)
		q.Lat, q.Lon = r.Latitude, r.Longitude
	default:
		v.Error = k.t("finder_no_place")
		return render(http.StatusBadRequest)
	}
	if fe := s.Finder.Validate(&q); len(fe) > 0 {
		v.Error = k.t("finder_bad_location")
		if fe[0].Field == "service" {
			v.Error = k.t("finder_bad_service")
		}
		return render(http.StatusBadRequest)
	}
	sv, _ := s.Catalogue.Get(q.Service)
	v.ServiceName, v.Fee, v.Online = nameIn(k.lang, sv.NameFa, sv.NameEn), k.Rials(sv.FeeRials), sv.Channel == geo.ChannelOfficeOrSelfService
	res, err := s.Finder.Find(c.Request.Context(), q)
	if err != nil {
		return nil, err
	}
	v.NotFound = strings.ReplaceAll(k.t("no_office_found_in"), "{place}", v.Place)
	v.Found = strings.NewReplacer("{n}", k.Int(int64(len(res))), "{place}", v.Place).Replace(k.t("finder_found"))
	m := chart.Map{Here: &chart.Here{Lat: q.Lat, Lon: q.Lon, Label: v.Here}, LegendTitle: k.t("predicted_wait"),
		MissingLabel: k.t("wait_unknown"), LabelTitle: k.t("office"), ValueTitle: k.t("predicted_wait")}
	colours := chart.Sequential(3)
	m.Stops = []chart.Stop{{Upto: 10, Colour: colours[0], Label: k.t("wait_short")}, {Upto: 30, Colour: colours[1], Label: k.t("wait_medium")},
		{Upto: math.Inf(1), Colour: colours[2], Label: k.t("wait_long")}}
	south, west, north, east := q.Lat, q.Lon, q.Lat, q.Lon
	for i, r := range res {
		card := s.finderCardOf(k, i, r)
		v.Results = append(v.Results, card)
		m.Points = append(m.Points, chart.Point{Lat: r.Office.Latitude, Lon: r.Office.Longitude, Value: valueOr(r.PredictedWaitMin),
			Label: k.Plain(nameIn(k.lang, r.Office.NameFa, r.Office.NameEn)), Href: "#" + card.Anchor})
		south, north = min(south, r.Office.Latitude), max(north, r.Office.Latitude)
		west, east = min(west, r.Office.Longitude), max(east, r.Office.Longitude)
	}
	if len(res) > 0 {
		// The map frames the offices and the place asked about, with a
		// margin, at least a few hundred metres across.
		padLat := max((north-south)*0.15, 0.004)
		padLon := max((east-west)*0.15, 0.004/math.Cos(q.Lat*math.Pi/180))
		m.Bounds = &chart.Bounds{South: south - padLat, West: west - padLon, North: north + padLat, East: east + padLon}
		o := k.Chart(k.t("finder_map"), k.t("finder_map_desc"))
		o.Format = chart.Persian(0)
		if !k.fa() {
			o.Format = chart.Latin(0)
		}
		v.Map, v.MapPoints = k.Figure(m, o), m.Marks()
	}
	return render(http.StatusOK)
}

func (s *Server) finderCardOf(k kit, i int, r finder.Result) finderCard {
	o := r.Office
	card := finderCard{Anchor: fmt.Sprintf("office-%d", i+1), Name: k.Text(nameIn(k.lang, o.NameFa, o.NameEn)), Address: k.Text(o.Address),
		Open: r.OpenNow, Estimated: r.WaitEstimated, Grade: template.HTML(template.HTMLEscapeString(k.t("not_graded")))}
	if km := r.DistanceM / 1000; km < 1 {
		card.Distance = k.Num(math.Round(r.DistanceM/10)*10, 0) + " " + k.t("metres")
	} else {
		card.Distance = k.Num(km, 1) + " " + k.t("km")
	}
	switch w := r.PredictedWaitMin; {
	case w == nil:
		card.Wait = k.t("wait_unknown")
	case *w < 1:
		card.Wait = k.t("under_a_minute")
	case r.WaitEstimated:
		card.Wait = k.t("about") + " " + k.Minutes(w)
	default:
		card.Wait = k.Minutes(w)
	}
	if r.Grade != nil {
		card.Grade = k.LTR(*r.Grade)
	}
	if r.NextOpen != nil {
		t := r.NextOpen.In(daftar.Tehran())
		at := k.Clock(t.Hour()*60 + t.Minute())
		if daftar.DayStart(t.Unix()) != daftar.DayStart(s.Clock.Now().Unix()) {
			at = k.Weekday(daftar.WeekdayIndex(t.Unix())) + " " + at
		}
		card.OpensAt = at
	}
	if r.BestHour != nil {
		wait := k.Minutes(r.BestHourWaitMin)
		if *r.BestHourWaitMin < 1 {
			wait = k.t("under_a_minute")
		}
		card.BestHour = k.Hour(*r.BestHour) + " (" + wait + ")"
	}
	if o.Phone != "" {
		card.Phone, card.Tel = k.LTR(k.Digits(o.Phone)), template.URL("tel:"+telOf(o.Phone))
	}
	return card
}

// telOf keeps what a tel: link may hold: digits and a leading +.
func telOf(phone string) string {
	var b strings.Builder
	for i, r := range daftar.NormalizeDigits(phone) {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
