package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestQueryStream: a long streamed read is not cut by the statement
// timeout (its caller's context bounds it), where an ordinary query is;
// it reads only (a write in it is refused); on SQLite it is Query.
func TestQueryStream(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var n int64
		if err := d.QueryStream(ctx, "SELECT COUNT(*) FROM schema_migrations", nil, func(scan func(...any) error) error { return scan(&n) }); err != nil || n == 0 {
			t.Fatalf("%d migrations, %v", n, err)
		}
		if d.Dialect != db.Postgres {
			return
		}
		url := dbtest.NewPostgresDatabase(t)
		short, err := db.Open(ctx, db.Config{URL: url, StatementTimeout: 100 * time.Millisecond, MaxOpenConns: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer short.Close()
		sleep := "SELECT pg_sleep(0.3)::text"
		none := func(scan func(...any) error) error { var s string; return scan(&s) }
		if err := short.Query(ctx, sleep, nil, none); err == nil {
			t.Fatal("a query past the statement timeout was not cancelled: the test proves nothing")
		}
		if err := short.QueryStream(ctx, sleep, nil, none); err != nil {
			t.Fatalf("a streamed read was cut by the statement timeout: %v", err)
		}
		if err := short.QueryStream(ctx, "CREATE TABLE streamed (n INT)", nil, none); err == nil {
			t.Fatal("a write ran in a streamed read")
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if err := short.QueryStream(cancelled, sleep, nil, none); err == nil {
			t.Fatal("a streamed read ignored its context")
		}
	})
}
