package geo

// Reference data shipped inside the binary: the gazetteer of provinces and
// cities (2016 / 1395 national census) and the catalogue of the 29 services
// of the single window of judicial e-services. The JSON files live in
// refdata/ and are described in docs/reference-data.md.
//
// Nothing here is cached: every call decodes and validates the embedded
// files again (a few hundred microseconds), so there is no package state
// beyond the embedded file system itself.

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// Region levels.
const (
	LevelProvince = "province"
	LevelCity     = "city"
	LevelDistrict = "district"
)

// RefRegion is one gazetteer entry as shipped in the binary.
type RefRegion struct {
	Code       string   `json:"code"`
	Level      string   `json:"level"`
	Parent     string   `json:"parent"`
	NameFa     string   `json:"name_fa"`
	NameEn     string   `json:"name_en"`
	Aliases    []string `json:"aliases"`
	Population int64    `json:"population"`
	CensusYear int      `json:"census_year"`
	Lat        float64  `json:"lat"`
	Lon        float64  `json:"lon"`
	RadiusKm   float64  `json:"radius_km"`
	Neighbours []string `json:"neighbours"`
}

// RefService is one entry of the service catalogue as shipped in the binary.
type RefService struct {
	Code            string `json:"code"`
	NameFa          string `json:"name_fa"`
	NameEn          string `json:"name_en"`
	Channel         string `json:"channel"`
	HandlingMinutes int    `json:"handling_minutes"`
	FeeRials        int64  `json:"fee_rials"`
	DescriptionEn   string `json:"description_en"`
}

//go:embed refdata/*.json
var refdataFS embed.FS

// Bounds every shipped record must respect.
const (
	refRegionsFile  = "refdata/regions.json"
	refServicesFile = "refdata/services.json"

	refChannelOfficeOnly          = "office_only"
	refChannelOfficeOrSelfService = "office_or_self_service"

	refMinLat, refMaxLat = 25.0, 40.0 // Iran's bounding box, WGS84
	refMinLon, refMaxLon = 44.0, 64.0

	refMinCensusYear, refMaxCensusYear = 1335, 1500 // Jalali years of Iranian censuses
	refMaxRadiusKm                     = 60.0
	refMaxHandlingMinutes              = 120
)

// ReferenceRegions returns the shipped gazetteer, provinces first, then cities by population descending.
// Provinces are ordered by population descending too; districts, if any are ever shipped, come last.
func ReferenceRegions() ([]RefRegion, error) {
	data, err := refdataFS.ReadFile(refRegionsFile)
	if err != nil {
		return nil, fmt.Errorf("geo: reading %s: %w", refRegionsFile, err)
	}
	regions, err := parseRefRegions(data)
	if err != nil {
		return nil, fmt.Errorf("geo: %s: %w", refRegionsFile, err)
	}
	return regions, nil
}

// ReferenceServices returns the shipped catalogue in file order.
func ReferenceServices() ([]RefService, error) {
	data, err := refdataFS.ReadFile(refServicesFile)
	if err != nil {
		return nil, fmt.Errorf("geo: reading %s: %w", refServicesFile, err)
	}
	services, err := parseRefServices(data)
	if err != nil {
		return nil, fmt.Errorf("geo: %s: %w", refServicesFile, err)
	}
	return services, nil
}

// parseRefRegions decodes a gazetteer strictly, validates it as a whole and
// returns it in the documented order.
func parseRefRegions(data []byte) ([]RefRegion, error) {
	var regions []RefRegion
	if err := refDecodeStrict(data, &regions); err != nil {
		return nil, err
	}
	if err := validateRefRegions(regions); err != nil {
		return nil, err
	}
	slices.SortStableFunc(regions, refCompareRegions)
	return regions, nil
}

// parseRefServices decodes a service catalogue strictly and validates it.
func parseRefServices(data []byte) ([]RefService, error) {
	var services []RefService
	if err := refDecodeStrict(data, &services); err != nil {
		return nil, err
	}
	if err := validateRefServices(services); err != nil {
		return nil, err
	}
	return services, nil
}

// refDecodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and trailing data.
func refDecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decoding: unexpected data after the top-level value")
	}
	return nil
}

func refLevelRank(level string) int {
	switch level {
	case LevelProvince:
		return 0
	case LevelCity:
		return 1
	default:
		return 2
	}
}

func refCompareRegions(a, b RefRegion) int {
	if c := cmp.Compare(refLevelRank(a.Level), refLevelRank(b.Level)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Population, a.Population); c != 0 {
		return c
	}
	return cmp.Compare(a.Code, b.Code)
}

// validateRefRegions checks every entry and the relations between entries.
// It reports every problem found, not only the first.
func validateRefRegions(regions []RefRegion) error {
	var errs []error
	bad := func(code, format string, args ...any) {
		errs = append(errs, fmt.Errorf("region %q: %s", code, fmt.Sprintf(format, args...)))
	}
	if len(regions) == 0 {
		return errors.New("no regions")
	}

	byCode := make(map[string]*RefRegion, len(regions))
	for i := range regions {
		r := &regions[i]
		if r.Code == "" {
			errs = append(errs, fmt.Errorf("region #%d: empty code", i))
			continue
		}
		if _, dup := byCode[r.Code]; dup {
			bad(r.Code, "duplicate code")
			continue
		}
		byCode[r.Code] = r
	}
	// Codes are compared case-insensitively too, so that a city slug can never
	// be confused with a province code by a case-folding lookup.
	folded := make(map[string]string, len(byCode))
	for code := range byCode {
		f := strings.ToLower(code)
		if other, ok := folded[f]; ok {
			bad(code, "code collides with %q when case is ignored", other)
		}
		folded[f] = code
	}

	for i := range regions {
		r := &regions[i]
		if r.Code == "" {
			continue
		}
		switch r.Level {
		case LevelProvince:
			if !refIsProvinceCode(r.Code) {
				bad(r.Code, "province code must be three uppercase ASCII letters")
			}
			if r.Parent != "" {
				bad(r.Code, "a province has no parent, got %q", r.Parent)
			}
			if r.RadiusKm != 0 {
				bad(r.Code, "radius_km must be 0 for a province, got %v", r.RadiusKm)
			}
		case LevelCity, LevelDistrict:
			if !refIsSlug(r.Code) {
				bad(r.Code, "code must be a lowercase ASCII slug (a-z, 0-9, single hyphens)")
			}
			wantParent := LevelProvince
			if r.Level == LevelDistrict {
				wantParent = LevelCity
			}
			p, ok := byCode[r.Parent]
			switch {
			case !ok:
				bad(r.Code, "parent %q does not exist", r.Parent)
			case p.Level != wantParent:
				bad(r.Code, "parent %q is a %s, want a %s", r.Parent, p.Level, wantParent)
			case r.Population >= p.Population:
				bad(r.Code, "population %d is not below its parent's %d", r.Population, p.Population)
			}
			if !(r.RadiusKm > 0 && r.RadiusKm <= refMaxRadiusKm) {
				bad(r.Code, "radius_km must be in (0, %v], got %v", refMaxRadiusKm, r.RadiusKm)
			}
			if len(r.Neighbours) != 0 {
				bad(r.Code, "only provinces list neighbours")
			}
		default:
			bad(r.Code, "unknown level %q", r.Level)
		}

		if strings.TrimSpace(r.NameFa) == "" || strings.TrimSpace(r.NameEn) == "" {
			bad(r.Code, "name_fa and name_en are required")
		}
		if refHasArabicLetters(r.NameFa) {
			bad(r.Code, "name_fa %q uses Arabic ي/ك/ى instead of Persian ی/ک", r.NameFa)
		}
		if !refIsASCIIPrintable(r.NameEn) {
			bad(r.Code, "name_en %q must be printable ASCII", r.NameEn)
		}
		for _, a := range r.Aliases {
			if strings.TrimSpace(a) == "" || a != strings.TrimSpace(a) {
				bad(r.Code, "alias %q is empty or has surrounding space", a)
			}
			if refHasArabicLetters(a) {
				bad(r.Code, "alias %q uses Arabic ي/ك/ى instead of Persian ی/ک", a)
			}
		}
		if r.Population <= 0 {
			bad(r.Code, "population must be positive, got %d", r.Population)
		}
		if r.CensusYear < refMinCensusYear || r.CensusYear > refMaxCensusYear {
			bad(r.Code, "census_year %d is not a plausible Jalali census year", r.CensusYear)
		}
		if !(r.Lat >= refMinLat && r.Lat <= refMaxLat && r.Lon >= refMinLon && r.Lon <= refMaxLon) {
			bad(r.Code, "centroid (%v, %v) is outside Iran's bounding box", r.Lat, r.Lon)
		}

		seen := make(map[string]bool, len(r.Neighbours))
		for _, n := range r.Neighbours {
			other, ok := byCode[n]
			switch {
			case seen[n]:
				bad(r.Code, "neighbour %q listed twice", n)
			case n == r.Code:
				bad(r.Code, "a region is not its own neighbour")
			case !ok:
				bad(r.Code, "neighbour %q does not exist", n)
			case other.Level != LevelProvince:
				bad(r.Code, "neighbour %q is not a province", n)
			case !slices.Contains(other.Neighbours, r.Code):
				bad(r.Code, "neighbour %q does not list it back", n)
			}
			seen[n] = true
		}
	}
	return errors.Join(errs...)
}

// validateRefServices checks every catalogue entry.
func validateRefServices(services []RefService) error {
	var errs []error
	bad := func(code, format string, args ...any) {
		errs = append(errs, fmt.Errorf("service %q: %s", code, fmt.Sprintf(format, args...)))
	}
	if len(services) == 0 {
		return errors.New("no services")
	}
	seen := make(map[string]bool, len(services))
	for i, s := range services {
		if s.Code == "" {
			errs = append(errs, fmt.Errorf("service #%d: empty code", i))
			continue
		}
		if seen[s.Code] {
			bad(s.Code, "duplicate code")
		}
		seen[s.Code] = true
		if !refIsSnakeCase(s.Code) {
			bad(s.Code, "code must be lowercase snake_case ASCII")
		}
		if strings.TrimSpace(s.NameFa) == "" || strings.TrimSpace(s.NameEn) == "" {
			bad(s.Code, "name_fa and name_en are required")
		}
		if refHasArabicLetters(s.NameFa) {
			bad(s.Code, "name_fa %q uses Arabic ي/ك/ى instead of Persian ی/ک", s.NameFa)
		}
		if s.Channel != refChannelOfficeOnly && s.Channel != refChannelOfficeOrSelfService {
			bad(s.Code, "channel %q is neither %q nor %q", s.Channel, refChannelOfficeOnly, refChannelOfficeOrSelfService)
		}
		if s.HandlingMinutes < 1 || s.HandlingMinutes > refMaxHandlingMinutes {
			bad(s.Code, "handling_minutes %d is outside 1..%d", s.HandlingMinutes, refMaxHandlingMinutes)
		}
		if s.FeeRials < 0 {
			bad(s.Code, "fee_rials must not be negative, got %d", s.FeeRials)
		}
		if strings.TrimSpace(s.DescriptionEn) == "" {
			bad(s.Code, "description_en is required")
		}
	}
	return errors.Join(errs...)
}

// refHasArabicLetters reports whether s contains the Arabic forms of yeh or
// kaf (ي U+064A, ى U+0649, ك U+0643) that Persian text must not use.
func refHasArabicLetters(s string) bool {
	return strings.ContainsAny(s, "\u064A\u0649\u0643")
}

func refIsProvinceCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// refIsSlug accepts "tehran", "bandar-abbas", "gonbad-e-kavus".
func refIsSlug(s string) bool {
	return refIsWords(s, '-')
}

// refIsSnakeCase accepts "criminal_record", "e_notification".
func refIsSnakeCase(s string) bool {
	return refIsWords(s, '_') && s[0] >= 'a' && s[0] <= 'z'
}

// refIsWords reports whether s is one or more runs of [a-z0-9] joined by sep.
func refIsWords(s string, sep byte) bool {
	if s == "" || s[0] == sep || s[len(s)-1] == sep {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == sep:
			if s[i-1] == sep {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func refIsASCIIPrintable(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
