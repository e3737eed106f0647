// Package snapshots stores models that are expensive to compute and cheap
// to read, such as the demand model and the regional crowding figures, so
// that requests read them instead of computing them. A model is one row
// of model_snapshots per kind and key (its window and targets) holding the
// model (gzipped JSON), when it was computed and the fingerprint of the
// inputs it was computed from.
//
// A Model keeps the decoded copy in memory and serves it while the stored
// row has not changed (it reads the row's stamp at most once a second); a
// key with nothing stored yet is computed once, however many requests ask
// at the same moment (single flight), and stored. Refresh, run in the
// background by a scheduled job (once across replicas on PostgreSQL),
// recomputes the stored models whose inputs changed since: a request never
// waits for a recompute once its model exists.
package snapshots

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"golang.org/x/sync/singleflight"
)

// Stamp says what a stored model was computed from, and when.
type Stamp struct {
	Key string
	// InputsVersion fingerprints the inputs the model was computed from.
	InputsVersion string
	ComputedAt    time.Time
	// ComputeTime is how long computing it took.
	ComputeTime time.Duration
}

// Store is the table of stored models.
type Store struct {
	db    *db.DB
	clock daftar.Clock
	log   *slog.Logger
}

// NewStore returns the store.
func NewStore(d *db.DB, clock daftar.Clock, log *slog.Logger) (*Store, error) {
	if err := deps.Check("snapshots", "database", d, "clock", clock); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{db: d, clock: clock, log: log}, nil
}

func (s *Store) stamp(ctx context.Context, kind, key string) (Stamp, bool, error) {
	st := Stamp{Key: key}
	var ms int64
	found := false
	err := s.db.Query(ctx, "SELECT inputs_version, computed_at, compute_ms FROM model_snapshots WHERE kind = ? AND model_key = ?",
		[]any{kind, key}, func(scan func(...any) error) error {
			found = true
			return scan(&st.InputsVersion, &st.ComputedAt, &ms)
		})
	st.ComputeTime = time.Duration(ms) * time.Millisecond
	st.ComputedAt = st.ComputedAt.UTC()
	return st, found, err
}

func (s *Store) load(ctx context.Context, kind, key string) (Stamp, []byte, bool, error) {
	st := Stamp{Key: key}
	var ms int64
	var body []byte
	found := false
	err := s.db.Query(ctx, "SELECT inputs_version, computed_at, compute_ms, body FROM model_snapshots WHERE kind = ? AND model_key = ?",
		[]any{kind, key}, func(scan func(...any) error) error {
			found = true
			return scan(&st.InputsVersion, &st.ComputedAt, &ms, &body)
		})
	st.ComputeTime = time.Duration(ms) * time.Millisecond
	st.ComputedAt = st.ComputedAt.UTC()
	return st, body, found, err
}

// put stores a model (on the primary: a write).
func (s *Store) put(ctx context.Context, kind string, st Stamp, body []byte) error {
	now := s.clock.Now().UTC()
	_, err := s.db.Exec(ctx, `INSERT INTO model_snapshots (kind, model_key, inputs_version, computed_at, compute_ms, body, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, model_key) DO UPDATE SET inputs_version = excluded.inputs_version, computed_at = excluded.computed_at,
			compute_ms = excluded.compute_ms, body = excluded.body`,
		kind, st.Key, st.InputsVersion, st.ComputedAt.UTC(), st.ComputeTime.Milliseconds(), body, now)
	return err
}

func (s *Store) touch(ctx context.Context, kind, key string) error {
	_, err := s.db.Exec(ctx, "UPDATE model_snapshots SET read_at = ? WHERE kind = ? AND model_key = ?", s.clock.Now().UTC(), kind, key)
	return err
}

type keyInfo struct {
	key, version string
	readAt       time.Time
}

func (s *Store) keys(ctx context.Context, kind string) ([]keyInfo, error) {
	var out []keyInfo
	err := s.db.Query(ctx, "SELECT model_key, inputs_version, read_at FROM model_snapshots WHERE kind = ? ORDER BY model_key", []any{kind},
		func(scan func(...any) error) error {
			var k keyInfo
			if err := scan(&k.key, &k.version, &k.readAt); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	return out, err
}

func (s *Store) drop(ctx context.Context, kind, key string) error {
	_, err := s.db.Exec(ctx, "DELETE FROM model_snapshots WHERE kind = ? AND model_key = ?", kind, key)
	return err
}

// Spec says how to fingerprint and compute one kind of model.
type Spec[T any] struct {
	// Kind names the model in the table (demand, crowding_regions).
	Kind string
	// Version fingerprints the inputs of the model at key, cheaply: a
	// model is recomputed when it changes.
	Version func(ctx context.Context, key string) (string, error)
	// Compute computes the model at key.
	Compute func(ctx context.Context, key string) (T, error)
	// ComputeTimeout bounds one computation (default 5 minutes).
	ComputeTimeout time.Duration
}

// Model is one kind of stored model.
type Model[T any] struct {
	store *Store
	spec  Spec[T]
	// recheck is how long a copy in memory is served before the stored
	// row's stamp is read again; touchEvery how often a read is noted.
	recheck, touchEvery time.Duration

	mu    sync.Mutex
	cache map[string]*cached[T]
	group singleflight.Group
}

type cached[T any] struct {
	stamp   Stamp
	value   T
	checked time.Time // when the stored stamp was last compared
	touched time.Time // when read_at was last written
}

// NewModel returns the stored models of one kind.
func NewModel[T any](store *Store, spec Spec[T]) (*Model[T], error) {
	if store == nil || spec.Kind == "" || spec.Version == nil || spec.Compute == nil {
		return nil, errors.New("snapshots: a model needs a store, a kind, a version and a computation")
	}
	if spec.ComputeTimeout == 0 {
		spec.ComputeTimeout = 5 * time.Minute
	}
	return &Model[T]{store: store, spec: spec, recheck: time.Second, touchEvery: 10 * time.Minute, cache: map[string]*cached[T]{}}, nil
}

// Get returns the stored model at key and its stamp. The copy in memory
// is served while the stored row keeps its version; a newer row is read
// and decoded once. With nothing stored it computes the model once,
// however many callers ask at the same time, and stores it.
func (m *Model[T]) Get(ctx context.Context, key string) (T, Stamp, error) {
	now := m.store.clock.Now()
	m.mu.Lock()
	c := m.cache[key]
	if c != nil && now.Sub(c.checked) < m.recheck {
		v, st := c.value, c.stamp
		m.mu.Unlock()
		return v, st, nil
	}
	m.mu.Unlock()
	res, err, _ := m.group.Do("get\x00"+key, func() (any, error) { return m.fetch(ctx, key, c) })
	if err != nil {
		var zero T
		return zero, Stamp{}, err
	}
	e := res.(*cached[T])
	return e.value, e.stamp, nil
}

// fetch reads the stored row (its stamp first, the body only when it
// changed) or, with none, computes and stores the model.
func (m *Model[T]) fetch(ctx context.Context, key string, c *cached[T]) (*cached[T], error) {
	now := m.store.clock.Now()
	if c != nil {
		st, found, err := m.store.stamp(ctx, m.spec.Kind, key)
		if err != nil {
			return nil, err
		}
		if found && same(st, c.stamp) {
			return m.keep(ctx, key, c.stamp, c.value, now), nil
		}
	}
	st, body, found, err := m.store.load(ctx, m.spec.Kind, key)
	if err != nil {
		return nil, err
	}
	if found {
		v, err := decode[T](body)
		if err != nil {
			return nil, fmt.Errorf("snapshots: %s %s: %w", m.spec.Kind, key, err)
		}
		return m.keep(ctx, key, st, v, now), nil
	}
	// Nothing stored: the first request computes it, on a context of its
	// own, so that a caller giving up does not fail the others waiting.
	res, err, _ := m.group.Do("compute\x00"+key, func() (any, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.spec.ComputeTimeout)
		defer cancel()
		v, st, err := m.computeAndStore(cctx, key)
		return &cached[T]{stamp: st, value: v}, err
	})
	if err != nil {
		return nil, err
	}
	e := res.(*cached[T])
	return m.keep(ctx, key, e.stamp, e.value, now), nil
}

// same reports whether two stamps name the same stored model.
func same(a, b Stamp) bool {
	return a.Key == b.Key && a.InputsVersion == b.InputsVersion && a.ComputedAt.Equal(b.ComputedAt)
}

// keep puts a model in the memory cache, and notes now and then that it
// is read (keys nobody reads are dropped by Refresh).
func (m *Model[T]) keep(ctx context.Context, key string, st Stamp, v T, now time.Time) *cached[T] {
	m.mu.Lock()
	e := m.cache[key]
	if e == nil || !same(e.stamp, st) {
		e = &cached[T]{stamp: st, value: v, touched: now}
		m.cache[key] = e
	}
	e.checked = now
	touch := now.Sub(e.touched) >= m.touchEvery
	if touch {
		e.touched = now
	}
	out := *e
	m.mu.Unlock()
	if touch {
		if err := m.store.touch(ctx, m.spec.Kind, key); err != nil {
			m.store.log.WarnContext(ctx, "model read not noted", "kind", m.spec.Kind, "error", err)
		}
	}
	return &out
}

// computeAndStore computes the model at key and stores it with the
// version of its inputs read before computing (inputs that change during
// the computation give a new version, and the next refresh computes again).
func (m *Model[T]) computeAndStore(ctx context.Context, key string) (T, Stamp, error) {
	var zero T
	version, err := m.spec.Version(ctx, key)
	if err != nil {
		return zero, Stamp{}, fmt.Errorf("snapshots: %s %s: inputs: %w", m.spec.Kind, key, err)
	}
	began := time.Now()
	v, err := m.spec.Compute(ctx, key)
	if err != nil {
		return zero, Stamp{}, err
	}
	body, err := encode(v)
	if err != nil {
		return zero, Stamp{}, fmt.Errorf("snapshots: %s %s: %w", m.spec.Kind, key, err)
	}
	st := Stamp{Key: key, InputsVersion: version, ComputedAt: m.store.clock.Now().UTC().Truncate(time.Millisecond),
		ComputeTime: time.Since(began)}
	if err := m.store.put(ctx, m.spec.Kind, st, body); err != nil {
		return zero, Stamp{}, fmt.Errorf("snapshots: store %s %s: %w", m.spec.Kind, key, err)
	}
	// The copy in memory is the one just computed (a replica's copy of the
	// row may not have it yet).
	m.mu.Lock()
	m.cache[key] = &cached[T]{stamp: st, value: v, checked: m.store.clock.Now(), touched: m.store.clock.Now()}
	m.mu.Unlock()
	m.store.log.InfoContext(ctx, "model computed", "kind", m.spec.Kind, "key", key, "elapsed_ms", st.ComputeTime.Milliseconds())
	return v, st, nil
}

// MaxKeys is how many keys of one kind besides the defaults are kept up
// to date: beyond them the least recently read are dropped, so that
// asking for many windows cannot make every refresh recompute them all.
const MaxKeys = 32

// RefreshReport sums up a refresh.
type RefreshReport struct {
	Checked, Computed, Dropped int
}

// Refresh brings the stored models up to date: every key in want (the
// defaults, computed even when nothing is stored yet) and every key stored
// and read within idle is recomputed when the version of its inputs
// differs from the stored one; keys read longer ago are dropped, as are
// the least recently read beyond MaxKeys.
func (m *Model[T]) Refresh(ctx context.Context, want []string, idle time.Duration) (RefreshReport, error) {
	var rep RefreshReport
	// What is stored is read from the primary; the inputs, from wherever
	// ctx reads.
	stored, err := m.store.keys(db.Primary(ctx), m.spec.Kind)
	if err != nil {
		return rep, err
	}
	wanted := map[string]bool{}
	for _, k := range want {
		wanted[k] = true
	}
	// The most recently read first: those beyond MaxKeys are dropped.
	slices.SortStableFunc(stored, func(a, b keyInfo) int { return b.readAt.Compare(a.readAt) })
	now := m.store.clock.Now()
	have := map[string]string{}
	others := 0
	for _, k := range stored {
		if !wanted[k.key] {
			others++
		}
		if !wanted[k.key] && (now.Sub(k.readAt) > idle || others > MaxKeys) {
			if err := m.store.drop(ctx, m.spec.Kind, k.key); err != nil {
				return rep, err
			}
			m.mu.Lock()
			delete(m.cache, k.key)
			m.mu.Unlock()
			rep.Dropped++
			continue
		}
		have[k.key] = k.version
	}
	for _, k := range want {
		if _, ok := have[k]; !ok {
			have[k] = ""
		}
	}
	var errs []error
	for key, version := range have {
		rep.Checked++
		cur, err := m.spec.Version(ctx, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: inputs: %w", m.spec.Kind, key, err))
			continue
		}
		if cur == version {
			continue
		}
		// One computation of a key at a time in this process, shared with
		// a first request that may be computing it too.
		_, err, _ = m.group.Do("compute\x00"+key, func() (any, error) {
			_, _, err := m.computeAndStore(ctx, key)
			return nil, err
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep.Computed++
	}
	return rep, errors.Join(errs...)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decode[T any](body []byte) (T, error) {
	var v T
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return v, err
	}
	err = json.NewDecoder(zr).Decode(&v)
	if err == nil {
		_, err = io.Copy(io.Discard, zr) // reads the gzip trailer: a truncated body fails here
	}
	return v, err
}
