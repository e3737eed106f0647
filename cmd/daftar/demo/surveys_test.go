package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// The demo answers: every served visit invited, the chosen share answered,
// and satisfaction falling as the wait grows.
func TestSurveyAnswers(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		reg, err := offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := surveys.New(d, e.clock, e.audit, reg, nil, []byte("test-client-key"), surveys.Config{})
		if err != nil {
			t.Fatal(err)
		}
		code, name, city, counters := "YAZ-0001", "دفتر یزد", "yazd", 3
		lat, lon := 31.89, 54.36
		off, err := reg.Create(e.ctx, offices.Input{Code: &code, NameFa: &name, City: &city, Latitude: &lat, Longitude: &lon,
			Counters: &counters, Services: []string{"criminal_record", "e_notification"}})
		if err != nil {
			t.Fatal(err)
		}
		// The demo invites by itself: these visits are recorded without the survey inviter.
		vs, err := visits.New(d, e.clock, reg, noInvitations{}, nil, visits.Config{})
		if err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		var items []visits.Input
		for i := 0; i < 400; i++ {
			wait := time.Duration(i%2) * 80 * time.Minute // half wait nothing, half 80 minutes
			arrived := now.Add(-3*time.Hour - time.Duration(i)*time.Second)
			items = append(items, visits.Input{Ticket: fmt.Sprintf("D%d", i), Service: "criminal_record",
				ArrivedAt: arrived.Format(time.RFC3339), CalledAt: arrived.Add(wait).Format(time.RFC3339),
				FinishedAt: arrived.Add(wait + 10*time.Minute).Format(time.RFC3339), Outcome: "served", Channel: "walk_in", Counter: "1"})
		}
		if _, err := vs.Record(e.ctx, off.ID, items); err != nil {
			t.Fatal(err)
		}
		rep, err := SurveyAnswers(e.ctx, svc, vs, now, SurveyOptions{Seed: 1, ResponseRate: 1})
		if err != nil || rep.Invitations != 400 || rep.Responses != 400 {
			t.Fatalf("%+v %v", rep, err)
		}
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
