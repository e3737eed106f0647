package visits

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func TestImportVisits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		off := e.Office("THR-0401", "tehran", 35.70, 51.40, 3, []string{"criminal_record", "e_notification"}, nil)
		shut := e.Office("THR-0402", "tehran", 35.71, 51.41, 2, []string{"criminal_record"}, nil)
		if _, err := e.Offices.Update(e.Ctx, shut.ID, offices.Input{Status: vptr(offices.Closed)}, 0); err != nil {
			t.Fatal(err)
		}
		file := "\ufeffOffice,Ticket,service,arrived_at,called_at,finished_at,outcome,counter,channel,mobile\n" +
			"THR-0401,T1,criminal_record,2026-11-21 09:00,2026-11-21 09:10,2026-11-21 09:20,served,1,walk_in,09121234567\n" +
			"thr-0401,T2,e_notification,2026-11-21T09:05:00+03:30,2026-11-21T09:30:00+03:30,2026-11-21T09:40:00+03:30,served,۲,appointment,\n" +
			"THR-0401,T3,criminal_record,2026-11-21 10:00,,2026-11-21 10:30,cancelled,,,\n" +
			"THR-0401,T1,criminal_record,2026-11-21 09:00,2026-11-21 09:10,2026-11-21 09:20,served,1,walk_in,\n" + // repeat in the file
			"THR-9999,T4,criminal_record,2026-11-21 09:00,2026-11-21 09:10,2026-11-21 09:20,served,1,,\n" + // unknown office
			"THR-0402,T5,criminal_record,2026-11-21 09:00,2026-11-21 09:10,2026-11-21 09:20,served,1,,\n" + // closed office
			"THR-0401,T6,criminal_record,2026-11-21 09:00,2026-11-21 08:10,2026-11-21 09:20,served,1,,\n" + // called before arrival
			"THR-0401,T7,criminal_record\n" // short row
		var progress []int64
		rep, err := e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{ChunkRows: 10, Progress: func(n int64) { progress = append(progress, n) }})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 8 || rep.Accepted != 3 || rep.Duplicates != 1 || rep.Refused != 4 || rep.Offices != 1 || rep.Days != 1 {
			t.Fatalf("%+v", rep)
		}
		want := map[int]string{5: "repeats the ticket of line 2", 6: "not in the register", 7: "closed", 8: "called_at is before arrived_at", 9: "arrived_at is required"}
		for _, r := range rep.Rejections {
			if !strings.Contains(r.Reason, want[r.Line]) || want[r.Line] == "" {
				t.Errorf("line %d: %q", r.Line, r.Reason)
			}
		}
		if len(progress) == 0 || progress[len(progress)-1] != 8 {
			t.Errorf("progress %v", progress)
		}
		// Again, with history allowed: the three are duplicates now, the
		// closed office's row goes in.
		rep, err = e.Visits.Import(e.Ctx, strings.NewReader(file), ImportOptions{AllowInactive: true})
		if err != nil || rep.Accepted != 1 || rep.Duplicates != 4 || rep.Refused != 3 {
			t.Fatalf("again: %+v %v", rep, err)
		}
		var arrivals int64
		d.Gorm.Raw("SELECT SUM(arrivals) FROM crowding_days").Scan(&arrivals)
		if arrivals != 4 {
			t.Fatalf("rollups count %d arrivals", arrivals)
		}
		// By office id, and a COPY chunk that meets an existing ticket
		// (PostgreSQL retries it with ON CONFLICT DO NOTHING).
		var b bytes.Buffer
		b.WriteString("office_id,ticket,service,arrived_at,outcome,finished_at\n")
		for _, tk := range []string{"U1", "T3", "U2"} {
			b.WriteString(itoa(off.ID) + "," + tk + ",criminal_record,2026-11-20 11:00,cancelled,2026-11-20 11:05\n")
		}
		rep, err = e.Visits.Import(e.Ctx, &b, ImportOptions{})
		if err != nil || rep.Accepted != 2 || rep.Duplicates != 1 || rep.Days != 1 {
			t.Fatalf("by id: %+v %v", rep, err)
		}
		// A day with visits already (posted through the API) takes new
		// ones from a file: that day is rebuilt from the database, and
		// everything matches a rebuild from the raw visits.
		if res, err := e.Visits.Record(e.Ctx, off.ID, []Input{goodVisit("API-1")}); err != nil || res.Accepted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		b.Reset()
		b.WriteString("office,ticket,service,arrived_at,outcome,finished_at\n")
		b.WriteString("THR-0401,M1,criminal_record,2026-11-21 12:00,cancelled,2026-11-21 12:05\n")
		b.WriteString("THR-0401,M2,criminal_record,2026-10-01 12:00,cancelled,2026-10-01 12:05\n")
		if rep, err := e.Visits.Import(e.Ctx, &b, ImportOptions{}); err != nil || rep.Accepted != 2 {
			t.Fatalf("mixed: %+v %v", rep, err)
		}
		before := RollupSnapshot(t, d)
		if _, err := e.Visits.RebuildRollups(e.Ctx, vNow.Unix()-90*86400, vNow.Unix()); err != nil {
			t.Fatal(err)
		}
		if after := RollupSnapshot(t, d); !slices.Equal(before, after) {
			t.Fatalf("imported rollups differ from rebuilt ones:\n%v\n%v", before, after)
		}
		// Files refused as a whole.
		for name, body := range map[string]string{
			"empty":          "",
			"unknown column": "office,ticket,service,arrived_at,outcome,colour\n",
			"no office":      "ticket,service,arrived_at,outcome\n",
			"both offices":   "office,office_id,ticket,service,arrived_at,outcome\n",
			"no outcome":     "office,ticket,service,arrived_at\n",
			"twice":          "office,ticket,ticket,service,arrived_at,outcome\n",
			"bad quotes":     "office,ticket,service,arrived_at,outcome\nTHR-0401,\"T9,criminal_record\n",
		} {
			if _, err := e.Visits.Import(e.Ctx, strings.NewReader(body), ImportOptions{}); !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestImportBeyondMemory: an import with more visits than it keeps in
// memory builds the rollups of the offices beyond the budget by reading
// their visits back, to the same rollups as a rebuild from the raw visits.
func TestImportBeyondMemory(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		for i, code := range []string{"THR-0501", "THR-0502", "THR-0503"} {
			e.Office(code, "tehran", 35.70+0.01*float64(i), 51.40, 3, []string{"criminal_record"}, nil)
		}
		var b bytes.Buffer
		b.WriteString("office,ticket,service,arrived_at,called_at,finished_at,outcome,counter\n")
		n := 0
		for day := 14; day <= 20; day++ {
			for _, code := range []string{"THR-0501", "THR-0502", "THR-0503"} {
				for h := 8; h < 13; h++ {
					n++
					at := func(m int) string {
						return "2026-11-" + strconv.Itoa(day) + " " + strconv.Itoa(h) + ":" + strconv.Itoa(m)
					}
					b.WriteString(code + ",S" + strconv.Itoa(n) + ",criminal_record," + at(10) + "," + at(25) + "," + at(40) + ",served,1\n")
				}
			}
		}
		rep, err := e.Visits.Import(e.Ctx, &b, ImportOptions{MemoryVisits: 7, ChunkRows: 11})
		if err != nil || rep.Accepted != n {
			t.Fatalf("%+v %v", rep, err)
		}
		before := RollupSnapshot(t, d)
		if len(before) == 0 {
			t.Fatal("no rollups")
		}
		if _, err := e.Visits.RebuildRollups(e.Ctx, vNow.Unix()-30*86400, vNow.Unix()); err != nil {
			t.Fatal(err)
		}
		if after := RollupSnapshot(t, d); !slices.Equal(before, after) {
			t.Fatalf("rollups of an import beyond memory differ from rebuilt ones:\n%v\n%v", before, after)
		}
	})
}
