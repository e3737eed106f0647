package visits

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestPartitions: rows of months with no partition wait in the default
// partition; maintenance makes the months ahead and those of the strays,
// moves them, and changes nothing for callers (reads, duplicates, new
// writes); a second run makes nothing; two at once agree. On SQLite it
// does nothing.
func TestPartitions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		off := e.Office("THR-0101", "tehran", 35.70, 51.40, 3, []string{"criminal_record"}, nil)
		at := func(y, m, day int) string {
			return time.Date(y, time.Month(m), day, 9, 0, 0, 0, daftar.Tehran()).Format(time.RFC3339)
		}
		visit := func(ticket, arrived string) Input {
			return Input{Ticket: ticket, Service: "criminal_record", ArrivedAt: arrived, Outcome: OutcomeNoShow}
		}
		// 2026-11-21 is 1405/08/30, 2026-08-01 is 1405/05/10.
		res, err := e.Visits.Record(e.Ctx, off.ID, []Input{visit("A-1", at(2026, 11, 21)), visit("A-2", at(2026, 8, 1))})
		if err != nil || res.Accepted != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		rep, err := e.Visits.MaintainPartitions(e.Ctx, vNow, 2)
		if err != nil {
			t.Fatal(err)
		}
		if d.Dialect == db.SQLite {
			if len(rep.Created) != 0 {
				t.Fatalf("sqlite: %+v", rep)
			}
			return
		}
		want := []string{"visits_1405_05", "visits_1405_06", "visits_1405_07", "visits_1405_08", "visits_1405_09", "visits_1405_10", "visits_1405_11"}
		got := slices.Sorted(slices.Values(rep.Created))
		if !slices.Equal(got, want) || rep.Moved != 2 {
			t.Fatalf("created %v, moved %d", got, rep.Moved)
		}
		where := func(ticket string) string {
			var p string
			d.Gorm.Raw("SELECT tableoid::regclass::text FROM visits WHERE ticket = ?", ticket).Scan(&p)
			return p
		}
		if where("A-1") != "visits_1405_08" || where("A-2") != "visits_1405_05" {
			t.Fatalf("A-1 in %q, A-2 in %q", where("A-1"), where("A-2"))
		}
		// Callers see nothing: a repeated ticket is a duplicate, a new one
		// lands in its month.
		res, err = e.Visits.Record(e.Ctx, off.ID, []Input{visit("A-2", at(2026, 11, 20)), visit("A-3", at(2026, 11, 20))})
		if err != nil || res.Accepted != 1 || res.Duplicates != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if where("A-3") != "visits_1405_08" {
			t.Fatalf("A-3 in %q", where("A-3"))
		}
		again, err := e.Visits.MaintainPartitions(e.Ctx, vNow, 2)
		if err != nil || len(again.Created) != 0 {
			t.Fatalf("second run: %+v %v", again, err)
		}
		// Two replicas at once, a month further ahead.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		made := make([][]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := e.Visits.MaintainPartitions(e.Ctx, vNow, 3)
				errs[i], made[i] = err, r.Created
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || len(made[0])+len(made[1]) != 1 {
			t.Fatalf("concurrent: %v %v, made %v %v", errs[0], errs[1], made[0], made[1])
		}
		list, err := e.Visits.Partitions(e.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 9 || list[len(list)-1].Name != "visits_default" {
			t.Fatalf("%+v", list)
		}
		for _, p := range list[:len(list)-1] {
			if p.Name != partitionName(p.From) || p.To != daftar.MonthEnd(p.From) {
				t.Errorf("%+v", p)
			}
		}
		// A history load makes its months first.
		pre, err := e.Visits.PreparePartitions(e.Ctx, daftar.MonthStart(vNow.Unix())-400*86400, vNow.Unix())
		if err != nil || len(pre.Created) != 10 || pre.Moved != 0 {
			t.Fatalf("prepare: %+v %v", pre, err)
		}
	})
}
