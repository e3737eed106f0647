package inspections_test

import (
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

func TestChecklistVersions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 1)
		// The default is stored once, however often start-up asks.
		if err := e.svc.EnsureDefaultChecklist(e.admin); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Checklists(e.admin)
		if err != nil || len(list) != 1 || list[0].Version != 1 || len(list[0].Items) != 6 {
			t.Fatalf("default: %+v %v", list, err)
		}
		want := []string{"tariff_posted", "fees_match", "queue_order", "staff_identified", "opening_hours", "data_handling"}
		for i, it := range list[0].Items {
			if it.Code != want[i] {
				t.Fatalf("item %d: %s, want %s", i, it.Code, want[i])
			}
		}
		v2 := inspections.Checklist{Title: " نسخه ۲ ", Items: []inspections.Item{
			{Code: "tariff_posted", TitleFa: "تعرفه", TitleEn: "Tariff", Severity: "major"},
			{Code: "receipt_given", TitleFa: "رسید", TitleEn: "Receipt", Severity: "critical"},
		}}
		got, err := e.svc.PublishChecklist(e.admin, v2)
		if err != nil || got.Version != 2 || got.Title != "نسخه 2" || got.CreatedBy != "admin" {
			t.Fatalf("publish: %+v %v", got, err)
		}
		cur, err := e.svc.Checklist(e.admin, 0)
		if err != nil || cur.Version != 2 || cur.Items[1].Code != "receipt_given" {
			t.Fatalf("current: %+v %v", cur, err)
		}
		if old, err := e.svc.Checklist(e.admin, 1); err != nil || len(old.Items) != 6 {
			t.Fatalf("version 1 kept: %+v %v", old, err)
		}
		if _, err := e.svc.Checklist(e.admin, 9); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown version: %v", err)
		}
		if n := e.auditCount("inspection_checklist.publish"); n != 2 {
			t.Fatalf("audited %d publications, want 2 (default and v2)", n)
		}

		item := func(code, fa, en, sev string) inspections.Item {
			return inspections.Item{Code: code, TitleFa: fa, TitleEn: en, Severity: sev}
		}
		ok := item("a", "الف", "A", "minor")
		for _, c := range []struct {
			name  string
			in    inspections.Checklist
			field string
		}{
			{"no title", inspections.Checklist{Items: []inspections.Item{ok}}, "title"},
			{"no items", inspections.Checklist{Title: "x"}, "items"},
			{"bad code", inspections.Checklist{Title: "x", Items: []inspections.Item{item("Fee Match", "الف", "A", "minor")}}, "items[0].code"},
			{"duplicate code", inspections.Checklist{Title: "x", Items: []inspections.Item{ok, ok}}, "items[1].code"},
			{"no Persian title", inspections.Checklist{Title: "x", Items: []inspections.Item{item("a", " ", "A", "minor")}}, "items[0].title_fa"},
			{"no English title", inspections.Checklist{Title: "x", Items: []inspections.Item{item("a", "الف", "", "minor")}}, "items[0].title_en"},
			{"bad severity", inspections.Checklist{Title: "x", Items: []inspections.Item{item("a", "الف", "A", "severe")}}, "items[0].severity"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.PublishChecklist(e.admin, c.in)
				if !daftar.IsKind(err, daftar.KindUnprocessable) || fieldOf(err) != c.field {
					t.Fatalf("%v, want a problem with %s", err, c.field)
				}
			})
		}
		if list, _ := e.svc.Checklists(e.admin); len(list) != 2 {
			t.Fatalf("refused checklists stored: %d versions", len(list))
		}
	})
}
