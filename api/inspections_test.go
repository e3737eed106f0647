package api_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/ranking/inspections/adapters"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/xuri/excelize/v2"
)

func newInspectionServices(t testing.TB, d *db.DB, clock daftar.Clock, al *audit.Log, register *offices.Register, sv *surveys.Service,
	acc *accounts.Service) (*inspections.Service, *inspections.Planner) {
	t.Helper()
	insp, err := inspections.New(d, clock, al, daftar.OfficialWorkCalendar(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := insp.EnsureDefaultChecklist(context.Background()); err != nil {
		t.Fatal(err)
	}
	p, err := inspections.NewPlanner(insp, inspections.Sources{Offices: adapters.Offices{Register: register}, Surveys: adapters.Surveys{Service: sv}, Complaints: adapters.NoComplaints{},
		Accounts: acc}, inspections.RiskConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return insp, p
}

type actionBody struct {
	ID             int64    `json:"id"`
	State          string   `json:"state"`
	Item           string   `json:"item"`
	DueOn          string   `json:"due_on"`
	DueOnJalali    string   `json:"due_on_jalali"`
	AllowedActions []string `json:"allowed_actions"`
	History        []struct {
		Event string `json:"event"`
	} `json:"history"`
}

func TestInspectionsAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, insp, owner, ministry := h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleInspector], h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleMinistry]
		problem := func(what string, method, path, token string, body any, status int, field string) {
			t.Helper()
			res := h.do(method, path, token, body)
			if res.Code != status {
				t.Fatalf("%s: %d, want %d: %s", what, res.Code, status, res.Body)
			}
			p := problemOf(t, res)
			if field != "" && !slices.ContainsFunc(p.Errors, func(f daftar.FieldError) bool { return f.Field == field }) {
				t.Fatalf("%s: the problem does not name %s: %+v", what, field, p)
			}
		}
		// The default checklist.
		lists := decode[struct {
			Total int
			Items []struct {
				Version int
				Items   []struct {
					Code     string
					Severity string
					DueDays  int `json:"due_working_days"`
				}
			}
		}](t, h.do("GET", "/api/v1/inspection-checklists", ministry, nil))
		if lists.Total != 1 || len(lists.Items[0].Items) != 6 || lists.Items[0].Items[1].Code != "fees_match" || lists.Items[0].Items[1].DueDays != 5 {
			t.Fatalf("checklists: %+v", lists)
		}

		// Recording against it: every item answered; failures open actions.
		answers := func(fail ...string) []map[string]string {
			var out []map[string]string
			for _, it := range inspections.DefaultChecklist().Items {
				r := "pass"
				if slices.Contains(fail, it.Code) {
					r = "fail"
				}
				out = append(out, map[string]string{"item": it.Code, "result": r})
			}
			return out
		}
		pathA := fmt.Sprintf("/api/v1/offices/%d", h.officeA)
		pathB := fmt.Sprintf("/api/v1/offices/%d", h.officeB)
		res := h.do("POST", pathA+"/inspections", insp, map[string]any{"inspected_on": "1405/09/01", "results": answers("fees_match", "staff_identified"), "notes": "دوره‌ای"})
		if res.Code != 201 {
			t.Fatalf("record: %d %s", res.Code, res.Body)
		}
		rec := decode[struct {
			ID                int64
			ChecklistVersion  *int `json:"checklist_version"`
			Critical, Minor   int
			InspectedOnJalali string                   `json:"inspected_on_jalali"`
			CorrectiveActions struct{ Opened []int64 } `json:"corrective_actions"`
		}](t, res)
		if rec.ChecklistVersion == nil || *rec.ChecklistVersion != 1 || rec.Critical != 1 || rec.Minor != 1 || len(rec.CorrectiveActions.Opened) != 2 ||
			rec.InspectedOnJalali != "1405/09/01" {
			t.Fatalf("recorded %s", res.Body)
		}
		recB := decode[struct {
			CorrectiveActions struct{ Opened []int64 } `json:"corrective_actions"`
		}](t, h.do("POST", pathB+"/inspections", insp, map[string]any{"inspected_on": "2026-11-20", "results": answers("queue_order")}))
		if len(recB.CorrectiveActions.Opened) != 1 {
			t.Fatal("no action at B")
		}
		actionB := recB.CorrectiveActions.Opened[0]
		for _, c := range []struct {
			what   string
			body   any
			status int
			field  string
		}{
			{"a bad result", map[string]any{"inspected_on": "2026-11-20", "results": append(answers()[:5], map[string]string{"item": "data_handling", "result": "maybe"})}, 422, "results[5].result"},
			{"an item missing", map[string]any{"inspected_on": "2026-11-20", "results": answers()[:5]}, 422, "results"},
			{"an unknown item", map[string]any{"inspected_on": "2026-11-20", "results": append(answers(), map[string]string{"item": "x", "result": "pass"})}, 422, "results[6].item"},
			{"results not a list", map[string]any{"inspected_on": "2026-11-20", "results": "all good"}, 400, "results"},
			{"an unknown field", map[string]any{"inspected_on": "2026-11-20", "score": 3}, 400, "score"},
			{"an unknown version", map[string]any{"inspected_on": "2026-11-20", "checklist_version": 5, "results": answers()}, 422, "checklist_version"},
			{"no date", map[string]any{"results": answers()}, 422, "inspected_on"},
		} {
			problem(c.what, "POST", pathA+"/inspections", insp, c.body, c.status, c.field)
		}
		problem("an unknown office", "POST", "/api/v1/offices/9999/inspections", insp, map[string]any{"inspected_on": "2026-11-20"}, 404, "")

		// The owner sees their office's actions, not another's.
		list := decode[struct {
			Total int
			Items []actionBody
		}](t, h.do("GET", pathA+"/corrective-actions", owner, nil))
		if list.Total != 2 || list.Items[0].Item != "fees_match" || list.Items[0].DueOn != "2026-11-29" || list.Items[0].DueOnJalali != "1405/09/08" {
			t.Fatalf("owner's actions: %+v", list)
		}
		id := list.Items[0].ID
		act := func(path string, cid int64, verb string) string {
			return fmt.Sprintf("%s/corrective-actions/%d/%s", path, cid, verb)
		}
		problem("another office's list", "GET", pathB+"/corrective-actions", owner, nil, 404, "")
		problem("another office's action", "POST", act(pathB, actionB, "done"), owner, map[string]string{"note": "x"}, 404, "")
		problem("another office's action under mine", "POST", act(pathA, actionB, "done"), owner, map[string]string{"note": "x"}, 404, "")
		problem("another office's action to read", "GET", fmt.Sprintf("%s/corrective-actions/%d", pathA, actionB), owner, nil, 404, "")
		problem("a bad state filter", "GET", pathA+"/corrective-actions?state=fixed", owner, nil, 400, "state")
		problem("a bad overdue filter", "GET", pathA+"/corrective-actions?overdue=maybe", owner, nil, 400, "overdue")
		problem("done without a note", "POST", act(pathA, id, "done"), owner, map[string]string{}, 422, "note")
		problem("a note of the wrong type", "POST", act(pathA, id, "done"), owner, map[string]int{"note": 1}, 400, "note")
		problem("an unknown verb", "POST", act(pathA, id, "fix"), owner, map[string]string{"note": "x"}, 404, "")
		problem("the owner confirms", "POST", act(pathA, id, "confirm"), owner, map[string]string{}, 403, "")
		problem("an inspector says done", "POST", act(pathA, id, "done"), insp, map[string]string{"note": "x"}, 403, "")

		// The lifecycle, each forbidden step a 409.
		for i, step := range []struct {
			token, verb, note string
			status            int
			state             string
		}{
			{insp, "confirm", "", 409, ""},
			{owner, "done", "تعرفه نصب شد", 200, "done"},
			{owner, "done", "دوباره", 409, ""},
			{insp, "reopen", "", 422, ""},
			{insp, "reopen", "هنوز نصب نشده", 200, "reopened"},
			{ministry, "confirm", "", 409, ""},
			{owner, "done", "نصب شد", 200, "done"},
			{ministry, "confirm", "دیده شد", 200, "confirmed"},
			{insp, "reopen", "x", 409, ""},
			{owner, "done", "x", 409, ""},
		} {
			res := h.do("POST", act(pathA, id, step.verb), step.token, map[string]string{"note": step.note})
			if res.Code != step.status {
				t.Fatalf("step %d (%s): %d, want %d: %s", i, step.verb, res.Code, step.status, res.Body)
			}
			if step.status == 200 {
				if got := decode[actionBody](t, res); got.State != step.state {
					t.Fatalf("step %d: state %s, want %s", i, got.State, step.state)
				}
				continue
			}
			p := problemOf(t, res)
			if step.status == 409 && p.Code != "corrective_action_transition_forbidden" {
				t.Fatalf("step %d: %+v", i, p)
			}
		}
		one := decode[actionBody](t, h.do("GET", fmt.Sprintf("%s/corrective-actions/%d", pathA, id), owner, nil))
		if len(one.History) != 5 || one.History[4].Event != "confirm" || len(one.AllowedActions) != 0 {
			t.Fatalf("one action: %+v", one)
		}

		// The worklist: A has no overdue action yet (due 29 Nov), both were
		// inspected; B last on 20 Nov, A on 22 Nov.
		wl := decode[struct {
			Total int
			Items []struct {
				OfficeID int64 `json:"office_id"`
				Score    float64
				Reasons  []struct {
					Code    string
					Points  float64
					LabelFa string `json:"label_fa"`
				}
			}
		}](t, h.do("GET", "/api/v1/inspections/worklist", insp, nil))
		if wl.Total != 2 || wl.Items[0].OfficeID != h.officeB || wl.Items[0].Reasons[0].Code != "since_last_inspection" || wl.Items[0].Reasons[0].LabelFa == "" {
			t.Fatalf("worklist: %+v", wl)
		}
		problem("a bad province", "GET", "/api/v1/inspections/worklist?province=atlantis", admin, nil, 400, "province")
		problem("a bad page", "GET", "/api/v1/inspections/worklist?page=0", admin, nil, 400, "page")
		problem("a bad unassigned", "GET", "/api/v1/inspections/worklist?unassigned=perhaps", admin, nil, 400, "unassigned")

		// Assignments.
		assign := map[string]any{"office_id": h.officeB, "inspector_id": h.users[daftar.RoleInspector], "due_on": "1405/09/10", "reason": "صف نامرتب"}
		res = h.do("POST", "/api/v1/inspections/assignments", admin, assign)
		if res.Code != 201 {
			t.Fatalf("assign: %d %s", res.Code, res.Body)
		}
		asg := decode[struct {
			ID             int64
			State          string
			DueOnJalali    string   `json:"due_on_jalali"`
			RiskScore      *float64 `json:"risk_score"`
			AllowedActions []string `json:"allowed_actions"`
		}](t, res)
		if asg.State != "assigned" || asg.DueOnJalali != "1405/09/10" || asg.RiskScore == nil || !slices.Equal(asg.AllowedActions, []string{"cancel"}) {
			t.Fatalf("assignment %s", res.Body)
		}
		problem("a second open assignment", "POST", "/api/v1/inspections/assignments", insp, assign, 409, "")
		for _, c := range []struct {
			what   string
			change map[string]any
			status int
			field  string
		}{
			{"to an owner", map[string]any{"inspector_id": h.users[daftar.RoleOfficeOwner]}, 422, "inspector_id"},
			{"due in the past", map[string]any{"due_on": "2026-01-01"}, 422, "due_on"},
			{"no reason", map[string]any{"reason": ""}, 422, "reason"},
			{"an unknown office", map[string]any{"office_id": 9999}, 422, "office_id"},
			{"an id as text", map[string]any{"office_id": "A"}, 400, "office_id"},
			{"an unknown field", map[string]any{"priority": 1}, 400, "priority"},
		} {
			body := map[string]any{"office_id": h.officeA, "inspector_id": h.users[daftar.RoleInspector], "due_on": "1405/09/10", "reason": "x"}
			for k, v := range c.change {
				body[k] = v
			}
			problem(c.what, "POST", "/api/v1/inspections/assignments", admin, body, c.status, c.field)
		}
		al := decode[struct{ Total int }](t, h.do("GET", fmt.Sprintf("/api/v1/inspections/assignments?inspector_id=%d&state=assigned", h.users[daftar.RoleInspector]), insp, nil))
		if al.Total != 1 {
			t.Fatalf("assignments: %+v", al)
		}
		problem("a bad state", "GET", "/api/v1/inspections/assignments?state=late", insp, nil, 400, "state")
		problem("a bad inspector id", "GET", "/api/v1/inspections/assignments?inspector_id=-3", insp, nil, 400, "inspector_id")
		cancel := fmt.Sprintf("/api/v1/inspections/assignments/%d/cancel", asg.ID)
		problem("cancel without a note", "POST", cancel, insp, map[string]string{}, 422, "note")
		problem("an unknown assignment verb", "POST", fmt.Sprintf("/api/v1/inspections/assignments/%d/close", asg.ID), insp, map[string]string{"note": "x"}, 404, "")
		problem("an unknown assignment", "GET", "/api/v1/inspections/assignments/9999", insp, nil, 404, "")
		if res := h.do("POST", cancel, insp, map[string]string{"note": "بازرس بیمار است"}); res.Code != 200 {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		problem("cancel twice", "POST", cancel, insp, map[string]string{"note": "x"}, 409, "")

		// Publishing a checklist: bad input named, then version 2.
		problem("a checklist with a bad severity", "POST", "/api/v1/inspection-checklists", admin,
			map[string]any{"title": "۲", "items": []map[string]string{{"code": "a", "title_fa": "الف", "title_en": "A", "severity": "grave"}}}, 422, "items[0].severity")
		problem("a checklist without items", "POST", "/api/v1/inspection-checklists", admin, map[string]any{"title": "۲"}, 422, "items")
		res = h.do("POST", "/api/v1/inspection-checklists", admin, map[string]any{"title": "نسخه ۲",
			"items": []map[string]string{{"code": "receipt_given", "title_fa": "رسید داده می‌شود", "title_en": "A receipt is given", "severity": "major"}}})
		if res.Code != 201 || decode[struct{ Version int }](t, res).Version != 2 {
			t.Fatalf("publish: %d %s", res.Code, res.Body)
		}
	})
}

func TestInspectionsReport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		insp := h.tokens[daftar.RoleInspector]
		var results []map[string]string
		for _, it := range inspections.DefaultChecklist().Items {
			r := "pass"
			if it.Code == "tariff_posted" {
				r = "fail"
			}
			results = append(results, map[string]string{"item": it.Code, "result": r})
		}
		for _, office := range []int64{h.officeA, h.officeB} {
			if res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/inspections", office), insp, map[string]any{"inspected_on": "1405/09/01", "results": results}); res.Code != 201 {
				t.Fatalf("record: %d %s", res.Code, res.Body)
			}
		}
		// An older one, outside the month asked for.
		h.do("POST", fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeA), insp, map[string]any{"inspected_on": "1405/07/01",
			"violations": []map[string]string{{"code": "OLD-1", "severity": "minor"}}})
		res := h.do("GET", "/api/v1/reports/inspections.csv?lang=en", h.tokens[daftar.RoleMinistry], nil)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, "THR-0001") || !strings.Contains(body, "KRZ-0001") || !strings.Contains(body, "tariff_posted") ||
			strings.Contains(body, "1405/07/01") || strings.Count(body, "\n") != 3 {
			t.Fatalf("inspections.csv: %d %s", res.Code, body)
		}
		all := h.do("GET", "/api/v1/reports/inspections.csv?from=1405/07/01&to=1405/09/30", h.tokens[daftar.RoleAdmin], nil).Body.String()
		if strings.Count(all, "\n") != 4 || !strings.Contains(all, "شهر") {
			t.Fatalf("the quarter: %s", all)
		}
		res = h.do("GET", "/api/v1/reports/inspections.xlsx", h.tokens[daftar.RoleInspector], nil)
		f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
		if res.Code != 200 || err != nil {
			t.Fatalf("inspections.xlsx: %d %v", res.Code, err)
		}
		if view, _ := f.GetSheetView(f.GetSheetName(0), 0); view.RightToLeft == nil || !*view.RightToLeft {
			t.Error("inspections.xlsx is not right to left")
		}
		f.Close()
		// The inspections are staff's, as in the API.
		if res := h.do("GET", "/api/v1/reports/inspections.csv", h.tokens[daftar.RoleOfficeOwner], nil); res.Code != 403 {
			t.Fatalf("owner: %d", res.Code)
		}
	})
}
