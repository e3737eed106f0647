package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Read replicas (PostgreSQL). With Config.ReplicaURLs the database keeps a
// pool per streaming replica beside the primary's. Work marked read-only
// (ReadOnly: reports, the stored models, lists) reads from a replica;
// everything else, every write, every transaction and every read of a
// context marked Primary (read-your-own-writes) goes to the primary. gorm
// statements are routed by gorm.io/plugin/dbresolver under a resolver of
// their own that only a read-only context selects, so nothing reaches a
// replica by default; raw pgx reads (DB.Query) pick the replica themselves.
//
// A monitor reads every replica's lag behind the primary every
// ReplicaCheck: the WAL it has yet to replay, and the time since the last
// transaction it replayed when it is behind. A replica that is unreachable,
// not a standby, or lags more than MaxReplicaLag is left out of reads until
// it catches up; with none left, reads go to the primary.

// replicaResolver names the dbresolver resolver of read-only work.
const replicaResolver = "daftar:replicas"

type ctxKey int

const (
	readOnlyKey ctxKey = iota
	primaryKey
)

// ReadOnly marks ctx as read-only work that may read from a replica, a
// little behind the primary.
func ReadOnly(ctx context.Context) context.Context { return context.WithValue(ctx, readOnlyKey, true) }

// Primary marks ctx as needing the primary's data (the caller has just
// written), even where ReadOnly marked it: it wins over ReadOnly.
func Primary(ctx context.Context) context.Context { return context.WithValue(ctx, primaryKey, true) }

// IsReadOnly reports whether ctx's reads may go to a replica.
func IsReadOnly(ctx context.Context) bool {
	ro, _ := ctx.Value(readOnlyKey).(bool)
	p, _ := ctx.Value(primaryKey).(bool)
	return ro && !p
}

// ReplicaState is what /readyz shows of a replica.
type ReplicaState struct {
	// Name is the replica's address, without a password.
	Name string `json:"name"`
	// InUse says reads go to it.
	InUse bool `json:"in_use"`
	// LagSeconds is how far its data is behind the primary's (0 when it
	// has replayed everything the primary had written at the check);
	// LagBytes the WAL it had yet to replay.
	LagSeconds float64 `json:"lag_seconds"`
	LagBytes   int64   `json:"lag_bytes"`
	// Error says why it is out of use, if it is.
	Error     string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

type replica struct {
	name string
	pool *sql.DB

	mu    sync.Mutex
	state ReplicaState
}

type replicaSet struct {
	primary *sql.DB
	list    []*replica
	maxLag  time.Duration
	next    atomic.Uint64
	reads   atomic.Int64 // statements sent to a replica
	log     *slog.Logger
	stop    chan struct{}
	done    chan struct{}
}

// openReplicas opens the replicas' pools, registers the resolver and
// starts the lag monitor.
func (d *DB) openReplicas(ctx context.Context, cfg Config, log *slog.Logger) error {
	if d.Dialect != Postgres {
		return errors.New("db: read replicas need PostgreSQL")
	}
	rs := &replicaSet{primary: d.SQL, maxLag: cfg.MaxReplicaLag, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	if rs.maxLag <= 0 {
		rs.maxLag = 10 * time.Second
	}
	var dialectors []gorm.Dialector
	for i, u := range cfg.ReplicaURLs {
		pc, err := pgx.ParseConfig(u)
		if err != nil {
			rs.closePools()
			return fmt.Errorf("db: replica %d: %w", i+1, err)
		}
		pool := stdlib.OpenDB(*pc)
		applyPool(pool, cfg, Postgres)
		r := &replica{name: RedactURL(u), pool: pool}
		r.state = ReplicaState{Name: r.name, Error: "not checked yet"}
		rs.list = append(rs.list, r)
		dialectors = append(dialectors, postgres.New(postgres.Config{Conn: pool}))
	}
	// The primary is the last of the resolver's pools: the policy falls
	// back to it when no replica may be read.
	dialectors = append(dialectors, postgres.New(postgres.Config{Conn: d.SQL}))
	err := d.Gorm.Use(dbresolver.Register(dbresolver.Config{
		Replicas: dialectors,
		Policy:   dbresolver.PolicyFunc(func(pools []gorm.ConnPool) gorm.ConnPool { return rs.pickPool(pools) }),
	}, replicaResolver))
	if err != nil {
		rs.closePools()
		return fmt.Errorf("db: replicas: %w", err)
	}
	d.replicas = rs
	rs.checkAll(ctx)
	every := cfg.ReplicaCheck
	if every <= 0 {
		every = 2 * time.Second
	}
	go rs.monitor(every)
	return nil
}

func (rs *replicaSet) closePools() {
	for _, r := range rs.list {
		r.pool.Close()
	}
}

func (rs *replicaSet) close() {
	close(rs.stop)
	<-rs.done
	rs.closePools()
}

// pick returns the pool of a replica in use, round robin, or nil.
func (rs *replicaSet) pick() *sql.DB {
	n := len(rs.list)
	start := rs.next.Add(1)
	for i := range n {
		r := rs.list[(int(start)+i)%n]
		r.mu.Lock()
		ok := r.state.InUse
		r.mu.Unlock()
		if ok {
			rs.reads.Add(1)
			return r.pool
		}
	}
	return nil
}

// pickPool is the resolver's policy: a replica in use, else the primary.
func (rs *replicaSet) pickPool(pools []gorm.ConnPool) gorm.ConnPool {
	if p := rs.pick(); p != nil {
		for _, c := range pools {
			if c == gorm.ConnPool(p) {
				return c
			}
		}
	}
	for _, c := range pools {
		if c == gorm.ConnPool(rs.primary) {
			return c
		}
	}
	return pools[len(pools)-1]
}

func (rs *replicaSet) monitor(every time.Duration) {
	defer close(rs.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-rs.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), max(every, time.Second))
			rs.checkAll(ctx)
			cancel()
		}
	}
}

// checkAll reads the primary's WAL position, then each replica's.
func (rs *replicaSet) checkAll(ctx context.Context) {
	var lsn string
	perr := rs.primary.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&lsn)
	primaryAt, lerr := parseLSN(lsn)
	for _, r := range rs.list {
		st := ReplicaState{Name: r.name, CheckedAt: time.Now().UTC()}
		switch {
		case perr != nil:
			// Without the primary nothing can be compared; reads through
			// the replicas keep going as they were.
			r.mu.Lock()
			st = r.state
			r.mu.Unlock()
			st.CheckedAt = time.Now().UTC()
		case lerr != nil:
			st.Error = "primary WAL position unreadable: " + lerr.Error()
		default:
			rs.measure(ctx, r, primaryAt, &st)
		}
		r.mu.Lock()
		was := r.state.InUse
		r.state = st
		r.mu.Unlock()
		if was != st.InUse {
			if st.InUse {
				rs.log.Info("read replica in use", "replica", r.name, "lag_seconds", st.LagSeconds)
			} else {
				rs.log.Warn("read replica left out of reads", "replica", r.name, "reason", st.Error)
			}
		}
	}
}

// measure fills st with r's lag behind the primary at primaryAt.
func (rs *replicaSet) measure(ctx context.Context, r *replica, primaryAt uint64, st *ReplicaState) {
	var standby bool
	var replayed *string
	var sinceReplay *float64
	err := r.pool.QueryRowContext(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
		EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8`).Scan(&standby, &replayed, &sinceReplay)
	switch {
	case err != nil:
		st.Error = "unreachable: " + firstLine(err.Error())
		return
	case !standby:
		st.Error = "not a standby (promoted, or not a replica): it is never read"
		return
	case replayed == nil:
		st.Error = "has replayed nothing yet"
		return
	}
	at, err := parseLSN(*replayed)
	if err != nil {
		st.Error = "WAL position unreadable: " + err.Error()
		return
	}
	if at < primaryAt {
		st.LagBytes = int64(primaryAt - at)
		if sinceReplay == nil {
			st.Error = "behind the primary and has replayed no transaction yet"
			return
		}
		st.LagSeconds = max(*sinceReplay, 0)
	}
	if lag := time.Duration(st.LagSeconds * float64(time.Second)); lag > rs.maxLag {
		st.Error = fmt.Sprintf("lags %s behind the primary, more than the %s allowed", lag.Round(time.Millisecond), rs.maxLag)
		return
	}
	st.InUse = true
}

// parseLSN reads a PostgreSQL WAL position (16/B374D848) as a number.
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad WAL position %q", s)
	}
	return h<<32 | l, nil
}

// Replicas returns the state of every read replica (none without them).
func (d *DB) Replicas() []ReplicaState {
	if d.replicas == nil {
		return nil
	}
	out := make([]ReplicaState, len(d.replicas.list))
	for i, r := range d.replicas.list {
		r.mu.Lock()
		out[i] = r.state
		r.mu.Unlock()
	}
	return out
}

// CheckReplicas measures the replicas' lag now, instead of at the next
// check.
func (d *DB) CheckReplicas(ctx context.Context) {
	if d.replicas != nil {
		d.replicas.checkAll(ctx)
	}
}

// readPool is the pool ctx reads from: a replica in use for read-only
// work, else the primary.
func (d *DB) readPool(ctx context.Context) *sql.DB {
	if d.replicas != nil && IsReadOnly(ctx) {
		if p := d.replicas.pick(); p != nil {
			return p
		}
	}
	return d.SQL
}

// HasReplicas reports whether read replicas are configured.
func (d *DB) HasReplicas() bool { return d.replicas != nil }

// ReplicaReads counts the statements sent to a replica so far.
func (d *DB) ReplicaReads() int64 {
	if d.replicas == nil {
		return 0
	}
	return d.replicas.reads.Load()
}
