package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// QueryStream is Query for one long read streamed to its caller: an export
// of a quarter's visits, a history read back while answers are generated.
// Such a statement runs as long as its caller takes to consume the rows, so
// on PostgreSQL it runs in a read-only transaction without the statement
// timeout (DB_STATEMENT_TIMEOUT), bounded by ctx instead (the request's
// deadline, or a command's lifetime). Read-only work reads from a replica
// in use, like Query.
func (d *DB) QueryStream(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	if d.Dialect != Postgres {
		return d.Query(ctx, q, args, each)
	}
	return d.withPgxConnOn(ctx, d.readPool(ctx), func(conn *pgx.Conn) error {
		return pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, rebind(q), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return eachRow(rows, each)
		})
	})
}
