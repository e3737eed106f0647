package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// from sends a request as if from client address ip (the rate limits are
// per address).
func (h *harness) from(ip, method, path, token string, body any) *httptest.ResponseRecorder {
	var buf []byte
	switch b := body.(type) {
	case nil:
	case string:
		buf = []byte(b)
	default:
		buf, _ = json.Marshal(b)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(buf))
	req.RemoteAddr = ip + ":4321"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

type receipt struct {
	TrackingCode string    `json:"tracking_code"`
	State        string    `json:"state"`
	DueAt        time.Time `json:"due_at"`
	DueAtJalali  string    `json:"due_at_jalali"`
	OfficeName   string    `json:"office_name"`
}

// fileOK files a complaint against office from its own address and
// returns the receipt and the case id (read back through the staff queue).
func (h *harness) fileOK(t *testing.T, office int64, body map[string]any) (receipt, int64) {
	t.Helper()
	if body == nil {
		body = map[string]any{"category": "misconduct", "description": "کارمند دفتر با من بدرفتاری کرد"}
	}
	body["office_id"] = office
	h.n++
	res := h.from(fmt.Sprintf("10.9.%d.%d", h.n/250, h.n%250), "POST", "/api/v1/complaints", "", body)
	if res.Code != 201 {
		t.Fatalf("file: %d %s", res.Code, res.Body)
	}
	r := decode[receipt](t, res)
	list := h.do("GET", "/api/v1/complaints?office_id="+itoa(office)+"&page_size=200", h.tokens[daftar.RoleAdmin], nil)
	var out struct {
		Items []struct {
			ID           int64  `json:"id"`
			TrackingCode string `json:"tracking_code"`
		} `json:"items"`
	}
	json.Unmarshal(list.Body.Bytes(), &out)
	for _, it := range out.Items {
		if it.TrackingCode == r.TrackingCode {
			return r, it.ID
		}
	}
	t.Fatalf("filed complaint %s not in the queue: %s", r.TrackingCode, list.Body)
	return r, 0
}

func TestComplaintFilingRefusesBadInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		good := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{"office_id": h.officeA, "category": "extra_fee", "service": "criminal_record",
				"amount_paid_rials": 250000, "description": "بیش از تعرفه از من پول گرفتند"}
			if change != nil {
				change(m)
			}
			return m
		}
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"unknown office", good(func(m map[string]any) { m["office_id"] = 987654 }), 422, "office_id"},
			{"unknown office code", good(func(m map[string]any) { delete(m, "office_id"); m["code"] = "NOPE-9" }), 422, "code"},
			{"no office", good(func(m map[string]any) { delete(m, "office_id") }), 422, "office_id"},
			{"unknown category", good(func(m map[string]any) { m["category"] = "rudeness" }), 422, "category"},
			{"unknown service", good(func(m map[string]any) { m["service"] = "passport" }), 422, "service"},
			{"amount zero", good(func(m map[string]any) { m["amount_paid_rials"] = 0 }), 422, "amount_paid_rials"},
			{"amount negative", good(func(m map[string]any) { m["amount_paid_rials"] = -100 }), 422, "amount_paid_rials"},
			{"amount with rials fraction", good(func(m map[string]any) { m["amount_paid_rials"] = 1500.5 }), 422, "amount_paid_rials"},
			{"amount as words", good(func(m map[string]any) { m["amount_paid_rials"] = "صد هزار" }), 422, "amount_paid_rials"},
			{"amount missing for an extra fee", good(func(m map[string]any) { delete(m, "amount_paid_rials") }), 422, "amount_paid_rials"},
			{"amount of the wrong type", good(func(m map[string]any) { m["amount_paid_rials"] = true }), 400, "amount_paid_rials"},
			{"description too long", good(func(m map[string]any) { m["description"] = strings.Repeat("ب", 2001) }), 422, "description"},
			{"description empty", good(func(m map[string]any) { m["description"] = "  " }), 422, "description"},
			{"bad mobile", good(func(m map[string]any) { m["mobile"] = "12345" }), 422, "mobile"},
			{"unknown survey token", good(func(m map[string]any) { m["survey_token"] = "no-such-survey-token-xyz" }), 422, "survey_token"},
			{"unknown field", good(func(m map[string]any) { m["national_code"] = "0012345679" }), 400, "national_code"},
			{"office id of the wrong type", good(func(m map[string]any) { m["office_id"] = "A" }), 400, "office_id"},
			{"body over the limit", good(func(m map[string]any) { m["description"] = strings.Repeat("ب", 40000) }), 413, ""},
			{"not json", "category=extra_fee", 400, ""},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := h.from(fmt.Sprintf("10.1.0.%d", i+1), "POST", "/api/v1/complaints", "", c.body)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %s", res.Code, c.status, res.Body)
				}
				p := problemOf(t, res)
				if c.field == "" {
					return
				}
				named := false
				for _, f := range p.Errors {
					named = named || f.Field == c.field
				}
				if !named {
					t.Fatalf("problem does not name %s: %+v", c.field, p)
				}
			})
		}
	})
}

func TestComplaintFileAndTrack(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		res := h.from("10.2.0.1", "POST", "/api/v1/complaints", "", map[string]any{"code": "thr-0001", "category": "extra_fee",
			"service": "criminal_record", "amount_paid_rials": "۲۵۰٬۰۰۰", "mobile": "۰۹۳۵ ۱۱۱ ۲۲۳۳",
			"description": "کد ملی من ۰۰۸۴۵۷۵۹۴۸ است و <b>۲۵۰ هزار</b> ریال گرفتند"})
		if res.Code != 201 {
			t.Fatalf("file: %d %s", res.Code, res.Body)
		}
		r := decode[receipt](t, res)
		if len(r.TrackingCode) != 10 || r.State != "new" || r.DueAt.IsZero() || r.DueAtJalali == "" || r.OfficeName != "دفتر THR-0001" {
			t.Fatalf("receipt %+v", r)
		}
		tr := h.from("10.2.0.2", "GET", "/api/v1/complaints/track/"+strings.ToLower(r.TrackingCode[:5]+"-"+r.TrackingCode[5:]), "", nil)
		body := tr.Body.String()
		if tr.Code != 200 || !strings.Contains(body, `"state":"new"`) {
			t.Fatalf("track: %d %s", tr.Code, body)
		}
		for _, personal := range []string{"2233", "۲۲۳۳", "0084575948", "۰۰۸۴۵۷۵۹۴۸", "description", "mobile", "250"} {
			if strings.Contains(body, personal) {
				t.Fatalf("tracking shows %q: %s", personal, body)
			}
		}
		if res := h.from("10.2.0.2", "GET", "/api/v1/complaints/track/AAAAA-AAAAA", "", nil); res.Code != 404 {
			t.Fatalf("unknown code: %d", res.Code)
		} else if p := problemOf(t, res); p.Code != "complaint_not_found" {
			t.Fatalf("problem %+v", p)
		}
		// Staff see the case with the masked code and the mobile's last
		// digits; the description is kept as text, escaped where shown.
		list := h.do("GET", "/api/v1/complaints", h.tokens[daftar.RoleInspector], nil)
		lb := list.Body.String()
		if list.Code != 200 || !strings.Contains(lb, "******۵۹۴۸") || strings.Contains(lb, "۰۰۸۴۵۷۵۹۴۸") || strings.Contains(lb, "2233") ||
			!strings.Contains(lb, `"official_fee_rials":115000`) || !strings.Contains(lb, `"extra_rials":135000`) {
			t.Fatalf("queue: %d %s", list.Code, lb)
		}
		var q struct {
			Items []struct{ ID int64 } `json:"items"`
			Total int64                `json:"total"`
		}
		json.Unmarshal(list.Body.Bytes(), &q)
		one := h.do("GET", "/api/v1/complaints/"+itoa(q.Items[0].ID), h.tokens[daftar.RoleMinistry], nil)
		if one.Code != 200 || !strings.Contains(one.Body.String(), `"mobile_masked":"*******2233"`) || !strings.Contains(one.Body.String(), `"action":"file"`) {
			t.Fatalf("case: %d %s", one.Code, one.Body)
		}
		for _, bad := range []string{"?state=lost", "?category=noise", "?overdue=maybe", "?office_id=x", "?page_size=1000"} {
			if res := h.do("GET", "/api/v1/complaints"+bad, h.tokens[daftar.RoleAdmin], nil); res.Code != 400 {
				t.Errorf("queue %s: %d", bad, res.Code)
			} else {
				problemOf(t, res)
			}
		}
	})
}

func TestComplaintCaseOverHTTP(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin, owner, insp := h.tokens[daftar.RoleAdmin], h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleInspector]
		// A second inspector.
		res := h.do("POST", "/api/v1/users", admin, map[string]any{"username": "inspector-two", "password": testPassword, "role": "inspector"})
		if res.Code != 201 {
			t.Fatalf("user: %d %s", res.Code, res.Body)
		}
		other := decode[struct{ ID int64 }](t, res).ID

		_, idA := h.fileOK(t, h.officeA, nil)
		_, idB := h.fileOK(t, h.officeB, nil)
		step := func(token string, id int64, action string, body map[string]any) *httptest.ResponseRecorder {
			if body == nil {
				body = map[string]any{"note": "یادداشت"}
			}
			return h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/%s", id, action), token, body)
		}
		expect := func(res *httptest.ResponseRecorder, status int, field string) {
			t.Helper()
			if res.Code != status {
				t.Fatalf("%d, want %d: %s", res.Code, status, res.Body)
			}
			if status >= 400 {
				p := problemOf(t, res)
				if field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != field) {
					t.Fatalf("problem does not name %s: %+v", field, p)
				}
			}
		}
		// The owner of office A acting on office B's case: 404, as if none.
		expect(step(owner, idB, "reply", map[string]any{"note": "پاسخ"}), 404, "")
		if res := h.do("GET", "/api/v1/offices/"+itoa(h.officeB)+"/complaints", owner, nil); res.Code != 404 && res.Code != 403 {
			t.Fatalf("owner reads another office's complaints: %d", res.Code)
		}
		// The owner answers their own.
		res = step(owner, idA, "reply", map[string]any{"note": "مبلغ بابت هزینه پست بود"})
		expect(res, 200, "")
		if b := res.Body.String(); strings.Contains(b, "tracking_code") || strings.Contains(b, "mobile") || !strings.Contains(b, `"owner_reply":"مبلغ بابت هزینه پست بود"`) {
			t.Fatalf("owner's answer: %s", b)
		}
		expect(step(owner, idA, "triage", nil), 403, "")
		expect(step(admin, idA, "reply", nil), 403, "")
		expect(step(admin, idA, "approve", nil), 404, "")
		expect(step(admin, idA, "resolve", map[string]any{"note": "x", "outcome": "upheld"}), 409, "")
		expect(step(admin, idA, "triage", map[string]any{"note": "x", "surprise": 1}), 400, "surprise")
		expect(step(admin, idA, "triage", nil), 200, "")
		expect(step(admin, idA, "assign", map[string]any{"note": "x"}), 422, "inspector_id")
		expect(step(admin, idA, "assign", map[string]any{"inspector_id": h.users[daftar.RoleAdmin]}), 422, "inspector_id")
		expect(step(admin, idA, "assign", map[string]any{"inspector_id": other}), 200, "")
		// The inspector it is not assigned to may not resolve it.
		expect(step(insp, idA, "resolve", map[string]any{"note": "وارد است", "outcome": "upheld"}), 403, "")
		expect(step(admin, idA, "assign", map[string]any{"inspector_id": h.users[daftar.RoleInspector]}), 200, "")
		expect(step(insp, idA, "investigate", nil), 200, "")
		expect(step(insp, idA, "resolve", map[string]any{"note": "وارد است"}), 422, "outcome")
		expect(step(insp, idA, "resolve", map[string]any{"note": "", "outcome": "upheld"}), 422, "note")
		res = step(insp, idA, "resolve", map[string]any{"note": "دریافت وجه اضافه تأیید شد", "outcome": "upheld"})
		expect(res, 200, "")
		if b := res.Body.String(); !strings.Contains(b, `"outcome":"upheld"`) || !strings.Contains(b, `"allowed_actions":["close","reopen"]`) {
			t.Fatalf("resolved: %s", b)
		}
		// A second resolve: 409.
		expect(step(insp, idA, "resolve", map[string]any{"note": "باز هم", "outcome": "not_upheld"}), 409, "")
		// The owner's dashboard shows the case, its answer and decision.
		page := h.page("GET", "/dashboard", owner, nil)
		if b := page.Body.String(); page.Code != 200 || !strings.Contains(b, "مبلغ بابت هزینه پست بود") || !strings.Contains(b, "شکایت وارد است") {
			t.Fatalf("owner's dashboard: %d %s", page.Code, b)
		}
		// The owner's list: the decision and its note, nothing about the citizen.
		res = h.do("GET", "/api/v1/offices/"+itoa(h.officeA)+"/complaints", owner, nil)
		if b := res.Body.String(); res.Code != 200 || !strings.Contains(b, `"public_note":"دریافت وجه اضافه تأیید شد"`) ||
			strings.Contains(b, "tracking_code") || strings.Contains(b, "mobile") || strings.Contains(b, "inspector") || strings.Contains(b, "visit_day") {
			t.Fatalf("owner list: %d %s", res.Code, b)
		}
	})
}

// A burst on the public endpoints: forty citizens file at once and all get
// their own code; a hundred lookups at once all answer; one address past
// its limit gets 429, the others are not held back.
func TestComplaintPublicBurst(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		const n = 40
		codes := make([]string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res := h.from(fmt.Sprintf("10.3.%d.%d", i/200, i%200+1), "POST", "/api/v1/complaints", "",
					map[string]any{"office_id": h.officeB, "category": "delay", "description": fmt.Sprintf("در صف ماندم، شماره %d", i)})
				if res.Code != 201 {
					t.Errorf("filing %d: %d %s", i, res.Code, res.Body)
					return
				}
				var r receipt
				json.Unmarshal(res.Body.Bytes(), &r)
				codes[i] = r.TrackingCode
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for _, c := range codes {
			if c == "" || seen[c] {
				t.Fatalf("codes %v", codes)
			}
			seen[c] = true
		}
		statuses := make([]int, 100)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				statuses[i] = h.from(fmt.Sprintf("10.4.0.%d", i+1), "GET", "/api/v1/complaints/track/"+codes[i%n], "", nil).Code
			}(i)
		}
		wg.Wait()
		for i, s := range statuses {
			if s != 200 {
				t.Fatalf("lookup %d: %d", i, s)
			}
		}
		// One address flooding the form: ten filings in ten minutes, then 429.
		got := map[int]int{}
		var mu sync.Mutex
		for i := 0; i < 15; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := h.from("10.5.0.1", "POST", "/api/v1/complaints", "", map[string]any{"office_id": h.officeB, "category": "delay",
					"description": "همان شکایت دوباره و دوباره"})
				mu.Lock()
				got[res.Code]++
				mu.Unlock()
				if res.Code == 429 && (problemOf(t, res).Code != "complaints_rate_limited" || res.Header().Get("Retry-After") == "") {
					t.Errorf("429 without its problem or Retry-After")
				}
			}()
		}
		wg.Wait()
		if got[201] != 10 || got[429] != 5 {
			t.Fatalf("flood answered %v", got)
		}
		if res := h.from("10.5.0.2", "POST", "/api/v1/complaints", "", map[string]any{"office_id": h.officeB, "category": "delay",
			"description": "من از نشانی دیگری هستم"}); res.Code != 201 {
			t.Fatalf("another address held back: %d", res.Code)
		}
	})
}

func TestComplaintPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		// The form: Persian, right to left, the official fee beside each
		// service, no script.
		res := h.page("GET", "/complaint", "", nil)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "۱۱۵٬۰۰۰ ریال") ||
			!strings.Contains(body, `action="/api/v1/complaints"`) || strings.Contains(body, "<script") {
			t.Fatalf("form: %d %.600s", res.Code, body)
		}
		if res := h.page("GET", "/complaint?lang=en", "", nil); !strings.Contains(res.Body.String(), "File the complaint") {
			t.Fatal("English form")
		}
		// A refusal keeps what was typed and names the field in Persian.
		form := url.Values{"code": {"THR-0001"}, "category": {"extra_fee"}, "service": {"criminal_record"},
			"amount_paid_rials": {"صفر"}, "description": {"مبلغ اضافه <گرفتند> & رفتند"}, "mobile": {"09351112233"}}
		res = h.page("POST", "/api/v1/complaints", "", form)
		body = res.Body.String()
		if res.Code != 422 || !strings.Contains(body, "مبلغ اضافه &lt;گرفتند&gt; &amp; رفتند") || !strings.Contains(body, `value="09351112233"`) ||
			!strings.Contains(body, "مبلغ باید عددی صحیح") || !strings.Contains(body, `value="extra_fee" checked`) ||
			!strings.Contains(body, "تعرفه رسمی") {
			t.Fatalf("refused form: %d %s", res.Code, body)
		}
		// A post from another site is refused.
		req := httptest.NewRequest("POST", "/api/v1/complaints", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, req)
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), `dir="rtl"`) {
			t.Fatalf("cross-site post: %d", rec.Code)
		}
		// Corrected, it is filed, and the receipt shows the code and the date.
		form.Set("amount_paid_rials", "۲۵۰۰۰۰")
		res = h.page("POST", "/api/v1/complaints", "", form)
		body = res.Body.String()
		if res.Code != 201 || !strings.Contains(body, "/complaint/track?code=") || !strings.Contains(body, "۱۴۰۵/") {
			t.Fatalf("receipt page: %d %s", res.Code, body)
		}
		i := strings.Index(body, "/complaint/track?code=") + len("/complaint/track?code=")
		code := body[i : i+10]
		res = h.page("GET", "/complaint/track?code="+code, "", nil)
		if b := res.Body.String(); res.Code != 200 || !strings.Contains(b, "ثبت‌شده، در انتظار بررسی") || strings.Contains(b, "09351112233") {
			t.Fatalf("track page: %d %s", res.Code, b)
		}
		if res := h.page("GET", "/complaint/track?code=AAAAAAAAAA", "", nil); res.Code != 404 || !strings.Contains(res.Body.String(), "پیدا نشد") {
			t.Fatalf("unknown code page: %d", res.Code)
		}
		if res := h.page("GET", "/complaint/track", "", nil); res.Code != 200 {
			t.Fatalf("track form: %d", res.Code)
		}
		// The staff's queue page: the case, in Persian, filtered.
		res = h.page("GET", "/admin/complaints?category=extra_fee", h.tokens[daftar.RoleInspector], nil)
		if b := res.Body.String(); res.Code != 200 || !strings.Contains(b, code[:5]+"-"+code[5:]) || !strings.Contains(b, "دفتر THR-0001") {
			t.Fatalf("queue page: %d %s", res.Code, b)
		}
		if res := h.page("GET", "/admin/complaints?category=delay", h.tokens[daftar.RoleInspector], nil); strings.Contains(res.Body.String(), code[:5]) {
			t.Fatal("the queue page ignores its filter")
		}
		if res := h.page("GET", "/admin/complaints?state=lost", h.tokens[daftar.RoleInspector], nil); res.Code != 400 || !strings.Contains(res.Body.String(), `dir="rtl"`) {
			t.Fatalf("bad filter page: %d", res.Code)
		}
	})
}

// From the survey's thank-you page to a complaint about the same visit:
// the link carries the survey token, the form names the office and the
// visit's day, and the case is tied to them.
func TestComplaintFromSurvey(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		tok := h.servedVisits(t, h.officeA, 1)[0]
		h.clock.Advance(time.Minute)
		answers := url.Values{"overall": {"2"}, "courtesy": {"2"}, "waiting": {"2"}, "fees_clear": {"1"}, "extra_fee": {"true"}, "recommend": {"1"}}
		res := h.page("POST", "/api/v1/survey-responses/"+tok, "", answers)
		link := "/complaint?survey_token=" + tok
		if res.Code != 201 || !strings.Contains(res.Body.String(), link) {
			t.Fatalf("thank-you page: %d %s", res.Code, res.Body)
		}
		res = h.page("GET", link, "", nil)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, "دفتر THR-0001") || !strings.Contains(body, `name="survey_token" value="`+tok) ||
			!strings.Contains(body, "<option value=\"criminal_record\" selected") || res.Header().Get("Referrer-Policy") != "same-origin" {
			t.Fatalf("form from the survey: %d %s", res.Code, body)
		}
		form := url.Values{"survey_token": {tok}, "office_id": {itoa(h.officeA)}, "category": {"extra_fee"}, "service": {"criminal_record"},
			"amount_paid_rials": {"300000"}, "description": {"بیش از تعرفه پول گرفتند"}}
		if res := h.page("POST", "/api/v1/complaints", "", form); res.Code != 201 {
			t.Fatalf("file from survey: %d %s", res.Code, res.Body)
		}
		list := h.do("GET", "/api/v1/complaints", h.tokens[daftar.RoleAdmin], nil)
		if b := list.Body.String(); !strings.Contains(b, `"from_survey":true`) || !strings.Contains(b, `"visit_day":"`+daftar.TehranDate(h.clock.Now())) {
			t.Fatalf("not tied to the visit: %s", b)
		}
		// The owner sees the complaint but nothing that ties it to the visit.
		own := h.do("GET", "/api/v1/offices/"+itoa(h.officeA)+"/complaints", h.tokens[daftar.RoleOfficeOwner], nil)
		if b := own.Body.String(); own.Code != 200 || strings.Contains(b, "visit") || strings.Contains(b, "survey") {
			t.Fatalf("owner view: %s", b)
		}
	})
}

func TestComplaintsReport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		rA, _ := h.fileOK(t, h.officeA, map[string]any{"category": "delay", "description": "=HYPERLINK(\"x\") در صف ماندم", "mobile": "09351112233"})
		rB, _ := h.fileOK(t, h.officeB, nil)
		rows := func(token string) [][]string {
			t.Helper()
			res := h.do("GET", "/api/v1/reports/complaints.csv", token, nil)
			if res.Code != 200 {
				t.Fatalf("report: %d %s", res.Code, res.Body)
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body.String(), "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		staff := rows(h.tokens[daftar.RoleInspector])
		all := fmt.Sprint(staff)
		if len(staff) != 3 || !strings.Contains(all, rA.TrackingCode[:5]) || !strings.Contains(all, rB.TrackingCode[:5]) || strings.Contains(all, "2233") {
			t.Fatalf("staff report: %v", staff)
		}
		if !strings.Contains(all, "'=HYPERLINK") {
			t.Fatalf("a formula in a description is not neutralised: %v", staff)
		}
		own := rows(h.tokens[daftar.RoleOfficeOwner])
		mine := fmt.Sprint(own)
		if len(own) != 2 || strings.Contains(mine, rA.TrackingCode[:5]) || strings.Contains(mine, "KRZ") || strings.Contains(mine, "2233") {
			t.Fatalf("owner report: %v", own)
		}
		if res := h.do("GET", "/api/v1/reports/complaints.xlsx", h.tokens[daftar.RoleOfficeOwner], nil); res.Code != 200 ||
			res.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("xlsx: %d", res.Code)
		}
	})
}
