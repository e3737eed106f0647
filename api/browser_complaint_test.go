package api_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestBrowserComplaint: on a phone, from the survey's thank-you page to a
// complaint about the same visit: the form names the office, a refusal
// keeps what was typed, the corrected form is filed (the browser's own
// form post passes the same-origin check), and the code follows the case.
func TestBrowserComplaint(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	tok := h.servedVisits(t, h.officeA, 1)[0]
	h.clock.Advance(time.Hour)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/s/"+tok)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const first = {};
		for (const r of document.querySelectorAll("input[type=radio]")) if (!first[r.name]) first[r.name] = r;
		for (const r of Object.values(first)) r.click();
		return Object.keys(first).length;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if status := submit(t, ctx, "form button[type=submit]"); status != 201 {
		t.Fatalf("answer: %d", status)
	}
	if status := submit(t, ctx, "a.button"); status != 200 {
		t.Fatalf("the complaint link: %d", status)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "دفتر THR-0001") {
		t.Fatalf("the form does not name the visit's office: %q", got)
	}
	// No amount for an extra fee: refused, with what was typed kept.
	status := submit(t, ctx, "form button[type=submit]", chromedp.Click(chromedp.CSS(`input[value=extra_fee]`)),
		chromedp.SendKeys(chromedp.ID("description"), "بیش از تعرفه از من پول گرفتند"))
	if status != 422 {
		t.Fatalf("refusal: %d %q", status, text(t, ctx, "main"))
	}
	desc, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("description")))
	if err != nil || desc != "بیش از تعرفه از من پول گرفتند" || !strings.Contains(text(t, ctx, "#e-amount"), "ریال") {
		t.Fatalf("after the refusal: %q %v", desc, err)
	}
	if status := submit(t, ctx, "form button[type=submit]", chromedp.SendKeys(chromedp.ID("amount"), "۳۰۰٬۰۰۰")); status != 201 {
		t.Fatalf("filing: %d %q", status, text(t, ctx, "main"))
	}
	code := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindString(text(t, ctx, ".tracking-code"))
	if code == "" {
		t.Fatalf("no tracking code on the receipt: %q", text(t, ctx, "main"))
	}
	if status := submit(t, ctx, "a.button"); status != 200 {
		t.Fatalf("tracking: %d", status)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "ثبت‌شده، در انتظار بررسی") || !strings.Contains(got, code) {
		t.Fatalf("tracking page: %q", got)
	}
}
