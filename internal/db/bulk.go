package db

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
)

// Inserter writes rows into a table's columns within a Bulk transaction.
type Inserter func(table string, cols []string, rows iter.Seq[[]any]) error

// Bulk runs fn in one transaction whose inserts take each engine's fastest
// path: COPY streamed from the iterator on PostgreSQL, prepared multi-row
// INSERTs on SQLite. Everything fn writes commits together or not at all.
func (d *DB) Bulk(ctx context.Context, fn func(ins Inserter) error) error {
	return d.BulkWithoutIndexes(ctx, nil, fn)
}

// BulkWithoutIndexes is Bulk for loading empty tables: it drops the
// secondary indexes of tables first (as the catalog defines them; unique
// and primary key constraints stay) and builds them again at the end, in
// the same transaction, which is several times faster than maintaining
// them row by row.
func (d *DB) BulkWithoutIndexes(ctx context.Context, tables []string, fn func(ins Inserter) error) error {
	if d.Dialect == Postgres {
		return d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				var defs []string
				for _, t := range tables {
					rows, err := tx.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = $1
						AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, t)
					if err != nil {
						return err
					}
					var names []string
					for rows.Next() {
						var name, def string
						if err := rows.Scan(&name, &def); err != nil {
							rows.Close()
							return err
						}
						names, defs = append(names, name), append(defs, def)
					}
					rows.Close()
					for _, n := range names {
						if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{n}.Sanitize()); err != nil {
							return err
						}
					}
				}
				err := fn(func(table string, cols []string, rows iter.Seq[[]any]) error {
					next, stop := iter.Pull(rows)
					defer stop()
					_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
						r, ok := next()
						if !ok {
							return nil, nil
						}
						return r, nil
					}))
					return err
				})
				if err != nil {
					return err
				}
				for _, def := range defs {
					if _, err := tx.Exec(ctx, def); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	return sqliteBulk(ctx, d.SQL, tables, fn)
}

func sqliteBulk(ctx context.Context, s *sql.DB, tables []string, fn func(ins Inserter) error) error {
	conn, err := s.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var defs []string
	for _, t := range tables {
		rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", t)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			names, defs = append(names, name), append(defs, def)
		}
		rows.Close()
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+n+`"`); err != nil {
				return err
			}
		}
	}
	run := func(ctx context.Context, q string, args []any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	ins := func(table string, cols []string, rows iter.Seq[[]any]) error {
		// Chunks go through SQLiteBulk's two-blob statement.
		const per = 5000
		chunk := make([][]any, 0, per)
		for r := range rows {
			if len(r) != len(cols) {
				return fmt.Errorf("bulk insert into %s: a row of %d values for %d columns", table, len(r), len(cols))
			}
			chunk = append(chunk, r)
			if len(chunk) == per {
				if err := SQLiteBulk(ctx, table, cols, chunk, "", run); err != nil {
					return err
				}
				chunk = chunk[:0]
			}
		}
		return SQLiteBulk(ctx, table, cols, chunk, "", run)
	}
	if err := fn(ins); err != nil {
		return err
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return err
		}
	}
	return tx.Commit()
}
