package db

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Tx is one transaction that work in several packages shares: a licence
// activation opens its office, a visits batch invites its citizens to the
// survey, every change appends its audit event, and all of it commits
// together or not at all. Domain packages pass a *Tx along without looking
// inside; only stores read or write through it.
//
// A Tx runs over gorm (InTx, Wrap), over a raw pgx transaction on one
// pinned PostgreSQL connection (the COPY paths of InBulkTx), or over a
// database/sql transaction (SQLite bulk loads). Exec, Query and CopyRows work
// on all three, with ? placeholders on both engines; Gorm and Pgx hand the
// underlying handle to a store that needs it and say nil otherwise.
type Tx struct {
	dialect Dialect
	g       *gorm.DB
	p       pgx.Tx
	s       *sql.Tx
}

// Querier runs statements with ? placeholders: a *Tx, or the *DB itself
// outside any transaction.
type Querier interface {
	Exec(ctx context.Context, q string, args ...any) (int64, error)
	Query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error
}

// InTx runs fn in a gorm transaction bound to ctx; an error or panic rolls
// it back.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.Tx(ctx, func(g *gorm.DB) error { return fn(&Tx{dialect: d.Dialect, g: g}) })
}

// Wrap hands a store's own gorm transaction (begun with DB.Tx) to another
// package as a *Tx.
func Wrap(g *gorm.DB) *Tx {
	d := SQLite
	if g.Dialector != nil && g.Dialector.Name() == string(Postgres) {
		d = Postgres
	}
	return &Tx{dialect: d, g: g}
}

// InBulkTx runs fn in a transaction made for bulk loads: on PostgreSQL a pgx
// transaction on one pinned connection (CopyRows is COPY) without the
// statement timeout, on SQLite a database/sql transaction (CopyRows is the
// two-blob bulk insert).
func (d *DB) InBulkTx(ctx context.Context, fn func(tx *Tx) error) error {
	if d.Dialect == Postgres {
		return d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			return pgx.BeginFunc(ctx, conn, func(p pgx.Tx) error {
				// A COPY of a large file is one long statement: the
				// caller's context bounds it, not the statement timeout.
				if _, err := p.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
					return err
				}
				return fn(&Tx{dialect: Postgres, p: p})
			})
		})
	}
	s, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Rollback()
	if err := fn(&Tx{dialect: d.Dialect, s: s}); err != nil {
		return err
	}
	return s.Commit()
}

// Or is tx, or the database itself when tx is nil: a store's reads take an
// optional transaction this way.
func (d *DB) Or(tx *Tx) Querier {
	if tx == nil {
		return d
	}
	return tx
}

// Dialect is the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.dialect }

// Gorm is the gorm transaction, for stores; nil when the transaction does
// not run over gorm.
func (t *Tx) Gorm() *gorm.DB { return t.g }

// Pgx is the raw pgx transaction (COPY with savepoints), for stores; nil
// when the transaction does not run over pgx.
func (t *Tx) Pgx() pgx.Tx { return t.p }

// Exec runs a statement and returns the rows it affected.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	switch {
	case t.g != nil:
		res := t.g.WithContext(ctx).Exec(q, args...)
		return res.RowsAffected, res.Error
	case t.p != nil:
		tag, err := t.p.Exec(ctx, rebind(q), args...)
		return tag.RowsAffected(), err
	case t.s != nil:
		res, err := t.s.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	return 0, errNoTx
}

// Query runs a query and hands every row to each (scan reads its columns).
func (t *Tx) Query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	switch {
	case t.g != nil:
		rows, err := t.g.WithContext(ctx).Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		return eachRow(rows, each)
	case t.p != nil:
		rows, err := t.p.Query(ctx, rebind(q), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return eachRow(rows, each)
	case t.s != nil:
		rows, err := t.s.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return eachRow(rows, each)
	}
	return errNoTx
}

var errNoTx = errors.New("db: no transaction")

// CopyRows appends rows to a table by each engine's fastest path: COPY over
// pgx, the two-blob bulk insert on SQLite, multi-row INSERTs otherwise.
func (t *Tx) CopyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	switch {
	case t.p != nil:
		if len(rows) == 0 {
			return nil
		}
		_, err := t.p.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	case t.s != nil:
		return SQLiteBulk(ctx, table, cols, rows, "", func(ctx context.Context, q string, args []any) error {
			_, err := t.s.ExecContext(ctx, q, args...)
			return err
		})
	case t.g != nil && t.dialect == SQLite:
		return SQLiteBulk(ctx, table, cols, rows, "", func(ctx context.Context, q string, args []any) error {
			_, err := t.g.Statement.ConnPool.ExecContext(ctx, q, args...)
			return err
		})
	}
	return insertRows(ctx, t, table, cols, rows, "")
}

// InsertReturning inserts rows and hands every row the suffix returns
// (e.g. " ON CONFLICT ... DO NOTHING RETURNING id") to each. A large insert
// in a gorm transaction on SQLite takes the two-blob bulk statement.
func (t *Tx) InsertReturning(ctx context.Context, table string, cols []string, rows [][]any, suffix string,
	each func(scan func(dest ...any) error) error) error {
	if t.g != nil && t.dialect == SQLite && len(rows) > 200 {
		return SQLiteBulk(ctx, table, cols, rows, suffix, func(ctx context.Context, q string, args []any) error {
			// As is: gorm would read the numbered placeholders (?1) as its own.
			res, err := t.g.Statement.ConnPool.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer res.Close()
			return eachRow(res, each)
		})
	}
	per := 30000 / len(cols)
	tuple := "(" + Placeholders(len(cols)) + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, chunk[i]...)
		}
		sb.WriteString(suffix)
		if err := t.Query(ctx, sb.String(), args, each); err != nil {
			return err
		}
	}
	return nil
}

// Exec runs a statement outside any transaction.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if d.Dialect == Postgres {
		q = rebind(q)
	}
	res, err := d.SQL.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Query runs a query outside any transaction, without gorm's statement
// building. On PostgreSQL it queries through pgx itself, which reads bytea
// in binary (database/sql gets hex text, twice the bytes to move and
// decode).
func (d *DB) Query(ctx context.Context, q string, args []any, each func(scan func(dest ...any) error) error) error {
	if d.Dialect == Postgres {
		return d.WithPgxConn(ctx, func(conn *pgx.Conn) error {
			rows, err := conn.Query(ctx, rebind(q), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return eachRow(rows, each)
		})
	}
	rows, err := d.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// Placeholders is n comma-separated ? placeholders.
func Placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Int64Args turns ids into statement arguments.
func Int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}

// rebind turns ? placeholders into $1, $2, ... (no statement here has a ?
// inside a literal).
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(q[i])
	}
	return sb.String()
}

// scannedRows is what database/sql's and pgx's rows have in common.
type scannedRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// eachRow hands every row to each, then reports the rows' own error. The
// caller closes the rows.
func eachRow(rows scannedRows, each func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertRows writes rows with multi-row INSERT statements, within the
// parameter limits of both engines; suffix is appended to each statement.
func insertRows(ctx context.Context, q Querier, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 30000/len(cols))
	per = min(per, 1000)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	tuple := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for start := 0; start < len(rows); start += per {
		end := min(len(rows), start+per)
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, rows[i]...)
		}
		sb.WriteString(suffix)
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
