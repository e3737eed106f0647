package demo

import (
	"fmt"
	"testing"

	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// The stuffing cases raise each of the three flags through the live path,
// and staff find them in the flags list; the same seed picks the same
// offices.
func TestStuffing(t *testing.T) {
	run := func(t *testing.T, d *db.DB) StuffingReport {
		e := newEnv(t, d)
		reg, err := offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices stand close: no distance rule
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 6; i++ {
			code, name, city, counters := fmt.Sprintf("YAZ-%04d", i+1), "دفتر یزد", "yazd", 2
			lat, lon := 31.89+float64(i)*0.002, 54.36
			if _, err := reg.Create(e.ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon,
				Counters: &counters, Services: []string{"criminal_record"}}); err != nil {
				t.Fatal(err)
			}
		}
		svc, err := surveys.New(d, e.clock, e.audit, reg, nil, []byte("test-client-key"), surveys.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.EnsureDefaultTemplate(e.ctx); err != nil {
			t.Fatal(err)
		}
		vs, err := visits.New(d, e.clock, reg, svc, nil, visits.Config{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Stuffing(e.ctx, svc, vs, reg, e.clock.Now(), 1405)
		if err != nil {
			t.Fatal(err)
		}
		flags, total, err := svc.Flags(e.ctx, surveys.FlagFilter{Limit: 100})
		if err != nil || total == 0 || len(flags) == 0 {
			t.Fatalf("flags %d %v", total, err)
		}
		return rep
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		rep := run(t, d)
		if rep.Answers != 27 || len(rep.Offices) != 3 || rep.Flags[surveys.FlagIdentical] == 0 || rep.Flags[surveys.FlagBurst] == 0 || rep.Flags[surveys.FlagTooFast] != 6 {
			t.Fatalf("%+v", rep)
		}
		seen := map[int64]bool{}
		for _, o := range rep.Offices {
			if seen[o] {
				t.Fatalf("one office took two cases: %v", rep.Offices)
			}
			seen[o] = true
		}
		if again := run(t, dbtest.Open(t, d.Dialect)); fmt.Sprint(again) != fmt.Sprint(rep) {
			t.Fatalf("not deterministic: %+v then %+v", rep, again)
		}
	})
}
