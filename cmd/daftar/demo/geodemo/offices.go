package geodemo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/paulmach/orb"
)

// The demo register: about 1,200 offices spread over the cities by
// population, deliberately thin in Tehran, Mashhad and Isfahan (where
// licensing stopped for years and the shortage is worst) and generous in a
// few provincial capitals, each with the counters its demand needs (two to
// five, at most four where offices are short), the usual opening hours, most
// of the catalogue and a landline of its province.

// ThinCities are the cities the demo leaves short of offices: their share of
// the offices is their share of the population times this.
var ThinCities = map[string]float64{"tehran": 0.42, "mashhad": 0.5, "isfahan": 0.55}

// staffedLoad is the share of their counters' time owners staff for.
const staffedLoad = 0.6

// OversuppliedCities got more offices than their population needs.
var OversuppliedCities = map[string]float64{"yazd": 1.7, "semnan": 2.0, "shahrekord": 1.8, "birjand": 1.7, "arak": 1.5, "zanjan": 1.5}

var (
	demoFirstNames = []string{"علی", "محمد", "حسین", "رضا", "مهدی", "زهرا", "فاطمه", "مریم", "سارا", "نرگس", "امیر", "حمید", "سعید", "لیلا", "مینا", "بهروز", "کاوه", "نسرین", "پروین", "جواد"}
	demoLastNames  = []string{"احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "نوری", "کاظمی", "طاهری", "قاسمی", "یزدانی", "شریفی", "عباسی", "فرهادی", "اکبری", "نجفی", "سلیمانی"}
	// Streets name the demo's addresses (one list for every demo office).
	Streets = []string{"آزادی", "انقلاب", "امام خمینی", "ولیعصر", "طالقانی", "شریعتی", "جمهوری", "فردوسی", "حافظ", "سعدی", "بهار", "مطهری", "کشاورز", "پاسداران", "نیایش"}
)

// Offices lays out n demo offices over the gazetteer's cities. It is
// deterministic for a given rng.
func Offices(gaz *geo.Gazetteer, cat *geo.Catalogue, rng *rand.Rand, n int) []offices.Office {
	cities := gaz.Level(geo.LevelCity)
	weights := make([]float64, len(cities))
	total := 0.0
	for i, c := range cities {
		w := float64(c.Population)
		if f, ok := ThinCities[c.Code]; ok {
			w *= f
		}
		if f, ok := OversuppliedCities[c.Code]; ok {
			w *= f
		}
		weights[i] = w
		total += w
	}
	// Largest remainder, at least one office per city.
	counts := make([]int, len(cities))
	rest := n - len(cities)
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(cities))
	assigned := 0
	for i, w := range weights {
		exact := w / total * float64(rest)
		counts[i] = 1 + int(exact)
		assigned += int(exact)
		rems[i] = rem{i, exact - math.Floor(exact)}
	}
	sort.Slice(rems, func(a, b int) bool { return rems[a].r > rems[b].r || (rems[a].r == rems[b].r && rems[a].i < rems[b].i) })
	for k := 0; k < rest-assigned; k++ {
		counts[rems[k%len(rems)].i]++
	}
	var residents float64
	for _, c := range cities {
		residents += float64(c.Population)
	}
	services := cat.All()
	seq := map[string]int{}
	var out []offices.Office
	for i, city := range cities {
		// Owners keep the counters their demand needs (visits of about 14
		// minutes over an 8.5-hour day at staffedLoad of the counters'
		// time), at least two, some one more; where offices are short they
		// cannot keep up.
		expected := MeanDailyVisits * float64(n) * float64(city.Population) / residents / float64(counts[i])
		want := int(math.Round(expected * 14 / (510 * staffedLoad)))
		prov, _ := gaz.Province(city.Code)
		area, ok := geo.AreaCode(prov.Code)
		if !ok {
			area = "021"
		}
		for k := 0; k < counts[i]; k++ {
			seq[prov.Code]++
			code := fmt.Sprintf("%s-%04d", prov.Code, seq[prov.Code])
			p := randomPointIn(rng, city.Centroid(), city.RadiusM*0.8)
			counters := min(max(want+rng.IntN(2), 2), 5)
			if _, thin := ThinCities[city.Code]; thin {
				counters = min(counters, 4)
			}
			hours := geo.DefaultOpeningHours()
			if rng.IntN(5) == 0 { // some open earlier and close later
				for d := 0; d < 5; d++ {
					hours[d] = []geo.Span{{Open: 7 * 60, Close: 14 * 60}, {Open: 15*60 + 30, Close: 19 * 60}}
				}
			}
			var offered []string
			for j, s := range services {
				if j < 12 || rng.Float64() < 0.75 {
					offered = append(offered, s.Code)
				}
			}
			sort.Strings(offered)
			status := offices.Active
			switch r := rng.IntN(100); {
			case r < 2:
				status = offices.Suspended
			case r < 3:
				status = offices.Closed
			}
			owner := demoFirstNames[rng.IntN(len(demoFirstNames))] + " " + demoLastNames[rng.IntN(len(demoLastNames))]
			out = append(out, offices.Office{
				Code: code, NameFa: fmt.Sprintf("دفتر خدمات الکترونیک قضائی %s شماره %s", city.NameFa, daftar.PersianDigits(fmt.Sprint(k+1))),
				NameEn: fmt.Sprintf("Judicial e-services office %s No. %d", city.NameEn, k+1), OwnerName: owner,
				ProvinceCode: prov.Code, CityCode: city.Code, Latitude: round6(p.Lat()), Longitude: round6(p.Lon()),
				Address: fmt.Sprintf("%s، خیابان %s، پلاک %s", city.NameFa, Streets[rng.IntN(len(Streets))], daftar.PersianDigits(fmt.Sprint(1+rng.IntN(300)))),
				Phone:   fmt.Sprintf("%s%d%07d", area, 2+rng.IntN(8), rng.IntN(10_000_000)), Counters: counters,
				Hours: hours, Services: offered, Status: status, Version: 1,
			})
		}
	}
	return out
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// randomPointIn picks a point uniformly in a disc of radius metres.
func randomPointIn(rng *rand.Rand, c orb.Point, radius float64) orb.Point {
	r := radius * math.Sqrt(rng.Float64())
	theta := rng.Float64() * 2 * math.Pi
	dLat := r * math.Cos(theta) / 111_320
	dLon := r * math.Sin(theta) / (111_320 * math.Cos(c.Lat()*math.Pi/180))
	return orb.Point{c.Lon() + dLon, c.Lat() + dLat}
}
