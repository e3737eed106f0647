package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// Browser tests of the owner's dashboard and the citizens' finder, in a
// real chromium against the whole server (SQLite) filled by ownerScene:
// every figure on the page equals the API's for the same office and range,
// every chart draws as many marks as the API has values, the forms work
// (and a stale change is refused), and every page passes the Persian-page
// scan. Screenshots at phone and desktop width go to DAFTAR_SCREENSHOTS
// (default: daftar-screenshots under the system's temporary directory).

// Persian formatting as the pages write it, for comparing with the API.
func faNum(v float64, decimals int) string { return chart.FormatNumber(v, decimals, true) }

func faMinutes(p *float64) string {
	if p == nil {
		return "—"
	}
	d := 1
	if math.Abs(*p) >= 10 {
		d = 0
	}
	return faNum(*p, d) + " دقیقه"
}

func faPct(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return faNum(*p*100, decimals) + "٪"
}

func faNumP(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return faNum(*p, decimals)
}

// screenshots writes the page at 390 and 1280 px, full length, and leaves
// the browser at 390.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DAFTAR_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "daftar-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int64{390, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		// Two frames: the page lays itself out at the new width first.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
		png, err := fullPage(ctx)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s_%d.png", name, w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 900)); err != nil {
		t.Fatal(err)
	}
}

// fullPage captures the whole page; a page shorter than the viewport is
// captured as it shows (beyond the viewport, chromium draws a short
// right-to-left page shifted).
func fullPage(ctx context.Context) ([]byte, error) {
	m, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	c, v := m.CSSContentSize, m.CSSLayoutViewport
	params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, FromSurface: ptr(true)}
	if c.Height > float64(v.ClientHeight) || c.Width > float64(v.ClientWidth) {
		params.Clip, params.CaptureBeyondViewport = &page.Viewport{X: c.X, Y: c.Y, Width: c.Width, Height: c.Height, Scale: 1}, ptr(true)
	}
	r, err := chromedp.Call(ctx, page.CaptureScreenshot, params)
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// scanned fails the test on every problem the Persian-page scan finds in
// the page the browser shows.
func scanned(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range scanStaffPage(t, page) {
		t.Errorf("%s: %s", name, p)
	}
}

// fill sets form fields by id (an empty value too, which SetValue takes
// for a failure).
func fill(fields ...string) chromedp.Action[chromedp.Void] {
	m := map[string]string{}
	for i := 0; i+1 < len(fields); i += 2 {
		m[fields[i]] = fields[i+1]
	}
	js, _ := json.Marshal(m)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`(() => { for (const [id, v] of Object.entries(`+string(js)+`)) document.getElementById(id).value = v; return true })()`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// goTo navigates and returns the status.
func goTo(t *testing.T, ctx context.Context, u string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		t.Fatalf("navigate %s: %v", u, err)
	}
	return resp.Status
}

// evalJSON runs a script returning JSON text and decodes it.
func evalJSON[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](script))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func signInAs(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	goTo(t, ctx, base+"/login")
	if status := submit(t, ctx, "form button[type=submit]", chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), testPassword)); status != 200 {
		t.Fatalf("sign in as %s: %d", user, status)
	}
}

// dashboardJS reads the dashboard: every figure by section and key, and
// every chart's marks (the SVG's own count and the marks drawn).
const dashboardJS = `JSON.stringify((() => {
  const text = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : null;
  const tables = {};
  for (const tb of document.querySelectorAll('table[data-range]')) {
    const rows = {};
    for (const tr of tb.querySelectorAll('tr[data-key]')) rows[tr.dataset.key] = {value: text(tr.querySelector('[data-cell=value]')), peer: text(tr.querySelector('[data-cell=peer]'))};
    tables[tb.dataset.range] = rows;
  }
  const sat = {};
  for (const tr of document.querySelectorAll('table[data-section=satisfaction] tr[data-key]')) sat[tr.dataset.key] = {value: text(tr.querySelector('[data-cell=value]')), interval: text(tr.querySelector('[data-cell=interval]'))};
  const charts = {};
  for (const d of document.querySelectorAll('[data-chart-of]')) {
    const svg = d.querySelector('svg[data-chart]');
    charts[d.dataset.chartOf] = {count: svg ? Number(svg.dataset.bars || svg.dataset.points || 0) : -1,
      drawn: svg ? svg.querySelectorAll('[data-bar],[data-point]').length : -1, table: d.querySelectorAll('details table tbody tr').length};
  }
  const rank = {};
  for (const e of document.querySelectorAll('[data-section=ranking] [data-key]')) rank[e.dataset.key] = text(e);
  const crit = [];
  for (const tr of document.querySelectorAll('table[data-section=criteria] tr[data-key]')) crit.push({key: tr.dataset.key, score: Number(tr.dataset.score), contribution: Number(tr.dataset.contribution)});
  const lic = {};
  for (const e of document.querySelectorAll('[data-section=licence] [data-key]')) lic[e.dataset.key] = text(e);
  return {tables, sat, charts, rank, crit, lic, withheld: !!document.querySelector('#satisfaction [data-withheld]'),
    comments: document.querySelectorAll('#satisfaction ul.comments li').length, lever: text(document.querySelector('[data-key=lever]')),
    downloads: [...document.querySelectorAll('#downloads a')].map(a => a.getAttribute('href')),
    dir: document.documentElement.dir, h1: text(document.querySelector('main h1'))};
})())`

type dashboardRead struct {
	Tables map[string]map[string]struct{ Value, Peer string }
	Sat    map[string]struct{ Value, Interval string }
	Charts map[string]struct{ Count, Drawn, Table int }
	Rank   map[string]string
	Crit   []struct {
		Key                 string
		Score, Contribution float64
	}
	Lic       map[string]string
	Withheld  bool
	Comments  int
	Lever     string
	Downloads []string
	Dir, H1   string
}

// TestBrowserOwnerDashboard: the owner signs in and reads their office:
// each section's figures equal the API's, each chart has the expected
// marks, the visits upload reports its rows, the phone and hours change
// and a stale change is refused; the pages pass the Persian-page scan.
func TestBrowserOwnerDashboard(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	sc := newOwnerScene(t, h)
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	owner := h.tokens[daftar.RoleOfficeOwner]
	signInAs(t, ctx, srv.URL, "office_owner-user")
	if status := goTo(t, ctx, srv.URL+"/dashboard"); status != 200 {
		t.Fatalf("dashboard: %d", status)
	}
	got := evalJSON[dashboardRead](t, ctx, dashboardJS)
	if got.Dir != "rtl" || !strings.Contains(got.H1, "THR-0001") {
		t.Fatalf("dashboard head: dir %q, h1 %q", got.Dir, got.H1)
	}
	screenshots(t, ctx, "dashboard")
	scanned(t, ctx, "/dashboard")

	// Waiting: the API's figures for today and for its default 30 days.
	base := fmt.Sprintf("/api/v1/offices/%d", h.officeA)
	type figs struct {
		Arrivals        int64    `json:"arrivals"`
		Served          int64    `json:"served"`
		WaitP50Min      *float64 `json:"wait_p50_min"`
		WaitP90Min      *float64 `json:"wait_p90_min"`
		OverTargetShare *float64 `json:"over_target_share"`
		Utilisation     *float64 `json:"utilisation"`
		QueueMax        *int64   `json:"queue_max"`
		QueueMean       *float64 `json:"queue_mean"`
	}
	type crowding struct {
		Total figs   `json:"total"`
		Items []figs `json:"items"`
	}
	crowd := func(q string) crowding {
		t.Helper()
		res := h.do("GET", base+"/crowding?"+q, owner, nil)
		if res.Code != 200 {
			t.Fatalf("crowding %s: %d %s", q, res.Code, res.Body)
		}
		return decode[crowding](t, res)
	}
	today := daftar.TehranDate(h.clock.Now())
	for key, q := range map[string]string{"today": "from=" + today + "&to=" + today, "days30": ""} {
		f := crowd(q).Total
		rows := got.Tables[key]
		qmax := "—"
		if f.QueueMax != nil {
			qmax = faNum(float64(*f.QueueMax), 0)
		}
		want := map[string]string{"arrivals": faNum(float64(f.Arrivals), 0), "served": faNum(float64(f.Served), 0),
			"wait_p50": faMinutes(f.WaitP50Min), "wait_p90": faMinutes(f.WaitP90Min), "over_target_share": faPct(f.OverTargetShare, 1),
			"utilisation": faPct(f.Utilisation, 0), "queue_max": qmax, "queue_mean": faNumP(f.QueueMean, 1)}
		for k, w := range want {
			if rows[k].Value != w {
				t.Errorf("waiting %s %s: page %q, API %q", key, k, rows[k].Value, w)
			}
			if rows[k].Peer == "" {
				t.Errorf("waiting %s %s: no city median", key, k)
			}
		}
		if f.Arrivals == 0 {
			t.Errorf("waiting %s: the scene has no visits", key)
		}
	}
	// The city median beside A's 30-day wait is office C's (its only peer).
	resC := h.do("GET", fmt.Sprintf("/api/v1/offices/%d/crowding", sc.officeC), h.tokens[daftar.RoleAdmin], nil)
	var cTotal struct {
		Total struct {
			WaitP90Min *float64 `json:"wait_p90_min"`
		}
	}
	json.Unmarshal(resC.Body.Bytes(), &cTotal)
	if p := got.Tables["days30"]["wait_p90"].Peer; p != faMinutes(cTotal.Total.WaitP90Min) {
		t.Errorf("city median of the p90 wait: %q, office C's %q", p, faMinutes(cTotal.Total.WaitP90Min))
	}
	// Charts: as many marks as the API has values.
	count := func(q string, has func(figs) bool) int {
		n := 0
		for _, it := range crowd(q).Items {
			if has(it) {
				n++
			}
		}
		return n
	}
	for chartName, want := range map[string]int{
		"wait_by_hour":        count("by=hour", func(f figs) bool { return f.WaitP50Min != nil }),
		"p90_by_day":          count("by=day", func(f figs) bool { return f.WaitP90Min != nil }),
		"arrivals_by_weekday": count("by=weekday", func(figs) bool { return true }),
	} {
		c := got.Charts[chartName]
		if want == 0 || c.Count != want || c.Drawn != want {
			t.Errorf("chart %s: %d marks (%d drawn), API %d values", chartName, c.Count, c.Drawn, want)
		}
	}

	// Satisfaction: this month's summary as the owner's route gives it.
	var sum struct {
		Withheld  bool     `json:"withheld"`
		Responses int64    `json:"responses"`
		CSAT      *float64 `json:"csat"`
		NPS       *float64 `json:"nps"`
		Adjusted  *float64 `json:"adjusted_satisfaction"`
		ExtraFee  *struct {
			Rate       float64 `json:"rate"`
			WilsonLow  float64 `json:"wilson_low"`
			WilsonHigh float64 `json:"wilson_high"`
		} `json:"extra_fee"`
		Comments []json.RawMessage `json:"comments"`
	}
	res := h.do("GET", base+"/surveys/summary", owner, nil)
	json.Unmarshal(res.Body.Bytes(), &sum)
	if res.Code != 200 || sum.Withheld || got.Withheld || sum.ExtraFee == nil {
		t.Fatalf("survey summary: %d withheld %v (page %v) %s", res.Code, sum.Withheld, got.Withheld, res.Body)
	}
	for k, w := range map[string]string{"responses": faNum(float64(sum.Responses), 0), "csat": faPct(sum.CSAT, 0), "nps": faNumP(sum.NPS, 0),
		"adjusted": faNumP(sum.Adjusted, 2) + " از ۵", "extra_fee": faPct(&sum.ExtraFee.Rate, 1)} {
		if got.Sat[k].Value != w {
			t.Errorf("satisfaction %s: page %q, API %q", k, got.Sat[k].Value, w)
		}
	}
	if iv := got.Sat["extra_fee"].Interval; !strings.Contains(iv, faPct(&sum.ExtraFee.WilsonLow, 1)) || !strings.Contains(iv, faPct(&sum.ExtraFee.WilsonHigh, 1)) {
		t.Errorf("extra-fee interval %q", iv)
	}
	if got.Sat["adjusted"].Interval == "" || len(sum.Comments) != 0 {
		t.Errorf("adjusted interval %q; %d comments of a month still running", got.Sat["adjusted"].Interval, len(sum.Comments))
	}
	// The trend: one point per month with figures (Mehr, Aban, Azar).
	months := 0
	for _, p := range []string{"1405-04", "1405-05", "1405-06", "1405-07", "1405-08", "1405-09"} {
		var m struct {
			Withheld  bool
			Responses int64
		}
		json.Unmarshal(h.do("GET", base+"/surveys/summary?period="+p, owner, nil).Body.Bytes(), &m)
		if !m.Withheld && m.Responses > 0 {
			months++
		}
	}
	if c := got.Charts["satisfaction_trend"]; months != 3 || c.Count != months || c.Drawn != months {
		t.Errorf("satisfaction trend: %d points (%d drawn), %d months with figures", c.Count, c.Drawn, months)
	}

	// Ranking: the latest published result of the office's route.
	var rk struct {
		Results []struct {
			Result struct {
				Score        *float64
				Grade        *string
				RankNational *int `json:"rank_national"`
				RankProvince *int `json:"rank_province"`
				Components   []struct {
					Criterion           string
					Score, Contribution float64
				}
			}
		}
	}
	json.Unmarshal(h.do("GET", base+"/ranking", owner, nil).Body.Bytes(), &rk)
	if len(rk.Results) != 2 || rk.Results[0].Result.Score == nil {
		t.Fatalf("ranking: %+v", rk)
	}
	latest := rk.Results[0].Result
	for k, w := range map[string]string{"score": faNum(*latest.Score, 2), "grade": *latest.Grade,
		"rank_national": faNum(float64(*latest.RankNational), 0), "rank_province": faNum(float64(*latest.RankProvince), 0)} {
		if got.Rank[k] != w {
			t.Errorf("ranking %s: page %q, API %q", k, got.Rank[k], w)
		}
	}
	if len(got.Crit) != len(latest.Components) {
		t.Fatalf("%d criteria on the page, %d in the API", len(got.Crit), len(latest.Components))
	}
	for i, c := range latest.Components {
		if g := got.Crit[i]; g.Key != c.Criterion || g.Score != c.Score || g.Contribution != c.Contribution {
			t.Errorf("criterion %d: page %+v, API %+v", i, g, c)
		}
	}
	if c := got.Charts["criteria"]; c.Count != len(latest.Components) || c.Drawn != c.Count {
		t.Errorf("criteria chart: %d bars (%d drawn), %d criteria", c.Count, c.Drawn, len(latest.Components))
	}
	if c := got.Charts["score_history"]; c.Count != 2 || c.Drawn != 2 {
		t.Errorf("score history: %d points (%d drawn), want 2", c.Count, c.Drawn)
	}
	if got.Lever == "" {
		t.Error("no lever sentence")
	}
	// Downloads: every report kind an owner may read, none of the staff's.
	if len(got.Downloads) < 8 || strings.Contains(strings.Join(got.Downloads, " "), "candidates") {
		t.Errorf("downloads %v", got.Downloads)
	}
	for _, href := range got.Downloads[:2] {
		if res := h.do("GET", href, owner, nil); res.Code != 200 {
			t.Errorf("download %s: %d", href, res.Code)
		}
	}

	// The visits upload: three of A's rows, one bad, one of office B.
	var before int64
	h.d.Gorm.Raw("SELECT COUNT(*) FROM visits WHERE office_id = ?", h.officeA).Scan(&before)
	day := h.clock.Now().In(daftar.Tehran()).Format("2006-01-02")
	csvBody := "ticket,service,arrived_at,called_at,finished_at,outcome,counter,office\n" +
		"UP-1,criminal_record," + day + " 07:35," + day + " 07:45," + day + " 07:55,served,1,THR-0001\n" +
		"UP-2,criminal_record," + day + " 07:40," + day + " 07:50," + day + " 08:00,served,2,THR-0001\n" +
		"UP-3,e_notification," + day + " 07:45,,,no_show,,THR-0001\n" +
		"UP-4,criminal_record," + day + " 07:50," + day + " 07:55," + day + " 08:05,lost,1,THR-0001\n" +
		"UP-5,criminal_record," + day + " 07:50," + day + " 07:55," + day + " 08:05,served,1,KRZ-0001\n"
	file := filepath.Join(t.TempDir(), "visits.csv")
	os.WriteFile(file, []byte(csvBody), 0o644)
	goTo(t, ctx, srv.URL+"/dashboard")
	if status := submit(t, ctx, "#visits form button[type=submit]", chromedp.SetUploadFiles(chromedp.CSS("#visits-file"), []string{file})); status != 200 {
		t.Fatalf("upload: %d", status)
	}
	up := evalJSON[struct {
		Counts   map[string]int
		Rows     int
		Download string
	}](t, ctx, `JSON.stringify({counts: Object.fromEntries([...document.querySelectorAll('[data-section=upload] [data-key]')].map(e => [e.dataset.key, Number(e.dataset.value)])),
	  rows: document.querySelectorAll('table[data-section=rejections] tbody tr').length,
	  download: (document.querySelector('[data-download=rejections]') || {}).href || ''})`)
	if up.Counts["rows"] != 5 || up.Counts["accepted"] != 3 || up.Counts["refused"] != 2 || up.Counts["duplicates"] != 0 || up.Rows != 2 {
		t.Fatalf("upload report %+v", up)
	}
	if rej, err := url.PathUnescape(strings.TrimPrefix(up.Download, "data:text/csv;charset=utf-8;base64,")); err != nil || rej == up.Download {
		t.Errorf("rejections download %q", up.Download)
	}
	var after int64
	h.d.Gorm.Raw("SELECT COUNT(*) FROM visits WHERE office_id = ?", h.officeA).Scan(&after)
	if after != before+3 {
		t.Errorf("%d visits loaded, want 3", after-before)
	}
	screenshots(t, ctx, "dashboard_visits_upload")
	scanned(t, ctx, "/dashboard/visits")

	// Phone and hours: changed through the form.
	goTo(t, ctx, srv.URL+"/dashboard")
	status := submit(t, ctx, "#contact form button[type=submit]",
		fill("phone", "۰۲۱-۴۴۵۵۶۶۷۷", "hours-sat", "۰۸:۰۰-۱۴:۰۰", "hours-thu", ""))
	notice := text(t, ctx, "p.notice")
	var off struct {
		Phone        string
		Version      int64
		OpeningHours map[string][]string `json:"opening_hours"`
	}
	json.Unmarshal(h.do("GET", base, owner, nil).Body.Bytes(), &off)
	if status != 200 || notice == "" || off.Phone != "021-44556677" || fmt.Sprint(off.OpeningHours["sat"]) != "[08:00-14:00]" || len(off.OpeningHours["thu"]) != 0 {
		t.Fatalf("contact change: %d %q %+v", status, notice, off)
	}
	var audits int64
	h.d.Gorm.Raw("SELECT COUNT(*) FROM audit_events WHERE action = 'office.contact' AND entity_id = ?", fmt.Sprint(h.officeA)).Scan(&audits)
	if audits != 2 { // the scene's phone, then the form's
		t.Errorf("%d office.contact audit events", audits)
	}
	// A stale change: the form was read before someone changed the phone.
	goTo(t, ctx, srv.URL+"/dashboard")
	if res := h.do("PATCH", base+"/contact", owner, map[string]any{"phone": "021-11112222"}, "If-Match", fmt.Sprintf(`"%d"`, off.Version)); res.Code != 200 {
		t.Fatalf("API change: %d %s", res.Code, res.Body)
	}
	if status := submit(t, ctx, "#contact form button[type=submit]", fill("phone", "021-99990000")); status != 409 {
		t.Fatalf("stale change: %d, want 409", status)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("phone")))
	if msg := text(t, ctx, "#contact p.error"); msg == "" || shown != "۰۲۱-۱۱۱۱۲۲۲۲" {
		t.Errorf("stale change: message %q, phone shown %q", msg, shown)
	}
	json.Unmarshal(h.do("GET", base, owner, nil).Body.Bytes(), &off)
	if off.Phone != "021-11112222" {
		t.Errorf("the stale change was written: %q", off.Phone)
	}
	// A phone that is no phone: 422, the field marked, nothing written.
	if status := submit(t, ctx, "#contact form button[type=submit]", fill("phone", "call me")); status != 422 || text(t, ctx, "#phone-error") == "" {
		t.Errorf("bad phone: %d", status)
	}
	scanned(t, ctx, "/dashboard (refused change)")

	// Complaints, inspections and corrective actions.
	ownerCases(t, ctx, h, sc, srv.URL)

	// English on request.
	goTo(t, ctx, srv.URL+"/dashboard?lang=en")
	if en := evalJSON[dashboardRead](t, ctx, dashboardJS); en.Dir != "ltr" || !strings.Contains(en.H1, "THR-0001") || en.Rank["score"] != chart.FormatNumber(*latest.Score, 2, false) {
		t.Errorf("English dashboard: dir %q, score %q", en.Dir, en.Rank["score"])
	}
	screenshots(t, ctx, "dashboard_en")
	goTo(t, ctx, srv.URL+"/dashboard?lang=fa")

	// The owner of the office the licence opened: its licence as the
	// licences route has it.
	ctx2 := browser(t)
	signInAs(t, ctx2, srv.URL, sc.newOwner)
	goTo(t, ctx2, srv.URL+"/dashboard")
	lic := evalJSON[dashboardRead](t, ctx2, dashboardJS).Lic
	var l struct {
		Number     string
		State      string
		ValidUntil string `json:"valid_until"`
	}
	json.Unmarshal(h.do("GET", fmt.Sprintf("/api/v1/licences/%d", sc.licenceID), h.tokens[daftar.RoleAdmin], nil).Body.Bytes(), &l)
	if lic["number"] != l.Number || l.State != "active" || lic["state"] != "فعال" || !strings.HasPrefix(lic["valid_until"], "۱۴۱۰/") || !strings.Contains(lic["days_left"], "روز") {
		t.Errorf("licence: page %v, API %+v", lic, l)
	}
	screenshots(t, ctx2, "dashboard_new_office")
	scanned(t, ctx2, "/dashboard (new office)")
}

// TestBrowserFinder: a citizen on a 390 px phone finds offices by city name
// and by the browser's location: every card has its address, a call link
// and its wait (a new office's marked as its city's estimate), the
// service's official fee is above them, the map shows every office; an
// empty search says so; the pages pass the Persian-page scan.
func TestBrowserFinder(t *testing.T) {
	ctx := browser(t)
	h := newHarness(t, dbtest.Open(t, db.SQLite))
	sc := newOwnerScene(t, h)
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 900)); err != nil {
		t.Fatal(err)
	}
	goTo(t, ctx, srv.URL+"/finder")
	screenshots(t, ctx, "finder")
	scanned(t, ctx, "/finder")

	const cardsJS = `JSON.stringify({
	  cards: [...document.querySelectorAll('li.result')].map(li => ({name: li.querySelector('h2').textContent.trim(),
	    address: (li.querySelector('[data-key=address]') || {}).textContent || '', tel: (li.querySelector('a[href^="tel:"]') || {}).href || '',
	    wait: li.querySelector('[data-key=wait]').textContent.trim(), estimate: !!li.querySelector('[data-key=estimate]'),
	    width: li.getBoundingClientRect().width})),
	  fee: (document.querySelector('[data-key=fee]') || {}).textContent || '',
	  online: !!document.querySelector('[data-key=online]'),
	  map: Number((document.querySelector('[data-chart-of=finder_map] svg[data-chart=map]') || {dataset: {}}).dataset.points || -1),
	  drawn: document.querySelectorAll('[data-chart-of=finder_map] [data-point]').length,
	  empty: (document.querySelector('p.none-found') || {}).textContent || '',
	  scrollWidth: document.documentElement.scrollWidth})`
	type cards struct {
		Cards []struct {
			Name, Address, Tel, Wait string
			Estimate                 bool
			Width                    float64
		}
		Fee, Empty  string
		Online      bool
		Map, Drawn  int
		ScrollWidth float64
	}
	check := func(where string, lat, lon float64) cards {
		t.Helper()
		got := evalJSON[cards](t, ctx, cardsJS)
		var api struct {
			Items []struct {
				Name, Address, Phone string
				Estimated            bool  `json:"predicted_wait_estimated"`
				OfficeID             int64 `json:"office_id"`
			}
		}
		json.Unmarshal(h.do("GET", fmt.Sprintf("/api/v1/finder?service=criminal_record&lat=%v&lon=%v", lat, lon), "", nil).Body.Bytes(), &api)
		if len(got.Cards) == 0 || len(got.Cards) != len(api.Items) {
			t.Fatalf("%s: %d cards, the API %d", where, len(got.Cards), len(api.Items))
		}
		sawNew := false
		for i, c := range got.Cards {
			it := api.Items[i]
			if c.Address == "" || c.Tel != "tel:"+strings.ReplaceAll(it.Phone, "-", "") || c.Wait == "" || c.Estimate != it.Estimated || c.Width > 390 {
				t.Errorf("%s: card %d %+v, API %+v", where, i, c, it)
			}
			sawNew = sawNew || it.OfficeID == sc.licensed && c.Estimate
		}
		if !sawNew {
			t.Errorf("%s: the new office's wait is not marked as an estimate", where)
		}
		cat, _ := h.catalogue.Get("criminal_record")
		if got.Fee != faNum(float64(cat.FeeRials), 0)+" ریال" || got.Online != (cat.Channel == "office_or_self_service") {
			t.Errorf("%s: fee %q online %v", where, got.Fee, got.Online)
		}
		if got.Map != len(got.Cards) || got.Drawn != got.Map || got.ScrollWidth > 390 {
			t.Errorf("%s: map %d points (%d drawn) for %d offices; page %v px wide", where, got.Map, got.Drawn, len(got.Cards), got.ScrollWidth)
		}
		return got
	}
	// By the city's Persian name, typed into the form.
	goTo(t, ctx, srv.URL+"/finder")
	if status := submit(t, ctx, "form[role=search] button[type=submit]", fill("service", "criminal_record"), chromedp.SendKeys(chromedp.ID("city"), "تهران")); status != 200 {
		t.Fatalf("finder by city: %d", status)
	}
	tehran, _ := h.srv.Gazetteer.Get("tehran")
	check("by city", tehran.Latitude, tehran.Longitude)
	screenshots(t, ctx, "finder_city")
	scanned(t, ctx, "/finder (by city)")

	// By the browser's location: granted, at a point in Tehran.
	lat, lon := 35.73, 51.41
	bctx := chromedp.FromContext(ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"},
		Setting: cdpbrowser.PermissionSettingGranted, BrowserContextID: bctx}); err != nil {
		t.Fatal(err)
	}
	acc := 20.0
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	goTo(t, ctx, srv.URL+"/finder")
	if status := submit(t, ctx, "#locate", fill("service", "criminal_record")); status != 200 {
		t.Fatalf("use my location: %d", status)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "lat=35.73") {
		t.Fatalf("after locating: %s", loc)
	}
	check("by location", lat, lon)
	screenshots(t, ctx, "finder_location")
	scanned(t, ctx, "/finder (by location)")

	// Nothing near: said so. A city not known: said so, as a 400 page.
	if status := goTo(t, ctx, srv.URL+"/finder?service=criminal_record&city="+url.QueryEscape("یزد")); status != 200 || evalJSON[cards](t, ctx, cardsJS).Empty == "" {
		t.Errorf("empty search: %d", status)
	}
	screenshots(t, ctx, "finder_empty")
	scanned(t, ctx, "/finder (nothing near)")
	if status := goTo(t, ctx, srv.URL+"/finder?service=criminal_record&city=atlantis"); status != 400 || text(t, ctx, "p.error") == "" {
		t.Errorf("unknown city: %d", status)
	}
	scanned(t, ctx, "/finder (unknown city)")
}
