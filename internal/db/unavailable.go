package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/daftar-ir/daftar"
	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says the database could not do the work
// right now, for reasons that have nothing to do with the request: it
// refuses connections, dropped one, is shutting down or starting up, took
// longer than the statement timeout or the caller's deadline, or (SQLite)
// stayed locked past the busy timeout. Such a failure is worth retrying
// later, so callers answer 503 rather than 500.
//
// This is the one place that knows what each engine and driver says in
// these cases.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		// The caller gave up (client gone, shutdown): not the database's doing.
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return unavailableState(pg.Code)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	msg := err.Error()
	for _, s := range unavailableMessages {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// unavailableState is true for the SQLSTATEs that mean the server, not the
// statement, is the trouble.
func unavailableState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case code == "57P01", // admin_shutdown: the server is stopping
		code == "57P02", // crash_shutdown
		code == "57P03", // cannot_connect_now: starting up or in recovery
		code == "57P05", // idle_session_timeout
		code == "57014", // query_canceled: the statement timeout
		code == "55P03", // lock_not_available: lock_timeout
		code == "53300", // too_many_connections
		code == "53000", // insufficient_resources
		code == "25P03": // idle_in_transaction_session_timeout
		return true
	}
	return false
}

// unavailableMessages are what the drivers say when there is no typed error
// to look at: database/sql after Close, pgx on a dead connection, SQLite
// when the busy timeout ran out.
var unavailableMessages = []string{
	"sql: database is closed",
	"conn closed",
	"unexpected EOF",
	"connection reset by peer",
	"broken pipe",
	"connection refused",
	"SQLITE_BUSY",
	"database is locked",
	"database table is locked",
}

// Classify turns a failure that Unavailable recognises, and that is not
// already classified, into a daftar.KindUnavailable error wrapping it; any
// other error is returned as it is. The API answers the result with 503 and
// Retry-After; the cause is logged, never shown.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if de, ok := daftar.AsError(err); ok && de.Kind != daftar.KindInternal {
		return err
	}
	if !Unavailable(err) {
		return err
	}
	e := daftar.Unavailable("database_unavailable", "the database is not answering; try again shortly")
	e.Err = err
	return e
}
