package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
)

// Browser tests of the staff workbench: a clerk's work done through the
// pages in chromium, each step checked against the API's view of the same
// records, and every page photographed at a phone's and a desktop's width
// into DAFTAR_STAFF_SCREENSHOTS (default daftar-staff-screenshots under the
// temporary directory) for people to look at.

// staffSite is one test's server and browser tab.
type staffSite struct {
	t   *testing.T
	h   *harness
	url string
	ctx context.Context
}

func newStaffSite(t *testing.T) *staffSite {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	return &staffSite{t: t, h: h, url: srv.URL, ctx: ctx}
}

// signIn signs a role in through the sign-in form.
func (s *staffSite) signIn(role daftar.Role) {
	s.t.Helper()
	s.open("/login")
	if status := submit(s.t, s.ctx, "form button[type=submit]", chromedp.SendKeys(chromedp.ID("username"), string(role)+"-user"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword)); status != 200 {
		s.t.Fatalf("sign in as %s: %d", role, status)
	}
}

// open navigates to a path and returns the status of the page.
func (s *staffSite) open(path string) int64 {
	s.t.Helper()
	resp, err := chromedp.RunResponse(s.ctx, chromedp.Navigate(s.url+path))
	if err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// eval runs JavaScript in the page.
func eval[T any](s *staffSite, js string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		s.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// path is where the tab is, without the host.
func (s *staffSite) path() string {
	s.t.Helper()
	loc, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		s.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, s.url)
}

// persian checks the page as the browser shows it: right to left, in
// Persian only (the staff pages' scanner).
func (s *staffSite) persian(name string) {
	s.t.Helper()
	html := eval[string](s, "document.documentElement.outerHTML")
	if !strings.Contains(html, `dir="rtl"`) {
		s.t.Errorf("%s: not right to left", name)
	}
	for i, p := range scanStaffPage(s.t, html) {
		if i == 5 {
			s.t.Errorf("%s: and more", name)
			break
		}
		s.t.Errorf("%s: %s", name, p)
	}
}

// screenshotDir is where the run writes its screenshots.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("DAFTAR_STAFF_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "daftar-staff-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shoot photographs the whole page at 390 and 1280 pixels wide; at the
// phone's width nothing may stick out sideways (wide tables scroll in
// their own box, the sections' strip in its own).
func (s *staffSite) shoot(name string) {
	s.t.Helper()
	dir := screenshotDir(s.t)
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			s.t.Fatal(err)
		}
		if w == 390 {
			if over := eval[int](s, "document.documentElement.scrollWidth - document.documentElement.clientWidth"); over > 0 {
				s.t.Errorf("%s at 390 px: %d px wider than the screen", name, over)
			}
		}
		png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s_%d.png", name, w)), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(412, 900)); err != nil {
		s.t.Fatal(err)
	}
}

// openDetails opens a collapsed <details> so its form can be filled.
func (s *staffSite) openDetails(id string) {
	s.t.Helper()
	eval[bool](s, fmt.Sprintf(`(document.getElementById(%q).open = true)`, id))
}

// notice is the page's success notice ("" when none).
func (s *staffSite) notice() string {
	return eval[string](s, `(document.querySelector(".notice") || {innerText: ""}).innerText`)
}

// problem is the page's refusal ("" when none).
func (s *staffSite) problem() string {
	return eval[string](s, `(document.querySelector(".problem") || {innerText: ""}).innerText`)
}

var idInPath = regexp.MustCompile(`/(\d+)`)

// TestBrowserStaffExamImport: a ministry clerk checks an exam file (a dry
// run that writes nothing), imports the same file, and reads the report
// with its refused row, as the API reports the same import.
func TestBrowserStaffExamImport(t *testing.T) {
	s := newStaffSite(t)
	ministry := s.h.tokens[daftar.RoleMinistry]
	bad := []string{"0084575949", "حسن", "کریمی", "مرد", "1370/01/01", "تهران", "70", "", "قبول", "تهران", ""}
	file := filepath.Join(t.TempDir(), "results-1405.csv")
	if err := os.WriteFile(file, examCSV(t, 5, bad), 0o644); err != nil {
		t.Fatal(err)
	}
	s.signIn(daftar.RoleMinistry)
	if st := s.open("/admin/imports"); st != 200 {
		t.Fatalf("imports page: %d", st)
	}
	s.shoot("imports")
	if st := submit(t, s.ctx, `button[name=step][value=check]`, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); st != 200 {
		t.Fatalf("check: %d", st)
	}
	if text(t, s.ctx, "main section.card h2") == "" || eval[int](s, `document.querySelectorAll("button[value=import]").length`) != 1 {
		t.Fatal("after the check: no report or no import button")
	}
	refused := eval[[]string](s, `[...document.querySelectorAll("section.card table tbody tr")].map(r => r.innerText)`)
	if len(refused) != 2 || !strings.Contains(refused[0], "کد ملی") || !strings.Contains(refused[1], "رتبه") {
		t.Fatalf("the check's refused rows: %q", refused)
	}
	if n := decode[struct{ Total int }](t, s.h.do("GET", "/api/v1/candidates", ministry, nil)).Total; n != 0 {
		t.Fatalf("the check wrote %d candidates", n)
	}
	s.persian("checked import")
	s.shoot("imports_checked")

	// Importing another file than the one checked is refused.
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, examCSV(t, 2), 0o644)
	if st := submit(t, s.ctx, `button[name=step][value=import]`, chromedp.SetUploadFiles(chromedp.ID("file"), []string{other})); st != 400 ||
		!strings.Contains(s.problem(), "بررسی نشده") {
		t.Fatalf("import of an unchecked file: %d %q", st, s.problem())
	}
	if st := submit(t, s.ctx, `button[name=step][value=check]`, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); st != 200 {
		t.Fatalf("check again: %d", st)
	}
	if st := submit(t, s.ctx, `button[name=step][value=import]`, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})); st != 200 {
		t.Fatalf("import: %d", st)
	}
	m := idInPath.FindStringSubmatch(s.path())
	if !strings.HasPrefix(s.path(), "/admin/imports/") || m == nil || !strings.Contains(s.notice(), "وارد شد") {
		t.Fatalf("after the import: at %s, notice %q", s.path(), s.notice())
	}
	rep := decode[importJSON](t, s.h.do("GET", "/api/v1/exam-imports/"+m[1], ministry, nil))
	figures := eval[[]string](s, `[...document.querySelectorAll("section.card .figure")].map(e => e.innerText)`)
	want := []string{daftar.PersianDigits(fmt.Sprint(rep.Rows)), daftar.PersianDigits(fmt.Sprint(rep.Accepted)), daftar.PersianDigits(fmt.Sprint(rep.Refused))}
	if len(figures) < 3 || strings.Join(figures[:3], " ") != strings.Join(want, " ") || rep.Accepted != 5 || rep.Refused != 1 {
		t.Fatalf("report figures %q, the API's %+v", figures, rep)
	}
	reasons := eval[[]string](s, `[...document.querySelectorAll("section.card table tbody tr td:last-child")].map(e => e.innerText)`)
	if len(rep.Rejections) != len(reasons) || rep.RejectionsTotal != 2 {
		t.Fatalf("refused rows' reasons %q, the API's %+v", reasons, rep.Rejections)
	}
	for i, j := range rep.Rejections {
		if reasons[i] != j.ReasonFa {
			t.Errorf("refused row %d: %q, the API's %q", i, reasons[i], j.ReasonFa)
		}
	}
	href := eval[string](s, `document.querySelector("a[href$='rejections.xlsx']").getAttribute("href")`)
	if rep.RejectionsXLSX == nil || href != *rep.RejectionsXLSX {
		t.Fatalf("rejections link %q, the API's %v", href, rep.RejectionsXLSX)
	}
	if res := s.h.do("GET", href, ministry, nil); res.Code != 200 {
		t.Fatalf("rejections.xlsx: %d", res.Code)
	}
	s.persian("import report")
	s.shoot("import_report")
}

// TestBrowserStaffLicensing: a ministry clerk reviews a candidate's
// documents, creates a round with its policy, overrides a quota with a
// reason, allocates, closes (refused until confirmed) and issues the
// licences, each step read back from the API.
func TestBrowserStaffLicensing(t *testing.T) {
	s := newStaffSite(t)
	ministry := s.h.tokens[daftar.RoleMinistry]
	ids := s.h.approveCandidates(t, 4, 3)
	s.signIn(daftar.RoleMinistry)

	// The fourth candidate's documents: received, then approved.
	for _, step := range []struct{ state, notice string }{{"documents_submitted", "رسیدن مدارک"}, {"approved", "تأیید شد"}} {
		s.open(fmt.Sprintf("/admin/candidates/%d", ids[3]))
		if st := submit(t, s.ctx, `form[action*="/review"] button[type=submit]`,
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=state][value=%s]`, step.state)))); st != 200 || !strings.Contains(s.notice(), step.notice) {
			t.Fatalf("review %s: %d %q %q", step.state, st, s.notice(), s.problem())
		}
		if c := decode[candidateJSON](t, s.h.do("GET", fmt.Sprintf("/api/v1/candidates/%d", ids[3]), ministry, nil)); c.State != step.state {
			t.Fatalf("candidate after %s: %s", step.state, c.State)
		}
	}
	s.persian("candidate")
	s.shoot("candidate")

	// A round of 4 licences with its policy, typed in Persian digits.
	s.open("/admin/licensing")
	s.openDetails("create")
	if st := submit(t, s.ctx, `form[action^="/admin/licensing"] button[type=submit]`,
		chromedp.SendKeys(chromedp.ID("name"), "دور آزمون مرورگر"), chromedp.SendKeys(chromedp.ID("total_licences"), "۴"),
		chromedp.SendKeys(chromedp.ID("target_population_per_office"), "۲۰۰۰۰")); st != 200 {
		t.Fatalf("create round: %d %q", st, s.problem())
	}
	m := idInPath.FindStringSubmatch(s.path())
	if m == nil || !strings.Contains(s.notice(), "ایجاد شد") {
		t.Fatalf("after creating: %s %q", s.path(), s.notice())
	}
	rp := "/api/v1/licensing-rounds/" + m[1]
	round := decode[roundJSON](t, s.h.do("GET", rp, ministry, nil))
	if round.State != "open" || round.TotalLicences != 4 {
		t.Fatalf("round %+v", round)
	}
	if !strings.Contains(text(t, s.ctx, "section[aria-labelledby=policy]"), "۲۰٬۰۰۰") {
		t.Error("the policy's target is not shown")
	}
	s.shoot("round_open")

	// Mashhad gets one licence, with the commission's reason.
	s.openDetails("override")
	if st := submit(t, s.ctx, `form[action$="/quotas"] button[type=submit]`, chromedp.SetValue(chromedp.ID("q-city"), "mashhad"),
		chromedp.SendKeys(chromedp.ID("q-quota"), "1"), chromedp.SendKeys(chromedp.ID("q-reason"), "تصمیم کمیسیون استان")); st != 200 ||
		!strings.Contains(s.notice(), "سهمیه تغییر کرد") {
		t.Fatalf("override: %d %q %q", st, s.notice(), s.problem())
	}
	if round = decode[roundJSON](t, s.h.do("GET", rp, ministry, nil)); round.quota("mashhad") != 1 {
		t.Fatalf("Mashhad's quota %d", round.quota("mashhad"))
	}

	// Allocate: every qualifying candidate is listed as the API lists them.
	if st := submit(t, s.ctx, `form[action$="/allocate"] button`); st != 200 || !strings.Contains(s.notice(), "تخصیص انجام شد") {
		t.Fatalf("allocate: %d %q", st, s.problem())
	}
	alloc := decode[struct{ Total int }](t, s.h.do("GET", rp+"/allocations", ministry, nil))
	if rows := eval[int](s, `document.querySelectorAll("h2#allocation ~ div.scroll tbody tr").length`); rows != alloc.Total || alloc.Total != 4 {
		t.Fatalf("allocation rows %d, the API's %d", rows, alloc.Total)
	}
	s.persian("allocated round")
	s.shoot("round_allocated")

	// Close: refused without the confirmation (the box's own check taken
	// away, as a careless script would), then done.
	s.openDetails("close")
	eval[bool](s, `(document.querySelector("#close input[name=confirm]").required = false, true)`)
	if st := submit(t, s.ctx, `form[action$="/close"] button`, chromedp.SendKeys(chromedp.ID("close-reason"), "پایان دوره")); st != 400 ||
		!strings.Contains(s.problem(), "برگشت‌پذیر نیست") {
		t.Fatalf("close unconfirmed: %d %q", st, s.problem())
	}
	if got := eval[string](s, `document.getElementById("close-reason").value`); got != "پایان دوره" {
		t.Fatalf("the reason typed is lost: %q", got)
	}
	if st := submit(t, s.ctx, `form[action$="/close"] button`, chromedp.Click(chromedp.CSS(`#close input[name=confirm]`))); st != 200 ||
		!strings.Contains(s.notice(), "بسته شد") {
		t.Fatalf("close: %d %q", st, s.problem())
	}
	if round = decode[roundJSON](t, s.h.do("GET", rp, ministry, nil)); round.State != "closed" {
		t.Fatalf("round state %s", round.State)
	}

	// Issue the licences: the list that follows is the API's.
	s.openDetails("issue")
	if st := submit(t, s.ctx, `form[action$="/issue"] button`, chromedp.Click(chromedp.CSS(`#issue input[name=confirm]`))); st != 200 ||
		!strings.HasPrefix(s.path(), "/admin/licences?round_id=") || !strings.Contains(s.notice(), "صادر شد") {
		t.Fatalf("issue: %d at %s %q", st, s.path(), s.problem())
	}
	lic := decode[struct {
		Items []licenceJSON
		Total int
	}](t, s.h.do("GET", "/api/v1/licences?round_id="+m[1], ministry, nil))
	numbers := eval[[]string](s, `[...document.querySelectorAll("main table tbody tr td:first-child")].map(e => e.innerText)`)
	if lic.Total == 0 || len(numbers) != lic.Total {
		t.Fatalf("licences listed %q, the API's %d", numbers, lic.Total)
	}
	for _, l := range lic.Items {
		if !strings.Contains(strings.Join(numbers, " "), l.Number) || l.State != "issued" {
			t.Errorf("licence %+v not listed or not issued", l)
		}
	}
	s.persian("licences")
	s.shoot("licences_issued")
}

// TestBrowserStaffRanking: an admin computes Azar's draft, reads it
// against Aban's published run (who rose, who fell), is refused until the
// publication is confirmed, publishes the version read, and verifies it.
func TestBrowserStaffRanking(t *testing.T) {
	s := newStaffSite(t)
	s.h.persianNames(t)
	published, _ := s.h.rankingFixture(t, false)
	admin := s.h.tokens[daftar.RoleAdmin]
	s.signIn(daftar.RoleAdmin)
	s.open("/admin/ranking")
	eval[string](s, `document.getElementById("period").value = ""`)
	if st := submit(t, s.ctx, `form[action^="/admin/ranking/runs"] button[type=submit]`,
		chromedp.SendKeys(chromedp.ID("period"), "۱۴۰۵-۰۹")); st != 200 ||
		!strings.Contains(s.notice(), "محاسبه شد") {
		t.Fatalf("compute: %d %q", st, s.problem())
	}
	m := regexp.MustCompile(`run=(\d+)`).FindStringSubmatch(s.path())
	if m == nil {
		t.Fatalf("after computing: at %s", s.path())
	}
	run := decode[ranking.Run](t, s.h.do("GET", "/api/v1/ranking/runs/"+m[1], admin, nil))
	if run.State != "draft" || run.Period != "1405-09" {
		t.Fatalf("run %+v", run)
	}
	cmp := text(t, s.ctx, "section[aria-labelledby=compare]")
	if !strings.Contains(cmp, "آبان ۱۴۰۵") {
		t.Fatalf("not compared with Aban: %q", cmp)
	}
	res := decode[struct{ Items []ranking.Result }](t, s.h.do("GET", "/api/v1/ranking/runs/"+m[1]+"/results", admin, nil))
	for _, r := range res.Items {
		if r.RankChange == nil || *r.RankChange == 0 {
			t.Fatalf("office %d did not move: %+v", r.OfficeID, r)
		}
		list := "risers"
		if *r.RankChange < 0 {
			list = "fallers"
		}
		got := text(t, s.ctx, fmt.Sprintf("section[aria-labelledby=%s] tbody", list))
		name := map[int64]string{s.h.officeA: "دفتر یکم تهران", s.h.officeB: "دفتر یکم مشهد"}[r.OfficeID]
		if !strings.Contains(got, name) {
			t.Errorf("office %s (rank change %d) not among the %s: %q", name, *r.RankChange, list, got)
		}
	}
	s.shoot("ranking_draft")

	// Publish: refused without the confirmation, then done with the version read.
	s.openDetails("publish")
	eval[bool](s, `(document.querySelector("#publish input[name=confirm]").required = false, true)`)
	if st := submit(t, s.ctx, `#publish button[type=submit]`); st != 400 || !strings.Contains(s.problem(), "برگشت‌پذیر نیست") {
		t.Fatalf("publish unconfirmed: %d %q", st, s.problem())
	}
	if got := decode[ranking.Run](t, s.h.do("GET", "/api/v1/ranking/runs/"+m[1], admin, nil)); got.State != "draft" {
		t.Fatalf("published without confirmation: %s", got.State)
	}
	version := eval[string](s, `document.querySelector("#publish input[name=version]").value`)
	if version != fmt.Sprint(run.Version) {
		t.Fatalf("the form's version %s, the API's %d", version, run.Version)
	}
	s.openDetails("publish")
	if st := submit(t, s.ctx, `#publish button[type=submit]`, chromedp.Click(chromedp.CSS(`#publish input[name=confirm]`))); st != 200 ||
		!strings.Contains(s.notice(), "منتشر شد") {
		t.Fatalf("publish: %d %q", st, s.problem())
	}
	got := decode[ranking.Run](t, s.h.do("GET", "/api/v1/ranking/runs/"+m[1], admin, nil))
	if got.State != "published" || got.Version != run.Version+1 || got.PublishedBy == nil || *got.PublishedBy != "admin-user" {
		t.Fatalf("after publishing: %+v", got)
	}

	// Verify: the page says what the API says.
	if st := submit(t, s.ctx, `form[action$="/verify"] button`); st != 200 {
		t.Fatalf("verify: %d", st)
	}
	ver := decode[ranking.Verification](t, s.h.do("POST", "/api/v1/ranking/runs/"+m[1]+"/verify", admin, nil))
	repro, drift := text(t, s.ctx, "#verify-reproduce"), text(t, s.ctx, "#verify-drift")
	if !ver.Reproduced || !strings.Contains(repro, "بیت به بیت بازتولید شد") || ver.Drift.Changed != !strings.Contains(drift, "تغییری نکرده") {
		t.Errorf("verify shown %q / %q, the API's %+v", repro, drift, ver)
	}
	s.persian("published run")
	s.shoot("ranking_published")
	if st := s.open(fmt.Sprintf("/admin/ranking?run=%d", published)); st != 200 {
		t.Fatalf("the earlier run: %d", st)
	}
}

// TestBrowserStaffRoles: a ministry clerk cannot reach the accounts (the
// Persian 403 page), nor an inspector the imports; neither sees links to
// what they may not open.
func TestBrowserStaffRoles(t *testing.T) {
	s := newStaffSite(t)
	for _, c := range []struct {
		role   daftar.Role
		denied []string
	}{{daftar.RoleMinistry, []string{"/admin/users", "/admin/audit"}}, {daftar.RoleInspector, []string{"/admin/users", "/admin/imports", "/admin/licensing"}}} {
		s.signIn(c.role)
		for _, p := range c.denied {
			if st := s.open(p); st != 403 || text(t, s.ctx, "main h1") != "دسترسی ندارید" {
				t.Errorf("%s at %s: %d %q", c.role, p, st, text(t, s.ctx, "main h1"))
			}
			s.persian(string(c.role) + " at " + p)
			if n := eval[int](s, fmt.Sprintf(`document.querySelectorAll('nav.staffnav a[href="%s"]').length`, p)); n != 0 {
				t.Errorf("%s is offered a link to %s", c.role, p)
			}
		}
		s.shoot("forbidden_" + string(c.role))
		submit(t, s.ctx, "header form button") // sign out
	}
}

// TestBrowserStaffTour: every staff page with something to show, as an
// admin reads it: Persian only, right to left, charts drawn as their data
// says, nothing wider than a phone; photographed at both widths.
func TestBrowserStaffTour(t *testing.T) {
	s := newStaffSite(t)
	f := s.h.staffFixture(t)
	s.signIn(daftar.RoleAdmin)
	names := regexp.MustCompile(`[^a-z0-9]+`)
	for _, p := range f.pages(s.h) {
		if st := s.open(p); st != 200 {
			t.Errorf("%s: %d", p, st)
			continue
		}
		s.persian(p)
		// Every chart draws as many marks as it says it has.
		bad := eval[[]string](s, `[...document.querySelectorAll("svg[data-chart]")].filter(svg => {
			const n = svg.getAttribute("data-points") || svg.getAttribute("data-bars");
			return n !== null && svg.querySelectorAll("[data-point],[data-bar]").length != +n;
		}).map(svg => svg.getAttribute("data-chart"))`)
		if len(bad) > 0 {
			t.Errorf("%s: charts drawn unlike their data: %v", p, bad)
		}
		s.shoot(strings.Trim(names.ReplaceAllString(strings.ToLower(p), "_"), "_"))
	}
	s.open("/admin")
	if charts := eval[int](s, `document.querySelectorAll("svg[data-chart]").length`); charts < 2 {
		t.Errorf("the overview draws %d charts", charts)
	}
	s.open("/admin/crowding")
	if pts := eval[int](s, `document.querySelectorAll("svg[data-chart=map] [data-point]").length`); pts != 2 {
		t.Errorf("the map draws %d offices, want the 2 active ones", pts)
	}
}

// TestBrowserStaffInspector: an inspector takes up the complaint assigned
// to them, investigates and upholds it, then records an inspection of the
// office against the checklist, one item failing; the API shows the case
// decided, the inspection with its answers and the corrective action it
// opened.
func TestBrowserStaffInspector(t *testing.T) {
	s := newStaffSite(t)
	s.h.persianNames(t)
	admin := s.h.tokens[daftar.RoleAdmin]
	rcpt, id := s.h.fileOK(t, s.h.officeA, map[string]any{"category": "extra_fee", "amount_paid_rials": 900000,
		"service": "criminal_record", "description": "بیش از تعرفه از من پول گرفتند"})
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"triage", map[string]any{"note": "پذیرفته شد"}}, {"assign", map[string]any{"inspector_id": s.h.users[daftar.RoleInspector]}}} {
		if res := s.h.do("POST", fmt.Sprintf("/api/v1/complaints/%d/%s", id, step.action), admin, step.body); res.Code != 200 {
			t.Fatalf("%s: %d %s", step.action, res.Code, res.Body)
		}
	}
	caseOf := func() map[string]any {
		return decode[map[string]any](t, s.h.do("GET", fmt.Sprintf("/api/v1/complaints/%d", id), admin, nil))
	}
	s.signIn(daftar.RoleInspector)
	s.open("/admin/complaints?mine=true")
	if got := text(t, s.ctx, "main table tbody"); !strings.Contains(got, rcpt.TrackingCode[:5]) {
		t.Fatalf("the inspector's queue lacks %s: %q", rcpt.TrackingCode, got)
	}
	if st := submit(t, s.ctx, "main table tbody a[href^='/admin/complaints/']"); st != 200 {
		t.Fatalf("open the case: %d", st)
	}
	s.openDetails("step-investigate")
	if st := submit(t, s.ctx, `#step-investigate button[type=submit]`); st != 200 || !strings.Contains(s.notice(), "رسیدگی آغاز شد") {
		t.Fatalf("investigate: %d %q", st, s.problem())
	}
	if c := caseOf(); c["state"] != "investigating" {
		t.Fatalf("after investigating: %v", c["state"])
	}
	s.openDetails("step-resolve")
	note := "دفتر بیش از تعرفه دریافت کرده بود و باید مبلغ اضافه را بازگرداند"
	if st := submit(t, s.ctx, `#step-resolve button[type=submit]`, chromedp.Click(chromedp.CSS(`#step-resolve input[value=upheld]`)),
		chromedp.SendKeys(chromedp.ID("note-resolve"), note)); st != 200 || !strings.Contains(s.notice(), "رأی ثبت") {
		t.Fatalf("resolve: %d %q", st, s.problem())
	}
	if c := caseOf(); c["state"] != "resolved" || c["outcome"] != "upheld" || c["public_note"] != note {
		t.Fatalf("after resolving: %v %v %v", c["state"], c["outcome"], c["public_note"])
	}
	s.persian("resolved complaint")
	s.shoot("complaint_resolved")

	// The inspection: every item answered, fees_match failing.
	s.open("/admin/inspections")
	s.persian("worklist")
	s.shoot("inspections_worklist")
	if st := s.open(fmt.Sprintf("/admin/inspections/offices/%d", s.h.officeA)); st != 200 {
		t.Fatalf("record form: %d", st)
	}
	items := eval[[]string](s, `[...new Set([...document.querySelectorAll("input[type=radio][name^=result_]")].map(r => r.name.slice(7)))]`)
	if len(items) != 6 {
		t.Fatalf("checklist items %v", items)
	}
	var clicks []chromedp.Action[chromedp.Void]
	for _, it := range items {
		r := "pass"
		if it == "fees_match" {
			r = "fail"
		}
		clicks = append(clicks, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=result_%s][value=%s]`, it, r))))
	}
	clicks = append(clicks, chromedp.SendKeys(chromedp.ID("note_fees_match"), "رسید ۹۰۰٬۰۰۰ ریال برای خدمت ۲۵۰٬۰۰۰ ریالی"))
	s.shoot("inspection_form")
	if st := submit(t, s.ctx, `main form button[type=submit]`, clicks...); st != 200 || !strings.Contains(s.notice(), "بازرسی ثبت شد") ||
		!strings.HasPrefix(s.path(), fmt.Sprintf("/admin/offices/%d", s.h.officeA)) {
		t.Fatalf("record: %d at %s %q", st, s.path(), s.problem())
	}
	insp := decode[struct {
		Items []struct {
			Results  []struct{ Item, Result, Note string }
			Major    int
			Critical int
		}
		Total int
	}](t, s.h.do("GET", fmt.Sprintf("/api/v1/offices/%d/inspections", s.h.officeA), admin, nil))
	if insp.Total != 1 || len(insp.Items[0].Results) != 6 || insp.Items[0].Critical != 1 {
		t.Fatalf("inspections %+v", insp)
	}
	acts := decode[struct {
		Items []struct{ Item, State string }
	}](t, s.h.do("GET", fmt.Sprintf("/api/v1/offices/%d/corrective-actions", s.h.officeA), admin, nil))
	if len(acts.Items) != 1 || acts.Items[0].Item != "fees_match" || acts.Items[0].State != "open" {
		t.Fatalf("corrective actions %+v", acts)
	}
	if got := text(t, s.ctx, "section[aria-labelledby=inspections]"); !strings.Contains(got, "بحرانی") {
		t.Errorf("the office page does not show the open action: %q", got)
	}
	s.persian("office after the inspection")
	s.shoot("office_inspected")
}
