package complaints_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/migrate"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

func TestStaffQueue(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		a1 := f.file(t, f.yazdA.ID, complaints.ExtraFee)
		a2 := f.file(t, f.yazdA.ID, complaints.Delay)
		b1 := f.file(t, f.yazdB.ID, complaints.ExtraFee)
		f.clock.Advance(time.Hour)
		t1 := f.file(t, f.tehran.ID, complaints.Misconduct)
		f.drive(t, a2.ID, f.pathTo(complaints.StateAssigned))
		f.drive(t, b1.ID, f.pathTo(complaints.StateResolved))

		ids := func(fl complaints.Filter) []int64 {
			t.Helper()
			list, total, err := f.s.List(inspector(f.insp2), fl)
			if err != nil {
				t.Fatal(err)
			}
			if int(total) < len(list) {
				t.Fatalf("total %d below the page's %d", total, len(list))
			}
			var out []int64
			for _, c := range list {
				out = append(out, c.ID)
			}
			return out
		}
		same := func(name string, got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: got %v, want %v", name, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: got %v, want %v", name, got, want)
				}
			}
		}
		// Soonest deadline first: delay and extra fee (5 days) before
		// misconduct (10).
		same("all", ids(complaints.Filter{}), a1.ID, a2.ID, b1.ID, t1.ID)
		same("office", ids(complaints.Filter{OfficeID: f.yazdA.ID}), a1.ID, a2.ID)
		same("province", ids(complaints.Filter{Province: "THR"}), t1.ID)
		same("category", ids(complaints.Filter{Category: complaints.ExtraFee}), a1.ID, b1.ID)
		same("state", ids(complaints.Filter{State: complaints.StateResolved}), b1.ID)
		same("inspector", ids(complaints.Filter{InspectorID: f.insp1}), a2.ID, b1.ID)
		same("page 2", ids(complaints.Filter{Page: 2, PageSize: 3}), t1.ID)
		same("filed from", ids(complaints.Filter{FiledFrom: start.Add(time.Minute)}), t1.ID)
		same("filed to", ids(complaints.Filter{FiledTo: start.Add(time.Minute)}), a1.ID, a2.ID, b1.ID)
		same("none overdue yet", ids(complaints.Filter{Overdue: true}))
		// Past the 5-day deadlines, not the 10-day one: the resolved case
		// is not overdue.
		f.clock.Set(a1.DueAt.Add(time.Minute))
		same("overdue", ids(complaints.Filter{Overdue: true}), a1.ID, a2.ID)
		list, _, _ := f.s.List(admin(), complaints.Filter{OfficeID: f.yazdA.ID})
		// Due at the end of Saturday 03/16; a minute later it is Sunday:
		// overdue by Sunday's working day.
		if !list[0].Overdue || list[0].OverdueBy != daftar.WorkingDay {
			t.Fatalf("overdue %v by %v", list[0].Overdue, list[0].OverdueBy)
		}

		for _, bad := range []complaints.Filter{{State: "lost"}, {Category: "noise"}, {PageSize: 500}, {Page: -1}} {
			if _, _, err := f.s.List(admin(), bad); !daftar.IsKind(err, daftar.KindInvalid) {
				t.Errorf("filter %+v: %v", bad, err)
			}
		}
		if _, _, err := f.s.List(owner(f.yazdA.ID), complaints.Filter{}); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("owner reads the queue: %v", err)
		}
		if _, err := f.s.Get(owner(f.yazdA.ID), a1.ID); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("owner reads a case: %v", err)
		}
		if _, err := f.s.Get(admin(), 987654); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown case: %v", err)
		}
	})
}

func TestOwnerSeesOnlyTheirOffice(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		a1, err := f.s.File(context.Background(), complaints.Filing{OfficeID: f.yazdA.ID, Category: "privacy",
			Description: "اطلاعاتم را به دیگری نشان دادند", Mobile: "09350001122"})
		if err != nil {
			t.Fatal(err)
		}
		f.file(t, f.yazdB.ID, complaints.Other)
		views, total, err := f.s.OfficeComplaints(owner(f.yazdA.ID), f.yazdA.ID, complaints.Filter{})
		if err != nil || total != 1 || len(views) != 1 {
			t.Fatalf("%v %d %v", views, total, err)
		}
		v := views[0]
		if v.ID != a1.ID || v.Description != "اطلاعاتم را به دیگری نشان دادند" || v.FiledOn != daftar.ToJalali(start) {
			t.Fatalf("view %+v", v)
		}
		// Filters that would reach other offices are ignored for the owner.
		views, _, err = f.s.OfficeComplaints(owner(f.yazdA.ID), f.yazdA.ID, complaints.Filter{OfficeID: f.yazdB.ID, Province: "THR"})
		if err != nil || len(views) != 1 || views[0].OfficeID != f.yazdA.ID {
			t.Fatalf("%v %v", views, err)
		}
		if _, _, err := f.s.OfficeComplaints(owner(f.yazdA.ID), f.yazdB.ID, complaints.Filter{}); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("owner reads another office: %v", err)
		}
		if views, _, err := f.s.OfficeComplaints(inspector(f.insp1), f.yazdB.ID, complaints.Filter{}); err != nil || len(views) != 1 {
			t.Fatalf("staff read an office: %v %v", views, err)
		}
	})
}

func TestEscalateOnce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		late := f.file(t, f.yazdA.ID, complaints.RefusedService)
		f.file(t, f.yazdA.ID, complaints.Delay)
		done := f.file(t, f.yazdB.ID, complaints.RefusedService)
		f.drive(t, done.ID, f.pathTo(complaints.StateResolved))
		if n, err := f.s.Escalate(context.Background()); err != nil || n != 0 {
			t.Fatalf("escalated %d before any deadline (%v)", n, err)
		}
		f.clock.Set(late.DueAt.Add(time.Second))
		if n, err := f.s.Escalate(context.Background()); err != nil || n != 1 {
			t.Fatalf("escalated %d, want 1 (%v)", n, err)
		}
		if n, err := f.s.Escalate(context.Background()); err != nil || n != 0 {
			t.Fatalf("escalated again: %d (%v)", n, err)
		}
		c, _ := f.s.Get(admin(), late.ID)
		if c.EscalatedAt == nil || !c.Overdue {
			t.Fatalf("not flagged: %+v", c)
		}
	})
}

// replicas opens two connection pools on one new database, as two daftar
// processes would.
func replicas(t *testing.T, e db.Dialect) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	var cfg db.Config
	if e == db.Postgres {
		cfg.URL = dbtest.NewPostgresDatabase(t)
	} else {
		cfg.SQLitePath = filepath.Join(t.TempDir(), "daftar.db")
	}
	open := func() *db.DB {
		d, err := db.Open(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	d1 := open()
	if e == db.SQLite {
		if _, err := migrate.Up(ctx, d1, nil); err != nil {
			t.Fatal(err)
		}
	}
	return d1, open()
}

// Two replicas run the escalation at the same time, four times each: every
// overdue case is flagged exactly once, with one event, and the audit chain
// holds.
func TestEscalateAcrossReplicas(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			d1, d2 := replicas(t, e)
			f := setup(t, d1)
			const n = 30
			for i := 0; i < n; i++ {
				f.file(t, []int64{f.yazdA.ID, f.yazdB.ID, f.tehran.ID}[i%3], complaints.Delay)
			}
			f.clock.Advance(40 * 24 * time.Hour)
			svcs := []*complaints.Service{f.s, f.newService(t, d2)}
			var mu sync.Mutex
			flagged := 0
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func(s *complaints.Service) {
					defer wg.Done()
					k, err := s.Escalate(context.Background())
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					flagged += k
					mu.Unlock()
				}(svcs[i%2])
			}
			wg.Wait()
			if flagged != n {
				t.Fatalf("flagged %d, want %d", flagged, n)
			}
			var events, distinct int
			if err := d1.Query(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT complaint_id) FROM complaint_events
				WHERE action = 'escalate'`, nil, func(scan func(...any) error) error { return scan(&events, &distinct) }); err != nil {
				t.Fatal(err)
			}
			if events != n || distinct != n {
				t.Fatalf("%d escalation events for %d cases", events, distinct)
			}
			if _, err := audit.Verify(context.Background(), d1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The counts for the ranking and the inspections on a small case counted
// by hand.
func TestCounts(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		from, to := start.Add(-time.Hour), start.Add(10*24*time.Hour)
		// Before the period: Tehran, upheld. Not counted.
		f.clock.Set(start.Add(-48 * time.Hour))
		old := f.file(t, f.tehran.ID, complaints.ExtraFee)
		f.drive(t, old.ID, f.pathTo(complaints.StateResolved))
		f.clock.Set(start)
		// Yazd A: two upheld (one of them closed), one not upheld.
		for i, o := range []complaints.Outcome{complaints.Upheld, complaints.Upheld, complaints.NotUpheld} {
			r := f.file(t, f.yazdA.ID, complaints.Misconduct)
			steps := f.pathTo(complaints.StateAssigned)
			steps = append(steps, step{asInspector1, resolveAs(o)})
			if i == 1 {
				steps = append(steps, step{by(admin()), act(complaints.Close)})
			}
			f.drive(t, r.ID, steps)
		}
		// Yazd B: one upheld then reopened, one never touched (refused
		// service: 3 working days).
		b1 := f.file(t, f.yazdB.ID, complaints.Misconduct)
		f.drive(t, b1.ID, f.pathTo(complaints.StateResolved))
		f.file(t, f.yazdB.ID, complaints.RefusedService)
		// Tehran: one dismissed without investigation.
		t1 := f.file(t, f.tehran.ID, complaints.Other)
		f.drive(t, t1.ID, []step{{by(admin()), act(complaints.Close)}})
		// Five days on, B's untouched case is past due; b1, reopened now,
		// has a fresh deadline.
		f.clock.Advance(5 * 24 * time.Hour)
		f.drive(t, b1.ID, []step{{by(admin()), act(complaints.Reopen)}})

		upheld, err := f.s.UpheldByOffice(context.Background(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(upheld) != 1 || upheld[f.yazdA.ID] != 2 {
			t.Fatalf("upheld %v, want {%d: 2}", upheld, f.yazdA.ID)
		}
		risk, err := f.s.RiskByOffice(context.Background(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]complaints.ComplaintRisk{
			f.yazdA.ID:  {Filed: 3, Upheld: 2},
			f.yazdB.ID:  {Filed: 2, Open: 2, Overdue: 1},
			f.tehran.ID: {Filed: 1},
		}
		if len(risk) != len(want) {
			t.Fatalf("risk %v, want %v", risk, want)
		}
		for id, w := range want {
			if risk[id] != w {
				t.Fatalf("office %d: %+v, want %+v", id, risk[id], w)
			}
		}
	})
}
