// Package audit appends hash-chained audit events in the same transaction as
// the change they record, and verifies the chain.
//
// Each event's hash is SHA-256 over the previous event's hash and the event's
// own canonical fields, so editing, inserting or deleting any event breaks
// every hash after it. Appends are serialised (an advisory transaction lock on
// PostgreSQL; SQLite has a single writer) so the chain never forks.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// genesis is the previous hash of the first event.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

const appendLockKey = 727002

// Event is one stored audit event.
type Event struct {
	ID         int64
	At         time.Time
	ActorID    *int64
	ActorName  string
	ActorRole  string
	Action     string
	Entity     string
	EntityID   string
	BeforeJSON *string
	AfterJSON  *string
	PrevHash   string
	Hash       string
}

// eventRow is an event as the audit_events table holds it.
type eventRow struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	At         time.Time `gorm:"column:at"`
	ActorID    *int64    `gorm:"column:actor_id"`
	ActorName  string    `gorm:"column:actor_name"`
	ActorRole  string    `gorm:"column:actor_role"`
	Action     string    `gorm:"column:action"`
	Entity     string    `gorm:"column:entity"`
	EntityID   string    `gorm:"column:entity_id"`
	BeforeJSON *string   `gorm:"column:before_json"`
	AfterJSON  *string   `gorm:"column:after_json"`
	PrevHash   string    `gorm:"column:prev_hash"`
	Hash       string    `gorm:"column:hash"`
}

func (eventRow) TableName() string { return "audit_events" }

// event is the row as an Event.
func (r eventRow) event() Event { return Event(r) }

// Log appends events.
type Log struct {
	dialect db.Dialect
	clock   daftar.Clock
}

// New returns a Log for the database's engine.
func New(d *db.DB, clock daftar.Clock) *Log { return &Log{dialect: d.Dialect, clock: clock} }

// Change describes one change to record.
type Change struct {
	Action   string // e.g. "office.create", "licence.suspend"
	Entity   string // e.g. "office"
	EntityID any
	Before   any // nil when created
	After    any // nil when deleted
}

// Record appends an event for the change inside tx; the actor comes from ctx
// (the system actor when there is none).
func (l *Log) Record(ctx context.Context, tx *db.Tx, c Change) error {
	actor, ok := daftar.ActorFrom(ctx)
	if !ok {
		actor = daftar.SystemActor("unknown")
	}
	ev := Event{
		At:        l.clock.Now().UTC().Truncate(time.Microsecond),
		ActorName: actor.Username,
		ActorRole: string(actor.Role),
		Action:    c.Action,
		Entity:    c.Entity,
		EntityID:  fmt.Sprint(c.EntityID),
	}
	if actor.UserID != 0 {
		id := actor.UserID
		ev.ActorID = &id
	}
	var err error
	if ev.BeforeJSON, err = encode(c.Before); err != nil {
		return err
	}
	if ev.AfterJSON, err = encode(c.After); err != nil {
		return err
	}
	if l.dialect == db.Postgres {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", appendLockKey); err != nil {
			return fmt.Errorf("audit: lock: %w", err)
		}
	}
	ev.PrevHash = genesis
	err = tx.Query(ctx, "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1", nil, func(scan func(...any) error) error {
		return scan(&ev.PrevHash)
	})
	if err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	ev.Hash = hashOf(ev)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_events (at, actor_id, actor_name, actor_role, action, entity, entity_id,
		before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.At, ev.ActorID, ev.ActorName, ev.ActorRole, ev.Action, ev.Entity, ev.EntityID, ev.BeforeJSON, ev.AfterJSON,
		ev.PrevHash, ev.Hash); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

func encode(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode: %w", err)
	}
	s := string(b)
	return &s, nil
}

// hashOf is SHA-256 over the previous hash and the event's fields, each
// length-prefixed so no two different events share an input.
func hashOf(ev Event) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	opt := func(p *string) {
		if p == nil {
			field("\x00null")
			return
		}
		field(*p)
	}
	field(ev.PrevHash)
	field(ev.At.UTC().Format(time.RFC3339Nano))
	if ev.ActorID != nil {
		field(strconv.FormatInt(*ev.ActorID, 10))
	} else {
		field("")
	}
	field(ev.ActorName)
	field(ev.ActorRole)
	field(ev.Action)
	field(ev.Entity)
	field(ev.EntityID)
	opt(ev.BeforeJSON)
	opt(ev.AfterJSON)
	return hex.EncodeToString(h.Sum(nil))
}

// Broken names the first event where the chain does not hold.
type Broken struct {
	EventID int64
	Reason  string
}

func (b *Broken) Error() string {
	return fmt.Sprintf("audit chain broken at event %d: %s", b.EventID, b.Reason)
}

// Verify walks the whole chain in order and returns the number of events
// checked, and a *Broken error naming the first event that fails.
func Verify(ctx context.Context, d *db.DB) (int, error) {
	prev := genesis
	var lastID int64
	n := 0
	for {
		var batch []eventRow
		if err := d.WithContext(ctx).Where("id > ?", lastID).Order("id").Limit(1000).Find(&batch).Error; err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		for _, row := range batch {
			ev := row.event()
			if ev.PrevHash != prev {
				return n, &Broken{ev.ID, "its previous hash does not match the event before it (an event was removed, inserted or reordered)"}
			}
			if hashOf(ev) != ev.Hash {
				return n, &Broken{ev.ID, "its content does not match its hash (the event was edited)"}
			}
			prev, lastID = ev.Hash, ev.ID
			n++
		}
	}
}

// Query filters the audit log for readers.
type Query struct {
	Entity, EntityID string
	// Action is one action ("licence.suspend"); Actor one actor's name.
	Action, Actor string
	Limit, Offset int
}

// List returns events newest first, with the total.
func List(ctx context.Context, d *db.DB, q Query) ([]Event, int64, error) {
	tx := d.WithContext(ctx).Model(&eventRow{})
	if q.Entity != "" {
		tx = tx.Where("entity = ?", q.Entity)
	}
	if q.EntityID != "" {
		tx = tx.Where("entity_id = ?", q.EntityID)
	}
	if q.Action != "" {
		tx = tx.Where("action = ?", q.Action)
	}
	if q.Actor != "" {
		tx = tx.Where("actor_name = ?", q.Actor)
	}
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []eventRow
	if err := tx.Order("id DESC").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, total, nil
}

// IsBroken reports whether err says the chain is broken.
func IsBroken(err error) (*Broken, bool) {
	var b *Broken
	ok := errors.As(err, &b)
	return b, ok
}
