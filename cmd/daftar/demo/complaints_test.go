package demo

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/daftar-ir/daftar/surveys/complaints/adapters"
)

// Complaints: every state present, more complaints per office where the
// survey answers report extra fees, and the same cases for the same seed.
func TestComplaints(t *testing.T) {
	run := func(t *testing.T, d *db.DB) (ComplaintsReport, map[bool][2]int) {
		e := newEnv(t, d)
		reg, err := offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{})
		if err != nil {
			t.Fatal(err)
		}
		perOffice := map[bool][2]int{} // extra-fee office or not: offices, complaints
		ids := map[int64]bool{}
		for i := 0; i < 150; i++ {
			code, name, city, counters := fmt.Sprintf("YAZ-%04d", i+1), "دفتر یزد", "yazd", 2
			lat, lon := 31.86+float64(i%12)*0.005, 54.33+float64(i/12)*0.006 // 555 m and 566 m apart: more than the 500 m a new office keeps
			o, err := reg.Create(e.ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon,
				Counters: &counters, Services: []string{"criminal_record", "e_notification"}})
			if err != nil {
				t.Fatal(err)
			}
			fee := extraFeeOffice(1405, o.ID)
			ids[o.ID] = fee
			x := perOffice[fee]
			x[0]++
			perOffice[fee] = x
		}
		acc, err := accounts.New(d, e.clock, e.audit, reg, slog.New(slog.DiscardHandler),
			accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		insp, err := acc.Create(e.ctx, accounts.NewUser{Username: "inspector", Password: "Demo-Inspector-1405", Role: daftar.RoleInspector})
		if err != nil {
			t.Fatal(err)
		}
		sv, err := surveys.New(d, e.clock, e.audit, reg, nil, []byte("k"), surveys.Config{})
		if err != nil {
			t.Fatal(err)
		}
		deps := complaints.Deps{DB: d, Calendar: daftar.OfficialWorkCalendar(), Offices: adapters.Offices{Register: reg},
			Catalogue: e.cat, Surveys: adapters.Surveys{Service: sv}, Outbox: sv, Inspectors: adapters.Inspectors{Accounts: acc},
			MobileKey: secrets.Derive(testSecret, secrets.ComplaintMobile)}
		rep, err := Complaints(e.ctx, deps, reg, e.cat, e.clock.Now(), ComplaintOptions{Seed: 1405, Count: 200, Inspectors: []int64{insp.ID}})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := complaints.New(func() complaints.Deps { x := deps; x.Clock, x.Audit = e.clock, e.audit; return x }(), complaints.Config{})
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := svc.List(e.ctx, complaints.Filter{PageSize: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			x := perOffice[ids[c.OfficeID]]
			x[1]++
			perOffice[ids[c.OfficeID]] = x
		}
		return rep, perOffice
	}
	var first ComplaintsReport
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		rep, per := run(t, d)
		if rep.Filed != 200 {
			t.Fatalf("filed %d", rep.Filed)
		}
		for _, s := range complaints.States {
			if rep.ByState[s] == 0 {
				t.Errorf("no demo complaint is %s: %v", s, rep.ByState)
			}
		}
		fee, other := per[true], per[false]
		if fee[0] == 0 || other[0] == 0 || fee[1]*other[0] < 5*other[1]*fee[0] {
			t.Fatalf("extra-fee offices: %d complaints over %d offices; others: %d over %d", fee[1], fee[0], other[1], other[0])
		}
		if first.Filed == 0 {
			first = rep
		} else if fmt.Sprint(first.ByState) != fmt.Sprint(rep.ByState) || first.Escalated != rep.Escalated {
			t.Fatalf("not the same for the same seed: %v %d vs %v %d", first.ByState, first.Escalated, rep.ByState, rep.Escalated)
		}
	})
}
