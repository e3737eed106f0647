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

// Late answers: the counted answers to visits of a range received after the
// hour of a moment, and only while a link can still be open (the range's
// end plus the invitation's lifetime).
func TestAnswersReceivedAfter(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 2, surveys.Config{})
		r := surveys.Range{From: "2026-10-23", To: "2026-11-22"} // Aban 1405
		readAt := time.Date(2026, 11, 22, 10, 20, 0, 0, daftar.Tehran())
		hour := readAt.Unix() / 3600 * 3600
		end := time.Date(2026, 11, 22, 0, 0, 0, 0, daftar.Tehran()).Unix()
		insert := func(office int64, day string, received int64, excluded bool) {
			if err := d.Gorm.Exec(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting,
				fees_clear, extra_fee, recommend, answers, pattern, received_hour, excluded) VALUES (?, 'criminal_record', ?, 1, 4, 4, 4, 4, FALSE, 8, '{}', 'p', ?, ?)`,
				office, day, received, excluded).Error; err != nil {
				t.Fatal(err)
			}
		}
		a, b := f.offices[0], f.offices[1]
		insert(a, "2026-11-20", hour-3600, false)          // before: read by the run
		insert(a, "2026-11-20", hour, false)               // the run's own hour: not counted here
		insert(a, "2026-11-21", hour+3600, false)          // late
		insert(a, "2026-11-21", hour+7200, false)          // late
		insert(b, "2026-11-21", hour+3600, true)           // late but flagged: not counted
		insert(b, "2026-11-22", hour+3600, false)          // a visit of the next period
		insert(b, "2026-11-21", end+8*24*3600+3600, false) // after every link of the range expired
		insert(b, "2026-11-21", end+7*24*3600-3600, false) // late, just before the last link expires
		got, err := f.s.AnswersReceivedAfter(context.Background(), r, readAt)
		if err != nil || len(got) != 2 || got[a] != 2 || got[b] != 1 {
			t.Fatalf("late answers %v %v", got, err)
		}
		// A run read long after its links expired: nothing can come late.
		if got, err := f.s.AnswersReceivedAfter(context.Background(), r, readAt.AddDate(0, 1, 0)); err != nil || len(got) != 0 {
			t.Fatalf("after expiry %v %v", got, err)
		}
	})
}
