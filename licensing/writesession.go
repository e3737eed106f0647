package licensing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// writeSession is one transaction on one pinned connection, reachable both
// through gorm (the import record, the audit event) and, on PostgreSQL, as
// the raw pgx connection underneath for COPY. Everything it writes commits
// or rolls back together.
type writeSession struct {
	d    *db.DB
	conn *sql.Conn
	tx   *sql.Tx
	g    *gorm.DB
	done bool
}

func beginWrite(ctx context.Context, d *db.DB) (*writeSession, error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	g := d.Gorm.Session(&gorm.Session{Context: ctx, NewDB: true})
	g.Statement.ConnPool = tx
	return &writeSession{d: d, conn: conn, tx: tx, g: g}, nil
}

func (w *writeSession) rollback() {
	if w.done {
		return
	}
	w.done = true
	w.tx.Rollback()
	w.conn.Close()
}

func (w *writeSession) commit() error {
	if w.done {
		return errors.New("licensing: transaction already ended")
	}
	w.done = true
	err := w.tx.Commit()
	w.conn.Close()
	return err
}

// rowSource is pgx.CopyFromSource: rows to write, one at a time.
type rowSource = pgx.CopyFromSource

// copyFrom writes every row of src into table: COPY on PostgreSQL, a
// prepared insert per row on SQLite, inside the session's transaction.
func (w *writeSession) copyFrom(ctx context.Context, table string, cols []string, src rowSource) (int64, error) {
	if w.d.Dialect == db.Postgres {
		var n int64
		err := w.conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("licensing: unexpected driver connection %T", dc)
			}
			var err error
			n, err = sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
			return err
		})
		return n, err
	}
	return insertRows(ctx, w.tx, table, cols, src)
}

// insertRows writes rows on SQLite with one prepared single-row INSERT
// executed per row, in the session's transaction. (The driver prepares the
// statement text again on every execution, so multi-row INSERTs save little
// and bind many parameters at a time.)
//
// The driver also starts a goroutine for every statement run with a context
// that can be cancelled (to interrupt SQLite when it is); statements
// therefore run without cancellation, and the inserter checks ctx itself
// every few hundred rows.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, src rowSource) (int64, error) {
	ins, err := newSQLiteInserter(ctx, tx, table, cols)
	if err != nil {
		return 0, err
	}
	defer ins.close()
	for src.Next() {
		vals, err := src.Values()
		if err != nil {
			return ins.n, err
		}
		if err := ins.insert(ctx, vals); err != nil {
			return ins.n, err
		}
	}
	return ins.n, src.Err()
}

// sqliteInserter runs one prepared single-row INSERT.
type sqliteInserter struct {
	stmt *sql.Stmt
	exec context.Context
	n    int64
}

func newSQLiteInserter(ctx context.Context, tx *sql.Tx, table string, cols []string) (*sqliteInserter, error) {
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	exec := context.WithoutCancel(ctx)
	stmt, err := tx.PrepareContext(exec, q)
	if err != nil {
		return nil, err
	}
	return &sqliteInserter{stmt: stmt, exec: exec}, nil
}

func (s *sqliteInserter) insert(ctx context.Context, vals []any) error {
	if s.n%256 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if _, err := s.stmt.ExecContext(s.exec, vals...); err != nil {
		return err
	}
	s.n++
	return nil
}

func (s *sqliteInserter) close() { s.stmt.Close() }

// sliceSource is a rowSource over rows in memory.
type sliceSource struct {
	rows [][]any
	idx  int
}

func (s *sliceSource) Next() bool             { s.idx++; return s.idx < len(s.rows) }
func (s *sliceSource) Values() ([]any, error) { return s.rows[s.idx], nil }
func (s *sliceSource) Err() error             { return nil }

// candidateColumns are the candidates' columns an import writes.
var candidateColumns = []string{"import_id", "exam_year", "source_row", "national_code_hash", "national_code_masked",
	"national_code_enc", "first_name", "last_name", "search_text", "gender", "birth_date", "exam_province", "score",
	"exam_rank", "result", "preferences", "state", "created_at", "updated_at", "score_max"}

// candidateSource hands the parser's batches to the writer as rows. When the
// parser stops with an error, Err reports it, so the COPY (or the insert
// loop) ends with it and nothing is committed.
type candidateSource struct {
	ctx      context.Context
	ch       <-chan []candidateRow
	free     chan<- []candidateRow
	done     <-chan struct{}
	parseErr *error
	importID int64
	examYear int
	now      time.Time
	fail     func(written int) error

	batch   []candidateRow
	i       int
	written int
	err     error
	vals    []any
}

func (s *candidateSource) Next() bool {
	if s.err != nil {
		return false
	}
	s.i++
	for s.i >= len(s.batch) {
		if s.batch != nil {
			select {
			case s.free <- s.batch:
			default:
			}
			s.batch = nil
		}
		if s.fail != nil {
			if err := s.fail(s.written); err != nil {
				s.err = err
				return false
			}
		}
		select {
		case b, ok := <-s.ch:
			if !ok {
				<-s.done
				s.err = *s.parseErr
				if s.err == nil {
					s.err = s.ctx.Err()
				}
				return false
			}
			s.batch, s.i = b, 0
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		}
	}
	s.written++
	return true
}

func (s *candidateSource) Values() ([]any, error) {
	candidateValues(&s.batch[s.i], s.importID, s.examYear, s.now, s.vals)
	return s.vals, nil
}

// candidateValues fills v with c's values in candidateColumns' order.
func candidateValues(c *candidateRow, importID int64, examYear int, now time.Time, v []any) {
	v[0], v[1], v[2] = importID, int64(examYear), int64(c.row)
	v[3], v[4], v[5] = c.hash, c.masked, c.enc
	v[6], v[7], v[8] = c.firstName, c.lastName, c.searchText
	v[9], v[10] = nullString(c.gender), nullString(c.birthDate)
	v[11], v[12] = c.province, c.score
	if c.rank > 0 {
		v[13] = c.rank
	} else {
		v[13] = nil
	}
	v[14], v[15] = c.result, c.preferences
	if c.result == ResultPassed {
		v[16] = StatePassed
	} else {
		v[16] = StateNotPassed
	}
	v[17], v[18] = now, now
	v[19] = c.scoreMax
}

func (s *candidateSource) Err() error { return s.err }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
