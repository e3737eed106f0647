package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
)

// ExamSpec describes a generated exam-result file.
type ExamSpec struct {
	Passed    int // candidates who passed (about 2,000 in a real year)
	NotPassed int // candidates who did not
	ExamYear  int
}

var (
	examMaleNames   = []string{"علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حمید", "سعید", "بهروز", "کاوه", "جواد", "مجید", "احمد", "مصطفی", "یاسر", "پیمان", "فرهاد", "کامران", "ابراهیم", "هادی"}
	examFemaleNames = []string{"زهرا", "فاطمه", "مریم", "سارا", "نرگس", "لیلا", "مینا", "نسرین", "پروین", "الهام", "سمیه", "مهسا", "شیرین", "نازنین", "فرشته", "آزاده", "راحله", "طاهره", "سپیده", "هانیه"}
	examLastNames   = []string{"احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "نوری", "کاظمی", "طاهری", "قاسمی", "یزدانی", "شریفی", "عباسی", "فرهادی", "اکبری", "نجفی", "سلیمانی", "ابراهیمی", "حیدری", "مرادی", "زارعی", "کرمانی", "تهرانی", "اصفهانی", "شیرازی", "خراسانی", "قربانی"}
)

// ExamCSV generates a realistic result file, deterministically for a
// given rng: UTF-8 with a BOM, the Persian headers, provinces by population,
// scores roughly normal (mean 60, sd 13 on the 0-100 scale) with ranks in
// score order and the best Passed candidates passed, and 3 to 10 city
// preferences each, leaning toward the big cities and the candidate's own
// province and its neighbours.
func ExamCSV(gaz *geo.Gazetteer, rng *rand.Rand, d ExamSpec) []byte {
	n := d.Passed + d.NotPassed
	provinces := gaz.Level(geo.LevelProvince)
	cities := gaz.Level(geo.LevelCity)
	provWeights := make([]float64, len(provinces))
	for i, p := range provinces {
		provWeights[i] = float64(p.Population)
	}
	cityProv := make([]string, len(cities))
	for i, c := range cities {
		if p, ok := gaz.Province(c.Code); ok {
			cityProv[i] = p.Code
		}
	}

	type cand struct {
		code, first, last, gender, birth, province string
		score                                      float64
		prefs                                      []string
	}
	seen := map[string]bool{}
	list := make([]cand, n)
	for i := range list {
		c := &list[i]
		for {
			first9 := fmt.Sprintf("%09d", rng.IntN(1_000_000_000))
			check, _ := daftar.NationalCodeCheckDigit(first9)
			code := first9 + strconv.Itoa(check)
			if !seen[code] && daftar.ValidNationalCode(code) {
				seen[code] = true
				c.code = code
				break
			}
		}
		if rng.IntN(100) < 58 {
			c.gender, c.first = "مرد", examMaleNames[rng.IntN(len(examMaleNames))]
		} else {
			c.gender, c.first = "زن", examFemaleNames[rng.IntN(len(examFemaleNames))]
		}
		c.last = examLastNames[rng.IntN(len(examLastNames))]
		y := d.ExamYear - 24 - rng.IntN(35)
		m := 1 + rng.IntN(12)
		c.birth = daftar.JalaliDate{Year: y, Month: m, Day: 1 + rng.IntN(daftar.JalaliMonthLength(y, m))}.String()
		prov := provinces[pickWeighted(rng, provWeights)]
		c.province = prov.NameFa
		c.score = math.Round(min(99.5, max(5, 60+13*rng.NormFloat64()))*100) / 100

		neighbours := map[string]bool{}
		for _, nb := range prov.NeighbourList() {
			neighbours[nb] = true
		}
		w := make([]float64, len(cities))
		for j, city := range cities {
			x := math.Pow(float64(city.Population), 0.8)
			switch {
			case cityProv[j] == prov.Code:
				x *= 20
			case neighbours[cityProv[j]]:
				x *= 2
			}
			if city.Population > 1_000_000 {
				x *= 2
			}
			w[j] = x
		}
		k := 3 + rng.IntN(8)
		for len(c.prefs) < k {
			j := pickWeighted(rng, w)
			w[j] = 0
			name := cities[j].NameFa
			switch rng.IntN(20) { // people write city names in more than one way
			case 0:
				name = cities[j].NameEn
			case 1:
				name = cities[j].Code
			}
			c.prefs = append(c.prefs, name)
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return list[order[a]].score > list[order[b]].score })

	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&buf)
	w.Write([]string{"کد ملی", "نام", "نام خانوادگی", "جنسیت", "تاریخ تولد", "استان محل آزمون", "نمره تراز", "رتبه", "نتیجه", "اولویت‌ها"})
	for rank, i := range order {
		c := list[i]
		result := "قبول"
		if rank >= d.Passed {
			result = "مردود"
		}
		sep := "، "
		if rng.IntN(4) == 0 {
			sep = "; "
		}
		w.Write([]string{c.code, c.first, c.last, c.gender, c.birth, c.province,
			strconv.FormatFloat(c.score, 'f', -1, 64), strconv.Itoa(rank + 1), result, strings.Join(c.prefs, sep)})
	}
	w.Flush()
	return buf.Bytes()
}

// pickWeighted draws an index with probability proportional to its weight.
func pickWeighted(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	for i := len(w) - 1; i >= 0; i-- {
		if w[i] > 0 {
			return i
		}
	}
	return 0
}
