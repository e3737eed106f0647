package accounts

import (
	"context"
	"errors"
	"fmt"
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

// ThrottledError is the cause of a refused login: which throttle refused
// it and for how long. It is logged and counted, never told to the caller
// beyond the wait.
type ThrottledError struct {
	Scope      string // ThrottlePair, ThrottleAddress or ThrottleAccount
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("login throttled (%s) for %s", e.Scope, e.RetryAfter.Round(time.Second))
}

// The throttles.
const (
	ThrottlePair    = "account_address" // one account from one address
	ThrottleAddress = "address"         // one address, every account
	ThrottleAccount = "account"         // one account, every address: the ceiling
)

var errBadCredentials = daftar.Unauthenticated("bad_credentials", "wrong username or password")

// Login checks the credentials and opens a session. Every attempt is logged
// with its outcome, never with the password.
func (s *Service) Login(ctx context.Context, a Attempt) (LoginResult, error) {
	username := NormalizeUsername(a.Username)
	if len(username) > 64 {
		username = username[:64]
	}
	now := s.clock.Now()
	keys := s.throttleKeys(username, a.ClientIP)
	if wait, scope, err := s.blocked(ctx, keys, now); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		s.log.WarnContext(ctx, "login refused: throttled", "username", username, "client_ip", a.ClientIP, "throttle", scope, "retry_after_s", int(wait.Seconds()+0.999))
		e := daftar.TooMany("login_throttled", "too many failed logins; try again later").With("retry_after_seconds", int(wait.Seconds()+0.999))
		e.Err = &ThrottledError{Scope: scope, RetryAfter: wait}
		return LoginResult{}, e
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
		reached, err := s.fail(ctx, keys, now)
		if err != nil {
			return LoginResult{}, err
		}
		reason := "bad credentials"
		if ok && u.Disabled {
			reason = "account disabled"
		}
		s.log.WarnContext(ctx, "login failed", "username", username, "client_ip", a.ClientIP, "reason", reason)
		for _, scope := range reached {
			s.log.WarnContext(ctx, "login throttle reached", "username", username, "client_ip", a.ClientIP, "throttle", scope)
		}
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
		// The right password from this address clears this address's
		// failures for the account; the account's ceiling keeps counting a
		// campaign from elsewhere.
		return tx.Exec("DELETE FROM login_throttle WHERE key = ?", keys[0].key).Error
	})
	if err != nil {
		return LoginResult{}, err
	}
	s.log.InfoContext(ctx, "login succeeded", "username", username, "user_id", u.ID, "role", u.Role, "client_ip", a.ClientIP)
	return LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, User: u}, nil
}

// throttleKeys are the counters an attempt is held to: the pair first.
func (s *Service) throttleKeys(username, ip string) []throttleKey {
	return []throttleKey{
		{key: "pair:" + username + "|" + ip, limit: s.cfg.PairFailures, scope: ThrottlePair},
		{key: "ip:" + ip, limit: s.cfg.IPFailures, scope: ThrottleAddress},
		{key: "user:" + username, limit: s.cfg.AccountFailures, scope: ThrottleAccount, growing: true},
	}
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
	scope string
	// growing: past the limit each failure blocks for a delay that doubles
	// (the account's ceiling), instead of one block that starts a new
	// window.
	growing bool
}

type throttleRow struct {
	Key          string     `gorm:"column:key;primaryKey"`
	Failures     int        `gorm:"column:failures"`
	WindowStart  time.Time  `gorm:"column:window_start"`
	BlockedUntil *time.Time `gorm:"column:blocked_until"`
}

func (throttleRow) TableName() string { return "login_throttle" }

// blocked returns how long until every key allows another attempt, and
// the throttle that holds it longest.
func (s *Service) blocked(ctx context.Context, keys []throttleKey, now time.Time) (time.Duration, string, error) {
	names := make([]string, len(keys))
	scopes := map[string]string{}
	for i, k := range keys {
		names[i] = k.key
		scopes[k.key] = k.scope
	}
	var rows []throttleRow
	if err := s.db.WithContext(ctx).Where("key IN ?", names).Find(&rows).Error; err != nil {
		return 0, "", err
	}
	var wait time.Duration
	scope := ""
	for _, r := range rows {
		if r.BlockedUntil != nil && r.BlockedUntil.After(now) && r.BlockedUntil.Sub(now) > wait {
			wait, scope = r.BlockedUntil.Sub(now), scopes[r.Key]
		}
	}
	return wait, scope, nil
}

// fail counts a failed attempt against every key, blocking a key that
// reaches its limit within the window; it returns the throttles that this
// failure set off.
func (s *Service) fail(ctx context.Context, keys []throttleKey, now time.Time) (reached []string, err error) {
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		reached = nil
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
			// A new window once the last one is over; for the ceiling, only
			// after a quiet window since its last delay ended, so that a
			// campaign waiting out each delay keeps doubling it.
			since := r.WindowStart
			if k.growing && r.BlockedUntil != nil && r.BlockedUntil.After(since) {
				since = *r.BlockedUntil
			}
			if now.Sub(since) >= s.cfg.Window && (r.BlockedUntil == nil || !r.BlockedUntil.After(now)) {
				r.Failures, r.WindowStart, r.BlockedUntil = 0, now, nil
			}
			r.Failures++
			switch {
			case k.growing && r.Failures >= k.limit:
				// The ceiling: 1, 2, 4, ... times the delay, at most a block;
				// the window runs on while the campaign goes on.
				until := now.Add(growingDelay(s.cfg.AccountDelay, r.Failures-k.limit, s.cfg.Block))
				r.BlockedUntil, r.WindowStart = &until, now
				reached = append(reached, k.scope)
			case !k.growing && r.Failures >= k.limit:
				until := now.Add(s.cfg.Block)
				r.BlockedUntil = &until
				r.Failures, r.WindowStart = 0, now
				reached = append(reached, k.scope)
			}
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return reached, err
}

// growingDelay is base doubled n times, at most limit.
func growingDelay(base time.Duration, n int, limit time.Duration) time.Duration {
	d := base
	for i := 0; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
