package geo

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// refTestCapitals names the capital of every province: the gazetteer must
// ship each of them as a city of that province.
func refTestCapitals() map[string]string {
	return map[string]string{
		"THR": "tehran", "ALB": "karaj", "ISF": "isfahan", "KRZ": "mashhad", "FAR": "shiraz",
		"EAZ": "tabriz", "WAZ": "urmia", "KHZ": "ahvaz", "QOM": "qom-city", "KSH": "kermanshah",
		"GIL": "rasht", "SIS": "zahedan", "HAM": "hamadan", "KER": "kerman", "YAZ": "yazd",
		"ARD": "ardabil", "HRM": "bandar-abbas", "MRK": "arak", "ZAN": "zanjan", "KRD": "sanandaj",
		"QAZ": "qazvin", "LOR": "khorramabad", "GOL": "gorgan", "MAZ": "sari", "NKH": "bojnurd",
		"SKH": "birjand", "BUS": "bushehr", "SEM": "semnan", "ILM": "ilam", "KBA": "yasuj",
		"CMB": "shahrekord",
	}
}

func refTestRegions(t *testing.T) ([]RefRegion, map[string]RefRegion) {
	t.Helper()
	regions, err := ReferenceRegions()
	if err != nil {
		t.Fatalf("ReferenceRegions: %v", err)
	}
	byCode := make(map[string]RefRegion, len(regions))
	for _, r := range regions {
		byCode[r.Code] = r
	}
	return regions, byCode
}

func refTestServices(t *testing.T) []RefService {
	t.Helper()
	services, err := ReferenceServices()
	if err != nil {
		t.Fatalf("ReferenceServices: %v", err)
	}
	return services
}

// refTestHaversineKm is the great-circle distance between two WGS84 points.
func refTestHaversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

func TestReferenceRegionsCounts(t *testing.T) {
	regions, _ := refTestRegions(t)
	var provinces, cities int
	for _, r := range regions {
		switch r.Level {
		case LevelProvince:
			provinces++
		case LevelCity:
			cities++
		default:
			t.Errorf("%s: unexpected level %q in shipped data", r.Code, r.Level)
		}
	}
	if provinces != 31 {
		t.Errorf("provinces = %d, want 31", provinces)
	}
	if cities < 60 {
		t.Errorf("cities = %d, want at least 60", cities)
	}
}

func TestReferenceRegionsCodes(t *testing.T) {
	regions, _ := refTestRegions(t)
	seen := map[string]bool{}
	for _, r := range regions {
		folded := strings.ToLower(r.Code)
		if seen[folded] {
			t.Errorf("code %q is not unique (case-insensitively)", r.Code)
		}
		seen[folded] = true
		switch r.Level {
		case LevelProvince:
			if !refIsProvinceCode(r.Code) {
				t.Errorf("province code %q is not three uppercase letters", r.Code)
			}
		case LevelCity:
			if !refIsSlug(r.Code) {
				t.Errorf("city code %q is not a lowercase slug", r.Code)
			}
		}
	}
}

func TestReferenceRegionsOrder(t *testing.T) {
	regions, _ := refTestRegions(t)
	for i := 1; i < len(regions); i++ {
		prev, cur := regions[i-1], regions[i]
		if prev.Level == LevelCity && cur.Level == LevelProvince {
			t.Fatalf("province %s comes after city %s", cur.Code, prev.Code)
		}
		if prev.Level == cur.Level && cur.Population > prev.Population {
			t.Errorf("%s (%d) comes after less populous %s (%d)", cur.Code, cur.Population, prev.Code, prev.Population)
		}
	}
}

func TestReferenceRegionsHierarchy(t *testing.T) {
	regions, byCode := refTestRegions(t)
	urban := map[string]int64{}
	for _, r := range regions {
		switch r.Level {
		case LevelProvince:
			if r.Parent != "" {
				t.Errorf("province %s has parent %q", r.Code, r.Parent)
			}
		case LevelCity:
			p, ok := byCode[r.Parent]
			if !ok || p.Level != LevelProvince {
				t.Errorf("city %s: parent %q is not a province", r.Code, r.Parent)
				continue
			}
			if r.Population >= p.Population {
				t.Errorf("city %s population %d is not below province %s population %d", r.Code, r.Population, p.Code, p.Population)
			}
			urban[p.Code] += r.Population
		}
	}
	// The listed cities of a province are a subset of its population.
	for code, sum := range urban {
		if sum >= byCode[code].Population {
			t.Errorf("listed cities of %s add up to %d, not below the province's %d", code, sum, byCode[code].Population)
		}
	}
}

func TestReferenceRegionsCapitals(t *testing.T) {
	regions, byCode := refTestRegions(t)
	capitals := refTestCapitals()
	for _, r := range regions {
		if r.Level != LevelProvince {
			continue
		}
		capital, ok := capitals[r.Code]
		if !ok {
			t.Errorf("province %s has no capital in the test table", r.Code)
			continue
		}
		c, ok := byCode[capital]
		if !ok {
			t.Errorf("capital %s of %s is not shipped", capital, r.Code)
			continue
		}
		if c.Level != LevelCity || c.Parent != r.Code {
			t.Errorf("capital %s: level %q parent %q, want a city of %s", capital, c.Level, c.Parent, r.Code)
		}
		if d := refTestHaversineKm(c.Lat, c.Lon, r.Lat, r.Lon); d > 350 {
			t.Errorf("capital %s is %.0f km from the centroid of %s", capital, d, r.Code)
		}
	}
	if len(capitals) != 31 {
		t.Errorf("capital table has %d entries, want 31", len(capitals))
	}
}

func TestReferenceRegionsNeighbours(t *testing.T) {
	regions, byCode := refTestRegions(t)
	for _, r := range regions {
		if r.Level != LevelProvince {
			if len(r.Neighbours) != 0 {
				t.Errorf("%s %s lists neighbours", r.Level, r.Code)
			}
			continue
		}
		if len(r.Neighbours) == 0 {
			t.Errorf("province %s has no neighbours", r.Code)
		}
		for _, n := range r.Neighbours {
			other, ok := byCode[n]
			switch {
			case !ok || other.Level != LevelProvince:
				t.Errorf("%s: neighbour %q is not a province", r.Code, n)
			case n == r.Code:
				t.Errorf("%s lists itself as a neighbour", r.Code)
			case !slices.Contains(other.Neighbours, r.Code):
				t.Errorf("neighbours not symmetric: %s lists %s but not the reverse", r.Code, n)
			}
		}
	}

	// A few facts of Iran's internal borders worth pinning down.
	cases := []struct {
		a, b string
		want bool
	}{
		{"THR", "ALB", true},
		{"THR", "QOM", true},
		{"THR", "MRK", true},
		{"THR", "QAZ", false}, // Alborz lies between them since 2010
		{"EAZ", "KRD", false},
		{"ZAN", "WAZ", true},
		{"LOR", "CMB", true},
		{"ISF", "SKH", true},
		{"YAZ", "SKH", true},
		{"KRZ", "GOL", false},
		{"KHZ", "ISF", false},
		{"SIS", "HRM", true},
		{"FAR", "BUS", true},
	}
	for _, c := range cases {
		got := slices.Contains(byCode[c.a].Neighbours, c.b)
		if got != c.want {
			t.Errorf("%s borders %s = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	counts := map[string]int{"ZAN": 7, "SEM": 8, "ISF": 9, "ARD": 3}
	for code, want := range counts {
		if got := len(byCode[code].Neighbours); got != want {
			t.Errorf("%s has %d neighbours, want %d", code, got, want)
		}
	}
}

func TestReferenceRegionsGeometry(t *testing.T) {
	regions, byCode := refTestRegions(t)
	for _, r := range regions {
		if r.Lat < 25 || r.Lat > 40 || r.Lon < 44 || r.Lon > 64 {
			t.Errorf("%s: centroid (%v, %v) outside Iran's bounding box", r.Code, r.Lat, r.Lon)
		}
		switch r.Level {
		case LevelProvince:
			if r.RadiusKm != 0 {
				t.Errorf("province %s: radius_km = %v, want 0", r.Code, r.RadiusKm)
			}
		case LevelCity:
			if r.RadiusKm <= 0 || r.RadiusKm > 30 {
				t.Errorf("city %s: radius_km = %v, want in (0, 30]", r.Code, r.RadiusKm)
			}
			p := byCode[r.Parent]
			if d := refTestHaversineKm(r.Lat, r.Lon, p.Lat, p.Lon); d >= 600 {
				t.Errorf("city %s is %.0f km from the centroid of its province %s", r.Code, d, p.Code)
			}
		}
	}
	// Distinct cities do not sit on top of each other.
	var cities []RefRegion
	for _, r := range regions {
		if r.Level == LevelCity {
			cities = append(cities, r)
		}
	}
	for i := range cities {
		for j := i + 1; j < len(cities); j++ {
			a, b := cities[i], cities[j]
			if d := refTestHaversineKm(a.Lat, a.Lon, b.Lat, b.Lon); d < 2 {
				t.Errorf("cities %s and %s are only %.1f km apart", a.Code, b.Code, d)
			}
		}
	}
	// Tehran is the largest urban area.
	if got := byCode["tehran"].RadiusKm; got < 20 {
		t.Errorf("tehran radius_km = %v, want about 25", got)
	}
}

func TestReferenceRegionsNames(t *testing.T) {
	regions, _ := refTestRegions(t)
	for _, r := range regions {
		if r.NameFa == "" || r.NameEn == "" {
			t.Errorf("%s: missing name (fa %q, en %q)", r.Code, r.NameFa, r.NameEn)
		}
		if strings.ContainsAny(r.NameFa, "يكى") {
			t.Errorf("%s: name_fa %q contains Arabic ي/ك/ى", r.Code, r.NameFa)
		}
		for _, a := range r.Aliases {
			if strings.ContainsAny(a, "يكى") {
				t.Errorf("%s: alias %q contains Arabic ي/ك/ى", r.Code, a)
			}
		}
		hasPersian := false
		for _, c := range r.NameFa {
			if c >= 0x0600 && c <= 0x06FF {
				hasPersian = true
				break
			}
		}
		if !hasPersian {
			t.Errorf("%s: name_fa %q has no Persian letters", r.Code, r.NameFa)
		}
	}
}

func TestReferenceRegionsAliases(t *testing.T) {
	_, byCode := refTestRegions(t)
	cases := []struct {
		code  string
		alias string
	}{
		{"isfahan", "Esfahan"},
		{"isfahan", "Ispahan"},
		{"mashhad", "Meshed"},
		{"mashhad", "Mashad"},
		{"tehran", "Teheran"},
		{"ahvaz", "Ahwaz"},
		{"kermanshah", "Bakhtaran"},
		{"urmia", "Orumiyeh"},
		{"urmia", "ارومیه"},
		{"qazvin", "Ghazvin"},
		{"qom-city", "Ghom"},
		{"shahrekord", "Shahr-e Kord"},
		{"bojnurd", "Bojnourd"},
	}
	for _, c := range cases {
		if !slices.Contains(byCode[c.code].Aliases, c.alias) {
			t.Errorf("%s: alias %q missing", c.code, c.alias)
		}
	}
}

func TestReferenceRegionsPopulation(t *testing.T) {
	regions, byCode := refTestRegions(t)
	var provinceSum int64
	for _, r := range regions {
		if r.Population <= 0 {
			t.Errorf("%s: population %d", r.Code, r.Population)
		}
		if r.CensusYear != 1395 {
			t.Errorf("%s: census_year %d, want 1395", r.Code, r.CensusYear)
		}
		if r.Level == LevelProvince {
			provinceSum += r.Population
		}
	}
	if provinceSum < 79_000_000 || provinceSum > 81_000_000 {
		t.Errorf("provinces add up to %d, want about 79.9 million", provinceSum)
	}

	var top []string
	for _, r := range regions {
		if r.Level == LevelCity && len(top) < 3 {
			top = append(top, r.Code)
		}
	}
	if want := []string{"tehran", "mashhad", "isfahan"}; !slices.Equal(top, want) {
		t.Errorf("three most populous cities = %v, want %v", top, want)
	}

	// Published 1395 figures that other packages and reports quote.
	figures := map[string]int64{
		"tehran":  8_693_706,
		"mashhad": 3_001_184,
		"isfahan": 1_961_260,
		"karaj":   1_592_492,
		"THR":     13_267_637,
		"KRZ":     6_434_501,
		"ISF":     5_120_850,
	}
	for code, want := range figures {
		if got := byCode[code].Population; got != want {
			t.Errorf("%s population = %d, want %d", code, got, want)
		}
	}
}

func TestReferenceServices(t *testing.T) {
	services := refTestServices(t)
	if len(services) != 29 {
		t.Errorf("services = %d, want 29", len(services))
	}
	byCode := map[string]RefService{}
	for _, s := range services {
		if _, dup := byCode[s.Code]; dup {
			t.Errorf("service code %q is not unique", s.Code)
		}
		byCode[s.Code] = s
		if !refIsSnakeCase(s.Code) {
			t.Errorf("service code %q is not snake_case", s.Code)
		}
		if s.Channel != "office_only" && s.Channel != "office_or_self_service" {
			t.Errorf("%s: channel %q", s.Code, s.Channel)
		}
		if s.HandlingMinutes < 1 || s.HandlingMinutes > 120 {
			t.Errorf("%s: handling_minutes %d", s.Code, s.HandlingMinutes)
		}
		if s.FeeRials < 0 {
			t.Errorf("%s: fee_rials %d", s.Code, s.FeeRials)
		}
		if s.NameFa == "" || s.NameEn == "" || s.DescriptionEn == "" {
			t.Errorf("%s: missing name or description", s.Code)
		}
		if strings.ContainsAny(s.NameFa, "يكى") {
			t.Errorf("%s: name_fa %q contains Arabic ي/ك/ى", s.Code, s.NameFa)
		}
	}

	mustHave := []string{
		"e_notification",
		"case_information",
		"sana_registration",
		"criminal_record",
		"judicial_unit_appointment",
		"forensic_appointment",
		"attorney_contract",
		"financial_conviction_inquiry",
		"judicial_document_inquiry",
		"lawyer_expert_status",
		"administrative_court_petition",
		"administrative_court_appeal",
		"sama",
		"sabt_e_man",
		"self_declaration",
		"petition",
		"complaint",
		"power_of_attorney",
		"interim_order",
		"judge_appointment",
		"brief_submission",
		"execution_request",
		"sakha",
		"exit_ban_inquiry",
		"vehicle_seizure_inquiry",
	}
	for _, code := range mustHave {
		if _, ok := byCode[code]; !ok {
			t.Errorf("service %q missing", code)
		}
	}
	if got := byCode["criminal_record"].Channel; got != "office_or_self_service" {
		t.Errorf("criminal_record channel = %q, want office_or_self_service", got)
	}
}

func TestReferenceServicesFileOrder(t *testing.T) {
	a := refTestServices(t)
	b := refTestServices(t)
	if !slices.Equal(a, b) {
		t.Fatal("two loads differ")
	}
	if a[0].Code != "e_notification" {
		t.Errorf("first service = %q, want file order starting with e_notification", a[0].Code)
	}
}

func TestParseRefRegionsRejects(t *testing.T) {
	const tehran = `{"code":"THR","level":"province","parent":"","name_fa":"تهران","name_en":"Tehran","aliases":[],"population":13267637,"census_year":1395,"lat":35.5,"lon":51.4,"radius_km":0,"neighbours":[%s]}`
	const qom = `{"code":"QOM","level":"province","parent":"","name_fa":"قم","name_en":"Qom","aliases":[],"population":1292283,"census_year":1395,"lat":34.6,"lon":50.9,"radius_km":0,"neighbours":["THR"]}`
	const city = `{"code":"tehran","level":"city","parent":"THR","name_fa":"تهران","name_en":"Tehran","aliases":[],"population":8693706,"census_year":1395,"lat":35.69,"lon":51.39,"radius_km":25,"neighbours":[]}`
	province := func(neighbours string) string { return strings.Replace(tehran, "%s", neighbours, 1) }
	valid := "[" + province(`"QOM"`) + "," + qom + "," + city + "]"

	if _, err := parseRefRegions([]byte(valid)); err != nil {
		t.Fatalf("valid sample rejected: %v", err)
	}
	cases := []struct {
		name, data, want string
	}{
		{"unknown field", strings.Replace(valid, `"lat":35.69`, `"latitude":1,"lat":35.69`, 1), "unknown field"},
		{"trailing data", valid + "[]", "after the top-level value"},
		{"not json", `{`, "decoding"},
		{"empty", `[]`, "no regions"},
		{"duplicate code", "[" + province(`"QOM"`) + "," + qom + "," + city + "," + city + "]", "duplicate code"},
		{"asymmetric neighbour", "[" + province(``) + "," + qom + "," + city + "]", "does not list it back"},
		{"unknown neighbour", "[" + province(`"QOM","XXX"`) + "," + qom + "," + city + "]", "does not exist"},
		{"city neighbour", "[" + province(`"QOM","tehran"`) + "," + qom + "," + city + "]", "not a province"},
		{"arabic yeh", strings.Replace(valid, `"name_fa":"قم"`, `"name_fa":"قمي"`, 1), "Arabic"},
		{"arabic kaf alias", strings.Replace(valid, `"aliases":[],"population":8693706`, `"aliases":["كرج"],"population":8693706`, 1), "Arabic"},
		{"orphan city", strings.Replace(valid, `"parent":"THR"`, `"parent":"XXX"`, 1), "parent"},
		{"city too big", strings.Replace(valid, `"population":8693706`, `"population":20000000`, 1), "not below"},
		{"outside iran", strings.Replace(valid, `"lat":35.69`, `"lat":51.5`, 1), "bounding box"},
		{"bad slug", strings.Replace(valid, `"code":"tehran"`, `"code":"Tehran City"`, 1), "slug"},
		{"code clash", strings.Replace(valid, `"code":"tehran"`, `"code":"thr"`, 1), "case is ignored"},
		{"bad level", strings.Replace(valid, `"level":"city"`, `"level":"town"`, 1), "unknown level"},
		{"zero radius", strings.Replace(valid, `"radius_km":25`, `"radius_km":0`, 1), "radius_km"},
		{"province radius", strings.Replace(valid, `"radius_km":0,"neighbours":["QOM"]`, `"radius_km":5,"neighbours":["QOM"]`, 1), "radius_km"},
		{"bad census year", strings.Replace(valid, `"census_year":1395,"lat":35.69`, `"census_year":2016,"lat":35.69`, 1), "census_year"},
		{"negative population", strings.Replace(valid, `"population":1292283`, `"population":-1`, 1), "population"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseRefRegions([]byte(c.data))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseRefServicesRejects(t *testing.T) {
	const svc = `{"code":"criminal_record","name_fa":"گواهی عدم سوء پیشینه","name_en":"Criminal-record certificate","channel":"office_or_self_service","handling_minutes":10,"fee_rials":115000,"description_en":"x"}`
	valid := "[" + svc + "]"
	if _, err := parseRefServices([]byte(valid)); err != nil {
		t.Fatalf("valid sample rejected: %v", err)
	}
	cases := []struct {
		name, data, want string
	}{
		{"unknown field", strings.Replace(valid, `"fee_rials"`, `"price":1,"fee_rials"`, 1), "unknown field"},
		{"duplicate", "[" + svc + "," + svc + "]", "duplicate code"},
		{"bad channel", strings.Replace(valid, `"office_or_self_service"`, `"online"`, 1), "channel"},
		{"zero minutes", strings.Replace(valid, `"handling_minutes":10`, `"handling_minutes":0`, 1), "handling_minutes"},
		{"too many minutes", strings.Replace(valid, `"handling_minutes":10`, `"handling_minutes":121`, 1), "handling_minutes"},
		{"negative fee", strings.Replace(valid, `"fee_rials":115000`, `"fee_rials":-5`, 1), "fee_rials"},
		{"bad code", strings.Replace(valid, `"criminal_record"`, `"Criminal-Record"`, 1), "snake_case"},
		{"arabic name", strings.Replace(valid, `پیشینه`, `پيشينه`, 1), "Arabic"},
		{"no description", strings.Replace(valid, `"description_en":"x"`, `"description_en":""`, 1), "description_en"},
		{"empty", `[]`, "no services"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseRefServices([]byte(c.data))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestRefIsWords(t *testing.T) {
	cases := []struct {
		s    string
		sep  byte
		want bool
	}{
		{"tehran", '-', true},
		{"bandar-abbas", '-', true},
		{"gonbad-e-kavus", '-', true},
		{"a1", '-', true},
		{"", '-', false},
		{"-tehran", '-', false},
		{"tehran-", '-', false},
		{"bandar--abbas", '-', false},
		{"Tehran", '-', false},
		{"bandar abbas", '-', false},
		{"criminal_record", '_', true},
		{"criminal__record", '_', false},
		{"e_notification", '_', true},
	}
	for _, c := range cases {
		if got := refIsWords(c.s, c.sep); got != c.want {
			t.Errorf("refIsWords(%q, %q) = %v, want %v", c.s, c.sep, got, c.want)
		}
	}
}
