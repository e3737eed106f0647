package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// noOffices is a register without offices: every office id is unknown.
type noOffices struct{}

func (noOffices) Exists(context.Context, *db.Tx, int64) (bool, error) { return false, nil }

var cheap = accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

func newService(t *testing.T, d *db.DB, clock daftar.Clock, logs *strings.Builder) *accounts.Service {
	t.Helper()
	var h slog.Handler = slog.DiscardHandler
	if logs != nil {
		h = slog.NewJSONHandler(&lockedWriter{b: logs}, nil)
	}
	s, err := accounts.New(d, clock, audit.New(d, clock), noOffices{}, slog.New(h), accounts.Config{
		Argon2: cheap, SessionTTL: 8 * time.Hour, IdleTimeout: 30 * time.Minute,
		PairFailures: 3, IPFailures: 5, AccountFailures: 10, AccountDelay: time.Second, Window: 10 * time.Minute, Block: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestPasswordHashing(t *testing.T) {
	h, err := accounts.HashPassword("correct horse battery", accounts.OWASPArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	if !accounts.VerifyPassword("correct horse battery", h) {
		t.Fatal("right password refused")
	}
	for _, bad := range []string{"", "correct horse batterY", "correct horse battery "} {
		if accounts.VerifyPassword(bad, h) {
			t.Fatalf("wrong password %q accepted", bad)
		}
	}
	for _, garbage := range []string{"", "$argon2id$", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=999999999,t=1,p=1$AAAA$AAAA", "plain"} {
		if accounts.VerifyPassword("x", garbage) {
			t.Fatalf("garbage hash %q accepted", garbage)
		}
	}
	h2, _ := accounts.HashPassword("correct horse battery", accounts.OWASPArgon2)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestCreateValidation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, daftar.SystemClock{}, nil)
		ctx := context.Background()
		office := int64(42)
		cases := []struct {
			name  string
			in    accounts.NewUser
			field string
		}{
			{"short username", accounts.NewUser{Username: "ab", Password: "long enough pw", Role: daftar.RoleAdmin}, "username"},
			{"bad chars", accounts.NewUser{Username: "Ali Reza", Password: "long enough pw", Role: daftar.RoleAdmin}, "username"},
			{"weak password", accounts.NewUser{Username: "alireza", Password: "short", Role: daftar.RoleAdmin}, "password"},
			{"overlong password", accounts.NewUser{Username: "alireza", Password: strings.Repeat("x", 129), Role: daftar.RoleAdmin}, "password"},
			{"unknown role", accounts.NewUser{Username: "alireza", Password: "long enough pw", Role: "root"}, "role"},
			{"owner without office", accounts.NewUser{Username: "alireza", Password: "long enough pw", Role: daftar.RoleOfficeOwner}, "office_id"},
			{"admin with office", accounts.NewUser{Username: "alireza", Password: "long enough pw", Role: daftar.RoleAdmin, OfficeID: &office}, "office_id"},
			{"owner of unknown office", accounts.NewUser{Username: "alireza", Password: "long enough pw", Role: daftar.RoleOfficeOwner, OfficeID: &office}, "office_id"},
		}
		for _, c := range cases {
			_, err := s.Create(ctx, c.in)
			de, ok := daftar.AsError(err)
			if !ok || de.Kind != daftar.KindInvalid || len(de.Fields) == 0 || de.Fields[0].Field != c.field {
				t.Errorf("%s: want invalid on %s, got %v", c.name, c.field, err)
			}
		}
		if _, err := s.Create(ctx, accounts.NewUser{Username: "Ali.Reza", Password: "long enough pw", Role: daftar.RoleMinistry}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Create(ctx, accounts.NewUser{Username: "ali.reza", Password: "long enough pw", Role: daftar.RoleMinistry})
		if !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("duplicate username: want conflict, got %v", err)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		clock := daftar.NewManualClock(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
		var logs strings.Builder
		s := newService(t, d, clock, &logs)
		ctx := context.Background()
		u, err := s.Create(ctx, accounts.NewUser{Username: "sara", Password: "s3cret-passw0rd", Role: daftar.RoleInspector})
		if err != nil {
			t.Fatal(err)
		}
		login := func() string {
			t.Helper()
			r, err := s.Login(ctx, accounts.Attempt{Username: "SARA", Password: "s3cret-passw0rd", ClientIP: "10.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Token) < 22 {
				t.Fatalf("token too short: %d chars", len(r.Token))
			}
			return r.Token
		}
		tok := login()
		if got, _, err := s.Authenticate(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v %v", got, err)
		}
		var stored int64
		d.Gorm.Raw("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", tok).Scan(&stored)
		if stored != 0 {
			t.Fatal("the raw token is stored")
		}

		// Idle expiry: 29 minutes of use at a time keeps it alive...
		for i := 0; i < 3; i++ {
			clock.Advance(29 * time.Minute)
			if _, _, err := s.Authenticate(ctx, tok); err != nil {
				t.Fatalf("active session ended after %d idle periods: %v", i+1, err)
			}
		}
		// ... 31 idle minutes end it.
		clock.Advance(31 * time.Minute)
		if _, _, err := s.Authenticate(ctx, tok); !daftar.IsKind(err, daftar.KindUnauthenticated) {
			t.Fatalf("idle session still valid: %v", err)
		}

		// Absolute expiry, even when in use.
		tok = login()
		for i := 0; i < 17; i++ {
			clock.Advance(29 * time.Minute)
			s.Authenticate(ctx, tok)
		}
		clock.Advance(29 * time.Minute) // 8h13m after login
		if _, _, err := s.Authenticate(ctx, tok); !daftar.IsKind(err, daftar.KindUnauthenticated) {
			t.Fatalf("session past its absolute expiry still valid: %v", err)
		}

		// Logout revokes.
		tok = login()
		if err := s.Logout(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, tok); !daftar.IsKind(err, daftar.KindUnauthenticated) {
			t.Fatalf("logged-out token still valid: %v", err)
		}

		// Disabling revokes every session and refuses new logins.
		a, b := login(), login()
		yes := true
		if _, err := s.Update(ctx, u.ID, accounts.Patch{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		for _, tk := range []string{a, b} {
			if _, _, err := s.Authenticate(ctx, tk); !daftar.IsKind(err, daftar.KindUnauthenticated) {
				t.Fatalf("session of a disabled user still valid: %v", err)
			}
		}
		if _, err := s.Login(ctx, accounts.Attempt{Username: "sara", Password: "s3cret-passw0rd", ClientIP: "10.0.0.1"}); !daftar.IsKind(err, daftar.KindUnauthenticated) {
			t.Fatalf("disabled user logged in: %v", err)
		}
		for _, bad := range []string{"", "x", strings.Repeat("a", 500)} {
			if _, _, err := s.Authenticate(ctx, bad); !daftar.IsKind(err, daftar.KindUnauthenticated) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
		if strings.Contains(logs.String(), "s3cret-passw0rd") || strings.Contains(logs.String(), tok) {
			t.Fatal("a password or token reached the log")
		}
		if !strings.Contains(logs.String(), `"login succeeded"`) || !strings.Contains(logs.String(), `"login failed"`) {
			t.Fatalf("login attempts not logged: %s", logs.String())
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		clock := daftar.NewManualClock(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
		var logs strings.Builder
		s := newService(t, d, clock, &logs)
		ctx := context.Background()
		s.Create(ctx, accounts.NewUser{Username: "reza", Password: "right-password-1", Role: daftar.RoleMinistry})
		try := func(user, pw, ip string) error {
			_, err := s.Login(ctx, accounts.Attempt{Username: user, Password: pw, ClientIP: ip})
			return err
		}
		scope := func(err error) string {
			var te *accounts.ThrottledError
			if !errors.As(err, &te) {
				return ""
			}
			return te.Scope
		}
		// Per account and address: 3 failures from one address block that
		// address for the account, even with the right password ...
		for i := 0; i < 3; i++ {
			if err := try("reza", "wrong", "1.1.1.1"); !daftar.IsKind(err, daftar.KindUnauthenticated) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		err := try("reza", "right-password-1", "1.1.1.1")
		if de, ok := daftar.AsError(err); !ok || de.Kind != daftar.KindTooMany || de.Extra["retry_after_seconds"] == nil || scope(err) != accounts.ThrottlePair {
			t.Fatalf("blocked pair: want too many with retry_after, got %v", err)
		}
		// ... while the account's holder, elsewhere, signs in (finding 4:
		// nobody can lock another out).
		if err := try("reza", "right-password-1", "4.4.4.4"); err != nil {
			t.Fatalf("the right password from another address: %v", err)
		}
		if !strings.Contains(logs.String(), `"login throttle reached"`) || !strings.Contains(logs.String(), `"throttle":"account_address"`) {
			t.Fatalf("the throttle is not logged: %s", logs.String())
		}
		clock.Advance(11 * time.Minute)
		if err := try("reza", "right-password-1", "1.1.1.1"); err != nil {
			t.Fatalf("after the block: %v", err)
		}

		// Per address: 5 failures across accounts block the address, also
		// for a right password of another account.
		for i := 0; i < 5; i++ {
			try("nobody"+string(rune('a'+i)), "guess", "9.9.9.9")
		}
		if err := try("reza", "right-password-1", "9.9.9.9"); !daftar.IsKind(err, daftar.KindTooMany) || scope(err) != accounts.ThrottleAddress {
			t.Fatalf("blocked address: %v", err)
		}
		if err := try("reza", "right-password-1", "8.8.8.8"); err != nil {
			t.Fatalf("other address must pass: %v", err)
		}

		// The account's ceiling: 10 failures from 10 addresses hold the
		// account back for a second, then 2, 4, ... at most the block.
		clock.Advance(11 * time.Minute)
		for i := 0; i < 10; i++ {
			if err := try("reza", "wrong", fmt.Sprintf("10.0.0.%d", i)); !daftar.IsKind(err, daftar.KindUnauthenticated) {
				t.Fatalf("campaign failure %d: %v", i, err)
			}
		}
		err = try("reza", "right-password-1", "4.4.4.4")
		if scope(err) != accounts.ThrottleAccount || err.(*daftar.Error).Extra["retry_after_seconds"] != 1 {
			t.Fatalf("past the ceiling: %v", err)
		}
		var waits []int
		for i := 0; i < 12; i++ {
			clock.Advance(time.Duration(max(1, last(waits))) * time.Second)
			if err := try("reza", "wrong", fmt.Sprintf("10.0.1.%d", i)); !daftar.IsKind(err, daftar.KindUnauthenticated) {
				t.Fatalf("campaign failure past the ceiling %d: %v", i, err)
			}
			perr := try("reza", "wrong", "10.0.2.1")
			de, _ := daftar.AsError(perr)
			if !daftar.IsKind(perr, daftar.KindTooMany) {
				t.Fatalf("probe %d after %v: %v", i, waits, perr)
			}
			waits = append(waits, de.Extra["retry_after_seconds"].(int))
		}
		if fmt.Sprint(waits) != "[2 4 8 16 32 64 128 256 512 600 600 600]" {
			t.Fatalf("growing delay: %v", waits)
		}
		// When the campaign stops, the holder signs in after the last delay.
		clock.Advance(600 * time.Second)
		if err := try("reza", "right-password-1", "4.4.4.4"); err != nil {
			t.Fatalf("after the campaign: %v", err)
		}
	})
}

func last(s []int) int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

func TestConcurrentFailuresAllCount(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, daftar.SystemClock{}, nil)
		ctx := context.Background()
		var wg sync.WaitGroup
		// Ten at once from ten addresses: each counts on the account, so it
		// reaches its ceiling of 10.
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Login(ctx, accounts.Attempt{Username: "ghost", Password: "x", ClientIP: fmt.Sprintf("5.5.5.%d", i)})
				if err != nil && !daftar.IsKind(err, daftar.KindUnauthenticated) && !daftar.IsKind(err, daftar.KindTooMany) {
					t.Errorf("concurrent failure: %v", err)
				}
			}()
		}
		wg.Wait()
		_, err := s.Login(ctx, accounts.Attempt{Username: "ghost", Password: "x", ClientIP: "6.6.6.6"})
		if !daftar.IsKind(err, daftar.KindTooMany) {
			t.Fatalf("after 10 concurrent failures the account must be held back: %v", err)
		}
	})
}

// A session revoked by another replica (straight in the database) is
// trusted from this replica's cache for at most CacheTTL.
func TestSessionCacheBoundsStaleness(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		clock := daftar.NewManualClock(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
		s, err := accounts.New(d, clock, audit.New(d, clock), noOffices{}, slog.New(slog.DiscardHandler), accounts.Config{Argon2: cheap, CacheTTL: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		s.Create(ctx, accounts.NewUser{Username: "omid", Password: "omid-password", Role: daftar.RoleInspector})
		r, err := s.Login(ctx, accounts.Attempt{Username: "omid", Password: "omid-password", ClientIP: "1.2.3.4"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, r.Token); err != nil {
			t.Fatal(err)
		}
		d.Gorm.Exec("UPDATE sessions SET revoked_at = ?", clock.Now())
		clock.Advance(4 * time.Second)
		if _, _, err := s.Authenticate(ctx, r.Token); err != nil {
			t.Fatalf("within the cache lifetime: %v", err)
		}
		clock.Advance(2 * time.Second)
		if _, _, err := s.Authenticate(ctx, r.Token); !daftar.IsKind(err, daftar.KindUnauthenticated) {
			t.Fatalf("past the cache lifetime a revoked session is still accepted: %v", err)
		}
	})
}
