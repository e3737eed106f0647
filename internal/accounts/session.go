package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LoginResult is what a successful login gives.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	User      User
}

// Attempt describes a login attempt, for throttling and the log.
type Attempt struct {
	Username  string
	Password  string
	ClientIP  string
	UserAgent string
}

// ThrottledError says when to try again.
type ThrottledError struct{ RetryAfter time.Duration }

var errBadCredentials = daftar.Unauthenticated("bad_credentials", "wrong username or password")

// Login checks the credentials and opens a session. Every attempt is logged
// with its outcome, never with the password.
func (s *Service) Login(ctx context.Context, a Attempt) (LoginResult, error) {
	username := NormalizeUsername(a.Username)
	if len(username) > 64 {
		username = username[:64]
	}
	now := s.clock.Now()
	keys := []throttleKey{{"user:" + username, s.cfg.UserFailures}, {"ip:" + a.ClientIP, s.cfg.IPFailures}}
	if wait, err := s.blocked(ctx, keys, now); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		s.log.WarnContext(ctx, "login refused: throttled", "username", username, "client_ip", a.ClientIP, "retry_after_s", int(wait.Seconds()))
		return LoginResult{}, daftar.TooMany("login_throttled", "too many failed logins; try again later").With("retry_after_seconds", int(wait.Seconds()+0.999))
	}
	var u User
	err := s.db.WithContext(ctx).Where("username = ?", username).Take(&u).Error
	found := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return LoginResult{}, err
	}
	hash := s.dummyHash
	if found {
		hash = u.PasswordHash
	}
	ok := VerifyPassword(a.Password, hash) && found
	if !ok || u.Disabled {
		if err := s.fail(ctx, keys, now); err != nil {
			return LoginResult{}, err
		}
		reason := "bad credentials"
		if ok && u.Disabled {
			reason = "account disabled"
		}
		s.log.WarnContext(ctx, "login failed", "username", username, "client_ip", a.ClientIP, "reason", reason)
		return LoginResult{}, errBadCredentials
	}
	token, hashed, err := newToken()
	if err != nil {
		return LoginResult{}, err
	}
	sess := Session{TokenHash: hashed, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.SessionTTL), ClientIP: a.ClientIP, UserAgent: truncate(a.UserAgent, 200)}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", now).Error; err != nil {
			return err
		}
		return tx.Exec("DELETE FROM login_throttle WHERE key = ?", keys[0].key).Error
	})
	if err != nil {
		return LoginResult{}, err
	}
	s.log.InfoContext(ctx, "login succeeded", "username", username, "user_id", u.ID, "role", u.Role, "client_ip", a.ClientIP)
	return LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, User: u}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sessionRow is a session joined with its user.
type sessionRow struct {
	Session
	User User `gorm:"embedded;embeddedPrefix:u_"`
}

// Authenticate resolves a token to its user. It fails with Unauthenticated
// when the token is unknown, revoked, past its absolute expiry, idle too long,
// or its user is disabled.
func (s *Service) Authenticate(ctx context.Context, token string) (User, Session, error) {
	if token == "" || len(token) > 200 {
		return User{}, Session{}, daftar.Unauthenticated("invalid_token", "the token is missing or not valid")
	}
	now := s.clock.Now()
	hash := HashToken(token)
	row, cached := s.cache.get(hash, now)
	if !cached {
		err := s.db.WithContext(ctx).Raw(`SELECT s.id, s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at,
		s.client_ip, s.user_agent, u.id AS u_id, u.username AS u_username, u.full_name AS u_full_name, u.role AS u_role,
		u.office_id AS u_office_id, u.disabled AS u_disabled, u.version AS u_version
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash).Scan(&row).Error
		if err != nil {
			return User{}, Session{}, err
		}
		if row.ID != 0 {
			s.cache.put(hash, row, now)
		}
	}
	switch {
	case row.ID == 0:
		return User{}, Session{}, daftar.Unauthenticated("invalid_token", "the token is missing or not valid")
	case row.RevokedAt != nil:
		return User{}, Session{}, daftar.Unauthenticated("session_revoked", "the session has ended; sign in again")
	case !now.Before(row.ExpiresAt):
		return User{}, Session{}, daftar.Unauthenticated("session_expired", "the session has expired; sign in again")
	case now.Sub(row.LastSeenAt) >= s.cfg.IdleTimeout:
		return User{}, Session{}, daftar.Unauthenticated("session_idle", "the session was idle too long; sign in again")
	case row.User.Disabled:
		return User{}, Session{}, daftar.Unauthenticated("account_disabled", "the account is disabled")
	}
	// Record activity at most once a minute: the idle timeout needs no finer
	// grain, and a write on every request would cost more than the request.
	if now.Sub(row.LastSeenAt) > time.Minute {
		s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", row.ID).Update("last_seen_at", now)
		row.LastSeenAt = now
		s.cache.put(hash, row, now)
	}
	return row.User, row.Session, nil
}

// Logout revokes the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	s.cache.evict(HashToken(token))
	return s.db.WithContext(ctx).Model(&Session{}).Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).
		Update("revoked_at", s.clock.Now()).Error
}

// PurgeSessions deletes sessions that ended more than a day ago.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	cut := s.clock.Now().Add(-24 * time.Hour)
	res := s.db.WithContext(ctx).Where("expires_at < ? OR revoked_at < ? OR last_seen_at < ?", cut, cut, cut.Add(-s.cfg.IdleTimeout)).Delete(&Session{})
	if res.Error != nil {
		return 0, res.Error
	}
	res2 := s.db.WithContext(ctx).Exec("DELETE FROM login_throttle WHERE window_start < ? AND (blocked_until IS NULL OR blocked_until < ?)", cut, s.clock.Now())
	return res.RowsAffected, res2.Error
}

type throttleKey struct {
	key   string
	limit int
}

type throttleRow struct {
	Key          string     `gorm:"column:key;primaryKey"`
	Failures     int        `gorm:"column:failures"`
	WindowStart  time.Time  `gorm:"column:window_start"`
	BlockedUntil *time.Time `gorm:"column:blocked_until"`
}

func (throttleRow) TableName() string { return "login_throttle" }

// blocked returns how long until every key allows another attempt.
func (s *Service) blocked(ctx context.Context, keys []throttleKey, now time.Time) (time.Duration, error) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.key
	}
	var rows []throttleRow
	if err := s.db.WithContext(ctx).Where("key IN ?", names).Find(&rows).Error; err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, r := range rows {
		if r.BlockedUntil != nil && r.BlockedUntil.After(now) {
			wait = max(wait, r.BlockedUntil.Sub(now))
		}
	}
	return wait, nil
}

// fail counts a failed attempt against every key, blocking a key that
// reaches its limit within the window.
func (s *Service) fail(ctx context.Context, keys []throttleKey, now time.Time) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, k := range keys {
			// Make sure the row exists, then lock it, so concurrent failures
			// count one after the other instead of overwriting each other.
			if err := tx.Exec("INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING", k.key, now).Error; err != nil {
				return err
			}
			var r throttleRow
			q := tx
			if s.db.Dialect == db.Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			if err := q.Where("key = ?", k.key).Take(&r).Error; err != nil {
				return err
			}
			if now.Sub(r.WindowStart) >= s.cfg.Window {
				r.Failures, r.WindowStart, r.BlockedUntil = 0, now, nil
			}
			r.Failures++
			if r.Failures >= k.limit {
				until := now.Add(s.cfg.Block)
				r.BlockedUntil = &until
				r.Failures, r.WindowStart = 0, now
			}
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
