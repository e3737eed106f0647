// Package db opens Daftar's database: embedded SQLite by default, PostgreSQL
// when a URL is given, both through gorm, with the per-engine settings each
// needs on every connection.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says which database to open and how to pool its connections.
type Config struct {
	// URL is a PostgreSQL URL (postgres://...). Empty means SQLite at SQLitePath.
	URL        string
	SQLitePath string
	// SQLiteBusyTimeout is how long a SQLite writer waits for the write
	// lock before failing as unavailable (0: 10s).
	SQLiteBusyTimeout time.Duration
	// Pool settings; zero values take the defaults below.
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// SlowQuery logs statements slower than this (0: 500ms).
	SlowQuery time.Duration
	// StatementTimeout bounds every statement on PostgreSQL (set on each
	// connection as statement_timeout), so a stuck query frees its
	// connection and its caller instead of holding both; 0 leaves the
	// server's setting. Bulk transactions (InBulkTx) lift it for their
	// own statements and are bounded by their context instead.
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening one PostgreSQL connection (0: 5s, or
	// connect_timeout in the URL).
	ConnectTimeout time.Duration
}

// DB is an open database.
type DB struct {
	Gorm    *gorm.DB
	SQL     *sql.DB
	Dialect Dialect
	// Where is a description safe to log (no password).
	Where string
}

// Open opens and checks the database described by cfg.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	slow := cfg.SlowQuery
	if slow == 0 {
		slow = 500 * time.Millisecond
	}
	gcfg := &gorm.Config{
		Logger:                 newGormLogger(log, slow),
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         false,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
	}
	var (
		dialector gorm.Dialector
		d         = &DB{}
	)
	if cfg.URL == "" {
		if cfg.SQLitePath == "" {
			return nil, errors.New("db: neither a PostgreSQL URL nor an SQLite path was given")
		}
		if cfg.SQLitePath != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(cfg.SQLitePath), 0o750); err != nil {
				return nil, fmt.Errorf("db: create data directory: %w", err)
			}
		}
		dialector = sqlite.Open(sqliteDSN(cfg.SQLitePath, cfg.SQLiteBusyTimeout))
		d.Dialect = SQLite
		d.Where = "sqlite:" + cfg.SQLitePath
	} else {
		d.Dialect = Postgres
		d.Where = RedactURL(cfg.URL)
		pgcfg, err := pgConnConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("db: %s: %w", d.Where, err)
		}
		dialector = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pgcfg)})
	}
	g, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", d.Where, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	applyPool(sqlDB, cfg, d.Dialect)
	d.Gorm, d.SQL = g, sqlDB
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", d.Where, err)
	}
	return d, nil
}

// sqliteDSN sets, on every connection the pool opens, the pragmas SQLite
// needs: WAL so readers never block the writer, a busy timeout so writers wait
// for each other instead of failing, foreign keys (off by default in SQLite),
// and IMMEDIATE transactions so a transaction takes the write lock when it
// begins (a deferred one that upgrades later can fail with SQLITE_BUSY
// regardless of the timeout). No _time_format: the driver's default is the
// same format, and setting it makes glebarez/go-sqlite v1.23 ignore _txlock.
func sqliteDSN(path string, busy time.Duration) string {
	if busy <= 0 {
		busy = 10 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	if path == ":memory:" {
		return "file::memory:?" + q.Encode()
	}
	return "file:" + path + "?" + q.Encode()
}

// pgConnConfig reads the URL and adds the per-connection settings: the
// statement timeout, and a bound on connecting so that a server that
// accepts TCP but never answers cannot hold a caller without a deadline.
func pgConnConfig(cfg Config) (*pgx.ConnConfig, error) {
	c, err := pgx.ParseConfig(cfg.URL)
	if err != nil {
		return nil, errors.New("unparsable PostgreSQL URL")
	}
	if cfg.StatementTimeout > 0 {
		c.RuntimeParams["statement_timeout"] = strconv.FormatInt(cfg.StatementTimeout.Milliseconds(), 10)
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = cfg.ConnectTimeout
		if c.ConnectTimeout == 0 {
			c.ConnectTimeout = 5 * time.Second
		}
	}
	return c, nil
}

func applyPool(s *sql.DB, cfg Config, d Dialect) {
	maxOpen, maxIdle := cfg.MaxOpenConns, cfg.MaxIdleConns
	if maxOpen == 0 {
		if d == SQLite {
			// SQLite has one writer; a few connections let readers run
			// beside it under WAL.
			maxOpen = 4
		} else {
			maxOpen = 20
		}
	}
	if maxIdle == 0 {
		maxIdle = maxOpen
	}
	s.SetMaxOpenConns(maxOpen)
	s.SetMaxIdleConns(maxIdle)
	life, idle := cfg.ConnMaxLifetime, cfg.ConnMaxIdleTime
	if life == 0 {
		life = time.Hour
	}
	if idle == 0 {
		idle = 10 * time.Minute
	}
	s.SetConnMaxLifetime(life)
	s.SetConnMaxIdleTime(idle)
}

// Close closes the pool.
func (d *DB) Close() error { return d.SQL.Close() }

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// WithContext returns a gorm session bound to ctx.
func (d *DB) WithContext(ctx context.Context) *gorm.DB { return d.Gorm.WithContext(ctx) }

// Tx runs fn in a transaction bound to ctx; an error or panic rolls it back.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.Gorm.WithContext(ctx).Transaction(fn)
}

// RedactURL hides the password of a database URL for logs.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://(unparsable url)"
	}
	return u.Redacted()
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// IsSerializationFailure reports a PostgreSQL serialization failure or
// deadlock, or SQLite's busy error: the transaction may be retried.
func IsSerializationFailure(err error) bool {
	if err == nil {
		return false
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		return s == "40001" || s == "40P01"
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(l *slog.Logger, slow time.Duration) logger.Interface {
	return &gormLogger{log: l, slow: slow}
}

func (g *gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (g *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (g *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// Trace logs slow statements and unexpected errors. The SQL text is logged
// without its bound values, so national codes and secrets never reach a log.
func (g *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled) {
		sqlText, _ := fc()
		g.log.DebugContext(ctx, "sql error", "elapsed_ms", elapsed.Milliseconds(), "sql", firstLine(sqlText), "error", err.Error())
		return
	}
	if elapsed > g.slow {
		sqlText, rows := fc()
		g.log.WarnContext(ctx, "slow sql", "elapsed_ms", elapsed.Milliseconds(), "rows", rows, "sql", firstLine(sqlText))
	}
}

// firstLine trims a statement to its start: gorm's explain text inlines bound
// values, so only the shape of the statement is kept.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\n'"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}
