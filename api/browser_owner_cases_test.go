package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/daftar-ir/daftar"
)

// The dashboard's complaints, inspections and corrective actions in the
// browser (part of TestBrowserOwnerDashboard, over its scene): each list
// equals the owner's API route, the reply and "done" forms work, and one
// that is stale (the case closed, the action done meanwhile) or of another
// office is refused with a Persian page.

const casesJS = `JSON.stringify((() => {
  const text = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
  const complaints = [...document.querySelectorAll('#complaints [data-complaint]')].map(li => ({
    id: Number(li.dataset.complaint), state: li.dataset.state, due: text(li.querySelector('[data-key=due]')),
    paid: text(li.querySelector('[data-key=paid]')), reply: text(li.querySelector('[data-key=reply]')), form: !!li.querySelector('form[data-form=reply]')}));
  const actions = [...document.querySelectorAll('#inspections [data-action]')].map(li => ({
    id: Number(li.dataset.action), state: li.dataset.state, due: text(li.querySelector('[data-key=due]')), form: !!li.querySelector('form[data-form=done]')}));
  const inspections = [...document.querySelectorAll('#inspections [data-inspection]')].map(d => ({
    id: Number(d.dataset.inspection), results: d.querySelectorAll('tr[data-result]').length,
    failed: d.querySelectorAll('tr[data-result=fail]').length, text: text(d)}));
  return {complaints, actions, inspections, rule: text(document.querySelector('#satisfaction [data-key=comments_rule]')),
    comments: [...document.querySelectorAll('#satisfaction ul.comments li')].map(text),
    problem: text(document.querySelector('[data-problem]')), notice: text(document.querySelector('p.notice')),
    lang: document.documentElement.lang, h1: text(document.querySelector('main h1'))};
})())`

type casesRead struct {
	Complaints []struct {
		ID               int64
		State, Due, Paid string
		Reply            string
		Form             bool
	}
	Actions []struct {
		ID         int64
		State, Due string
		Form       bool
	}
	Inspections []struct {
		ID              int64
		Results, Failed int
		Text            string
	}
	Rule            string
	Comments        []string
	Problem, Notice string
	Lang, H1        string
}

// postFormTo points the page's first form of kind at another address and
// submits it, as a stale or forged form would arrive.
func postFormTo(t *testing.T, ctx context.Context, kind, action, note string) int64 {
	t.Helper()
	script := fmt.Sprintf(`(() => { const f = document.querySelector('form[data-form=%s]'); f.action = %q; f.querySelector('textarea').value = %q; return true })()`, kind, action, note)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script)); err != nil {
		t.Fatal(err)
	}
	return submit(t, ctx, "form[data-form="+kind+"] button[type=submit]")
}

func ownerCases(t *testing.T, ctx context.Context, h *harness, sc *ownerScene, base string) {
	t.Helper()
	owner, admin := h.tokens[daftar.RoleOfficeOwner], h.tokens[daftar.RoleAdmin]
	api := fmt.Sprintf("/api/v1/offices/%d", h.officeA)
	goTo(t, ctx, base+"/dashboard")
	got := evalJSON[casesRead](t, ctx, casesJS)

	// Complaints: the owner's route, in its order, with state and deadline.
	type complaintJSON struct {
		ID          int64   `json:"id"`
		State       string  `json:"state"`
		DueAtJalali string  `json:"due_at_jalali"`
		Paid        *int64  `json:"amount_paid_rials"`
		OwnerReply  string  `json:"owner_reply"`
		CanReply    bool    `json:"can_reply"`
		Outcome     *string `json:"outcome"`
	}
	complaintsAPI := func() []complaintJSON {
		return decode[struct{ Items []complaintJSON }](t, h.do("GET", api+"/complaints?page_size=20", owner, nil)).Items
	}
	want := complaintsAPI()
	if len(want) != 2 || len(got.Complaints) != len(want) {
		t.Fatalf("complaints: page %d, API %d", len(got.Complaints), len(want))
	}
	for i, w := range want {
		g := got.Complaints[i]
		if g.ID != w.ID || g.State != w.State || g.Due != daftar.PersianDigits(w.DueAtJalali) || g.Form != w.CanReply {
			t.Errorf("complaint %d: page %+v, API %+v", i, g, w)
		}
		if w.Paid != nil && g.Paid != faNum(float64(*w.Paid), 0)+" ریال" {
			t.Errorf("complaint %d amount: page %q, API %d", i, g.Paid, *w.Paid)
		}
	}
	// Inspections: the owner's view of the route, each item's result.
	type inspectionJSON struct {
		ID        int64  `json:"id"`
		Inspector string `json:"inspector"`
		Notes     string `json:"notes"`
		Results   []struct {
			Result string `json:"result"`
			Note   string `json:"note"`
		} `json:"results"`
	}
	ins := decode[struct{ Items []inspectionJSON }](t, h.do("GET", api+"/inspections", owner, nil)).Items
	if len(ins) != 1 || len(got.Inspections) != 1 || ins[0].ID != got.Inspections[0].ID || ins[0].Inspector != "" || ins[0].Notes != "" {
		t.Fatalf("inspections: page %+v, API %+v", got.Inspections, ins)
	}
	failed := 0
	for _, r := range ins[0].Results {
		if r.Result == "fail" {
			failed++
		} else if r.Note != "" {
			t.Errorf("a passed item's note reaches the owner: %q", r.Note)
		}
	}
	if g := got.Inspections[0]; g.Results != len(ins[0].Results) || g.Failed != failed || failed != 2 || strings.Contains(g.Text, "یادداشت داخلی") {
		t.Errorf("inspection results: page %+v, API %d results, %d failed", g, len(ins[0].Results), failed)
	}
	// Corrective actions: the route's, in its order, each with a form.
	type actionJSON struct {
		ID          int64    `json:"id"`
		State       string   `json:"state"`
		DueOnJalali string   `json:"due_on_jalali"`
		Allowed     []string `json:"allowed_actions"`
	}
	actionsAPI := func() []actionJSON {
		return decode[struct{ Items []actionJSON }](t, h.do("GET", api+"/corrective-actions?page_size=20", owner, nil)).Items
	}
	acts := actionsAPI()
	if len(acts) != 2 || len(got.Actions) != 2 {
		t.Fatalf("corrective actions: page %+v, API %+v", got.Actions, acts)
	}
	for i, w := range acts {
		if g := got.Actions[i]; g.ID != w.ID || g.State != w.State || g.Due != daftar.PersianDigits(w.DueOnJalali) || !g.Form {
			t.Errorf("action %d: page %+v, API %+v", i, g, w)
		}
	}
	// Comments: last month's, as the owner's summary route gives them, and
	// the rule said on the page.
	sum := decode[struct {
		Withheld bool `json:"comments_withheld"`
		Comments []struct {
			Comment  string  `json:"comment"`
			VisitDay *string `json:"visit_day"`
		} `json:"comments"`
	}](t, h.do("GET", api+"/surveys/summary?period=1405-08", owner, nil))
	if sum.Withheld || len(sum.Comments) == 0 || len(got.Comments) != len(sum.Comments) || got.Rule == "" {
		t.Errorf("comments: page %d (rule %q), API %d withheld %v", len(got.Comments), got.Rule, len(sum.Comments), sum.Withheld)
	}
	apiTexts := map[string]int{}
	for _, c := range sum.Comments {
		apiTexts[daftar.PersianDigits(c.Comment)]++
		if c.VisitDay != nil {
			t.Errorf("the owner's comment carries its day %q", *c.VisitDay)
		}
	}
	for _, c := range got.Comments {
		if apiTexts[c] == 0 {
			t.Errorf("comment %q on the page is not the API's", c)
		}
		apiTexts[c]--
	}
	screenshots(t, ctx, "dashboard_cases")

	// A reply through the form: on the case, as the API shows it.
	first := want[0].ID
	status := submit(t, ctx, fmt.Sprintf("#complaint-%d form button[type=submit]", first), fill(fmt.Sprintf("reply-%d", first), "مبلغ اضافه بازگردانده شد و تعرفه روی دیوار نصب است"))
	after := evalJSON[casesRead](t, ctx, casesJS)
	if status != 200 || after.Notice == "" {
		t.Fatalf("reply: %d, notice %q", status, after.Notice)
	}
	var replied complaintJSON
	for _, c := range complaintsAPI() {
		if c.ID == first {
			replied = c
		}
	}
	if replied.OwnerReply != "مبلغ اضافه بازگردانده شد و تعرفه روی دیوار نصب است" || !strings.Contains(after.Complaints[0].Reply, replied.OwnerReply) {
		t.Errorf("after the reply: API %q, page %q", replied.OwnerReply, after.Complaints[0].Reply)
	}
	// An empty reply: refused on the page (422), nothing written.
	if status := submit(t, ctx, fmt.Sprintf("#complaint-%d form button[type=submit]", want[1].ID), fill(fmt.Sprintf("reply-%d", want[1].ID), " ")); status != 422 {
		t.Errorf("empty reply: %d, want 422", status)
	}
	if p := evalJSON[casesRead](t, ctx, casesJS).Problem; p == "" {
		t.Error("empty reply: no problem said")
	}
	// A stale reply: the case was closed while the page was open.
	goTo(t, ctx, base+"/dashboard")
	if res := h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/close", want[1].ID), admin, map[string]any{"note": "تکراری"}); res.Code != 200 {
		t.Fatalf("close: %d %s", res.Code, res.Body)
	}
	if status := submit(t, ctx, fmt.Sprintf("#complaint-%d form button[type=submit]", want[1].ID), fill(fmt.Sprintf("reply-%d", want[1].ID), "پاسخ دیرهنگام")); status != 409 {
		t.Errorf("stale reply: %d, want 409", status)
	}
	stale := evalJSON[casesRead](t, ctx, casesJS)
	if stale.Problem == "" || stale.Lang != "fa" {
		t.Errorf("stale reply: problem %q, lang %q", stale.Problem, stale.Lang)
	}
	scanned(t, ctx, "/dashboard (stale reply)")
	for _, c := range complaintsAPI() {
		if c.ID == want[1].ID && c.OwnerReply != "" {
			t.Errorf("the stale reply was written: %q", c.OwnerReply)
		}
	}
	// Another office's case: not found, on a Persian page.
	goTo(t, ctx, base+"/dashboard")
	if status := postFormTo(t, ctx, "reply", fmt.Sprintf("/dashboard/complaints/%d/reply", sc.complaintB), "پاسخ به پروندهٔ دیگران"); status != 404 {
		t.Errorf("another office's complaint: %d, want 404", status)
	}
	if foreign := evalJSON[casesRead](t, ctx, casesJS); foreign.Lang != "fa" || foreign.H1 == "" {
		t.Errorf("another office's complaint: lang %q, h1 %q", foreign.Lang, foreign.H1)
	}
	scanned(t, ctx, "404 (another office's complaint)")
	screenshots(t, ctx, "dashboard_foreign_404")

	// "Done" through the form: the action is done, as the API shows it.
	goTo(t, ctx, base+"/dashboard")
	a1 := acts[0].ID
	status = submit(t, ctx, fmt.Sprintf("#action-%d form button[type=submit]", a1), fill(fmt.Sprintf("done-%d", a1), "تعرفه به‌روز شد و روی پیشخوان نصب است"))
	if status != 200 || evalJSON[casesRead](t, ctx, casesJS).Notice == "" {
		t.Fatalf("done: %d", status)
	}
	states := map[int64]string{}
	for _, a := range actionsAPI() {
		states[a.ID] = a.State
	}
	if states[a1] != "done" {
		t.Errorf("after done: %q", states[a1])
	}
	// A stale "done": the other action was marked done meanwhile (through
	// the API): refused, 409.
	goTo(t, ctx, base+"/dashboard")
	a2 := acts[1].ID
	if res := h.do("POST", fmt.Sprintf("%s/corrective-actions/%d/done", api, a2), owner, map[string]any{"note": "از راه دیگر"}); res.Code != 200 {
		t.Fatalf("done by the API: %d %s", res.Code, res.Body)
	}
	if status := submit(t, ctx, fmt.Sprintf("#action-%d form button[type=submit]", a2), fill(fmt.Sprintf("done-%d", a2), "دوباره")); status != 409 {
		t.Errorf("stale done: %d, want 409", status)
	}
	if p := evalJSON[casesRead](t, ctx, casesJS).Problem; p == "" {
		t.Error("stale done: no problem said")
	}
	scanned(t, ctx, "/dashboard (stale done)")
	// Another office's action: not found, on a Persian page; the action
	// stays open.
	goTo(t, ctx, base+"/dashboard")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const li = document.querySelector('#inspections [data-action]');
	  li.insertAdjacentHTML('beforeend', '<form method="post" data-form="done"><textarea name="note"></textarea><button type="submit">x</button></form>'); return true })()`)); err != nil {
		t.Fatal(err)
	}
	if status := postFormTo(t, ctx, "done", fmt.Sprintf("/dashboard/corrective-actions/%d/done", sc.actionB), "کار دیگران"); status != 404 {
		t.Errorf("another office's action: %d, want 404", status)
	}
	if foreign := evalJSON[casesRead](t, ctx, casesJS); foreign.Lang != "fa" {
		t.Errorf("another office's action: lang %q", foreign.Lang)
	}
	scanned(t, ctx, "404 (another office's action)")
	var stateB string
	h.d.Gorm.Raw("SELECT state FROM corrective_actions WHERE id = ?", sc.actionB).Scan(&stateB)
	if stateB != "open" {
		t.Errorf("another office's action is %q", stateB)
	}
}
