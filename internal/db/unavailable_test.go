package db_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/jackc/pgx/v5/pgconn"
)

// Errors that mean "the database cannot do it now" are told apart from
// those that mean "this request is wrong" or "the caller left".
func TestUnavailableClassifiesByCause(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", fmt.Errorf("db: %w", refused), true},
		{"broken connection", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"bad conn", driver.ErrBadConn, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"deadline (pool wait, request deadline)", fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{"closed pool", errors.New("sql: database is closed"), true},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), true},
		{"caller went away", context.Canceled, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"plain error", errors.New("no such office"), false},
	}
	for _, c := range cases {
		if got := db.Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
		classified := db.Classify(c.err)
		if c.want && !daftar.IsKind(classified, daftar.KindUnavailable) {
			t.Errorf("%s: Classify gave %v, want kind unavailable", c.name, classified)
		}
		if c.want && !errors.Is(classified, c.err) {
			t.Errorf("%s: Classify lost the cause", c.name)
		}
		if !c.want && classified != c.err {
			t.Errorf("%s: Classify changed an error it does not classify: %v", c.name, classified)
		}
	}
	// An error already classified keeps its kind; an internal one wrapping
	// an outage becomes unavailable.
	nf := daftar.NotFound("x", "y")
	if db.Classify(nf) != error(nf) {
		t.Error("Classify changed a not-found error")
	}
	if !daftar.IsKind(db.Classify(daftar.Internal(refused)), daftar.KindUnavailable) {
		t.Error("an internal error caused by a refused connection is not unavailable")
	}
}

// The real drivers' errors: a refused connection, the statement timeout on
// PostgreSQL, and a SQLite write lock held past the busy timeout.
func TestUnavailableFromTheDrivers(t *testing.T) {
	ctx := context.Background()
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		_, err = db.Open(ctx, db.Config{URL: "postgres://u@" + addr + "/x?sslmode=disable"}, nil)
		if err == nil || !db.Unavailable(err) {
			t.Fatalf("open against a closed port: %v, want unavailable", err)
		}
	})
	for _, e := range dbtest.Engines(t) {
		if e != db.Postgres {
			continue
		}
		t.Run("statement timeout", func(t *testing.T) {
			d, err := db.Open(ctx, db.Config{URL: dbtest.NewPostgresDatabase(t), StatementTimeout: 300 * time.Millisecond}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var setting string
			if err := d.SQL.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&setting); err != nil || setting != "300ms" {
				t.Fatalf("statement_timeout on a pooled connection = %q (%v), want 300ms", setting, err)
			}
			_, err = d.Exec(ctx, "SELECT pg_sleep(5)")
			if err == nil || !db.Unavailable(err) {
				t.Fatalf("a statement past the timeout: %v, want unavailable", err)
			}
			// A bulk transaction is bounded by its context instead.
			err = d.InBulkTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, "SELECT pg_sleep(0.5)")
				return err
			})
			if err != nil {
				t.Fatalf("a bulk statement longer than the statement timeout: %v", err)
			}
		})
	}
	t.Run("sqlite busy", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		a, err := db.Open(ctx, db.Config{SQLitePath: path}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := a.Exec(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
			t.Fatal(err)
		}
		// The writer's lock is held while another connection, whose busy
		// timeout is short, tries to write.
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- a.InTx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		b, err := db.Open(ctx, db.Config{SQLitePath: path, SQLiteBusyTimeout: 100 * time.Millisecond}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		_, err = b.Exec(ctx, "INSERT INTO t VALUES (2)")
		close(release)
		if err == nil || !db.Unavailable(err) {
			t.Fatalf("a write blocked past the busy timeout: %v, want unavailable", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
