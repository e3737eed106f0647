package visits

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// vt formats a Tehran wall time of the day before vNow (a Saturday).
func vt(hh, mm int) string {
	return time.Date(2026, 11, 21, hh, mm, 0, 0, daftar.Tehran()).Format(time.RFC3339)
}

func goodVisit(ticket string) Input {
	return Input{Ticket: ticket, Service: "criminal_record", ArrivedAt: vt(9, 0), CalledAt: vt(9, 10),
		FinishedAt: vt(9, 20), Outcome: "served", Counter: "1", Channel: "walk_in"}
}

func TestRecordBatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		off := e.Office("THR-0101", "tehran", 35.70, 51.40, 3, []string{"criminal_record", "e_notification"}, nil)
		batch := []Input{goodVisit("A-001"), goodVisit("A-002"), goodVisit("A-001"), {Ticket: "A-003"}}
		res, err := e.Visits.Record(e.Ctx, off.ID, batch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 2 || res.Duplicates != 1 || res.Refused != 1 {
			t.Fatalf("%+v", res)
		}
		want := []string{StatusAccepted, StatusAccepted, StatusDuplicate, StatusRefused}
		for i, it := range res.Items {
			if it.Status != want[i] || it.Index != i {
				t.Errorf("item %d: %+v", i, it)
			}
		}
		if !strings.Contains(res.Items[2].Reason, "visit 0") || res.Items[1].VisitID == 0 {
			t.Errorf("items %+v", res.Items)
		}
		// The same batch again changes nothing.
		again, err := e.Visits.Record(e.Ctx, off.ID, batch[:2])
		if err != nil || again.Accepted != 0 || again.Duplicates != 2 {
			t.Fatalf("again: %+v %v", again, err)
		}
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM visits").Scan(&n)
		if n != 2 {
			t.Fatalf("%d visits stored", n)
		}
		// The rollups followed.
		r, _ := NewCrowdingRange(vNow.AddDate(0, 0, -1), vNow, 0)
		oc, err := e.Crowd.Office(e.Ctx, off.ID, r, ByDay)
		if err != nil || oc.Total.Arrivals != 2 || oc.Total.Served != 2 || len(oc.Groups) != 1 || *oc.Total.WaitMax != 10 {
			t.Fatalf("crowding %+v %v", oc, err)
		}
		// Empty and oversized batches.
		if _, err := e.Visits.Record(e.Ctx, off.ID, nil); !daftar.IsKind(err, daftar.KindInvalid) {
			t.Fatalf("empty: %v", err)
		}
		big := make([]Input, 1001)
		if _, err := e.Visits.Record(e.Ctx, off.ID, big); !daftar.IsKind(err, daftar.KindTooLarge) {
			t.Fatalf("too large: %v", err)
		}
		if _, err := e.Visits.Record(e.Ctx, 99999, batch); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("no office: %v", err)
		}
		// A suspended office records nothing.
		if _, err := e.Offices.Update(e.Ctx, off.ID, offices.Input{Status: vptr(offices.Suspended)}, 0); err != nil {
			t.Fatal(err)
		}
		_, err = e.Visits.Record(e.Ctx, off.ID, []Input{goodVisit("A-009")})
		if de, ok := daftar.AsError(err); !ok || de.Kind != daftar.KindConflict || de.Code != ErrOfficeNotServing {
			t.Fatalf("suspended: %v", err)
		}
	})
}

// TestEveryBadVisitField: each broken field is refused with a clear reason
// naming it.
func TestEveryBadVisitField(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		off := e.Office("THR-0102", "tehran", 35.70, 51.40, 3, []string{"criminal_record"}, nil)
		future := vNow.Add(10 * time.Minute).Format(time.RFC3339)
		cases := []struct {
			name   string
			change func(v *Input)
			field  string
			code   string
		}{
			{"no ticket", func(v *Input) { v.Ticket = " " }, "ticket", "required"},
			{"long ticket", func(v *Input) { v.Ticket = strings.Repeat("x", 65) }, "ticket", "invalid"},
			{"ticket with space", func(v *Input) { v.Ticket = "A 1" }, "ticket", "invalid"},
			{"no service", func(v *Input) { v.Service = "" }, "service", "required"},
			{"unknown service", func(v *Input) { v.Service = "teleport" }, "service", "unknown"},
			{"service not offered", func(v *Input) { v.Service = "petition" }, "service", "not_offered"},
			{"no arrival", func(v *Input) { v.ArrivedAt = "" }, "arrived_at", "required"},
			{"garbled arrival", func(v *Input) { v.ArrivedAt = "yesterday" }, "arrived_at", "invalid"},
			{"arrival in the future", func(v *Input) { v.ArrivedAt, v.CalledAt, v.FinishedAt = future, "", ""; v.Outcome = "cancelled" }, "arrived_at", "in_future"},
			{"arrival too old", func(v *Input) {
				v.ArrivedAt, v.CalledAt, v.FinishedAt = "2024-01-01T09:00:00Z", "", ""
				v.Outcome = "cancelled"
			}, "arrived_at", "too_old"},
			{"called before arrival", func(v *Input) { v.CalledAt = vt(8, 0) }, "called_at", "before_arrival"},
			{"called in the future", func(v *Input) { v.CalledAt = future }, "called_at", "in_future"},
			{"finished before call", func(v *Input) { v.FinishedAt = vt(9, 5) }, "finished_at", "before_call"},
			{"finished before arrival", func(v *Input) { v.Outcome, v.CalledAt, v.Counter, v.FinishedAt = "cancelled", "", "", vt(8, 0) }, "finished_at", "before_arrival"},
			{"visit too long", func(v *Input) { v.ArrivedAt = "2026-11-20T09:00:00+03:30" }, "finished_at", "too_long"},
			{"served without call", func(v *Input) { v.CalledAt = "" }, "called_at", "required"},
			{"served without finish", func(v *Input) { v.FinishedAt = "" }, "finished_at", "required"},
			{"no outcome", func(v *Input) { v.Outcome = "" }, "outcome", "required"},
			{"bad outcome", func(v *Input) { v.Outcome = "happy" }, "outcome", "invalid"},
			{"no counter", func(v *Input) { v.Counter = "" }, "counter", "required"},
			{"counter not a number", func(v *Input) { v.Counter = "A" }, "counter", "invalid"},
			{"counter beyond the office's", func(v *Input) { v.Counter = "4" }, "counter", "out_of_range"},
			{"counter zero", func(v *Input) { v.Counter = "0" }, "counter", "out_of_range"},
			{"bad channel", func(v *Input) { v.Channel = "phone" }, "channel", "invalid"},
			{"bad mobile", func(v *Input) { v.Mobile = "12345" }, "mobile", "invalid"},
			{"decoding problem", func(v *Input) {
				v.Problems = daftar.FieldErrors{daftar.Field("counter", "wrong_type", "must be a string")}
			}, "counter", "wrong_type"},
		}
		batch := make([]Input, len(cases))
		for i, c := range cases {
			v := goodVisit(fmt.Sprintf("B-%03d", i))
			c.change(&v)
			batch[i] = v
		}
		res, err := e.Visits.Record(e.Ctx, off.ID, batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			it := res.Items[i]
			if it.Status != StatusRefused || len(it.Errors) == 0 {
				t.Errorf("%s: %+v", c.name, it)
				continue
			}
			found := false
			for _, f := range it.Errors {
				found = found || (f.Field == c.field && f.Code == c.code)
			}
			if !found || !strings.Contains(it.Reason, c.field) {
				t.Errorf("%s: errors %+v, reason %q; want %s/%s", c.name, it.Errors, it.Reason, c.field, c.code)
			}
		}
		if res.Refused != len(cases) {
			t.Errorf("refused %d of %d", res.Refused, len(cases))
		}
		// Accepted forms: Persian digits, Tehran local times, other mobile
		// spellings, numeric counters, a no-show without finish.
		ok := []Input{
			{Ticket: "۱۲۳", Service: "criminal_record", ArrivedAt: "2026-11-21 09:00", CalledAt: "۲۰۲۶-۱۱-۲۱ ۰۹:۰۵", FinishedAt: "2026-11-21T09:15:30+03:30",
				Outcome: "served", Counter: "۲", Mobile: "+98 912 123 4567"},
			{Ticket: "C-2", Service: "criminal_record", ArrivedAt: vt(10, 0), CalledAt: vt(10, 30), Outcome: "no_show", Mobile: "00989121234567"},
			{Ticket: "C-3", Service: "criminal_record", ArrivedAt: vt(10, 0), FinishedAt: vt(10, 40), Outcome: "cancelled", Channel: "appointment"},
		}
		res, err = e.Visits.Record(e.Ctx, off.ID, ok)
		if err != nil || res.Accepted != 3 {
			t.Fatalf("%+v %v", res, err)
		}
		var got []struct {
			Ticket, Mobile string
			Counter        *int
		}
		d.Gorm.Raw("SELECT ticket, COALESCE(mobile, '') AS mobile, counter FROM visits ORDER BY ticket").Scan(&got)
		if len(got) != 3 || got[0].Ticket != "123" || got[0].Mobile != "09121234567" || got[1].Mobile != "09121234567" || *got[0].Counter != 2 {
			t.Fatalf("stored %+v", got)
		}
	})
}

// TestRacingDuplicateBatches: two batches with overlapping tickets posted
// at once: every ticket is stored once and reported accepted exactly once.
func TestRacingDuplicateBatches(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		off := e.Office("THR-0103", "tehran", 35.70, 51.40, 3, []string{"criminal_record"}, nil)
		const rounds, size = 8, 60
		for round := 0; round < rounds; round++ {
			mk := func(from, to int) []Input {
				var b []Input
				for i := from; i < to; i++ {
					b = append(b, goodVisit(fmt.Sprintf("R%d-%03d", round, i)))
				}
				return b
			}
			batches := [][]Input{mk(0, size), mk(size/2, size+size/2)} // half overlap
			results := make([]BatchResult, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range batches {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i], errs[i] = e.Visits.Record(context.Background(), off.ID, batches[i])
				}()
			}
			close(start)
			wg.Wait()
			accepted := map[string]int{}
			for i := range results {
				if errs[i] != nil {
					t.Fatalf("round %d batch %d: %v", round, i, errs[i])
				}
				for _, it := range results[i].Items {
					if it.Status == StatusAccepted {
						accepted[it.Ticket]++
					} else if it.Status != StatusDuplicate {
						t.Fatalf("%+v", it)
					}
				}
			}
			if len(accepted) != size+size/2 {
				t.Fatalf("round %d: %d tickets accepted, want %d", round, len(accepted), size+size/2)
			}
			for tk, n := range accepted {
				if n != 1 {
					t.Fatalf("round %d: ticket %s accepted %d times", round, tk, n)
				}
			}
			if results[0].Accepted+results[1].Accepted != size+size/2 || results[0].Duplicates+results[1].Duplicates != size/2 {
				t.Fatalf("round %d: %d+%d accepted", round, results[0].Accepted, results[1].Accepted)
			}
		}
		var stored, distinct, arrivals int64
		d.Gorm.Raw("SELECT COUNT(*) FROM visits").Scan(&stored)
		d.Gorm.Raw("SELECT COUNT(DISTINCT ticket) FROM visits").Scan(&distinct)
		d.Gorm.Raw("SELECT COALESCE(SUM(arrivals), 0) FROM crowding_days").Scan(&arrivals)
		if stored != rounds*(size+size/2) || distinct != stored || arrivals != stored {
			t.Fatalf("stored %d distinct %d rollup arrivals %d", stored, distinct, arrivals)
		}
	})
}

func TestNormalizeMobileAndTime(t *testing.T) {
	for in, want := range map[string]string{"09121234567": "09121234567", "+989121234567": "09121234567", "۰۹۱۲۱۲۳۴۵۶۷": "09121234567",
		"9121234567": "09121234567", "0912-123-4567": "09121234567", "(0912) 123 4567": "09121234567",
		"02112345678": "", "0912123456": "", "abc": "", "+98+9121234567": ""} {
		got, ok := NormalizeMobile(in)
		if (want == "") == ok || got != want {
			t.Errorf("NormalizeMobile(%q) = %q, %v", in, got, ok)
		}
	}
	a, ok1 := ParseVisitTime("2026-11-21T09:00:00+03:30")
	b, ok2 := ParseVisitTime("2026-11-21 09:00")
	c, ok3 := ParseVisitTime("2026-11-21T05:30:00.900Z")
	if !ok1 || !ok2 || !ok3 || a != b || a != c {
		t.Fatalf("%d %d %d", a, b, c)
	}
	for _, bad := range []string{"", "21/11/2026", "2026-11-21", "2026-13-01 09:00"} {
		if _, ok := ParseVisitTime(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}
