package geo

import (
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// Served lists the served visits only, in id order, with their times.
func TestServed(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newVEnv(t, d)
		a := e.office("YAZ-1", "yazd", 31.89, 54.36, 2, []string{"criminal_record", "e_notification"}, nil)
		b := e.office("YAZ-2", "yazd", 31.90, 54.37, 2, []string{"criminal_record"}, nil)
		at := vNow.Add(-2 * time.Hour).Truncate(time.Second)
		visit := func(ticket, service, outcome string, k int) VisitInput {
			arrived := at.Add(time.Duration(k) * time.Minute)
			in := VisitInput{Ticket: ticket, Service: service, ArrivedAt: arrived.Format(time.RFC3339), Outcome: outcome,
				Channel: "walk_in", Counter: "1"}
			if outcome == OutcomeServed {
				in.CalledAt = arrived.Add(5 * time.Minute).Format(time.RFC3339)
				in.FinishedAt = arrived.Add(15 * time.Minute).Format(time.RFC3339)
			}
			return in
		}
		if _, err := e.visits.Record(e.ctx, a.ID, []VisitInput{visit("A1", "criminal_record", OutcomeServed, 0),
			visit("A2", "e_notification", "no_show", 1), visit("A3", "e_notification", OutcomeServed, 2)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.visits.Record(e.ctx, b.ID, []VisitInput{visit("B1", "criminal_record", OutcomeServed, 3)}); err != nil {
			t.Fatal(err)
		}
		got, err := e.visits.Served(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			office  int64
			service string
			k       int
		}{{a.ID, "criminal_record", 0}, {a.ID, "e_notification", 2}, {b.ID, "criminal_record", 3}}
		if len(got) != len(want) {
			t.Fatalf("%d served visits: %+v", len(got), got)
		}
		for i, w := range want {
			arrived := at.Add(time.Duration(w.k) * time.Minute).Unix()
			g := got[i]
			if g.OfficeID != w.office || g.Service != w.service || g.Arrived != arrived || g.Called != arrived+300 ||
				g.Finished != arrived+900 || i > 0 && g.ID <= got[i-1].ID {
				t.Errorf("served visit %d: %+v", i, g)
			}
		}
	})
}
