package geodemo

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// The demo register: the same for a seed, every phone a landline of the
// office's province, and demand per resident the same everywhere (so the
// offices of the thin cities serve more residents than those of the
// oversupplied ones).
func TestDemoRegister(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, _ := geo.LoadGazetteer(ctx, d)
	cat, _ := geo.LoadCatalogue(ctx, d)
	list := Offices(gaz, cat, rand.New(rand.NewPCG(1405, 1405)), 1200)
	if again := Offices(gaz, cat, rand.New(rand.NewPCG(1405, 1405)), 1200); !reflect.DeepEqual(list, again) {
		t.Fatal("not deterministic")
	}
	perCity := map[string]int{}
	for i, o := range list {
		area, _ := geo.AreaCode(o.ProvinceCode)
		if len(o.Phone) != 11 || !strings.HasPrefix(o.Phone, area) || o.Phone[3] < '2' {
			t.Fatalf("office %s of %s: phone %s", o.Code, o.ProvinceCode, o.Phone)
		}
		if o.Counters < 1 || o.Counters > 5 {
			t.Fatalf("office %s: %d counters", o.Code, o.Counters)
		}
		list[i].ID = int64(i + 1)
		perCity[o.CityCode]++
	}
	g := NewSimulator(cat, gaz, list, SimOptions{Seed: 1405})
	mean := func(city string) float64 {
		var sum float64
		n := 0
		for _, o := range list {
			if o.CityCode == city {
				sum += g.daily[o.ID]
				n++
			}
		}
		return sum / float64(n)
	}
	for thin := range ThinCities {
		for over := range OversuppliedCities {
			if mean(thin) < 2*mean(over) {
				t.Errorf("%s offices get %.0f visits a day, %s offices %.0f", thin, mean(thin), over, mean(over))
			}
		}
	}
	// About 0.0012 visits a resident a working day, the average office
	// getting MeanDailyVisits.
	var sum float64
	for _, v := range g.daily {
		sum += v
	}
	if r := DemandPerResident(gaz, list); r < 0.0011 || r > 0.0013 || sum/float64(len(list)) < MeanDailyVisits-0.5 || sum/float64(len(list)) > MeanDailyVisits+0.5 {
		t.Errorf("%.5f visits a resident, %.1f an office", r, sum/float64(len(list)))
	}
}
