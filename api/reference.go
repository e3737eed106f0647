package api

import (
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

func (s *Server) listRegions(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(200, 500)
	level := q.oneOf("level", []string{geo.LevelProvince, geo.LevelCity, geo.LevelDistrict})
	parent := q.region("parent", "")
	text := q.text("q", 100)
	if err := q.err(); err != nil {
		return nil, err
	}
	var list []*geo.Region
	switch {
	case text != "":
		list = s.Gazetteer.Match(text)
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
	return pageFrom(out, p), nil
}

// pageFrom is one page of a list held in memory.
func pageFrom[T any](all []T, p Page) ListResponse[T] {
	start := min(p.Offset(), len(all))
	end := min(start+p.PageSize, len(all))
	return listOf(all[start:end], p, int64(len(all)))
}

func (s *Server) getRegion(c *gin.Context) (any, error) {
	r, ok := s.Gazetteer.Get(c.Param("code"))
	if !ok {
		return nil, daftar.NotFound("region_not_found", "no region has this code")
	}
	out := regionDetailResponse{regionResponse: s.regionOf(r), Children: []regionResponse{}}
	for _, ch := range s.Gazetteer.Children(r.Code) {
		out.Children = append(out.Children, s.regionOf(ch))
	}
	return out, nil
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

func (s *Server) listServices(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(100, 100)
	if err := q.err(); err != nil {
		return nil, err
	}
	all := s.Catalogue.All()
	out := make([]serviceResponse, 0, len(all))
	for _, sv := range all {
		out = append(out, serviceResponse{Code: sv.Code, NameFa: sv.NameFa, NameEn: sv.NameEn, Channel: sv.Channel,
			HandlingMinutes: sv.HandlingMinutes, FeeRials: sv.FeeRials, Description: sv.DescriptionEn})
	}
	publicCache(c, "public, max-age=300")
	return pageFrom(out, p), nil
}
