package surveys

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// HistoricVisit is one served visit of a survey history being loaded: its
// citizen was invited, and answered when Answers is not nil.
type HistoricVisit struct {
	OfficeID    int64
	ServiceCode string
	ArrivedAt   time.Time // its Tehran day is the visit day
	Answers     Answers   // nil: not answered
	ReceivedAt  time.Time // when the answer came
}

// LoadHistory writes a past survey history in one bulk transaction: every
// visit counted as invited on its office and day, and the answers given.
// It exists for filling a database with history (cmd/daftar/demo): a
// quarter of a million answers through Invite and Submit, one transaction
// and one stuffing check each, would take many minutes, and links nobody
// will follow need no invitation rows (response rates read only the
// counts per office and day). Answers are checked against the current
// template; the secondary indexes of survey_responses are rebuilt at the
// end, so it is meant for an empty history.
func (s *Service) LoadHistory(ctx context.Context, visits iter.Seq[HistoricVisit]) (invitations, responses int, err error) {
	return s.LoadHistoryFrom(ctx, func(yield func(HistoricVisit, error) bool) {
		for v := range visits {
			if !yield(v, nil) {
				return
			}
		}
	})
}

// LoadHistoryFrom is LoadHistory from a source that may fail (visits read
// from the database as they are written here): an error from it rolls the
// whole history back.
func (s *Service) LoadHistoryFrom(ctx context.Context, visits iter.Seq2[HistoricVisit, error]) (invitations, responses int, err error) {
	tmpl, err := s.Current(ctx)
	if err != nil {
		return 0, 0, err
	}
	respCols := []string{"office_id", "service_code", "visit_day", "template_version", "overall", "courtesy", "waiting", "fees_clear",
		"extra_fee", "recommend", "comment", "answers", "pattern", "received_hour", "excluded"}
	perDay := invitationDays{count: map[officeDay]int64{}}
	var bad error
	var days dayCache
	err = s.db.BulkWithoutIndexes(ctx, []string{"survey_responses"}, func(ins db.Inserter) error {
		err := ins("survey_responses", respCols, func(yield func([]any) bool) {
			for v, err := range visits {
				if err != nil {
					bad = err
					return
				}
				day := days.of(v.ArrivedAt.Unix())
				perDay.add(officeDay{v.OfficeID, day})
				invitations++
				if v.Answers == nil {
					continue
				}
				a, err := tmpl.ParseAnswers(v.Answers)
				if err != nil {
					bad = fmt.Errorf("answers of a visit to office %d on %s: %w", v.OfficeID, day, err)
					return
				}
				r := responseOf(v.OfficeID, v.ServiceCode, day, tmpl.Version, a, v.ReceivedAt)
				var comment any
				if r.Comment != nil {
					comment = *r.Comment
				}
				if !yield([]any{r.OfficeID, r.ServiceCode, r.VisitDay, int64(r.TemplateVersion), r.Overall, r.Courtesy, r.Waiting, r.FeesClear,
					r.ExtraFee, r.Recommend, comment, r.Answers, r.Pattern, r.ReceivedHour, false}) {
					return
				}
				responses++
			}
		})
		perDay.flush()
		if err == nil {
			err = bad
		}
		if err != nil {
			return err
		}
		return ins("survey_invitation_days", []string{"office_id", "visit_day", "invitations"}, func(yield func([]any) bool) {
			for _, k := range perDay.order {
				if !yield([]any{k.office, k.day, perDay.count[k]}) {
					return
				}
			}
		})
	})
	if err != nil {
		return 0, 0, err
	}
	return invitations, responses, nil
}

// dayCache is dayOf for times that come in runs of one day, as a history's
// visits do: formatting the date of each of two million visits was a tenth
// of the demo's survey load.
type dayCache struct {
	from, to int64 // the Tehran day of day, [from, to) in Unix seconds
	day      string
}

func (c *dayCache) of(unix int64) string {
	if c.day == "" || unix < c.from || unix >= c.to {
		t := time.Unix(unix, 0).In(daftar.Tehran())
		start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, daftar.Tehran())
		c.from, c.to, c.day = start.Unix(), start.AddDate(0, 0, 1).Unix(), t.Format("2006-01-02")
	}
	return c.day
}

type officeDay struct {
	office int64
	day    string
}

// invitationDays counts invitations per office and day, keeping the order
// in which the pairs first appear. A history's visits come in runs of one
// office and day, so a run is counted before the map is touched.
type invitationDays struct {
	count map[officeDay]int64
	order []officeDay
	run   officeDay
	n     int64 // visits of the current run
}

func (c *invitationDays) add(k officeDay) {
	if c.n > 0 && k == c.run {
		c.n++
		return
	}
	c.flush()
	c.run, c.n = k, 1
}

func (c *invitationDays) flush() {
	if c.n == 0 {
		return
	}
	if c.count[c.run] == 0 {
		c.order = append(c.order, c.run)
	}
	c.count[c.run] += c.n
	c.n = 0
}
