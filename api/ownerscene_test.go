package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
)

// ownerScene fills the harness with what the owner's dashboard and the
// finder show: 60 days of visits at office A and a second Tehran office C
// (A's city peer), survey answers in the last three months, two published
// ranking runs (Mehr and Aban 1405), and a licence activated into a new
// Tehran office with no history, owned by the account newOwner. The
// harness's present is Sunday 1 Azar 1405, 09:30 in Tehran.
type ownerScene struct {
	h         *harness
	officeC   int64
	licensed  int64 // the office the licence opened
	licenceID int64
	newOwner  string
	// Complaints: two against A, one against B (another office's).
	complaintA, complaintA2, complaintB int64
	// Corrective actions opened by today's inspections of A and of B.
	actionsA []int64
	actionB  int64
}

func newOwnerScene(t *testing.T, h *harness) *ownerScene {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	sc := &ownerScene{h: h, newOwner: "owner-new-office"}
	code, lat, lon := "THR-0002", 35.75, 51.45
	c, err := h.register.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر خدمات الکترونیک قضائی تهران شماره ۲"), City: ptr("tehran"),
		Latitude: &lat, Longitude: &lon, Counters: ptr(3), Phone: ptr("021-22334455"), Address: ptr("تهران، خیابان ولیعصر، پلاک 12"),
		Services: []string{"criminal_record", "e_notification"}})
	if err != nil {
		t.Fatal(err)
	}
	sc.officeC = c.ID
	if _, err := h.register.Update(ctx, h.officeA, offices.Input{Address: ptr("تهران، میدان انقلاب، پلاک 7")}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := h.register.UpdateContact(ctx, h.officeA, offices.Contact{Phone: ptr("021-88776655")}, 0); err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now().In(daftar.Tehran())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, daftar.Tehran())
	tokens := map[int64]map[string][]string{} // office → Jalali month → survey tokens
	n := 0
	record := func(office int64, items []visits.Input) {
		t.Helper()
		res, err := h.srv.Visits.Record(ctx, office, items)
		if err != nil || res.Refused > 0 {
			t.Fatalf("record: %+v %v", res, err)
		}
		for i, it := range res.Items {
			if it.SurveyURL == nil {
				continue
			}
			arr, _ := time.Parse(time.RFC3339, items[i].ArrivedAt)
			m := daftar.MonthOf(arr).String()
			if tokens[office] == nil {
				tokens[office] = map[string][]string{}
			}
			tokens[office][m] = append(tokens[office][m], (*it.SurveyURL)[strings.LastIndex(*it.SurveyURL, "/")+1:])
		}
	}
	visit := func(arr time.Time, wait time.Duration, counter int, outcome string) visits.Input {
		n++
		in := visits.Input{Ticket: fmt.Sprintf("V-%d", n), Service: "criminal_record", ArrivedAt: arr.Format(time.RFC3339), Outcome: outcome,
			Counter: fmt.Sprint(counter), Channel: "walk_in"}
		if outcome == visits.OutcomeServed {
			in.CalledAt, in.FinishedAt = arr.Add(wait).Format(time.RFC3339), arr.Add(wait+8*time.Minute).Format(time.RFC3339)
		}
		return in
	}
	for _, o := range []struct {
		id   int64
		base time.Duration
	}{{h.officeA, 6 * time.Minute}, {sc.officeC, 12 * time.Minute}} {
		var items []visits.Input
		for d := 59; d >= 1; d-- {
			day := today.AddDate(0, 0, -d)
			if day.Weekday() == time.Friday {
				continue
			}
			for i := 0; i < 6; i++ {
				arr := day.Add(8*time.Hour + time.Duration(i*40+d%7)*time.Minute)
				outcome := visits.OutcomeServed
				if i == 5 && d%3 == 0 {
					outcome = visits.OutcomeNoShow
				}
				items = append(items, visit(arr, o.base+time.Duration((i*7+d)%40)*time.Minute, 1+i%3, outcome))
			}
		}
		record(o.id, items)
	}
	// This morning at A: three citizens served.
	record(h.officeA, []visits.Input{visit(today.Add(7*time.Hour+40*time.Minute), 5*time.Minute, 1, visits.OutcomeServed),
		visit(today.Add(8*time.Hour+10*time.Minute), 10*time.Minute, 2, visits.OutcomeServed),
		visit(today.Add(8*time.Hour+40*time.Minute), 15*time.Minute, 3, visits.OutcomeServed)})
	// Answers: twelve a month in Mehr and Aban at both offices, three
	// this month at A (the harness's minimum is 3).
	ip := 0
	answer := func(office int64, month string, k int) {
		t.Helper()
		toks := tokens[office][month]
		if len(toks) < k {
			t.Fatalf("office %d has %d survey links in %s", office, len(toks), month)
		}
		for i, tok := range toks[:k] {
			ip++
			a := map[string]any{"overall": float64(3 + (i+ip)%3), "courtesy": float64(2 + i%4), "waiting": float64(1 + i%5),
				"fees_clear": float64(3 + i%3), "extra_fee": i%5 == 0, "recommend": float64(4 + (i*3)%7)}
			if i%2 == 0 {
				a["comment"] = fmt.Sprintf("نظر شمارهٔ %d دربارهٔ صف", i)
			}
			if _, err := h.surveys.Submit(ctx, surveys.Submission{Token: tok, Answers: a, ClientIP: fmt.Sprintf("10.%d.%d.%d", ip/60000, ip/250%250, ip%250)}); err != nil {
				t.Fatalf("answer %s: %v", month, err)
			}
		}
	}
	for _, office := range []int64{h.officeA, sc.officeC} {
		answer(office, "1405-07", 12)
		answer(office, "1405-08", 12)
	}
	answer(h.officeA, "1405-09", 3)
	// Two published runs.
	admin := h.tokens[daftar.RoleAdmin]
	for _, p := range []string{"1405-07", "1405-08"} {
		res := h.do("POST", "/api/v1/ranking/runs", admin, map[string]any{"period": p})
		if res.Code != 201 {
			t.Fatalf("run %s: %d %s", p, res.Code, res.Body)
		}
		run := decode[struct{ ID int64 }](t, res)
		if res := h.do("POST", fmt.Sprintf("/api/v1/ranking/runs/%d/publish", run.ID), admin, nil, "If-Match", res.Header().Get("ETag")); res.Code != 200 {
			t.Fatalf("publish %s: %d %s", p, res.Code, res.Body)
		}
	}
	if err := h.srv.Finder.RefreshProfiles(ctx); err != nil {
		t.Fatal(err)
	}
	sc.cases(t)
	sc.licence(t)
	return sc
}

// cases files complaints against A and B and records today's inspections
// of both against the default checklist: A fails fees_match and
// staff_identified, B fails queue_order, each opening corrective actions.
func (sc *ownerScene) cases(t *testing.T) {
	t.Helper()
	h := sc.h
	_, sc.complaintA = h.fileOK(t, h.officeA, map[string]any{"category": "extra_fee", "service": "criminal_record", "amount_paid_rials": 900000,
		"description": "برای گواهی عدم سوء پیشینه ۹۰۰ هزار ریال از من گرفتند، بیش از تعرفه"})
	_, sc.complaintA2 = h.fileOK(t, h.officeA, map[string]any{"category": "delay", "description": "دو ساعت در صف ماندم و کسی پاسخگو نبود"})
	_, sc.complaintB = h.fileOK(t, h.officeB, nil)
	insp := h.tokens[daftar.RoleInspector]
	record := func(office int64, fail ...string) []int64 {
		t.Helper()
		var results []map[string]string
		for _, it := range inspections.DefaultChecklist().Items {
			r := map[string]string{"item": it.Code, "result": "pass"}
			if slices.Contains(fail, it.Code) {
				r["result"], r["note"] = "fail", "در روز بازرسی رعایت نشده بود"
			}
			results = append(results, r)
		}
		res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/inspections", office), insp,
			map[string]any{"inspected_on": daftar.TehranDate(h.clock.Now()), "results": results, "notes": "یادداشت داخلی بازرس"})
		if res.Code != 201 {
			t.Fatalf("inspection: %d %s", res.Code, res.Body)
		}
		return decode[struct {
			CorrectiveActions struct{ Opened []int64 } `json:"corrective_actions"`
		}](t, res).CorrectiveActions.Opened
	}
	sc.actionsA = record(h.officeA, "fees_match", "staff_identified")
	if b := record(h.officeB, "queue_order"); len(b) == 1 {
		sc.actionB = b[0]
	}
	if len(sc.actionsA) != 2 || sc.actionB == 0 {
		t.Fatalf("corrective actions: A %v, B %d", sc.actionsA, sc.actionB)
	}
}

// licence runs a licence from the exam to an active office in Tehran and
// gives that office an owner account.
func (sc *ownerScene) licence(t *testing.T) {
	t.Helper()
	h := sc.h
	ministry, admin := h.tokens[daftar.RoleMinistry], h.tokens[daftar.RoleAdmin]
	h.approveCandidates(t, 2, 1)
	must := func(res interface{ Result() *http.Response }, what string, status int) {
		t.Helper()
		if got := res.Result().StatusCode; got != status {
			t.Fatalf("%s: %d", what, got)
		}
	}
	res := h.do("POST", "/api/v1/licensing-rounds", ministry, map[string]any{"name": "دور آزمون", "total_licences": 1})
	must(res, "round", 201)
	rp := fmt.Sprintf("/api/v1/licensing-rounds/%d", decode[roundJSON](t, res).ID)
	must(h.do("PATCH", rp+"/quotas/tehran", ministry, map[string]any{"quota": 1, "reason": "تصمیم کمیسیون"}), "quota", 200)
	must(h.do("POST", rp+"/allocate", ministry, nil), "allocate", 200)
	must(h.do("POST", rp+"/close", ministry, map[string]any{"reason": "پایان"}), "close", 200)
	res = h.do("POST", "/api/v1/licences", ministry, map[string]any{"round_id": decode[roundJSON](t, h.do("GET", rp, ministry, nil)).ID})
	must(res, "issue", 201)
	issued := decode[struct{ Items []licenceJSON }](t, res)
	if len(issued.Items) != 1 {
		t.Fatalf("%d licences issued", len(issued.Items))
	}
	sc.licenceID = issued.Items[0].ID
	res = h.do("POST", fmt.Sprintf("/api/v1/licences/%d/activate", sc.licenceID), admin,
		map[string]any{"latitude": 35.72, "longitude": 51.40, "address": "تهران، خیابان آزادی، پلاک 40", "counters": 2, "phone": "021-66554433"})
	must(res, "activate", 200)
	sc.licensed = *decode[licenceJSON](t, res).OfficeID
	must(h.do("POST", "/api/v1/users", admin, map[string]any{"username": sc.newOwner, "full_name": "مالک دفتر تازه", "password": testPassword,
		"role": "office_owner", "office_id": sc.licensed}), "owner account", 201)
	if err := h.srv.Finder.RefreshProfiles(context.Background()); err != nil {
		t.Fatal(err)
	}
}
