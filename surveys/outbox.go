package surveys

import (
	"context"
	"log/slog"
	"time"
)

// SMSGateway sends one text message. An adapter for a real SMS provider
// implements it; Daftar ships LogGateway for development.
type SMSGateway interface {
	Send(ctx context.Context, mobile, body string) error
}

// LogGateway "sends" by logging that a message went out, with the number
// masked and without the text (it holds a survey link).
type LogGateway struct{ Log *slog.Logger }

func (g LogGateway) Send(ctx context.Context, mobile, body string) error {
	g.Log.InfoContext(ctx, "sms sent (log gateway)", "mobile", maskMobile(mobile), "chars", len([]rune(body)))
	return nil
}

func maskMobile(m string) string {
	if len(m) < 4 {
		return "****"
	}
	return "*******" + m[len(m)-4:]
}

// DrainOutbox sends up to limit pending invitations through gw. A sent
// message loses its number and text at once; a failing one is retried later
// (at most 5 attempts).
func (s *Service) DrainOutbox(ctx context.Context, gw SMSGateway, limit int) (sent int, err error) {
	var rows []struct {
		ID     int64
		Mobile string
		Body   string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, mobile, body FROM sms_outbox WHERE sent_at IS NULL AND mobile IS NOT NULL AND attempts < 5
		ORDER BY id LIMIT ?`, limit).Scan(&rows).Error; err != nil {
		return 0, err
	}
	for _, r := range rows {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if err := gw.Send(ctx, r.Mobile, r.Body); err != nil {
			s.db.WithContext(ctx).Exec("UPDATE sms_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", truncate(err.Error(), 500), r.ID)
			continue
		}
		if err := s.db.WithContext(ctx).Exec("UPDATE sms_outbox SET sent_at = ?, mobile = NULL, body = NULL, attempts = attempts + 1 WHERE id = ?",
			s.clock.Now(), r.ID).Error; err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Forget drops what must not be kept: numbers of invitations that can no
// longer be used (unsent past the link's life, or given up), and the
// hashed client addresses of responses older than two days.
func (s *Service) Forget(ctx context.Context) error {
	now := s.clock.Now()
	g := s.db.WithContext(ctx)
	if err := g.Exec("UPDATE sms_outbox SET mobile = NULL, body = NULL WHERE mobile IS NOT NULL AND (created_at < ? OR attempts >= 5)",
		now.Add(-s.cfg.InvitationTTL)).Error; err != nil {
		return err
	}
	return g.Exec("UPDATE survey_responses SET client_hash = NULL WHERE client_hash IS NOT NULL AND received_hour < ?",
		now.Add(-48*time.Hour).Unix()).Error
}
