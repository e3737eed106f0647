package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

func newSurveyService(t testing.TB, d *db.DB, clock daftar.Clock, al *audit.Log, register *offices.Register) *surveys.Service {
	t.Helper()
	s, err := surveys.New(d, clock, al, register, nil, []byte("test-key"), surveys.Config{MinResponses: 3, PublicURL: "https://daftar.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureDefaultTemplate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// servedVisits records k served visits at an office through the visits
// service with the survey hook, and returns the survey tokens.
func (h *harness) servedVisits(t *testing.T, office int64, k int) []string {
	t.Helper()
	v, err := visits.New(h.d, h.clock, h.register, h.surveys, nil, visits.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now()
	var items []visits.Input
	for i := 0; i < k; i++ {
		items = append(items, visits.Input{Ticket: fmt.Sprintf("S-%d-%d-%d", office, now.Unix(), i), Service: "criminal_record",
			ArrivedAt: now.Add(-time.Hour).Format(time.RFC3339), CalledAt: now.Add(-30 * time.Minute).Format(time.RFC3339),
			FinishedAt: now.Add(-10 * time.Minute).Format(time.RFC3339), Outcome: "served", Channel: "walk_in", Counter: "1"})
	}
	res, err := v.Record(context.Background(), office, items)
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for _, it := range res.Items {
		if it.SurveyURL == nil || !strings.HasPrefix(*it.SurveyURL, "https://daftar.example/s/") {
			t.Fatalf("survey url %v: %+v", it.SurveyURL, it)
		}
		toks = append(toks, strings.TrimPrefix(*it.SurveyURL, "https://daftar.example/s/"))
	}
	return toks
}

func TestSurveyPageAndAnswers(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		toks := h.servedVisits(t, h.officeA, 5)

		// The page: Persian, right to left, a form that works without
		// JavaScript, labelled inputs.
		res := h.page("GET", "/s/"+toks[0], "", nil)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, `action="/api/v1/survey-responses/`+toks[0]) ||
			!strings.Contains(body, "<legend>") || strings.Contains(body, "<script") || res.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("survey page: %d %.500s", res.Code, body)
		}
		if res := h.page("GET", "/s/"+toks[0]+"?lang=en", "", nil); !strings.Contains(res.Body.String(), "Overall, how satisfied") {
			t.Fatal("English survey page")
		}
		if res := h.page("GET", "/s/not-a-real-token-at-all-x", "", nil); res.Code != 404 {
			t.Fatalf("unknown token page: %d", res.Code)
		}

		// A form post with a bad answer re-renders the form, naming it.
		form := url.Values{"overall": {"۵"}, "courtesy": {"4"}, "waiting": {"9"}, "fees_clear": {"4"}, "extra_fee": {"false"}, "recommend": {"9"}}
		res = h.page("POST", "/api/v1/survey-responses/"+toks[0], "", form)
		if res.Code != 422 || !strings.Contains(res.Body.String(), "error") {
			t.Fatalf("bad form answer: %d", res.Code)
		}
		form.Set("waiting", "3")
		res = h.page("POST", "/api/v1/survey-responses/"+toks[0], "", form)
		if res.Code != 201 || !strings.Contains(res.Body.String(), "سپاس") {
			t.Fatalf("form answer: %d %.300s", res.Code, res.Body)
		}
		if res := h.page("POST", "/api/v1/survey-responses/"+toks[0], "", form); res.Code != 410 {
			t.Fatalf("second form answer: %d", res.Code)
		}
		if res := h.page("GET", "/s/"+toks[0], "", nil); res.Code != 410 {
			t.Fatalf("answered survey page: %d", res.Code)
		}

		// JSON answers.
		good := map[string]any{"answers": map[string]any{"overall": 4, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 8, "comment": "خوب"}}
		if res := h.do("POST", "/api/v1/survey-responses/"+toks[1], "", good); res.Code != 201 {
			t.Fatalf("json answer: %d %s", res.Code, res.Body)
		}
		for _, c := range []struct {
			name   string
			tok    string
			body   any
			status int
			field  string
		}{
			{"again", toks[1], good, 410, ""},
			{"unknown", "x-unknown-token-x-unknown", good, 404, ""},
			{"no answers", toks[2], map[string]any{}, 400, "answers"},
			{"unknown field", toks[2], map[string]any{"answers": map[string]any{}, "score": 5}, 400, "score"},
			{"bad type", toks[2], map[string]any{"answers": "all good"}, 400, "answers"},
			{"missing", toks[2], map[string]any{"answers": map[string]any{"overall": 5}}, 422, "answers.courtesy"},
			{"range", toks[2], map[string]any{"answers": map[string]any{"overall": 0, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 8}}, 422, "answers.overall"},
			{"extra", toks[2], map[string]any{"answers": map[string]any{"overall": 5, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 8, "mood": 3}}, 422, "answers.mood"},
			{"malformed", toks[2], `{"answers": {`, 400, ""},
		} {
			res := h.do("POST", "/api/v1/survey-responses/"+c.tok, "", c.body)
			if res.Code != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.Code, c.status, res.Body)
				continue
			}
			p := problemOf(t, res)
			if c.field != "" {
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == c.field
				}
				if !found {
					t.Errorf("%s: no error on %s: %+v", c.name, c.field, p.Errors)
				}
			}
		}
	})
}

func TestSurveySummaryWithheldFromOwnersBelowMinimum(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		toks := h.servedVisits(t, h.officeA, 4)
		answer := func(tok string, overall int) {
			res := h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{
				"overall": overall, "courtesy": 4, "waiting": 3, "fees_clear": 4, "extra_fee": false, "recommend": 9, "comment": "نظر " + fmt.Sprint(overall)}})
			if res.Code != 201 {
				t.Fatalf("answer: %d %s", res.Code, res.Body)
			}
		}
		answer(toks[0], 5)
		answer(toks[1], 3)
		path := fmt.Sprintf("/api/v1/offices/%d/surveys/summary", h.officeA)
		owner := decode[map[string]any](t, h.do("GET", path, h.tokens[daftar.RoleOfficeOwner], nil))
		if owner["withheld"] != true || owner["means"] != nil || len(owner["comments"].([]any)) != 0 {
			t.Fatalf("below the minimum an owner sees figures: %v", owner)
		}
		staff := decode[map[string]any](t, h.do("GET", path, h.tokens[daftar.RoleInspector], nil))
		if staff["means"] == nil || len(staff["comments"].([]any)) != 2 {
			t.Fatalf("staff see everything: %v", staff)
		}
		answer(toks[2], 4)
		owner = decode[map[string]any](t, h.do("GET", path, h.tokens[daftar.RoleOfficeOwner], nil))
		if owner["withheld"] != false || owner["means"].(map[string]any)["overall"].(float64) != 4 {
			t.Fatalf("at the minimum the owner sees figures: %v", owner)
		}
		// Comments wait for the month's end (TestHostileSurveyCommentsAnonymous).
		if len(owner["comments"].([]any)) != 0 || owner["comments_withheld"] != true {
			t.Fatalf("the owner sees the running month's comments: %v", owner)
		}
		// Periods.
		for _, q := range []string{"?period=1405-09", "?period=1405-Q3", "?from=1405/09/01&to=1405/09/30", "?from=2026-11-01&to=2026-11-30"} {
			if res := h.do("GET", path+q, h.tokens[daftar.RoleAdmin], nil); res.Code != 200 {
				t.Errorf("%s: %d %s", q, res.Code, res.Body)
			}
		}
		for _, q := range []string{"?period=1405-13", "?period=soon", "?from=2026-11-30&to=2026-11-01", "?from=yesterday&to=today", "?period=1405-09&from=2026-11-01"} {
			if res := h.do("GET", path+q, h.tokens[daftar.RoleAdmin], nil); res.Code != 400 {
				t.Errorf("%s: %d, want 400", q, res.Code)
			}
		}
		all := decode[struct{ Total int }](t, h.do("GET", "/api/v1/surveys/summary", h.tokens[daftar.RoleMinistry], nil))
		if all.Total != 1 {
			t.Fatalf("summary of every office: %d", all.Total)
		}
	})
}

func TestSurveyTemplatesAndFlagsAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		tmpl := surveys.DefaultTemplate()
		tmpl.Questions = append(tmpl.Questions, surveys.Question{ID: "cleanliness", Kind: "scale", Min: 1, Max: 5, LabelFa: "پاکیزگی دفتر", LabelEn: "Cleanliness"})
		res := h.do("POST", "/api/v1/survey-templates", admin, map[string]any{"title_fa": tmpl.TitleFa, "title_en": tmpl.TitleEn, "questions": tmpl.Questions})
		if res.Code != 201 || decode[surveys.Template](t, res).Version != 2 {
			t.Fatalf("publish: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", "/api/v1/survey-templates", admin, map[string]any{"title_fa": "x", "questions": []any{}}); res.Code != 422 {
			t.Fatalf("bad template: %d", res.Code)
		}
		// New invitations use version 2; the page shows the new question.
		tok := h.servedVisits(t, h.officeA, 1)[0]
		if body := h.page("GET", "/s/"+tok, "", nil).Body.String(); !strings.Contains(body, "پاکیزگی دفتر") {
			t.Fatal("new version not used")
		}
		// A too-fast answer is flagged; staff list and overrule it.
		h.clock.Advance(-9*time.Minute - 45*time.Second) // the visit ended 10 minutes ago; answer 15 seconds after it
		h.do("POST", "/api/v1/survey-responses/"+tok, "", map[string]any{"answers": map[string]any{"overall": 5, "courtesy": 5, "waiting": 5, "fees_clear": 5, "extra_fee": false, "recommend": 10, "cleanliness": 5}})
		flags := decode[struct {
			Items []surveys.Flag
			Total int
		}](t, h.do("GET", "/api/v1/survey-flags?reason=too_fast", h.tokens[daftar.RoleInspector], nil))
		if flags.Total != 1 {
			t.Fatalf("flags: %+v", flags)
		}
		path := fmt.Sprintf("/api/v1/survey-flags/%d/overrule", flags.Items[0].ID)
		if res := h.do("POST", path, h.tokens[daftar.RoleInspector], map[string]any{"note": ""}); res.Code != 400 {
			t.Fatalf("overrule without a note: %d", res.Code)
		}
		if res := h.do("POST", path, h.tokens[daftar.RoleInspector], map[string]any{"note": "checked with the office"}); res.Code != 200 {
			t.Fatalf("overrule: %d %s", res.Code, res.Body)
		}
		if res := h.do("POST", path, h.tokens[daftar.RoleInspector], map[string]any{"note": "again"}); res.Code != 409 {
			t.Fatalf("overrule twice: %d", res.Code)
		}
		if res := h.do("GET", "/api/v1/survey-flags?reason=lazy", admin, nil); res.Code != 400 {
			t.Fatalf("bad reason: %d", res.Code)
		}
	})
}
