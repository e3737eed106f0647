package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/surveys"
)

// Survey stuffing, a few cases for staff to review: at one office an
// employee fills the links of the last visits with the same perfect answers
// from the office's own connection (identical pattern, burst); at another,
// answers come in seconds after each visit ends, while the citizen is still
// at the counter (too fast); at a third, one address answers for many
// visits with varied answers (burst). Each goes through the live path:
// visits recorded with their survey links (visits.Service.Record), answers
// submitted (surveys.Service.Submit), the stuffing signals raising flags.

// StuffingReport sums up the stuffing cases.
type StuffingReport struct {
	Offices []int64
	Answers int
	Flags   map[string]int // raised, by reason
}

// Stuffing records the stuffing cases at three active offices chosen by
// the seed. vs must invite through svc (the app's visits service does).
func Stuffing(ctx context.Context, svc *surveys.Service, vs *visits.Service, register *offices.Register, now time.Time, seed uint64) (StuffingReport, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	rep := StuffingReport{Flags: map[string]int{}}
	all, err := register.All(ctx)
	if err != nil {
		return rep, err
	}
	var active []offices.Office
	for _, o := range all {
		if o.Status == offices.Active && len(o.Services) > 0 {
			active = append(active, o)
		}
	}
	if len(active) < 3 {
		return rep, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x57f))
	perfect := map[string]any{surveys.QOverall: 5, surveys.QCourtesy: 5, surveys.QWaiting: 5, surveys.QFeesClear: 5,
		surveys.QExtraFee: false, surveys.QRecommend: 10}
	cases := []struct {
		visits   int
		finished time.Duration // before now
		answers  func(i int) map[string]any
		ip       func(i int) string
	}{
		// The same perfect answers from the office's own address.
		{visits: 12, finished: 50 * time.Minute, answers: func(int) map[string]any { return perfect },
			ip: func(int) string { return "10.40.1.7" }},
		// Answers seconds after each visit ends, from phones.
		{visits: 6, finished: 10 * time.Second, answers: func(i int) map[string]any { return varied(rng) },
			ip: func(i int) string { return fmt.Sprintf("5.120.%d.%d", 10+i, 1+rng.IntN(250)) }},
		// One address answering for many visits, varied answers.
		{visits: 9, finished: 40 * time.Minute, answers: func(i int) map[string]any { return varied(rng) },
			ip: func(int) string { return "37.98.4.21" }},
	}
	picks := rng.Perm(len(active))
	for k, c := range cases {
		off := active[picks[k]]
		rep.Offices = append(rep.Offices, off.ID)
		var items []visits.Input
		for i := 0; i < c.visits; i++ {
			end := now.Add(-c.finished - time.Duration(c.visits-i)*2*time.Minute)
			if c.finished < time.Minute {
				end = now.Add(-c.finished)
			}
			start := end.Add(-12 * time.Minute)
			items = append(items, visits.Input{Ticket: fmt.Sprintf("DEMO-S%d-%03d", k, i), Service: off.Services[0],
				ArrivedAt: start.Add(-15 * time.Minute).Format(time.RFC3339), CalledAt: start.Format(time.RFC3339),
				FinishedAt: end.Format(time.RFC3339), Outcome: visits.OutcomeServed, Channel: visits.ChannelWalkIn, Counter: "1"})
		}
		res, err := vs.Record(ctx, off.ID, items)
		if err != nil {
			return rep, fmt.Errorf("demo stuffing visits: %w", err)
		}
		for i, it := range res.Items {
			if it.SurveyURL == nil {
				continue
			}
			tok := (*it.SurveyURL)[strings.LastIndex(*it.SurveyURL, "/")+1:]
			got, err := svc.Submit(ctx, surveys.Submission{Token: tok, Answers: c.answers(i), ClientIP: c.ip(i)})
			if err != nil {
				return rep, fmt.Errorf("demo stuffing answer: %w", err)
			}
			rep.Answers++
			for _, f := range got.Flags {
				rep.Flags[f]++
			}
		}
	}
	return rep, nil
}

func varied(rng *rand.Rand) map[string]any {
	o := 3 + rng.IntN(3)
	return map[string]any{surveys.QOverall: o, surveys.QCourtesy: 2 + rng.IntN(4), surveys.QWaiting: 1 + rng.IntN(5),
		surveys.QFeesClear: 3 + rng.IntN(3), surveys.QExtraFee: false, surveys.QRecommend: 2*o - rng.IntN(2)}
}
