package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
)

// The staff workbench (/admin/*) without a browser: who may open each
// page, that every page reads Persian only, that forms refuse in Persian
// and keep what was typed, and that a form from another site changes
// nothing. The browser tests (browser_staff_test.go) drive the same pages
// in chromium.

// staffData is what staffFixture made, by id.
type staffData struct {
	importID         int64
	candidates       []int64
	openRound, round int64 // round is closed, with its licences issued
	licence          int64
	published, draft int64 // ranking runs: 1405-08 published, 1405-09 a draft
	flag             int64
	complaint        int64 // assigned to the inspector
}

// staffFixture gives every staff page something to show: Persian office
// names, an exam import with a refused row, approved candidates, a closed
// round with licences and an open one, a published ranking and the next
// month's draft (so the comparison has movers), survey answers and a
// stuffing flag.
func (h *harness) staffFixture(t *testing.T) staffData {
	t.Helper()
	ministry := h.tokens[daftar.RoleMinistry]
	var f staffData
	h.persianNames(t)

	// Candidates: 6 imported (one row refused), 4 approved.
	bad := []string{"0084575949", "حسن", "کریمی", "مرد", "1370/01/01", "تهران", "70", "", "قبول", "تهران", ""}
	res := h.upload(ministry, "", examCSV(t, 6, bad), "results.csv", "exam_year", "1405")
	if res.Code != 201 {
		t.Fatalf("import: %d %s", res.Code, res.Body)
	}
	f.importID = *decode[importJSON](t, res).ID
	list := decode[struct{ Items []candidateJSON }](t, h.do("GET", "/api/v1/candidates?page_size=100", ministry, nil))
	for _, c := range list.Items {
		f.candidates = append(f.candidates, c.ID)
	}
	for _, id := range f.candidates[:4] {
		for _, st := range []string{"documents_submitted", "approved"} {
			if res := h.do("PATCH", fmt.Sprintf("/api/v1/candidates/%d", id), ministry, map[string]any{"state": st}); res.Code != 200 {
				t.Fatalf("review: %d %s", res.Code, res.Body)
			}
		}
	}
	if res := h.do("PATCH", fmt.Sprintf("/api/v1/candidates/%d", f.candidates[5]), ministry,
		map[string]any{"state": "rejected", "reason": "مدارک ناقص"}); res.Code != 200 {
		t.Fatalf("reject: %d %s", res.Code, res.Body)
	}

	// A closed round with its licences, and an open one.
	round := func(name string, total int) int64 {
		res := h.do("POST", "/api/v1/licensing-rounds", ministry, map[string]any{"name": name, "total_licences": total,
			"policy": map[string]any{"target_population_per_office": 20000}})
		if res.Code != 201 {
			t.Fatalf("round: %d %s", res.Code, res.Body)
		}
		return decode[roundJSON](t, res).ID
	}
	f.round = round("دور نخست ۱۴۰۵", 3)
	rp := fmt.Sprintf("/api/v1/licensing-rounds/%d", f.round)
	if res := h.do("PATCH", rp+"/quotas/isfahan", ministry, map[string]any{"quota": 2, "reason": "تصمیم کمیسیون"}); res.Code != 200 {
		t.Fatalf("override: %d %s", res.Code, res.Body)
	}
	for _, step := range []string{"/allocate", "/close"} {
		if res := h.do("POST", rp+step, ministry, nil); res.Code != 200 {
			t.Fatalf("%s: %d %s", step, res.Code, res.Body)
		}
	}
	res = h.do("POST", "/api/v1/licences", ministry, map[string]any{"round_id": f.round})
	issued := decode[struct{ Items []licenceJSON }](t, res)
	if res.Code != 201 || len(issued.Items) == 0 {
		t.Fatalf("issue: %d %s", res.Code, res.Body)
	}
	f.licence = issued.Items[0].ID
	f.openRound = round("دور دوم ۱۴۰۵", 5)

	f.published, f.draft = h.rankingFixture(t, true)
	now := h.clock.Now()

	// A flag: an answer sent seconds after the visit ended is too fast.
	tok := h.servedVisits(t, h.officeA, 1)[0]
	h.clock.Advance(-9*time.Minute - 45*time.Second) // the visit ended 10 minutes ago
	defer h.clock.Set(now)
	h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
		"overall": 5, "courtesy": 5, "waiting": 5, "fees_clear": 5, "extra_fee": false, "recommend": 10}})
	flags := decode[struct{ Items []struct{ ID int64 } }](t, h.do("GET", "/api/v1/survey-flags", h.tokens[daftar.RoleAdmin], nil))
	if len(flags.Items) == 0 {
		t.Fatal("no flag raised")
	}
	f.flag = flags.Items[0].ID
	h.complaintsFixture(t, &f)
	return f
}

// complaintsFixture files two complaints against office A (one assigned
// to the inspector), records an inspection of office B with a failed
// item, and assigns an inspection of office A.
func (h *harness) complaintsFixture(t *testing.T, f *staffData) {
	t.Helper()
	admin := h.tokens[daftar.RoleAdmin]
	h.fileOK(t, h.officeA, map[string]any{"category": "extra_fee", "amount_paid_rials": 900000, "service": "criminal_record",
		"description": "بیش از تعرفه از من پول گرفتند"})
	_, f.complaint = h.fileOK(t, h.officeA, nil)
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"triage", map[string]any{"note": "پذیرفته شد"}}, {"assign", map[string]any{"inspector_id": h.users[daftar.RoleInspector], "note": "بررسی حضوری"}}} {
		if res := h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/%s", f.complaint, step.action), admin, step.body); res.Code != 200 {
			t.Fatalf("%s: %d %s", step.action, res.Code, res.Body)
		}
	}
	var results []map[string]any
	for i, item := range []string{"tariff_posted", "fees_match", "queue_order", "staff_identified", "opening_hours", "data_handling"} {
		r := "pass"
		if i == 1 {
			r = "fail"
		}
		results = append(results, map[string]any{"item": item, "result": r})
	}
	if res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeB), admin, map[string]any{
		"inspected_on": daftar.TehranDate(h.clock.Now()), "results": results}); res.Code != 201 {
		t.Fatalf("inspection: %d %s", res.Code, res.Body)
	}
	if res := h.do("POST", "/api/v1/inspections/assignments", admin, map[string]any{"office_id": h.officeA,
		"inspector_id": h.users[daftar.RoleInspector], "due_on": daftar.TehranDate(h.clock.Now().AddDate(0, 0, 7)), "reason": "شکایت وجه اضافه"}); res.Code != 201 {
		t.Fatalf("assignment: %d %s", res.Code, res.Body)
	}
}

// persianNames gives the harness's offices Persian names (the harness
// names them by their codes, which a Persian page shows left to right
// apart from the name).
func (h *harness) persianNames(t *testing.T) {
	t.Helper()
	for id, name := range map[int64]string{h.officeA: "دفتر یکم تهران", h.officeB: "دفتر یکم مشهد"} {
		if res := h.do("PATCH", fmt.Sprintf("/api/v1/offices/%d", id), h.tokens[daftar.RoleAdmin], map[string]any{"name": name}); res.Code != 200 {
			t.Fatalf("rename office: %d %s", res.Code, res.Body)
		}
	}
}

// rankingFixture publishes Aban's run (1405-08: office A ahead on answers
// from 3 responses up, as a new directive allows) and records Azar's
// answers (1405-09: B ahead), computing Azar's draft when asked.
func (h *harness) rankingFixture(t *testing.T, draft bool) (published, draftID int64) {
	t.Helper()
	// In force from the day version 2 is (the later version wins a tie), so it rules Aban and Azar.
	d := ranking.DefaultDirective()
	if res := h.do("POST", "/api/v1/ranking/directives", h.tokens[daftar.RoleAdmin], map[string]any{"name": "آزمون", "effective_from": "2026-10-23",
		"criteria": d.Criteria, "min_responses": 3, "prior_weight": d.PriorWeight, "grades": d.Grades, "penalties": d.Penalties}); res.Code != 201 {
		t.Fatalf("directive: %d %s", res.Code, res.Body)
	}
	now := h.clock.Now()
	answer := func(office int64, overall int) {
		toks := h.servedVisits(t, office, 4)
		h.clock.Advance(time.Hour) // well after the visit: not too fast
		h.refreshTokens()
		for _, tok := range toks {
			if res := h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
				"overall": overall, "courtesy": overall, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 2 * overall}}); res.Code != 201 {
				t.Fatalf("answer: %d %s", res.Code, res.Body)
			}
		}
	}
	h.clock.Set(time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC)) // 1405-08-19
	answer(h.officeA, 5)
	answer(h.officeB, 3)
	h.clock.Set(now)
	h.refreshTokens()
	run := func(period string) ranking.Run {
		res := h.do("POST", "/api/v1/ranking/runs", h.tokens[daftar.RoleAdmin], map[string]string{"period": period})
		if res.Code != 201 {
			t.Fatalf("compute %s: %d %s", period, res.Code, res.Body)
		}
		return decode[ranking.Run](t, res)
	}
	prev := run("1405-08")
	if res := h.do("POST", fmt.Sprintf("/api/v1/ranking/runs/%d/publish", prev.ID), h.tokens[daftar.RoleAdmin], nil); res.Code != 200 {
		t.Fatalf("publish: %d %s", res.Code, res.Body)
	}
	answer(h.officeA, 2)
	answer(h.officeB, 5)
	h.clock.Set(now.Add(2 * time.Hour))
	h.refreshTokens()
	if draft {
		draftID = run("1405-09").ID
	}
	return prev.ID, draftID
}

// staffPages are the GET pages of the workbench, with ids from the fixture.
func (f staffData) pages(h *harness) []string {
	return []string{"/admin", "/admin/offices", fmt.Sprintf("/admin/offices/%d", h.officeA), "/admin/offices?city=tehran",
		"/admin/crowding", "/admin/crowding?level=province&sort=utilisation", "/admin/demand", "/admin/demand?city=مشهد&add=3",
		"/admin/surveys", "/admin/surveys?flags=all", "/admin/ranking", fmt.Sprintf("/admin/ranking?run=%d", f.published),
		"/admin/imports", fmt.Sprintf("/admin/imports/%d", f.importID), "/admin/candidates?sort=name",
		fmt.Sprintf("/admin/candidates/%d", f.candidates[0]), "/admin/licensing", fmt.Sprintf("/admin/licensing/%d", f.round),
		fmt.Sprintf("/admin/licensing/%d", f.openRound), "/admin/licences", fmt.Sprintf("/admin/licences/%d", f.licence),
		"/admin/users", fmt.Sprintf("/admin/users/%d", h.users[daftar.RoleOfficeOwner]), "/admin/audit", "/admin/audit?verify=1",
		"/admin/complaints", fmt.Sprintf("/admin/complaints/%d", f.complaint), "/admin/inspections", fmt.Sprintf("/admin/inspections/offices/%d", h.officeA),
		fmt.Sprintf("/admin/offices/%d", h.officeB)}
}

// signIn signs a role in through the form and returns its session cookie.
func (h *harness) signIn(t *testing.T, role daftar.Role) string {
	t.Helper()
	res := h.page("POST", "/login", "", url.Values{"username": {string(role) + "-user"}, "password": {testPassword}})
	return sessionCookie(t, res).Value
}

// TestStaffPagesByRole: every staff page answers each role as its route
// says, a refusal being the Persian 403 page, and every page a role may
// open reads Persian only (and English with ?lang=en).
func TestStaffPagesByRole(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		f := h.staffFixture(t)
		cookies := map[daftar.Role]string{}
		for _, r := range daftar.Roles {
			cookies[r] = h.signIn(t, r)
		}
		for _, p := range f.pages(h) {
			route := regexp.MustCompile(`/\d+`).ReplaceAllString(strings.SplitN(p, "?", 2)[0], "/:id")
			want, ok := expectedAccess["GET "+route]
			if !ok {
				t.Fatalf("%s: no access rule for %s", p, route)
			}
			for _, role := range daftar.Roles {
				res := h.page("GET", p, cookies[role], nil)
				body := res.Body.String()
				if !strings.Contains(" "+want+" ", " "+string(role)+" ") {
					if res.Code != 403 || !strings.Contains(body, `lang="fa"`) || !strings.Contains(body, "دسترسی ندارید") {
						t.Errorf("%s as %s: %d, want the Persian 403 page", p, role, res.Code)
					}
					for _, pr := range scanStaffPage(t, body) {
						t.Errorf("403 page of %s as %s: %s", p, role, pr)
						break
					}
					continue
				}
				if res.Code != 200 || res.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("%s as %s: %d (Cache-Control %q) %.300s", p, role, res.Code, res.Header().Get("Cache-Control"), body)
					continue
				}
				if role != daftar.RoleAdmin && role != daftar.RoleInspector {
					continue // the scan of each page once per role kind is enough
				}
				for _, pr := range scanStaffPage(t, body) {
					t.Errorf("%s as %s: %s", p, role, pr)
				}
			}
			en := p + "?lang=en"
			if strings.Contains(p, "?") {
				en = p + "&lang=en"
			}
			if res := h.page("GET", en, cookies[daftar.RoleAdmin], nil); res.Code != 200 || !strings.Contains(res.Body.String(), `<html lang="en" dir="ltr">`) {
				t.Errorf("%s in English: %d", en, res.Code)
			}
		}
		if res := h.page("GET", "/admin/users", "", nil); res.Code != 303 || !strings.HasPrefix(res.Header().Get("Location"), "/login?next=") {
			t.Errorf("signed out: %d %q", res.Code, res.Header().Get("Location"))
		}
	})
}

// TestStaffFormsRefuseInPersian: a form the service refuses shows why in
// Persian, keeps what was typed (never a password) and changes nothing;
// irreversible steps need their confirmation.
func TestStaffFormsRefuseInPersian(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		f := h.staffFixture(t)
		admin := h.signIn(t, daftar.RoleAdmin)
		if res := h.do("POST", fmt.Sprintf("/api/v1/licensing-rounds/%d/allocate", f.openRound), h.tokens[daftar.RoleMinistry], nil); res.Code != 200 {
			t.Fatalf("allocate: %d %s", res.Code, res.Body)
		}
		for _, c := range []struct {
			path   string
			form   url.Values
			status int
			shows  []string // in the page: the problem, and what was typed
			hides  string   // never typed back
		}{
			{"/admin/licensing", url.Values{"name": {"دور آزمایشی"}, "total_licences": {"پنج"}}, 400,
				[]string{"درست نیست", `value="دور آزمایشی"`, `value="پنج"`}, ""},
			{fmt.Sprintf("/admin/licensing/%d/quotas", f.openRound), url.Values{"city": {"tehran"}, "quota": {"2"}}, 422,
				[]string{"دلیل لازم است", `value="2"`}, ""},
			{fmt.Sprintf("/admin/licensing/%d/close", f.openRound), url.Values{"reason": {"پایان کار"}}, 400,
				[]string{"برگشت‌پذیر نیست", "پایان کار"}, ""},
			{fmt.Sprintf("/admin/licensing/%d/issue", f.openRound), url.Values{"confirm": {"yes"}}, 409,
				[]string{"دوره بسته"}, ""},
			{"/admin/ranking/runs", url.Values{"period": {"۱۴۰۵-۱۳"}}, 400, []string{"دوره درست نیست", `value="۱۴۰۵-۱۳"`}, ""},
			{fmt.Sprintf("/admin/ranking/runs/%d/publish", f.draft), url.Values{"version": {"1"}}, 400, []string{"برگشت‌پذیر نیست"}, ""},
			{fmt.Sprintf("/admin/ranking/runs/%d/publish", f.draft), url.Values{"version": {"99"}, "confirm": {"yes"}}, 409,
				[]string{"دوباره محاسبه شده"}, ""},
			{fmt.Sprintf("/admin/surveys/flags/%d/overrule", f.flag), url.Values{"note": {""}}, 400, []string{"دلیل لغو"}, ""},
			{fmt.Sprintf("/admin/candidates/%d/review", f.candidates[4]), url.Values{"state": {"rejected"}, "version": {"1"}}, 422,
				[]string{"دلیل"}, ""},
			{fmt.Sprintf("/admin/licences/%d/revoke", f.licence), url.Values{"reason": {"تخلف جدی"}}, 400, []string{"برگشت‌پذیر نیست", "تخلف جدی"}, ""},
			{fmt.Sprintf("/admin/licences/%d/suspend", f.licence), url.Values{"reason": {"تخلف"}}, 409, []string{"اجازه نمی‌دهد"}, ""},
			{"/admin/users", url.Values{"username": {"new.clerk"}, "password": {"short"}, "role": {"ministry"}}, 400,
				[]string{"گذرواژه", `value="new.clerk"`}, `value="short"`},
		} {
			res := h.page("POST", c.path, admin, c.form)
			body := res.Body.String()
			if res.Code != c.status || !strings.Contains(body, `class="problem"`) {
				t.Errorf("%s: %d, want %d with the problem: %.400s", c.path, res.Code, c.status, body)
				continue
			}
			for _, s := range c.shows {
				if !strings.Contains(body, s) {
					t.Errorf("%s: the page lacks %q", c.path, s)
				}
			}
			if c.hides != "" && strings.Contains(body, c.hides) {
				t.Errorf("%s: the page types back %q", c.path, c.hides)
			}
			for _, pr := range scanStaffPage(t, body) {
				t.Errorf("%s refused: %s", c.path, pr)
			}
		}
		// Nothing changed: the round is allocated, the draft a draft, the licence issued.
		if r := decode[roundJSON](t, h.do("GET", fmt.Sprintf("/api/v1/licensing-rounds/%d", f.openRound), h.tokens[daftar.RoleAdmin], nil)); r.State != "allocated" {
			t.Errorf("the allocated round became %s", r.State)
		}
		if r := decode[ranking.Run](t, h.do("GET", fmt.Sprintf("/api/v1/ranking/runs/%d", f.draft), h.tokens[daftar.RoleAdmin], nil)); r.State != "draft" {
			t.Errorf("draft became %s", r.State)
		}
		if l := decode[licenceJSON](t, h.do("GET", fmt.Sprintf("/api/v1/licences/%d", f.licence), h.tokens[daftar.RoleAdmin], nil)); l.State != "issued" {
			t.Errorf("licence became %s", l.State)
		}
	})
}

// TestStaffFormsCrossSite: a form posted from another site is refused
// with the Persian 403 page, as the API's cookie path refuses it, and
// changes nothing; so is a form from a role its route does not let in.
func TestStaffFormsCrossSite(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		f := h.staffFixture(t)
		admin, ministry := h.signIn(t, daftar.RoleAdmin), h.signIn(t, daftar.RoleMinistry)
		pub := fmt.Sprintf("/admin/ranking/runs/%d/publish", f.draft)
		form := url.Values{"version": {"1"}, "confirm": {"yes"}}
		req, _ := http.NewRequest("POST", pub, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.AddCookie(&http.Cookie{Name: "daftar_session", Value: admin})
		res := h.serve(req)
		if res.Code != 403 || !strings.Contains(res.Body.String(), "دسترسی ندارید") {
			t.Errorf("cross-site publish: %d %.300s", res.Code, res.Body)
		}
		if res := h.page("POST", pub, ministry, form); res.Code != 403 || !strings.Contains(res.Body.String(), "دسترسی ندارید") {
			t.Errorf("publish as ministry: %d", res.Code)
		}
		if r := decode[ranking.Run](t, h.do("GET", fmt.Sprintf("/api/v1/ranking/runs/%d", f.draft), h.tokens[daftar.RoleAdmin], nil)); r.State != "draft" {
			t.Errorf("the draft became %s", r.State)
		}
		// The same form from the site itself publishes, and says so.
		res = h.page("POST", pub, admin, form)
		if res.Code != 303 || !strings.Contains(res.Header().Get("Location"), "done=run_published") {
			t.Fatalf("publish: %d %q", res.Code, res.Header().Get("Location"))
		}
		if body := h.page("GET", res.Header().Get("Location"), admin, nil).Body.String(); !strings.Contains(body, "رتبه‌بندی منتشر شد") {
			t.Error("no notice after publishing")
		}
	})
}

// refreshTokens signs every role in again: moving the clock ends idle
// sessions.
func (h *harness) refreshTokens() {
	for _, r := range daftar.Roles {
		h.tokens[r] = h.login(string(r)+"-user", testPassword)
	}
}

func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// TestStaffAccountsAndReveal: an admin creates an account, binds it to an
// office by the office's code and disables it, each read back from the
// API; only an admin sees a candidate's full national code, and the
// reveal is in the audit log.
func TestStaffAccountsAndReveal(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		f := h.staffFixture(t)
		admin, ministry := h.signIn(t, daftar.RoleAdmin), h.signIn(t, daftar.RoleMinistry)
		res := h.page("POST", "/admin/users", admin, url.Values{"username": {"new.clerk"}, "full_name": {"کارشناس تازه"},
			"password": {"a-long-pass-phrase-9"}, "role": {"ministry"}})
		m := regexp.MustCompile(`^/admin/users/(\d+)\?done=user_created$`).FindStringSubmatch(res.Header().Get("Location"))
		if res.Code != 303 || m == nil {
			t.Fatalf("create: %d %q %.300s", res.Code, res.Header().Get("Location"), res.Body)
		}
		user := func() map[string]any {
			list := decode[struct{ Items []map[string]any }](t, h.do("GET", "/api/v1/users?q=new.clerk", h.tokens[daftar.RoleAdmin], nil))
			if len(list.Items) != 1 {
				t.Fatalf("users %v", list.Items)
			}
			return list.Items[0]
		}
		if u := user(); u["role"] != "ministry" || u["full_name"] != "کارشناس تازه" {
			t.Fatalf("created %v", u)
		}
		path := "/admin/users/" + m[1]
		res = h.page("POST", path, admin, url.Values{"change": {"profile"}, "version": {"1"}, "full_name": {"کارشناس تازه"},
			"role": {"office_owner"}, "office": {"thr-0001"}})
		if res.Code != 303 {
			t.Fatalf("bind: %d %.300s", res.Code, res.Body)
		}
		if u := user(); u["role"] != "office_owner" || u["office_id"] != float64(h.officeA) {
			t.Fatalf("bound %v", u)
		}
		if res := h.page("POST", path, admin, url.Values{"change": {"disable"}, "version": {"1"}}); res.Code != 409 ||
			!strings.Contains(res.Body.String(), "دوباره بخوانید") {
			t.Fatalf("disable with a stale version: %d", res.Code)
		}
		if res := h.page("POST", path, admin, url.Values{"change": {"disable"}, "version": {"2"}}); res.Code != 303 {
			t.Fatalf("disable: %d %.300s", res.Code, res.Body)
		}
		if u := user(); u["disabled"] != true {
			t.Fatalf("not disabled: %v", u)
		}

		reveal := fmt.Sprintf("/admin/candidates/%d/reveal", f.candidates[0])
		if res := h.page("POST", reveal, ministry, url.Values{}); res.Code != 403 {
			t.Fatalf("reveal as ministry: %d", res.Code)
		}
		code := *decode[candidateJSON](t, h.do("GET", fmt.Sprintf("/api/v1/candidates/%d?reveal=national_code", f.candidates[0]),
			h.tokens[daftar.RoleAdmin], nil)).NationalCode
		res = h.page("POST", reveal, admin, url.Values{})
		if res.Code != 200 || !strings.Contains(res.Body.String(), code) || res.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("reveal: %d", res.Code)
		}
		events := decode[struct{ Total int }](t, h.do("GET", "/api/v1/audit-events?entity=candidate&entity_id="+fmt.Sprint(f.candidates[0]),
			h.tokens[daftar.RoleAdmin], nil))
		body := h.page("GET", fmt.Sprintf("/admin/audit?entity=candidate&entity_id=%d&action=candidate.reveal_national_code", f.candidates[0]), admin, nil).Body.String()
		if events.Total == 0 || !strings.Contains(body, "نمایش کد ملی") || strings.Contains(body, code) {
			t.Fatalf("the reveal in the audit log: %d events", events.Total)
		}
	})
}
