package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Region is a province, city or district as stored.
type Region struct {
	Code       string  `gorm:"column:code;primaryKey"`
	Level      string  `gorm:"column:level"`
	ParentCode *string `gorm:"column:parent_code"`
	NameFa     string  `gorm:"column:name_fa"`
	NameEn     string  `gorm:"column:name_en"`
	Aliases    string  `gorm:"column:aliases"` // JSON array
	Population int64   `gorm:"column:population"`
	CensusYear int     `gorm:"column:census_year"`
	Latitude   float64 `gorm:"column:latitude"`
	Longitude  float64 `gorm:"column:longitude"`
	RadiusM    float64 `gorm:"column:radius_m"`
	Boundary   *string `gorm:"column:boundary"`   // GeoJSON geometry, when known
	Neighbours string  `gorm:"column:neighbours"` // JSON array of province codes
	SortOrder  int     `gorm:"column:sort_order"`

	aliases    []string
	neighbours []string
	boundary   orb.Geometry
}

func (Region) TableName() string { return "regions" }

// Parent returns the parent's code, "" for a province.
func (r *Region) Parent() string {
	if r.ParentCode == nil {
		return ""
	}
	return *r.ParentCode
}

// Centroid is the region's representative point.
func (r *Region) Centroid() orb.Point { return orb.Point{r.Longitude, r.Latitude} }

// AliasList returns the other spellings of the region's name.
func (r *Region) AliasList() []string { return r.aliases }

// NeighbourList returns the provinces sharing a border (provinces only).
func (r *Region) NeighbourList() []string { return r.neighbours }

// HasBoundary reports whether an exact boundary is known.
func (r *Region) HasBoundary() bool { return r.boundary != nil }

// Contains reports whether p lies in the region: inside its boundary when
// one is known, otherwise within radius metres of its centroid (true
// geographic distance).
func (r *Region) Contains(p orb.Point, radius float64) bool {
	switch g := r.boundary.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return Distance(r.Centroid(), p) <= radius
}

// Gazetteer is the read-only set of regions, held in memory: it is reference
// data that changes only with a release.
type Gazetteer struct {
	byCode   map[string]*Region
	byName   map[string][]*Region // folded name or alias → regions
	children map[string][]*Region
	ordered  []*Region
}

// LoadGazetteer reads every region from the database.
func LoadGazetteer(ctx context.Context, d *db.DB) (*Gazetteer, error) {
	var rows []*Region
	if err := d.WithContext(ctx).Order("sort_order, code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("geo: load regions: %w", err)
	}
	return newGazetteer(rows)
}

func newGazetteer(rows []*Region) (*Gazetteer, error) {
	g := &Gazetteer{byCode: map[string]*Region{}, byName: map[string][]*Region{}, children: map[string][]*Region{}}
	for _, r := range rows {
		if err := json.Unmarshal([]byte(r.Aliases), &r.aliases); err != nil {
			return nil, fmt.Errorf("geo: region %s aliases: %w", r.Code, err)
		}
		if err := json.Unmarshal([]byte(r.Neighbours), &r.neighbours); err != nil {
			return nil, fmt.Errorf("geo: region %s neighbours: %w", r.Code, err)
		}
		if r.Boundary != nil && *r.Boundary != "" {
			gj, err := geojson.UnmarshalGeometry([]byte(*r.Boundary))
			if err != nil {
				return nil, fmt.Errorf("geo: region %s boundary: %w", r.Code, err)
			}
			r.boundary = gj.Geometry()
		}
		g.byCode[r.Code] = r
		g.ordered = append(g.ordered, r)
		for _, name := range append([]string{r.Code, r.NameFa, r.NameEn}, r.aliases...) {
			k := daftar.FoldForMatch(name)
			if k != "" && !containsRegion(g.byName[k], r) {
				g.byName[k] = append(g.byName[k], r)
			}
		}
	}
	for _, r := range g.ordered {
		if p := r.Parent(); p != "" {
			g.children[p] = append(g.children[p], r)
		}
	}
	return g, nil
}

func containsRegion(list []*Region, r *Region) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

// Get returns the region with this code.
func (g *Gazetteer) Get(code string) (*Region, bool) {
	r, ok := g.byCode[code]
	return r, ok
}

// All returns every region: provinces, then cities, each by population.
func (g *Gazetteer) All() []*Region { return g.ordered }

// Level returns every region of one level, in order.
func (g *Gazetteer) Level(level string) []*Region {
	var out []*Region
	for _, r := range g.ordered {
		if r.Level == level {
			out = append(out, r)
		}
	}
	return out
}

// Children returns the regions directly under code.
func (g *Gazetteer) Children(code string) []*Region { return g.children[code] }

// Province returns the province a region lies in (itself for a province).
func (g *Gazetteer) Province(code string) (*Region, bool) {
	r, ok := g.byCode[code]
	for ok && r.Level != LevelProvince {
		r, ok = g.byCode[r.Parent()]
	}
	return r, ok
}

// City returns the city a region lies in (itself for a city).
func (g *Gazetteer) City(code string) (*Region, bool) {
	r, ok := g.byCode[code]
	for ok && r.Level == LevelDistrict {
		r, ok = g.byCode[r.Parent()]
	}
	if ok && r.Level != LevelCity {
		return nil, false
	}
	return r, ok
}

// Match finds regions by code, name or a known spelling, in Persian or
// English, whatever digits, Arabic letters or spacing were typed. More than
// one match (a city named like its province) lists the city first.
func (g *Gazetteer) Match(name string) []*Region {
	if r, ok := g.byCode[name]; ok {
		return []*Region{r}
	}
	list := append([]*Region(nil), g.byName[daftar.FoldForMatch(name)]...)
	sort.SliceStable(list, func(i, j int) bool { return levelRank(list[i].Level) < levelRank(list[j].Level) })
	return list
}

// MatchCity finds the city called name (see Match).
func (g *Gazetteer) MatchCity(name string) (*Region, bool) {
	for _, r := range g.Match(name) {
		if r.Level == LevelCity {
			return r, true
		}
	}
	return nil, false
}

// MatchProvince finds the province called name (see Match).
func (g *Gazetteer) MatchProvince(name string) (*Region, bool) {
	for _, r := range g.Match(name) {
		if r.Level == LevelProvince {
			return r, true
		}
	}
	return nil, false
}

func levelRank(level string) int {
	switch level {
	case LevelCity:
		return 0
	case LevelDistrict:
		return 1
	}
	return 2
}

// LoadReference writes the shipped gazetteer and service catalogue into the
// database, adding new entries and updating changed ones. It is idempotent
// and runs at every start, after migrations.
func LoadReference(ctx context.Context, d *db.DB) error {
	regions, err := ReferenceRegions()
	if err != nil {
		return err
	}
	services, err := ReferenceServices()
	if err != nil {
		return err
	}
	return d.Tx(ctx, func(tx *gorm.DB) error {
		rows := make([]Region, 0, len(regions))
		for i, r := range regions {
			aliases, _ := json.Marshal(nonNil(r.Aliases))
			neighbours, _ := json.Marshal(nonNil(r.Neighbours))
			var parent *string
			if r.Parent != "" {
				p := r.Parent
				parent = &p
			}
			rows = append(rows, Region{Code: r.Code, Level: r.Level, ParentCode: parent, NameFa: r.NameFa, NameEn: r.NameEn,
				Aliases: string(aliases), Population: r.Population, CensusYear: r.CensusYear, Latitude: r.Lat, Longitude: r.Lon,
				RadiusM: r.RadiusKm * 1000, Neighbours: string(neighbours), SortOrder: i})
		}
		// Parents come first in the shipped order, so foreign keys hold row by row.
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "code"}},
			DoUpdates: clause.AssignmentColumns([]string{"level", "parent_code", "name_fa", "name_en", "aliases", "population", "census_year", "latitude", "longitude", "radius_m", "neighbours", "sort_order"}),
		}).CreateInBatches(rows, 200).Error; err != nil {
			return fmt.Errorf("geo: load regions: %w", err)
		}
		svc := make([]Service, 0, len(services))
		for i, s := range services {
			svc = append(svc, Service{Code: s.Code, NameFa: s.NameFa, NameEn: s.NameEn, Channel: s.Channel,
				HandlingMinutes: s.HandlingMinutes, FeeRials: s.FeeRials, DescriptionEn: s.DescriptionEn, SortOrder: i})
		}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "code"}},
			DoUpdates: clause.AssignmentColumns([]string{"name_fa", "name_en", "channel", "handling_minutes", "fee_rials", "description_en", "sort_order"}),
		}).Create(&svc).Error; err != nil {
			return fmt.Errorf("geo: load services: %w", err)
		}
		return nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
