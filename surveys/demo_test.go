package surveys_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// The demo answers: every served visit invited, the chosen share answered,
// and satisfaction falling as the wait grows.
func TestSeedDemo(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{})
		// The demo invites by itself: these visits are recorded without
		// the survey inviter.
		v, err := visits.New(f.d, f.clock, f.reg, noInvitations{}, nil, visits.Config{})
		if err != nil {
			t.Fatal(err)
		}
		now := f.clock.Now()
		var items []visits.Input
		for i := 0; i < 400; i++ {
			wait := time.Duration(i%2) * 80 * time.Minute // half wait nothing, half 80 minutes
			arrived := now.Add(-3*time.Hour - time.Duration(i)*time.Second)
			items = append(items, visits.Input{Ticket: fmt.Sprintf("D%d", i), Service: "criminal_record",
				ArrivedAt: arrived.Format(time.RFC3339), CalledAt: arrived.Add(wait).Format(time.RFC3339),
				FinishedAt: arrived.Add(wait + 10*time.Minute).Format(time.RFC3339), Outcome: "served", Channel: "walk_in", Counter: "1"})
		}
		if _, err := v.Record(context.Background(), f.offices[0], items); err != nil {
			t.Fatal(err)
		}
		served, err := v.Served(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.s.SeedDemo(context.Background(), served, surveys.DemoOptions{Seed: 1, ResponseRate: 1})
		if err != nil || rep.Invitations != 400 || rep.Responses != 400 {
			t.Fatalf("%+v %v", rep, err)
		}
		var means []struct {
			Long bool
			Mean float64
		}
		d.Gorm.Raw(`SELECT (waiting <= 2) AS long, AVG(overall) AS mean FROM survey_responses GROUP BY (waiting <= 2) ORDER BY 1`).Scan(&means)
		var short, long float64
		d.Gorm.Raw(`SELECT AVG(r.overall) FROM survey_responses r WHERE r.waiting >= 4`).Scan(&short)
		d.Gorm.Raw(`SELECT AVG(r.overall) FROM survey_responses r WHERE r.waiting <= 2`).Scan(&long)
		if !(short > long+1) {
			t.Fatalf("satisfaction does not fall with waiting: short waits %.2f, long waits %.2f", short, long)
		}
	})
}

// noInvitations invites nobody.
type noInvitations struct{}

func (noInvitations) Invite(context.Context, *db.Tx, int64, []visits.Visit) (map[int64]string, error) {
	return nil, nil
}
