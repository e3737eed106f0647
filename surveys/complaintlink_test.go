package surveys_test

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// The visit of a survey link is read without using the link, before and
// after it is answered and after it expired; a token never issued is
// NotFound.
func TestVisitOfLink(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{})
		tok := tokenOf(f.serve(t, f.offices[0], 1, "")[0])
		check := func(when string) {
			t.Helper()
			v, err := f.s.VisitOfLink(context.Background(), tok)
			if err != nil || v.OfficeID != f.offices[0] || v.VisitDay != daftar.TehranDate(start) || v.ServiceCode != "criminal_record" {
				t.Fatalf("%s: %+v %v", when, v, err)
			}
		}
		check("unanswered")
		if _, _, err := f.s.Open(context.Background(), tok); err != nil {
			t.Fatalf("reading the visit used the link: %v", err)
		}
		f.clock.Advance(time.Minute)
		if _, err := f.s.Submit(context.Background(), surveys.Submission{Token: tok, Answers: answers(5, 4, 4, 4, false, 9, ""), ClientIP: "1.1.1.1"}); err != nil {
			t.Fatal(err)
		}
		check("answered")
		f.clock.Advance(30 * 24 * time.Hour)
		check("expired")
		for _, bad := range []string{"", "short", tok + "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			if _, err := f.s.VisitOfLink(context.Background(), bad); !daftar.IsKind(err, daftar.KindNotFound) {
				t.Errorf("VisitOfLink(%q): %v", bad, err)
			}
		}
	})
}

// A message queued in a transaction that rolls back is never sent.
func TestQueueSMSInTheCallersTransaction(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{})
		ctx := context.Background()
		if err := d.InTx(ctx, func(tx *db.Tx) error { return f.s.QueueSMS(ctx, tx, "09120000001", "kept") }); err != nil {
			t.Fatal(err)
		}
		_ = d.InTx(ctx, func(tx *db.Tx) error {
			if err := f.s.QueueSMS(ctx, tx, "09120000002", "dropped"); err != nil {
				t.Fatal(err)
			}
			return context.Canceled
		})
		var rows []struct{ Mobile, Body string }
		d.Gorm.Raw("SELECT mobile, body FROM sms_outbox ORDER BY id").Scan(&rows)
		if len(rows) != 1 || rows[0].Mobile != "09120000001" || rows[0].Body != "kept" {
			t.Fatalf("outbox %+v", rows)
		}
	})
}
