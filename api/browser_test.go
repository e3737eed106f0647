package api_test

import (
	"context"
	"fmt"
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

// One chromium serves every browser test of the binary (starting it is the
// slow part); each test gets its own browser context, so cookies and
// storage never cross from one test to the next. TestMain closes it.
var sharedBrowser struct {
	once   sync.Once
	ctx    context.Context // the first tab, kept open while tests run
	cancel func()
	err    error
}

// TestMain runs the tests, then closes the shared browser.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedBrowser.cancel != nil {
		sharedBrowser.cancel()
	}
	os.Exit(code)
}

// browser returns a fresh browser context (a new tab with its own cookies)
// in the shared chromium, with a deadline for the test's actions (the
// browser itself starts without one, as chromedp requires).
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
	sharedBrowser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(412, 900)) // a phone's width
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(actx)
		sharedBrowser.ctx, sharedBrowser.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
		if err := chromedp.Do(ctx); err != nil {
			sharedBrowser.err = fmt.Errorf("start chromium at %s: %w", path, err)
		}
	})
	if sharedBrowser.err != nil {
		t.Fatal(sharedBrowser.err)
	}
	ctx, cancelCtx := chromedp.NewContext(sharedBrowser.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
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

	if status := submit(t, ctx, `header a[href^="/admin/demand"]`); status != 200 {
		t.Fatalf("demand page: %d", status)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main > table tbody tr").length`))
	if err != nil || rows < 60 {
		t.Fatalf("demand page: %v, %d cities", err, rows)
	}
	if status := submit(t, ctx, "section form button[type=submit]",
		chromedp.SendKeys(chromedp.ID("city"), "tehran"), chromedp.SendKeys(chromedp.ID("add"), "5")); status != 200 {
		t.Fatalf("what-if: %d", status)
	}
	if c := text(t, ctx, "section caption"); !strings.Contains(c, "تهران") || !strings.Contains(c, "+۵") {
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
