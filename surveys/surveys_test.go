package surveys_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

type fixture struct {
	d       *db.DB
	clock   *daftar.ManualClock
	s       *surveys.Service
	reg     *offices.Register
	visits  *visits.Service
	offices []int64
	n       int
}

// start is Saturday 2026-11-21 08:00 Tehran.
var start = time.Date(2026, 11, 21, 8, 0, 0, 0, daftar.Tehran())

func setup(t *testing.T, d *db.DB, n int, cfg surveys.Config) *fixture {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, _ := geo.LoadGazetteer(ctx, d)
	cat, _ := geo.LoadCatalogue(ctx, d)
	clock := daftar.NewManualClock(start)
	al := audit.New(d, clock)
	reg, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{MinDistanceM: -1}) // test offices share a point: no distance rule
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, clock: clock, reg: reg}
	if f.s, err = surveys.New(d, clock, al, reg, nil, []byte("test-client-key"), cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.s.EnsureDefaultTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	if f.visits, err = visits.New(d, clock, reg, f.s, nil, visits.Config{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		code := fmt.Sprintf("YAZ-%04d", i+1)
		lat, lon := 31.89, 54.36
		o, err := reg.Create(ctx, offices.Input{Code: &code, NameFa: ptr("دفتر یزد"), City: ptr("yazd"), Latitude: &lat, Longitude: &lon,
			Counters: ptr(3), Services: []string{"criminal_record", "e_notification"}})
		if err != nil {
			t.Fatal(err)
		}
		f.offices = append(f.offices, o.ID)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// serve records k served visits at an office that finished a minute before
// the clock, and returns their survey links.
func (f *fixture) serve(t *testing.T, office int64, k int, mobile string) []string {
	t.Helper()
	now := f.clock.Now()
	var items []visits.Input
	for i := 0; i < k; i++ {
		f.n++
		items = append(items, visits.Input{Ticket: fmt.Sprintf("T%06d", f.n), Service: "criminal_record",
			ArrivedAt:  now.Add(-40 * time.Minute).Format(time.RFC3339),
			CalledAt:   now.Add(-20 * time.Minute).Format(time.RFC3339),
			FinishedAt: now.Add(-1 * time.Minute).Format(time.RFC3339),
			Outcome:    "served", Channel: "walk_in", Counter: "1", Mobile: mobile})
	}
	res, err := f.visits.Record(context.Background(), office, items)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, it := range res.Items {
		if it.SurveyURL == nil {
			t.Fatalf("a served visit got no survey link: %+v", it)
		}
		links = append(links, *it.SurveyURL)
	}
	return links
}

func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

func answers(overall, courtesy, waiting, fees int, extra bool, recommend int, comment string) map[string]any {
	a := map[string]any{"overall": float64(overall), "courtesy": float64(courtesy), "waiting": float64(waiting),
		"fees_clear": float64(fees), "extra_fee": extra, "recommend": float64(recommend)}
	if comment != "" {
		a["comment"] = comment
	}
	return a
}

func TestInvitationsAndSingleUse(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{})
		ctx := context.Background()
		links := f.serve(t, f.offices[0], 2, "0912 345 6789")
		if len(links) != 2 || links[0] == links[1] || len(tokenOf(links[0])) < 22 {
			t.Fatalf("links %v", links)
		}
		// The token is not stored, only its hash.
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM survey_invitations WHERE token_hash = ?", tokenOf(links[0])).Scan(&n)
		if n != 0 {
			t.Fatal("raw token stored")
		}
		// A no-show gets no invitation.
		res, _ := f.visits.Record(ctx, f.offices[0], []visits.Input{{Ticket: "NS1", Service: "criminal_record",
			ArrivedAt: f.clock.Now().Add(-time.Hour).Format(time.RFC3339), Outcome: "no_show", Channel: "walk_in"}})
		if res.Items[0].SurveyURL != nil {
			t.Fatal("a no-show was invited")
		}
		// The mobile went to the outbox with the Persian text, and is
		// dropped once sent.
		var pending []struct{ Mobile, Body string }
		d.Gorm.Raw("SELECT mobile, body FROM sms_outbox").Scan(&pending)
		if len(pending) != 2 || pending[0].Mobile != "09123456789" || !strings.Contains(pending[0].Body, "نظرسنجی") {
			t.Fatalf("outbox %+v", pending)
		}
		sent, err := f.s.DrainOutbox(ctx, surveys.LogGateway{Log: discard()}, 10)
		if err != nil || sent != 2 {
			t.Fatalf("drain %d %v", sent, err)
		}
		d.Gorm.Raw("SELECT COUNT(*) FROM sms_outbox WHERE mobile IS NOT NULL OR body IS NOT NULL").Scan(&n)
		if n != 0 {
			t.Fatal("numbers kept after sending")
		}

		// Invalid answers name the question and leave the link usable.
		tok := tokenOf(links[0])
		_, err = f.s.Submit(ctx, surveys.Submission{Token: tok, Answers: answers(6, 4, 4, 4, false, 9, ""), ClientIP: "1.1.1.1"})
		if de, ok := daftar.AsError(err); !ok || de.Kind != daftar.KindUnprocessable || de.Fields[0].Field != "answers.overall" {
			t.Fatalf("out of range: %v", err)
		}
		f.clock.Advance(2 * time.Minute)
		if _, err := f.s.Submit(ctx, surveys.Submission{Token: tok, Answers: answers(5, 4, 4, 4, false, 9, "خوب بود"), ClientIP: "1.1.1.1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Submit(ctx, surveys.Submission{Token: tok, Answers: answers(5, 4, 4, 4, false, 9, ""), ClientIP: "1.1.1.1"}); !daftar.IsKind(err, daftar.KindGone) {
			t.Fatalf("second answer: %v", err)
		}
		if _, err := f.s.Submit(ctx, surveys.Submission{Token: "no-such-token-at-all-xyz", Answers: answers(5, 4, 4, 4, false, 9, "")}); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		// Expiry, with the injected clock.
		f.clock.Advance(7*24*time.Hour + time.Minute)
		if _, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(links[1]), Answers: answers(5, 4, 4, 4, false, 9, "")}); !daftar.IsKind(err, daftar.KindGone) {
			t.Fatalf("expired: %v", err)
		}
		// The response keeps nothing that leads back to the citizen.
		var cols []string
		if d.Dialect == db.SQLite {
			d.Gorm.Raw("SELECT name FROM pragma_table_info('survey_responses')").Scan(&cols)
		} else {
			d.Gorm.Raw("SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_responses'").Scan(&cols)
		}
		for _, c := range cols {
			for _, bad := range []string{"visit", "token", "invitation", "mobile", "ip"} {
				if strings.Contains(c, bad) && c != "visit_day" {
					t.Errorf("survey_responses has a column %q that can identify the citizen", c)
				}
			}
		}
	})
}

// TestConcurrentSubmissionsCountOnce: 100 submissions of one link at once
// on PostgreSQL (and SQLite): exactly one is counted.
func TestConcurrentSubmissionsCountOnce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{})
		tok := tokenOf(f.serve(t, f.offices[0], 1, "")[0])
		f.clock.Advance(5 * time.Minute)
		var ok, gone, other atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := f.s.Submit(context.Background(), surveys.Submission{Token: tok, Answers: answers(4, 4, 4, 4, false, 8, ""), ClientIP: fmt.Sprintf("10.0.%d.%d", i/250, i%250)})
				switch {
				case err == nil:
					ok.Add(1)
				case daftar.IsKind(err, daftar.KindGone):
					gone.Add(1)
				default:
					other.Add(1)
					t.Errorf("unexpected: %v", err)
				}
			}(i)
		}
		wg.Wait()
		var stored int64
		d.Gorm.Raw("SELECT COUNT(*) FROM survey_responses").Scan(&stored)
		if ok.Load() != 1 || gone.Load() != 99 || stored != 1 {
			t.Fatalf("ok %d gone %d other %d stored %d", ok.Load(), gone.Load(), other.Load(), stored)
		}
	})
}

func TestFiguresHandComputed(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 2, surveys.Config{MinResponses: 10, PriorWeight: 10})
		ctx := context.Background()
		a, b := f.offices[0], f.offices[1]
		// Office A: 12 invitations, 10 answers.
		linksA := f.serve(t, a, 12, "")
		// Office B: 4 invitations, 4 answers, all 1/5.
		linksB := f.serve(t, b, 4, "")
		f.clock.Advance(10 * time.Minute)
		given := [][7]int{ // overall courtesy waiting fees extra recommend
			{5, 5, 4, 5, 0, 10}, {5, 4, 4, 5, 0, 9}, {4, 4, 3, 4, 0, 9}, {4, 5, 3, 4, 0, 8}, {4, 4, 2, 4, 1, 7},
			{3, 3, 2, 3, 0, 6}, {3, 3, 3, 3, 0, 6}, {2, 2, 1, 2, 1, 3}, {5, 5, 5, 5, 0, 10}, {4, 4, 4, 4, 0, 8},
		}
		for i, g := range given {
			if _, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(linksA[i]), Answers: answers(g[0], g[1], g[2], g[3], g[4] == 1, g[5], ""), ClientIP: fmt.Sprintf("10.1.0.%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		for i, l := range linksB {
			if _, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(1, 1, 1, 1, true, 0, ""), ClientIP: fmt.Sprintf("10.2.0.%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		figs, err := f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), nil)
		if err != nil {
			t.Fatal(err)
		}
		fa, fb := figs[a], figs[b]
		// Office A by hand: overall sum 39 → 3.9; CSAT 7/10; promoters 4,
		// detractors 3 → NPS 10; extra fee 2/10 with Wilson 0.0567-0.5098;
		// national mean (39+4)/14 = 3.0714; adjusted (10·3.0714+39)/20.
		want := map[string][2]float64{
			"responses": {float64(fa.Responses), 10}, "invitations": {float64(fa.Invitations), 12}, "rate": {fa.ResponseRate, 10.0 / 12},
			"overall": {fa.MeanOverall, 3.9}, "courtesy": {fa.MeanCourtesy, 3.9}, "waiting": {fa.MeanWaiting, 3.1}, "fees": {fa.MeanFeesClear, 3.9},
			"recommend": {fa.MeanRecommend, 7.6}, "csat": {fa.CSAT, 0.7}, "nps": {fa.NPS, 10}, "extra": {fa.ExtraFeeRate, 0.2},
			"wilson_low": {fa.ExtraFeeLow, 0.0567}, "wilson_high": {fa.ExtraFeeHigh, 0.5098},
			"national": {fa.NationalMean, 43.0 / 14}, "adjusted": {fa.Adjusted, (10*43.0/14 + 39) / 20},
			"b_adjusted": {fb.Adjusted, (10*43.0/14 + 4) / 14}, "b_nps": {fb.NPS, -100},
		}
		for k, v := range want {
			if math.Abs(v[0]-v[1]) > 0.0005 {
				t.Errorf("%s = %.4f, want %.4f", k, v[0], v[1])
			}
		}
		if fa.Withheld || !fb.Withheld {
			t.Fatalf("withheld: A %v (10 answers), B %v (4 answers)", fa.Withheld, fb.Withheld)
		}
		// One office alone gives the same figures.
		one, err := f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), []int64{a})
		if err != nil || math.Abs(one[a].Adjusted-fa.Adjusted) > 1e-9 || len(one) != 1 {
			t.Fatalf("one office: %+v %v", one, err)
		}
	})
}
