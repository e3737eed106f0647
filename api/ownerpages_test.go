package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestOwnerPagesOnBothEngines: the owner's dashboard and the finder, as
// the server writes them, on SQLite and PostgreSQL alike: they render,
// pass the Persian-page scan, refuse what they should (another role, a
// file of another office, a bad form) with a page, and say when there is
// nothing to show. The browser tests read the same pages in chromium.
func TestOwnerPagesOnBothEngines(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		sc := newOwnerScene(t, h)
		owner := h.tokens[daftar.RoleOfficeOwner]
		get := func(path, token string) *httptest.ResponseRecorder {
			t.Helper()
			return h.do("GET", path, token, nil, "Accept", "text/html")
		}
		scan := func(name, body string) {
			t.Helper()
			for _, p := range scanStaffPage(t, body) {
				t.Errorf("%s: %s", name, p)
			}
		}
		res := get("/dashboard", owner)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, `dir="rtl"`) || res.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("dashboard: %d %q", res.Code, res.Header().Get("Cache-Control"))
		}
		for _, want := range []string{`data-chart-of="wait_by_hour"`, `data-chart="bars"`, `data-chart="line"`, `data-chart="hbars"`,
			`data-section="criteria"`, `data-key="lever"`, `action="/dashboard/visits"`, `name="version"`, `href="/api/v1/reports/surveys.xlsx?lang=fa"`} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		scan("/dashboard", body)
		if res := get("/dashboard?lang=en", owner); res.Code != 200 || !strings.Contains(res.Body.String(), `dir="ltr"`) || !strings.Contains(res.Body.String(), "Waiting") {
			t.Errorf("English dashboard: %d", res.Code)
		}
		// The new office: its licence, no ranking yet, no visits yet.
		newTok := h.login(sc.newOwner, testPassword)
		res = get("/dashboard?lang=fa", newTok)
		body = res.Body.String()
		if res.Code != 200 || !strings.Contains(body, `data-section="licence"`) || !strings.Contains(body, `data-empty="true"`) {
			t.Fatalf("new office's dashboard: %d", res.Code)
		}
		scan("/dashboard (new office)", body)
		// Staff have their own pages.
		if res := get("/dashboard", h.tokens[daftar.RoleInspector]); res.Code != 403 {
			t.Errorf("inspector on the dashboard: %d", res.Code)
		}

		// The upload: a file of another office's rows loads nothing of them.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "visits.csv")
		day := daftar.TehranDate(h.clock.Now())
		fmt.Fprintf(fw, "office,ticket,service,arrived_at,outcome,finished_at\nKRZ-0001,X1,criminal_record,%s 07:40,cancelled,%s 07:45\nTHR-0001,X2,criminal_record,%s 07:41,cancelled,%s 07:46\n", day, day, day, day)
		mw.Close()
		res = h.do("POST", "/dashboard/visits", owner, buf.String(), "Content-Type", mw.FormDataContentType())
		body = res.Body.String()
		if res.Code != 200 || !strings.Contains(body, `data-key="accepted" data-value="1"`) || !strings.Contains(body, `data-key="refused" data-value="1"`) || strings.Contains(body, "KRZ") {
			t.Fatalf("upload: %d %.600s", res.Code, body)
		}
		scan("/dashboard/visits", body)
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM visits WHERE office_id = ? AND ticket = 'X1'", h.officeB).Scan(&n)
		if n != 0 {
			t.Fatal("the owner's file wrote another office's visit")
		}
		// The upload commits with its audit event, by the owner, as the CLI's import does.
		var events []struct{ ActorRole, After string }
		d.Gorm.Raw("SELECT actor_role, after_json AS after FROM audit_events WHERE action = 'visits.import'").Scan(&events)
		if len(events) != 1 || events[0].ActorRole != string(daftar.RoleOfficeOwner) || !strings.Contains(events[0].After, `"accepted":1`) {
			t.Fatalf("the upload's audit events: %+v", events)
		}
		for name, c := range map[string]struct {
			body, ctype string
			status      int
		}{
			"no file":      {"", "application/x-www-form-urlencoded", 400},
			"not csv":      {"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nticket,\"broken\r\n--b--\r\n", "multipart/form-data; boundary=b", 422},
			"wrong header": {"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ncolour,size\nred,2\r\n--b--\r\n", "multipart/form-data; boundary=b", 422},
		} {
			res := h.do("POST", "/dashboard/visits", owner, c.body, "Content-Type", c.ctype)
			if res.Code != c.status || !strings.Contains(res.Header().Get("Content-Type"), "text/html") || !strings.Contains(res.Body.String(), `role="alert"`) {
				t.Errorf("upload %s: %d %s", name, res.Code, res.Header().Get("Content-Type"))
			}
			scan("/dashboard/visits ("+name+")", res.Body.String())
		}
		var imports int64
		d.Gorm.Raw("SELECT COUNT(*) FROM audit_events WHERE action = 'visits.import'").Scan(&imports)
		if imports != 1 {
			t.Errorf("refused files left %d more audit events", imports-1)
		}

		// The contact form: a bad value is marked, a stale version refused.
		form := url.Values{"phone": {"call me"}, "version": {"1"}}
		res = h.do("POST", "/dashboard/contact", owner, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		if res.Code != 409 { // version 1 is long gone: stale before it is checked
			t.Errorf("stale contact form: %d", res.Code)
		}
		cur := decode[struct{ Version int64 }](t, h.do("GET", fmt.Sprintf("/api/v1/offices/%d", h.officeA), owner, nil))
		form.Set("version", fmt.Sprint(cur.Version))
		res = h.do("POST", "/dashboard/contact", owner, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		if res.Code != 422 || !strings.Contains(res.Body.String(), `id="phone-error"`) {
			t.Errorf("bad phone: %d", res.Code)
		}
		scan("/dashboard (bad phone)", res.Body.String())
		form = url.Values{"phone": {"021-5555555"}, "version": {fmt.Sprint(cur.Version)}, "hours_sat": {"۰۸:۰۰-۱۲:۰۰، ۱۴:۰۰-۱۷:۰۰"}}
		res = h.do("POST", "/dashboard/contact", owner, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		if res.Code != 303 || res.Header().Get("Location") != "/dashboard?saved=contact#contact" {
			t.Fatalf("contact form: %d %s", res.Code, res.Header().Get("Location"))
		}
		off := decode[struct {
			Phone        string
			OpeningHours map[string][]string `json:"opening_hours"`
		}](t, h.do("GET", fmt.Sprintf("/api/v1/offices/%d", h.officeA), owner, nil))
		if off.Phone != "021-5555555" || len(off.OpeningHours["sat"]) != 2 || len(off.OpeningHours["sun"]) != 0 {
			t.Fatalf("after the form: %+v", off)
		}

		// Inspections as the owner reads them: results, no inspector or
		// notes; another office's are not found.
		ins := decode[struct {
			Items []struct {
				Inspector   string
				InspectorID *int64 `json:"inspector_id"`
				Notes       string
				Results     []struct{ Result, Note string }
			}
		}](t, h.do("GET", fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeA), owner, nil))
		if len(ins.Items) != 1 || ins.Items[0].Inspector != "" || ins.Items[0].InspectorID != nil || ins.Items[0].Notes != "" || len(ins.Items[0].Results) != 6 {
			t.Errorf("the owner's inspections: %+v", ins)
		}
		for _, r := range ins.Items[0].Results {
			if (r.Result == "fail") != (r.Note != "") {
				t.Errorf("result %+v: only a failed item keeps its note", r)
			}
		}
		staffView := decode[struct {
			Items []struct{ Inspector, Notes string }
		}](t, h.do("GET", fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeA), h.tokens[daftar.RoleAdmin], nil))
		if len(staffView.Items) != 1 || staffView.Items[0].Inspector == "" || staffView.Items[0].Notes == "" {
			t.Errorf("staff's inspections: %+v", staffView)
		}
		if res := h.do("GET", fmt.Sprintf("/api/v1/offices/%d/inspections", h.officeB), owner, nil); res.Code != 404 {
			t.Errorf("another office's inspections: %d", res.Code)
		}
		// The reply and "done" forms: another office's record is a Persian
		// 404 page; a stale "done" (done already) is refused on the page.
		post := func(path, note string) *httptest.ResponseRecorder {
			t.Helper()
			return h.do("POST", path, owner, url.Values{"note": {note}}.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html")
		}
		for _, path := range []string{fmt.Sprintf("/dashboard/complaints/%d/reply", sc.complaintB), fmt.Sprintf("/dashboard/corrective-actions/%d/done", sc.actionB),
			"/dashboard/complaints/999999/reply", "/dashboard/corrective-actions/abc/done"} {
			res := post(path, "یادداشت")
			if res.Code != 404 && res.Code != 400 || !strings.Contains(res.Body.String(), `lang="fa"`) {
				t.Errorf("POST %s: %d", path, res.Code)
			}
			scan("POST "+path, res.Body.String())
		}
		done := fmt.Sprintf("/dashboard/corrective-actions/%d/done", sc.actionsA[0])
		if res := post(done, "تعرفه نصب شد"); res.Code != 303 {
			t.Errorf("done: %d", res.Code)
		}
		res = post(done, "دوباره")
		if res.Code != 409 || !strings.Contains(res.Body.String(), `data-problem="true"`) {
			t.Errorf("done again: %d", res.Code)
		}
		scan("/dashboard (done again)", res.Body.String())
		reply := fmt.Sprintf("/dashboard/complaints/%d/reply", sc.complaintA)
		if res := post(reply, ""); res.Code != 422 {
			t.Errorf("an empty reply: %d", res.Code)
		}
		if res := post(reply, "پاسخ دفتر"); res.Code != 303 || !strings.HasSuffix(res.Header().Get("Location"), fmt.Sprintf("#complaint-%d", sc.complaintA)) {
			t.Errorf("reply: %d %s", res.Code, res.Header().Get("Location"))
		}
		// The owner's list puts the cases still open first: A is due
		// first, but once closed it goes below A2.
		order := func() []int64 {
			var ids []int64
			for _, c := range decode[struct{ Items []struct{ ID int64 } }](t, h.do("GET", fmt.Sprintf("/api/v1/offices/%d/complaints", h.officeA), owner, nil)).Items {
				ids = append(ids, c.ID)
			}
			return ids
		}
		if got := order(); fmt.Sprint(got) != fmt.Sprint([]int64{sc.complaintA, sc.complaintA2}) {
			t.Errorf("complaints %v, want A then A2 (by deadline)", got)
		}
		if res := h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/close", sc.complaintA), h.tokens[daftar.RoleAdmin], map[string]any{"note": "رسیدگی شد"}); res.Code != 200 {
			t.Fatalf("close: %d %s", res.Code, res.Body)
		}
		if got := order(); fmt.Sprint(got) != fmt.Sprint([]int64{sc.complaintA2, sc.complaintA}) {
			t.Errorf("complaints %v, want A2 (open) then A (closed)", got)
		}
		if res := get("/dashboard", owner); !strings.Contains(res.Body.String(), fmt.Sprintf(`data-complaint="%d" data-state="closed"`, sc.complaintA)) {
			t.Errorf("the closed complaint on the dashboard: %d", res.Code)
		}

		// The finder: by a Persian city name, an English one, a code;
		// nothing near; a city unknown.
		for _, city := range []string{"تهران", "Tehran", "tehran"} {
			res := get("/finder?service=criminal_record&city="+url.QueryEscape(city), "")
			if res.Code != 200 || strings.Count(res.Body.String(), `class="card result"`) != 3 || !strings.Contains(res.Body.String(), `data-chart="map"`) {
				t.Errorf("finder by %q: %d", city, res.Code)
			}
			if city == "تهران" {
				scan("/finder (by city)", res.Body.String())
			}
		}
		res = get("/finder?service=criminal_record&city="+url.QueryEscape("یزد"), "")
		if res.Code != 200 || !strings.Contains(res.Body.String(), `class="none-found"`) {
			t.Errorf("nothing near: %d", res.Code)
		}
		scan("/finder (nothing near)", res.Body.String())
		res = get("/finder?service=criminal_record&city=atlantis", "")
		if res.Code != 400 || !strings.Contains(res.Body.String(), `role="alert"`) {
			t.Errorf("unknown city: %d", res.Code)
		}
		scan("/finder (unknown city)", res.Body.String())
		scan("/finder", get("/finder", "").Body.String())
	})
}
