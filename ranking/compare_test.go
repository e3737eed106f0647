package ranking_test

import (
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
)

// TestCompare: a draft set against the previous published run of its kind
// names the same moves as the draft's own rank changes, the largest first,
// and every grade that changed; a run with nothing published before it is
// compared with nothing.
func TestCompare(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 6)
		first, err := e.svc.Compute(e.ctx, "1405-07")
		if err != nil {
			t.Fatal(err)
		}
		if c, err := e.svc.Compare(e.ctx, first.ID, 3); err != nil || c.Previous != nil || len(c.Risers)+len(c.Fallers)+len(c.GradeChanges) != 0 {
			t.Fatalf("first run compared: %+v %v", c, err)
		}
		if _, err := e.svc.Publish(e.ctx, first.ID, 0); err != nil {
			t.Fatal(err)
		}
		// Aban's answers turn Mehr's order upside down.
		for i, id := range e.offices {
			for k := 0; k < 10+i; k++ {
				o := 5 - i%5
				d.Gorm.Exec(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting, fees_clear,
					extra_fee, recommend, answers, pattern, received_hour) VALUES (?, 'criminal_record', '2026-11-01', 1, ?, ?, 3, 3, FALSE, 8, '{}', 'p', 0)`,
					id, o, o)
			}
		}
		e.clock.Advance(31 * 24 * time.Hour)
		draft, err := e.svc.Compute(e.ctx, "1405-08")
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.Compare(e.ctx, draft.ID, 2)
		if err != nil || c.Previous == nil || c.Previous.ID != first.ID || c.Both != 6 || c.Entered != 0 || c.Left != 0 {
			t.Fatalf("compare: %+v %v", c, err)
		}
		now, _, _ := e.svc.Results(e.ctx, draft.ID, ranking.ResultFilter{Limit: -1})
		before, _, _ := e.svc.Results(e.ctx, first.ID, ranking.ResultFilter{Limit: -1})
		change, grade := map[int64]int{}, map[int64]string{}
		ups, downs, grades := 0, 0, 0
		for _, r := range before {
			grade[r.OfficeID] = *r.Grade
		}
		for _, r := range now {
			change[r.OfficeID] = *r.RankChange
			switch {
			case *r.RankChange > 0:
				ups++
			case *r.RankChange < 0:
				downs++
			}
			if grade[r.OfficeID] != *r.Grade {
				grades++
			}
		}
		if len(c.Risers) != min(ups, 2) || len(c.Fallers) != min(downs, 2) || ups == 0 || downs == 0 {
			t.Fatalf("risers %d of %d, fallers %d of %d", len(c.Risers), ups, len(c.Fallers), downs)
		}
		for _, list := range [][]ranking.Move{c.Risers, c.Fallers} {
			for i, m := range list {
				if m.Up() != change[m.OfficeID] {
					t.Errorf("office %d moved %d, its result says %d", m.OfficeID, m.Up(), change[m.OfficeID])
				}
				if i > 0 && abs(m.Up()) > abs(list[i-1].Up()) {
					t.Errorf("moves not largest first: %+v", list)
				}
			}
		}
		n := 0
		for _, k := range c.Grades {
			n += k
		}
		if grades == 0 || len(c.GradeChanges) != grades || n != grades {
			t.Fatalf("grade changes %d (counted %d), want %d", len(c.GradeChanges), n, grades)
		}
	})
}

func abs(n int) int { return max(n, -n) }
