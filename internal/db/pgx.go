package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrNotPostgres is returned by PostgreSQL-only paths on SQLite.
var ErrNotPostgres = errors.New("db: this path needs PostgreSQL")

// WithPgxConn runs fn on one pooled connection as a raw pgx connection, for
// what database/sql cannot do: COPY, and a transaction around it
// (conn.Begin). The connection returns to the pool afterwards.
func (d *DB) WithPgxConn(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	return d.withPgxConnOn(ctx, d.SQL, fn)
}

// withPgxConnOn is WithPgxConn on a pool of the primary or of a replica.
func (d *DB) withPgxConnOn(ctx context.Context, pool *sql.DB, fn func(conn *pgx.Conn) error) error {
	if d.Dialect != Postgres {
		return ErrNotPostgres
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: unexpected driver connection %T", driverConn)
		}
		return fn(sc.Conn())
	})
}
