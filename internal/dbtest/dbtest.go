// Package dbtest gives tests fresh, migrated databases on both engines.
//
// PostgreSQL comes from TEST_DATABASE_URL (scripts/test starts a throwaway
// cluster and sets it). Each test gets its own database, created from a
// template migrated once per test binary and dropped when the test ends.
// Without TEST_DATABASE_URL the PostgreSQL variants fail, unless
// DAFTAR_TEST_SQLITE_ONLY=1 says to run only SQLite (never under CI=true).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/migrate"
)

// Engines lists the engines tests run against in this environment.
func Engines(t testing.TB) []db.Dialect {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI (use scripts/test)")
		}
		if os.Getenv("DAFTAR_TEST_SQLITE_ONLY") == "1" {
			return []db.Dialect{db.SQLite}
		}
		t.Fatal("TEST_DATABASE_URL is not set: run the tests through scripts/test, or set DAFTAR_TEST_SQLITE_ONLY=1 to run only the SQLite variants")
	}
	return []db.Dialect{db.SQLite, db.Postgres}
}

// ForEach runs fn as a subtest on a fresh, migrated database of every engine.
func ForEach(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, Open(t, e)) })
	}
}

// Open returns a fresh migrated database of engine e, closed (and on
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	var cfg db.Config
	switch e {
	case db.SQLite:
		cfg.SQLitePath = filepath.Join(t.TempDir(), "daftar.db")
	case db.Postgres:
		cfg.URL = NewPostgresDatabase(t)
	default:
		t.Fatalf("unknown engine %q", e)
	}
	d, err := db.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { d.Close() })
	if e == db.SQLite {
		if _, err := migrate.Up(ctx, d, nil); err != nil {
			t.Fatalf("migrate sqlite: %v", err)
		}
	}
	return d
}

// URL returns the PostgreSQL server URL, failing the test when there is none.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests through scripts/test")
	}
	return u
}

var template struct {
	once sync.Once
	name string
	err  error
}

// NewPostgresDatabase creates an empty, migrated database for one test and
// returns its URL; it is dropped when the test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	server := URL(t)
	template.once.Do(func() { template.name, template.err = makeTemplate(server) })
	if template.err != nil {
		t.Fatalf("postgres template: %v", template.err)
	}
	name := "daftar_t_" + randomHex(6)
	admin := openAdmin(t, server)
	if err := admin.Gorm.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template.name)).Error; err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		a, err := db.Open(ctx, db.Config{URL: server, MaxOpenConns: 1}, nil)
		if err != nil {
			return
		}
		defer a.Close()
		a.Gorm.WithContext(ctx).Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(server, name)
}

// makeTemplate migrates one database per test binary that every test's
// database is copied from, so each test starts in milliseconds.
func makeTemplate(server string) (string, error) {
	ctx := context.Background()
	name := "daftar_tmpl_" + randomHex(6)
	a, err := db.Open(ctx, db.Config{URL: server, MaxOpenConns: 1}, nil)
	if err != nil {
		return "", err
	}
	defer a.Close()
	if err := a.Gorm.Exec("CREATE DATABASE " + name).Error; err != nil {
		return "", err
	}
	d, err := db.Open(ctx, db.Config{URL: withDatabase(server, name), MaxOpenConns: 1}, nil)
	if err != nil {
		return "", err
	}
	_, err = migrate.Up(ctx, d, nil)
	d.Close()
	if err != nil {
		return "", err
	}
	return name, nil
}

func openAdmin(t testing.TB, server string) *db.DB {
	t.Helper()
	a, err := db.Open(context.Background(), db.Config{URL: server, MaxOpenConns: 1}, nil)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// OpenEmpty returns a fresh database of engine e with no migration
// applied (a test of a migration over data written before it), closed
// (and on PostgreSQL dropped) when the test ends.
func OpenEmpty(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	var cfg db.Config
	switch e {
	case db.SQLite:
		cfg.SQLitePath = filepath.Join(t.TempDir(), "daftar.db")
	case db.Postgres:
		server := URL(t)
		name := "daftar_e_" + randomHex(6)
		if err := openAdmin(t, server).Gorm.Exec("CREATE DATABASE " + name).Error; err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if a, err := db.Open(ctx, db.Config{URL: server, MaxOpenConns: 1}, nil); err == nil {
				a.Gorm.WithContext(ctx).Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
				a.Close()
			}
		})
		cfg.URL = withDatabase(server, name)
	default:
		t.Fatalf("unknown engine %q", e)
	}
	d, err := db.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// ReplicaPair returns a fresh migrated database on a PostgreSQL primary
// and its address on a streaming replica of that primary, once the replica
// has replayed its creation. With TEST_DATABASE_REPLICA_URL (scripts/test
// starts one beside its throwaway cluster) the database is made on
// TEST_DATABASE_URL's server; without it, on a private primary and replica
// of this test, started with scripts/pg-throwaway start --replica (so the
// tests also run beside a shared server that has no replica). When neither
// is possible the test fails under CI=true, and elsewhere is skipped,
// saying so.
func ReplicaPair(t testing.TB) (primaryURL, replicaURL string) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_REPLICA_URL") != "" {
		p := NewPostgresDatabase(t)
		return p, ReplicaURL(t, p)
	}
	c, replica, err := startReplicaCluster(t)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: no TEST_DATABASE_REPLICA_URL and no private primary and replica could be started: %v", err)
		}
		t.Skipf("no TEST_DATABASE_REPLICA_URL and no private primary and replica could be started (%v): "+
			"the read-replica tests need a streaming replica (scripts/test starts one; by hand: "+
			"eval \"$(scripts/pg-throwaway start --replica)\")", err)
	}
	p := c.NewDatabase(t)
	return p, waitOnReplica(t, replica, p)
}

func ReplicaURL(t testing.TB, primaryURL string) string {
	t.Helper()
	rep := os.Getenv("TEST_DATABASE_REPLICA_URL")
	if rep == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but TEST_DATABASE_REPLICA_URL is not set: the read-replica tests need the replica scripts/test starts")
		}
		t.Skip("TEST_DATABASE_REPLICA_URL is not set: the read-replica tests need a streaming replica of TEST_DATABASE_URL " +
			"(scripts/test starts one; by hand: eval \"$(scripts/pg-throwaway start --replica)\")")
	}
	return waitOnReplica(t, rep, primaryURL)
}

// waitOnReplica is the address on the replica rep of the database at
// primaryURL, once the replica has it.
func waitOnReplica(t testing.TB, rep, primaryURL string) string {
	t.Helper()
	u, err := url.Parse(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	out := withDatabase(rep, u.Path[1:])
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := db.Open(ctx, db.Config{URL: out, MaxOpenConns: 1}, nil)
		cancel()
		if err == nil {
			d.Close()
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never had the test database: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
