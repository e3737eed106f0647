package visits

import (
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestImportRestrictedToOneOffice: an owner's upload loads only their own
// office's rows; another office's row is refused with the same reason
// whether that office exists or not; the office columns may be left out;
// a file longer than MaxRows is refused whole, writing nothing.
func TestImportRestrictedToOneOffice(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		mine := e.Office("THR-0901", "tehran", 35.70, 51.40, 3, []string{"criminal_record"}, nil)
		e.Office("THR-0902", "tehran", 35.71, 51.41, 2, []string{"criminal_record"}, nil)
		row := func(office, ticket string) string {
			return office + "," + ticket + ",criminal_record,2026-11-21 09:00,2026-11-21 09:10,2026-11-21 09:20,served,1\n"
		}
		file := "office,ticket,service,arrived_at,called_at,finished_at,outcome,counter\n" +
			row("THR-0901", "A1") + row("THR-0902", "A2") + row("THR-9999", "A3") + row("thr-0901", "A4")
		rep, err := e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{OfficeID: mine.ID})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 4 || rep.Accepted != 2 || rep.Refused != 2 || len(rep.Rejections) != 2 {
			t.Fatalf("%+v", rep)
		}
		if a, b := rep.Rejections[0], rep.Rejections[1]; a.Line != 3 || b.Line != 4 || a.Reason != b.Reason || a.Field != "office" || a.Code != "not_your_office" || b.Code != a.Code || strings.Contains(a.Reason, "THR") {
			t.Fatalf("rejections %+v", rep.Rejections)
		}
		// By id, another office's id and a made-up one alike.
		file = "office_id,ticket,service,arrived_at,outcome,finished_at\n" +
			itoa(mine.ID) + ",B1,criminal_record,2026-11-20 11:00,cancelled,2026-11-20 11:05\n" +
			itoa(mine.ID+1) + ",B2,criminal_record,2026-11-20 11:00,cancelled,2026-11-20 11:05\n" +
			"424242,B3,criminal_record,2026-11-20 11:00,cancelled,2026-11-20 11:05\n"
		rep, err = e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{OfficeID: mine.ID})
		if err != nil || rep.Accepted != 1 || rep.Refused != 2 || rep.Rejections[0].Reason != rep.Rejections[1].Reason {
			t.Fatalf("by id: %+v %v", rep, err)
		}
		// No office column: every row is the owner's.
		file = "ticket,service,arrived_at,outcome,finished_at\nC1,criminal_record,2026-11-20 12:00,cancelled,2026-11-20 12:05\n"
		if rep, err = e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{OfficeID: mine.ID}); err != nil || rep.Accepted != 1 {
			t.Fatalf("no office column: %+v %v", rep, err)
		}
		// ... which an unrestricted import refuses.
		if _, err := e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{}); !daftar.IsKind(err, daftar.KindUnprocessable) {
			t.Fatalf("unrestricted without an office column: %v", err)
		}
		var before int64
		d.Gorm.Raw("SELECT COUNT(*) FROM visits").Scan(&before)
		file = "ticket,service,arrived_at,outcome,finished_at\n"
		for _, tk := range []string{"D1", "D2", "D3"} {
			file += tk + ",criminal_record,2026-11-20 12:00,cancelled,2026-11-20 12:05\n"
		}
		if _, err := e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{OfficeID: mine.ID, MaxRows: 2}); !daftar.IsKind(err, daftar.KindTooLarge) {
			t.Fatalf("too many rows: %v", err)
		}
		var after int64
		d.Gorm.Raw("SELECT COUNT(*) FROM visits").Scan(&after)
		if after != before {
			t.Fatalf("a refused file wrote %d visits", after-before)
		}
	})
}

// TestBatches: the visits an office sent are grouped by the moment they
// were recorded, newest first, with their outcomes and arrivals.
func TestBatches(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		mine := e.Office("THR-0911", "tehran", 35.70, 51.40, 3, []string{"criminal_record"}, nil)
		other := e.Office("THR-0912", "tehran", 35.71, 51.41, 2, []string{"criminal_record"}, nil)
		if res, err := e.Visits.Record(e.Ctx, mine.ID, []Input{goodVisit("G1"), goodVisit("G2")}); err != nil || res.Accepted != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		e.Clock.Advance(time.Hour)
		file := "ticket,service,arrived_at,outcome,finished_at\nH1,criminal_record,2026-11-20 12:00,cancelled,2026-11-20 12:05\n" +
			"H2,criminal_record,2026-11-21 08:00,cancelled,2026-11-21 08:05\nH3,criminal_record,2026-11-20 10:00,cancelled,2026-11-20 10:05\n"
		if rep, err := e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{OfficeID: mine.ID}); err != nil || rep.Accepted != 3 {
			t.Fatalf("%+v %v", rep, err)
		}
		if res, err := e.Visits.Record(e.Ctx, other.ID, []Input{goodVisit("O1")}); err != nil || res.Accepted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		got, err := e.Visits.Batches(e.Ctx, mine.ID, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("%+v %v", got, err)
		}
		first := time.Date(2026, 11, 20, 10, 0, 0, 0, daftar.Tehran()).Unix()
		last := time.Date(2026, 11, 21, 8, 0, 0, 0, daftar.Tehran()).Unix()
		if b := got[0]; b.RecordedAt != vNow.Add(time.Hour).Unix() || b.Visits != 3 || b.Served != 0 || b.FirstArrival != first || b.LastArrival != last {
			t.Fatalf("the file's batch: %+v", b)
		}
		if b := got[1]; b.RecordedAt != vNow.Unix() || b.Visits != 2 || b.Served != 2 {
			t.Fatalf("the API's batch: %+v", b)
		}
		if got, _ := e.Visits.Batches(e.Ctx, mine.ID, 1); len(got) != 1 {
			t.Fatalf("limit: %d", len(got))
		}
	})
}
