package api

import (
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// demandModelResponse is the demand model's shared inputs, with the
// window's days in Jalali beside them.
type demandModelResponse struct {
	licensing.DemandModel
	FromJalali string `json:"from_jalali"`
	ToJalali   string `json:"to_jalali" doc:"the last day read"`
}

func demandModelOf(m licensing.DemandModel) demandModelResponse {
	if m.Zones == nil {
		m.Zones = []licensing.Zone{}
	}
	return demandModelResponse{DemandModel: m, FromJalali: daftar.ToJalali(m.From).String(),
		ToJalali: daftar.ToJalali(m.To.Add(-time.Second)).String()}
}

// demandResponse is the page of cities with the model's inputs.
type demandResponse struct {
	Items    []licensing.RegionDemand `json:"items" doc:"cities (and districts) by shortage, largest first"`
	Page     int                      `json:"page"`
	PageSize int                      `json:"page_size"`
	Total    int64                    `json:"total"`
	Model    demandModelResponse      `json:"model" doc:"the window, the targets and the national levels every figure is measured against"`
}

var demandQuery = append([]param{
	{Name: "from", Type: "string", Description: "first day of visits read, ISO (2026-09-01) or Jalali (1405/06/10); default the configured window ending yesterday"},
	{Name: "to", Type: "string", Description: "last day of visits read"},
	{Name: "province", Type: "string", Description: "only the cities of this province (code)"},
	{Name: "level", Type: "string", Enum: []string{geo.LevelCity, geo.LevelDistrict}},
	{Name: "target_population_per_office", Type: "number", Description: "residents per office for the population need (default the national average)"},
	{Name: "wait_target_min", Type: "number", Description: "the Erlang C expected wait at the peak hour the queueing need keeps under"},
}, pageQuery...)

// demandQueryOf reads the query shared by the demand endpoints.
func demandQueryOf(c *gin.Context, fe *daftar.FieldErrors) licensing.DemandQuery {
	var q licensing.DemandQuery
	day := func(name string) time.Time {
		v := c.Query(name)
		if v == "" {
			return time.Time{}
		}
		t, err := daftar.ParseDate(v)
		if err != nil {
			fe.Add(name, "invalid", "must be a date like 2026-09-01 or 1405/06/10")
		}
		return t
	}
	q.From, q.To = day("from"), day("to")
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		fe.Add("to", "before_from", "must not be before from")
	}
	num := func(name string, lo, hi float64) float64 {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		f, err := daftar.ParseFloat(v)
		if err != nil || f < lo || f > hi {
			fe.Add(name, "out_of_range", "must be a number from "+fmtNum(lo)+" to "+fmtNum(hi))
			return 0
		}
		return f
	}
	q.TargetPopulationPerOffice = num("target_population_per_office", 1000, 1_000_000)
	if w := num("wait_target_min", 1, 240); w > 0 {
		q.WaitTarget = time.Duration(w * float64(time.Minute))
	}
	return q
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (s *Server) getDemand(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(200, 500)
	dq := demandQueryOf(c, &q.fe)
	province := q.province("province")
	level := q.oneOf("level", []string{geo.LevelCity, geo.LevelDistrict})
	if err := q.err(); err != nil {
		return nil, err
	}
	res, err := s.Demand.Compute(c.Request.Context(), dq)
	if err != nil {
		return nil, err
	}
	items := []licensing.RegionDemand{}
	for _, r := range res.Regions {
		if (province == "" || r.Province == province) && (level == "" || r.Level == level) {
			items = append(items, r)
		}
	}
	l := pageFrom(items, p)
	return demandResponse{Items: l.Items, Page: l.Page, PageSize: l.PageSize, Total: l.Total, Model: demandModelOf(res.Model)}, nil
}

var whatIfQuery = append([]param{
	{Name: "add", Type: "integer", Description: "offices to add (0-10000), each with the city's typical counters"},
}, demandQuery[:2]...)

func (s *Server) demandWhatIf(c *gin.Context) (any, error) {
	q := s.query(c)
	if v, ok := c.GetQuery("add"); !ok || v == "" {
		q.add("add", "required", "the number of offices to add")
	}
	add := q.intIn("add", 0, 10000)
	dq := demandQueryOf(c, &q.fe)
	if err := q.err(); err != nil {
		return nil, err
	}
	return s.Demand.WhatIf(c.Request.Context(), c.Param("code"), int(add), dq)
}

// whatIfResponse is the what-if answer.
type whatIfResponse = licensing.WhatIf
