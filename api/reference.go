package api

import (
	"net/http"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/gin-gonic/gin"
)

type regionResponse struct {
	Code       string   `json:"code"`
	Level      string   `json:"level"`
	Parent     *string  `json:"parent"`
	Province   string   `json:"province"`
	NameFa     string   `json:"name_fa"`
	NameEn     string   `json:"name_en"`
	Aliases    []string `json:"aliases"`
	Population int64    `json:"population"`
	CensusYear int      `json:"census_year" doc:"Jalali year of the census the population comes from (1395 = 2016)"`
	Latitude   float64  `json:"latitude"`
	Longitude  float64  `json:"longitude"`
	RadiusM    float64  `json:"radius_m" doc:"urban radius used when no boundary is known"`
	Boundary   bool     `json:"has_boundary"`
	Neighbours []string `json:"neighbours"`
}

type regionDetailResponse struct {
	regionResponse
	Children []regionResponse `json:"children"`
}

func (s *Server) regionOf(r *geo.Region) regionResponse {
	prov, _ := s.Gazetteer.Province(r.Code)
	out := regionResponse{Code: r.Code, Level: r.Level, Parent: r.ParentCode, NameFa: r.NameFa, NameEn: r.NameEn,
		Aliases: r.AliasList(), Population: r.Population, CensusYear: r.CensusYear, Latitude: r.Latitude,
		Longitude: r.Longitude, RadiusM: r.RadiusM, Boundary: r.HasBoundary(), Neighbours: r.NeighbourList()}
	if prov != nil {
		out.Province = prov.Code
	}
	if out.Aliases == nil {
		out.Aliases = []string{}
	}
	if out.Neighbours == nil {
		out.Neighbours = []string{}
	}
	return out
}

var regionsQuery = append([]param{
	{Name: "level", Type: "string", Enum: []string{"province", "city", "district"}},
	{Name: "parent", Type: "string", Description: "code of the parent region"},
	{Name: "q", Type: "string", Description: "a name or spelling, fa or en"},
}, pageQuery...)

func (s *Server) listRegions(c *gin.Context) {
	p, fe := pageOf(c, 200, 500)
	level := c.Query("level")
	if level != "" && level != geo.LevelProvince && level != geo.LevelCity && level != geo.LevelDistrict {
		fe.Add("level", "invalid", "must be province, city or district")
	}
	parent := queryString(c, &fe, "parent", 64)
	if parent != "" {
		if _, ok := s.Gazetteer.Get(parent); !ok {
			fe.Add("parent", "unknown", "no region has this code")
		}
	}
	q := queryString(c, &fe, "q", 100)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	var list []*geo.Region
	switch {
	case q != "":
		list = s.Gazetteer.Match(q)
	case parent != "":
		list = s.Gazetteer.Children(parent)
	default:
		list = s.Gazetteer.All()
	}
	var out []regionResponse
	for _, r := range list {
		if (level == "" || r.Level == level) && (parent == "" || r.Parent() == parent) {
			out = append(out, s.regionOf(r))
		}
	}
	total := int64(len(out))
	start := min(p.Offset(), len(out))
	end := min(start+p.PageSize, len(out))
	writeJSON(c, http.StatusOK, listOf(out[start:end], p, total))
}

func (s *Server) getRegion(c *gin.Context) {
	r, ok := s.Gazetteer.Get(c.Param("code"))
	if !ok {
		s.fail(c, daftar.NotFound("region_not_found", "no region has this code"))
		return
	}
	out := regionDetailResponse{regionResponse: s.regionOf(r), Children: []regionResponse{}}
	for _, ch := range s.Gazetteer.Children(r.Code) {
		out.Children = append(out.Children, s.regionOf(ch))
	}
	writeJSON(c, http.StatusOK, out)
}

type serviceResponse struct {
	Code            string `json:"code"`
	NameFa          string `json:"name_fa"`
	NameEn          string `json:"name_en"`
	Channel         string `json:"channel" doc:"office_only or office_or_self_service"`
	HandlingMinutes int    `json:"handling_minutes" doc:"standard handling time at a counter"`
	FeeRials        int64  `json:"fee_rials"`
	Description     string `json:"description_en"`
}

func (s *Server) listServices(c *gin.Context) {
	p, fe := pageOf(c, 100, 100)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	all := s.Catalogue.All()
	out := make([]serviceResponse, 0, len(all))
	for _, sv := range all {
		out = append(out, serviceResponse{Code: sv.Code, NameFa: sv.NameFa, NameEn: sv.NameEn, Channel: sv.Channel,
			HandlingMinutes: sv.HandlingMinutes, FeeRials: sv.FeeRials, Description: sv.DescriptionEn})
	}
	start := min(p.Offset(), len(out))
	end := min(start+p.PageSize, len(out))
	c.Header("Cache-Control", "public, max-age=300")
	writeJSON(c, http.StatusOK, listOf(out[start:end], p, int64(len(out))))
}
