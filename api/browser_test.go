package api_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// Browser tests: the dashboard and the citizens' pages in a real chromium
// (headless, through chromedp), against the whole server on SQLite.
// scripts/test installs chromium and exports CHROME_PATH; without it the
// tests fail with a hint, unless DAFTAR_BROWSER_TESTS=0 leaves them out on
// purpose (docs/testing.md).

// sharedBrowser is the one chromium of the test binary: started by the
// first test that needs it, killed by the kernel when the binary exits
// (chromedp's allocator sets Pdeathsig). Each test gets its own tab in its
// own browser context, so no cookie leaks from one test to the next.
var sharedBrowser struct {
	once sync.Once
	ctx  context.Context
	path string
	err  error
}

// browser returns a fresh tab for one test, with a deadline for the test's
// actions (the browser itself starts without one, as chromedp requires).
func browser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv("DAFTAR_BROWSER_TESTS") == "0" {
		if ci := os.Getenv("CI"); ci == "true" || ci == "1" {
			t.Fatal("DAFTAR_BROWSER_TESTS=0 under CI: the browser tests must run in CI")
		}
		t.Skip("DAFTAR_BROWSER_TESTS=0: browser tests left out on purpose (never under CI)")
	}
	path := os.Getenv("CHROME_PATH")
	for _, c := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if path != "" {
			break
		}
		path, _ = exec.LookPath(c)
	}
	if path == "" {
		t.Fatal("chromium not found: run the tests through scripts/test (it installs chromium), set CHROME_PATH, " +
			"or set DAFTAR_BROWSER_TESTS=0 to leave the browser tests out")
	}
	sb := &sharedBrowser
	sb.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(412, 900)) // a phone's width
		actx, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		sb.ctx, _ = chromedp.NewContext(actx)
		sb.path, sb.err = path, chromedp.Do(sb.ctx)
	})
	if sb.err != nil {
		t.Fatalf("start chromium at %s: %v", sb.path, sb.err)
	}
	tab, cancelTab := chromedp.NewContext(sb.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(412, 900)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tctx, cancel := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(cancel)
	return tctx
}

// text reads the text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// submit clicks a form's button and waits for the page it leads to.
func submit(t *testing.T, ctx context.Context, sel string, before ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, append(before, chromedp.Click(chromedp.CSS(sel)))...)
	if err != nil {
		t.Fatalf("submit %s: %v", sel, err)
	}
	return resp.Status
}

// TestBrowserStaffPages: an official signs in through the form, lands on
// the overview, reads the demand page and asks a what-if, in Persian and
// right to left; a wrong password shows the error on the form.
func TestBrowserStaffPages(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	srv := httptest.NewServer(h.h)
	defer srv.Close()

	signIn := func(password string) int64 {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login")); err != nil {
			t.Fatal(err)
		}
		return submit(t, ctx, "form button[type=submit]",
			chromedp.SendKeys(chromedp.ID("username"), "ministry-user"), chromedp.SendKeys(chromedp.ID("password"), password))
	}
	if status := signIn("wrong-password"); status != 401 || text(t, ctx, "p.error") == "" {
		t.Fatalf("wrong password: %d", status)
	}
	if status := signIn(testPassword); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	dir, err2 := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "dir"))
	if err != nil || err2 != nil || !strings.HasSuffix(loc, "/admin") || dir.Value != "rtl" || text(t, ctx, "main h1") != "نمای کلی شبکه دفاتر" {
		t.Fatalf("after sign-in: %v %v at %q, dir %q", err, err2, loc, dir.Value)
	}

	if status := submit(t, ctx, `nav.staffnav a[href^="/admin/demand"]`); status != 200 {
		t.Fatalf("demand page: %d", status)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main .scroll table tbody tr").length`))
	if err != nil || rows < 50 {
		t.Fatalf("demand page: %v, %d cities", err, rows)
	}
	if status := submit(t, ctx, `section[aria-labelledby="whatif"] form button[type=submit]`,
		chromedp.SendKeys(chromedp.ID("city"), "تهران"), chromedp.SendKeys(chromedp.ID("add"), "۵")); status != 200 {
		t.Fatalf("what-if: %d", status)
	}
	if c := text(t, ctx, `section[aria-labelledby="whatif"] caption`); !strings.Contains(c, "تهران") || !strings.Contains(c, "افزودن ۵") {
		t.Fatalf("what-if caption %q", c)
	}
}

// TestBrowserSurvey: a citizen opens the survey link from the receipt on a
// phone, answers, and sees the thanks; the same link afterwards says it
// was used.
func TestBrowserSurvey(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	tok := h.servedVisits(t, h.officeA, 1)[0]
	h.clock.Advance(time.Hour) // answered well after the visit, not "too fast"

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/s/"+tok)); err != nil {
		t.Fatal(err)
	}
	dir, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "dir"))
	if err != nil || dir.Value != "rtl" {
		t.Fatalf("survey page dir %q: %v", dir.Value, err)
	}
	// The highest answer of every question (each group's last radio).
	groups, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const last = {};
		for (const r of document.querySelectorAll("input[type=radio]")) last[r.name] = r;
		for (const r of Object.values(last)) r.click();
		return Object.keys(last).length;
	})()`))
	if err != nil || groups != 6 {
		t.Fatalf("%d questions answered: %v", groups, err)
	}
	if status := submit(t, ctx, "form button[type=submit]", chromedp.SendKeys(chromedp.CSS("textarea"), "کارمندان مؤدب بودند")); status/100 != 2 {
		t.Fatalf("answer: %d", status)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "پاسخ شما ثبت شد") {
		t.Fatalf("after answering: %q", got)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/s/"+tok))
	if err != nil || resp.Status != 410 {
		t.Fatalf("the used link again: %v %v", resp, err)
	}
	var n int64
	if err := h.d.Gorm.Raw("SELECT COUNT(*) FROM survey_responses WHERE office_id = ? AND comment IS NOT NULL", h.officeA).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d responses stored: %v", n, err)
	}
}
