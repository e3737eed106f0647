package db

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Inserter writes rows into a table's columns within a Bulk transaction.
type Inserter func(table string, cols []string, rows iter.Seq[[]any]) error

// Bulk runs fn in one transaction whose inserts take each engine's fastest
// path: COPY streamed from the iterator on PostgreSQL, prepared multi-row
// INSERTs on SQLite. Everything fn writes commits together or not at all.
func (d *DB) Bulk(ctx context.Context, fn func(ins Inserter) error) error {
	if d.Dialect == Postgres {
		return d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				return fn(func(table string, cols []string, rows iter.Seq[[]any]) error {
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
			})
		})
	}
	return sqliteBulk(ctx, d.SQL, fn)
}

func sqliteBulk(ctx context.Context, s *sql.DB, fn func(ins Inserter) error) error {
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
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	ins := func(table string, cols []string, rows iter.Seq[[]any]) error {
		// SQLite allows 32,766 bound values a statement; 500 rows is past
		// the point where bigger statements stop paying.
		per := min(max(1, 30000/len(cols)), 500)
		stmtFor := func(n int) (*sql.Stmt, error) {
			key := fmt.Sprintf("%s/%d", table, n)
			if st, ok := stmts[key]; ok {
				return st, nil
			}
			tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
			q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return nil, err
			}
			stmts[key] = st
			return st, nil
		}
		args := make([]any, 0, per*len(cols))
		n := 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			st, err := stmtFor(n)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			args, n = args[:0], 0
			return nil
		}
		for r := range rows {
			if len(r) != len(cols) {
				return fmt.Errorf("bulk insert into %s: a row of %d values for %d columns", table, len(r), len(cols))
			}
			args = append(args, r...)
			n++
			if n == per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	}
	if err := fn(ins); err != nil {
		return err
	}
	return tx.Commit()
}
