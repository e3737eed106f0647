// Package accounts keeps the people who sign in to Daftar: users and roles,
// argon2id passwords, opaque session tokens with absolute and idle expiry,
// and login throttling per account and client address, per client address,
// and a much higher ceiling per account with a growing delay.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"gorm.io/gorm"
)

// Config sets session lifetimes, throttling and hashing cost.
type Config struct {
	SessionTTL  time.Duration // absolute lifetime of a session (default 12h)
	IdleTimeout time.Duration // a session unused this long ends (default 30m)
	Argon2      Argon2Params  // default OWASPArgon2
	// PairFailures are the failed logins of one account from one client
	// address in Window before that pair is blocked for Block (default 5):
	// an attacker's address stays blocked while the account's holder,
	// elsewhere, still signs in.
	PairFailures int
	IPFailures   int           // failed logins per client address in Window, whatever the account (default 20)
	Window       time.Duration // counting window (default 15m)
	Block        time.Duration // how long a block lasts (default 15m)
	// AccountFailures is the ceiling of failed logins of one account from
	// every address in Window (default 100): past it each further failure
	// holds the account back for AccountDelay, doubled each time, at most
	// Block. Only a guessing campaign from many addresses reaches it.
	AccountFailures int
	AccountDelay    time.Duration // default 1s
	// CacheTTL is how long a verified session is trusted without reading it
	// again (default 5s; negative turns the cache off). Revocation in this
	// process is immediate; on other replicas it takes at most this long.
	CacheTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.Argon2.MemoryKiB == 0 {
		c.Argon2 = OWASPArgon2
	}
	if c.PairFailures == 0 {
		c.PairFailures = 5
	}
	if c.AccountFailures == 0 {
		c.AccountFailures = 100
	}
	if c.AccountDelay == 0 {
		c.AccountDelay = time.Second
	}
	if c.IPFailures == 0 {
		c.IPFailures = 20
	}
	if c.Window == 0 {
		c.Window = 15 * time.Minute
	}
	if c.Block == 0 {
		c.Block = 15 * time.Minute
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = 5 * time.Second
	}
	return c
}

// User is an account as stored.
type User struct {
	ID           int64      `gorm:"column:id;primaryKey"`
	Username     string     `gorm:"column:username"`
	FullName     string     `gorm:"column:full_name"`
	PasswordHash string     `gorm:"column:password_hash"`
	Role         string     `gorm:"column:role"`
	OfficeID     *int64     `gorm:"column:office_id"`
	Disabled     bool       `gorm:"column:disabled"`
	Version      int64      `gorm:"column:version"`
	LastLoginAt  *time.Time `gorm:"column:last_login_at"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	UpdatedAt    time.Time  `gorm:"column:updated_at"`
}

func (User) TableName() string { return "users" }

// Actor is the user as the rest of Daftar sees them.
func (u User) Actor() daftar.Actor {
	a := daftar.Actor{UserID: u.ID, Username: u.Username, Role: daftar.Role(u.Role)}
	if u.OfficeID != nil {
		a.OfficeID = *u.OfficeID
	}
	return a
}

// auditView is what the audit log keeps of a user: never the password hash.
func (u User) auditView() map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "full_name": u.FullName, "role": u.Role,
		"office_id": u.OfficeID, "disabled": u.Disabled, "version": u.Version}
}

// Session is a signed-in session as stored; the token itself is never stored.
type Session struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	TokenHash  string     `gorm:"column:token_hash"`
	UserID     int64      `gorm:"column:user_id"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	LastSeenAt time.Time  `gorm:"column:last_seen_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	ClientIP   string     `gorm:"column:client_ip"`
	UserAgent  string     `gorm:"column:user_agent"`
}

func (Session) TableName() string { return "sessions" }

// Offices says whether an office exists, inside the caller's transaction:
// an office owner's account names one. The office register implements it
// (accounts, plumbing, knows no domain package).
type Offices interface {
	Exists(ctx context.Context, tx *db.Tx, id int64) (bool, error)
}

// Service manages accounts and sessions.
type Service struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	offices Offices
	log     *slog.Logger
	cfg     Config
	// dummyHash is verified against when the username is unknown, so an
	// unknown account costs the same time as a wrong password.
	dummyHash string
	cache     *sessionCache
}

// New returns the accounts service.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, offices Offices, log *slog.Logger, cfg Config) (*Service, error) {
	if err := deps.Check("accounts", "database", d, "clock", clock, "audit log", a, "offices", offices); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	dummy, err := HashPassword(RandomPassword(), cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Service{db: d, clock: clock, audit: a, offices: offices, log: log, cfg: cfg, dummyHash: dummy, cache: newSessionCache(cfg.CacheTTL, 10_000)}, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// NewUser is what creating an account takes.
type NewUser struct {
	Username string
	FullName string
	Password string
	Role     daftar.Role
	OfficeID *int64
}

func validateRoleOffice(fe *daftar.FieldErrors, role daftar.Role, office *int64) {
	if !role.Valid() {
		fe.Add("role", "invalid", "must be one of admin, ministry, inspector, office_owner")
		return
	}
	if role == daftar.RoleOfficeOwner && (office == nil || *office <= 0) {
		fe.Add("office_id", "required", "an office owner must be bound to an office")
	}
	if role != daftar.RoleOfficeOwner && office != nil {
		fe.Add("office_id", "not_allowed", "only office owners are bound to an office")
	}
}

// NormalizeUsername folds a typed username to its stored form.
func NormalizeUsername(s string) string {
	return strings.ToLower(daftar.NormalizeDigits(strings.TrimSpace(s)))
}

// Create adds an account.
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	in.Username = NormalizeUsername(in.Username)
	in.FullName = daftar.NormalizeText(in.FullName)
	var fe daftar.FieldErrors
	if !usernamePattern.MatchString(in.Username) {
		fe.Add("username", "invalid", "3-64 characters: lowercase latin letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if len([]rune(in.FullName)) > 200 {
		fe.Add("full_name", "too_long", "must be at most 200 characters")
	}
	if msg := checkPassword(in.Password, in.Username); msg != "" {
		fe.Add("password", "weak", msg)
	}
	validateRoleOffice(&fe, in.Role, in.OfficeID)
	if err := fe.Err(daftar.KindInvalid, "invalid_user", "the account is not valid"); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password, s.cfg.Argon2)
	if err != nil {
		return User{}, err
	}
	return s.insert(ctx, in, hash)
}

func (s *Service) insert(ctx context.Context, in NewUser, hash string) (User, error) {
	now := s.clock.Now()
	u := User{Username: in.Username, FullName: in.FullName, PasswordHash: hash, Role: string(in.Role),
		OfficeID: in.OfficeID, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.OfficeID != nil {
			if err := s.checkOffice(ctx, tx, *in.OfficeID); err != nil {
				return err
			}
		}
		if err := tx.Create(&u).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return daftar.Conflict("username_taken", "an account with this username exists")
			}
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "user.create", Entity: "user", EntityID: u.ID, After: u.auditView()})
	})
	return u, err
}

// Get returns one account.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, daftar.NotFound("user_not_found", "no such user")
	}
	return u, err
}

// ByUsername returns one account by its username.
func (s *Service) ByUsername(ctx context.Context, username string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("username = ?", NormalizeUsername(username)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, daftar.NotFound("user_not_found", "no such user")
	}
	return u, err
}

// ListFilter selects accounts.
type ListFilter struct {
	Role     string
	OfficeID int64
	Query    string
	Disabled *bool
	Limit    int
	Offset   int
}

// List returns accounts by username with the total count.
func (s *Service) List(ctx context.Context, f ListFilter) ([]User, int64, error) {
	q := s.db.WithContext(ctx).Model(&User{})
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.OfficeID != 0 {
		q = q.Where("office_id = ?", f.OfficeID)
	}
	if f.Disabled != nil {
		q = q.Where("disabled = ?", *f.Disabled)
	}
	if f.Query != "" {
		like := "%" + strings.ToLower(daftar.NormalizeText(f.Query)) + "%"
		q = q.Where("(username LIKE ? OR LOWER(full_name) LIKE ?)", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []User
	err := q.Order("username").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
	return out, total, err
}

// Patch changes an account; nil fields stay as they are.
type Patch struct {
	FullName *string
	Role     *daftar.Role
	OfficeID **int64 // set to a pointer to nil to unbind
	Disabled *bool
	Password *string
	// Version, when non-zero, must match the stored version.
	Version int64
}

// Update applies a patch. Disabling an account, changing its role or office,
// or setting its password ends all its sessions.
func (s *Service) Update(ctx context.Context, id int64, p Patch) (User, error) {
	var out User
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var u User
		if err := tx.Where("id = ?", id).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return daftar.NotFound("user_not_found", "no such user")
			}
			return err
		}
		if p.Version != 0 && p.Version != u.Version {
			return daftar.Conflict("user_version_stale", "the account was changed by someone else; reload and try again")
		}
		before := u.auditView()
		was := u
		var fe daftar.FieldErrors
		endSessions := false
		if p.FullName != nil {
			u.FullName = daftar.NormalizeText(*p.FullName)
			if len([]rune(u.FullName)) > 200 {
				fe.Add("full_name", "too_long", "must be at most 200 characters")
			}
		}
		role, office := daftar.Role(u.Role), u.OfficeID
		if p.Role != nil {
			role = *p.Role
			if role != daftar.RoleOfficeOwner && p.OfficeID == nil {
				office = nil
			}
		}
		if p.OfficeID != nil {
			office = *p.OfficeID
		}
		validateRoleOffice(&fe, role, office)
		if string(role) != u.Role || !sameOffice(office, u.OfficeID) {
			endSessions = true
		}
		u.Role, u.OfficeID = string(role), office
		if p.Disabled != nil {
			if *p.Disabled && !u.Disabled {
				endSessions = true
			}
			u.Disabled = *p.Disabled
		}
		if p.Password != nil {
			if msg := checkPassword(*p.Password, u.Username); msg != "" {
				fe.Add("password", "weak", msg)
			} else {
				h, err := HashPassword(*p.Password, s.cfg.Argon2)
				if err != nil {
					return err
				}
				u.PasswordHash = h
				endSessions = true
			}
		}
		if err := fe.Err(daftar.KindInvalid, "invalid_user", "the account is not valid"); err != nil {
			return err
		}
		if office != nil {
			if err := s.checkOffice(ctx, tx, *office); err != nil {
				return err
			}
		}
		if p.Password == nil && u.FullName == was.FullName && u.Role == was.Role && sameOffice(u.OfficeID, was.OfficeID) && u.Disabled == was.Disabled {
			out = was // nothing changes: no write, no new version, no audit
			return nil
		}
		u.UpdatedAt = s.clock.Now()
		res := tx.Model(&User{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(map[string]any{
			"full_name": u.FullName, "role": u.Role, "office_id": u.OfficeID, "disabled": u.Disabled,
			"password_hash": u.PasswordHash, "updated_at": u.UpdatedAt, "version": u.Version + 1,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("user_version_stale", "the account was changed by someone else; reload and try again")
		}
		u.Version++
		if endSessions {
			if err := s.revokeAll(tx, u.ID); err != nil {
				return err
			}
		}
		action := "user.update"
		if p.Disabled != nil && *p.Disabled {
			action = "user.disable"
		}
		after := u.auditView()
		if p.Password != nil {
			after["password_changed"] = true
		}
		out = u
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: action, Entity: "user", EntityID: u.ID, Before: before, After: after})
	})
	if err == nil {
		s.cache.evictUser(out.ID) // after the commit, so nothing re-caches the old state
	}
	return out, err
}

// checkOffice refuses an account naming an office that does not exist.
func (s *Service) checkOffice(ctx context.Context, tx *gorm.DB, id int64) error {
	ok, err := s.offices.Exists(ctx, db.Wrap(tx), id)
	if err != nil {
		return err
	}
	if !ok {
		return daftar.Invalid("invalid_user", "the account is not valid", daftar.Field("office_id", "unknown", "no such office"))
	}
	return nil
}

func sameOffice(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func (s *Service) revokeAll(tx *gorm.DB, userID int64) error {
	return tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", s.clock.Now()).Error
}

// Count is the number of accounts.
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// EnsureAdmin creates the first admin when there is no admin account yet.
// With no password given it generates one and returns it, to be shown once.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("role = ?", string(daftar.RoleAdmin)).Count(&n).Error; err != nil {
		return false, "", err
	}
	if n > 0 {
		return false, "", nil
	}
	if password == "" {
		password = RandomPassword()
		generated = password
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("bootstrap"))
	_, err = s.Create(ctx, NewUser{Username: "admin", FullName: "مدیر سامانه", Password: password, Role: daftar.RoleAdmin})
	if daftar.IsKind(err, daftar.KindConflict) {
		return false, "", nil // another replica created it first
	}
	if err != nil {
		return false, "", err
	}
	return true, generated, nil
}

// newToken returns a random 256-bit token and the hash that is stored.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is what is stored for a token: tokens carry 256 random bits, so a
// plain SHA-256 cannot be reversed.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// InsertBatch adds many accounts sharing one precomputed password hash, in
// the caller's transaction (the demo dataset's office owners; hashing each
// with OWASP parameters would take minutes).
func (s *Service) InsertBatch(tx *db.Tx, users []NewUser, hash string) error {
	now := s.clock.Now()
	rows := make([]User, len(users))
	for i, in := range users {
		rows[i] = User{Username: NormalizeUsername(in.Username), FullName: in.FullName, PasswordHash: hash,
			Role: string(in.Role), OfficeID: in.OfficeID, Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	return tx.Gorm().CreateInBatches(rows, 200).Error
}
