package surveys

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// What the complaints ask of the surveys: the visit behind a survey link,
// so that a complaint filed from the thank-you page is tied to the visit's
// office and day, and the outbox for the complaints' text messages.

// LinkedVisit is what a survey link tells about its visit, and nothing
// about the citizen.
type LinkedVisit struct {
	OfficeID    int64
	VisitDay    string // Tehran day, YYYY-MM-DD
	ServiceCode string
}

// VisitOfLink reads the visit of a survey link, answered or not, open or
// expired, without touching the invitation: the complaint link is offered
// after the answers. NotFound for a token never issued.
func (s *Service) VisitOfLink(ctx context.Context, token string) (LinkedVisit, error) {
	if len(token) < 20 || len(token) > 64 {
		return LinkedVisit{}, errUnknownToken
	}
	var v LinkedVisit
	found := false
	err := s.db.Query(ctx, "SELECT office_id, visit_day, service_code FROM survey_invitations WHERE token_hash = ?",
		[]any{hashToken(token)}, func(scan func(...any) error) error {
			found = true
			return scan(&v.OfficeID, &v.VisitDay, &v.ServiceCode)
		})
	if err != nil {
		return LinkedVisit{}, err
	}
	if !found {
		return LinkedVisit{}, errUnknownToken
	}
	return v, nil
}

// QueueSMS queues one text message inside the caller's transaction, so it
// goes out only if the change that sends it commits. It is drained and
// forgotten like the invitations.
func (s *Service) QueueSMS(ctx context.Context, tx *db.Tx, mobile, body string) error {
	_, err := tx.Exec(ctx, "INSERT INTO sms_outbox (mobile, body, created_at, attempts, last_error) VALUES (?, ?, ?, 0, '')",
		mobile, body, s.clock.Now().UTC().Truncate(time.Microsecond))
	return err
}
