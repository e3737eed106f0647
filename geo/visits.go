package geo

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Visits records the citizens served at the offices, in batches sent by
// each office's queue system (POST /api/v1/offices/{id}/visits) or loaded
// from CSV files (daftar import visits), and keeps the crowding rollups in
// step in the same transaction.
type Visits struct {
	db    *db.DB
	clock daftar.Clock
	cat   *Catalogue
	cfg   VisitsConfig
	log   *slog.Logger

	mu      sync.RWMutex
	inviter SurveyInviter
}

// VisitsConfig bounds what a batch may hold.
type VisitsConfig struct {
	// MaxBatch is the most visits one request may carry (default 1000).
	MaxBatch int
	// Skew is how far in the future a time may lie, for clocks that run
	// fast (default 5 minutes).
	Skew time.Duration
	// MaxAge is how old an arrival may be (default 400 days; negative: no
	// limit).
	MaxAge time.Duration
	// MaxDuration is the longest a visit may last from arrival to finish
	// (default 16 hours).
	MaxDuration time.Duration
}

func (c VisitsConfig) withDefaults() VisitsConfig {
	if c.MaxBatch == 0 {
		c.MaxBatch = 1000
	}
	if c.Skew == 0 {
		c.Skew = 5 * time.Minute
	}
	if c.MaxAge == 0 {
		c.MaxAge = 400 * 24 * time.Hour
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = 16 * time.Hour
	}
	return c
}

// SurveyInviter is the hook through which the surveys (a later issue) hand
// each citizen served a link to the survey of their visit. It runs inside
// the batch's transaction with the visits just accepted whose outcome is
// served, and returns the link of each visit by id (visits without one get
// none). A failure rolls the whole batch back.
type SurveyInviter interface {
	Invite(ctx context.Context, tx *db.Tx, officeID int64, visits []Visit) (map[int64]string, error)
}

// NewVisits returns the visits service.
func NewVisits(d *db.DB, clock daftar.Clock, cat *Catalogue, log *slog.Logger, cfg VisitsConfig) *Visits {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Visits{db: d, clock: clock, cat: cat, cfg: cfg.withDefaults(), log: log}
}

// Config returns the effective configuration.
func (v *Visits) Config() VisitsConfig { return v.cfg }

// SetInviter installs the survey hook (nil removes it).
func (v *Visits) SetInviter(i SurveyInviter) {
	v.mu.Lock()
	v.inviter = i
	v.mu.Unlock()
}

// VisitInput is one visit as received, every field as text ("" when
// absent), so the API and the CSV import share one validation.
type VisitInput struct {
	Ticket     string
	Service    string
	ArrivedAt  string
	CalledAt   string
	FinishedAt string
	Outcome    string
	Counter    string
	Channel    string
	Mobile     string
	// Problems found while decoding (a field of the wrong type): the
	// visit is refused with them.
	Problems daftar.FieldErrors
}

// Visit is one stored visit. Times are Unix seconds (UTC), 0 when absent.
type Visit struct {
	ID         int64
	OfficeID   int64
	Ticket     string
	Service    string
	Arrived    int64
	Called     int64
	Finished   int64
	Outcome    string
	Counter    int
	Channel    string
	Mobile     string // never logged
	RecordedAt int64
}

// Item statuses of a batch answer.
const (
	VisitAccepted  = "accepted"
	VisitDuplicate = "duplicate"
	VisitRefused   = "refused"
)

// ItemResult is the fate of one visit of a batch.
type ItemResult struct {
	Index     int
	Ticket    string
	Status    string
	Reason    string
	Errors    []daftar.FieldError
	SurveyURL *string
	VisitID   int64
}

// BatchResult answers a batch.
type BatchResult struct {
	Accepted, Duplicates, Refused int
	Items                         []ItemResult
}

// officeRules is what validation needs of the office.
type officeRules struct {
	ID       int64
	Status   string
	Counters int
	services map[string]bool
}

// visitRules validates visits against one moment and one office.
type visitRules struct {
	now, skew, maxAge, maxDur int64 // seconds; maxAge < 0: none
	cat                       *Catalogue
}

func (v *Visits) rules() visitRules {
	r := visitRules{now: v.clock.Now().Unix(), skew: int64(v.cfg.Skew / time.Second),
		maxAge: int64(v.cfg.MaxAge / time.Second), maxDur: int64(v.cfg.MaxDuration / time.Second), cat: v.cat}
	if v.cfg.MaxAge < 0 {
		r.maxAge = -1
	}
	return r
}

// NormalizeTicket is the canonical form of a ticket reference: digits made
// ASCII, spaces around removed.
func NormalizeTicket(s string) string { return strings.TrimSpace(daftar.NormalizeDigits(s)) }

// ParseVisitTime reads a visit time: RFC 3339 with a zone
// ("2026-11-22T09:30:00+03:30", "...Z"), or a date and time without a zone
// ("2026-11-22 09:30" or with seconds, also with a T), read as Tehran time.
// Persian and Arabic-Indic digits are accepted; fractions of a second are
// dropped.
func ParseVisitTime(s string) (int64, bool) {
	s = strings.TrimSpace(daftar.NormalizeDigits(s))
	if s == "" {
		return 0, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Unix(), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, daftar.Tehran()); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// NormalizeMobile reads an Iranian mobile number (09121234567,
// +98 912 123 4567, 00989121234567, 9121234567, Persian digits) and returns
// it as 09XXXXXXXXX.
func NormalizeMobile(s string) (string, bool) {
	s = daftar.NormalizeDigits(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0098"):
		d = "0" + d[4:]
	case strings.HasPrefix(d, "98") && len(d) == 12:
		d = "0" + d[2:]
	case strings.HasPrefix(d, "9") && len(d) == 10:
		d = "0" + d
	}
	if len(d) != 11 || !strings.HasPrefix(d, "09") {
		return "", false
	}
	return d, true
}

func validTicket(t string) string {
	if t == "" {
		return "is required"
	}
	if utf8.RuneCountInString(t) > 64 {
		return "must be at most 64 characters"
	}
	for _, r := range t {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return "must have no spaces or control characters"
		}
	}
	return ""
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// check validates one visit for the office; the visit is returned with its
// fields normalised.
func (r *visitRules) check(in VisitInput, off *officeRules) (Visit, daftar.FieldErrors) {
	fe := append(daftar.FieldErrors(nil), in.Problems...)
	v := Visit{OfficeID: off.ID, RecordedAt: r.now}
	v.Ticket = NormalizeTicket(in.Ticket)
	if len(in.Problems) > 0 {
		return v, fe
	}
	if msg := validTicket(v.Ticket); msg != "" {
		code := "invalid"
		if v.Ticket == "" {
			code = "required"
		}
		fe.Add("ticket", code, msg)
	}
	v.Service = strings.TrimSpace(in.Service)
	switch {
	case v.Service == "":
		fe.Add("service", "required", "is required")
	case r.cat != nil:
		if _, ok := r.cat.Get(v.Service); !ok {
			fe.Add("service", "unknown", fmt.Sprintf("%q is not a service code of the catalogue", truncate(v.Service, 40)))
		} else if !off.services[v.Service] {
			fe.Add("service", "not_offered", fmt.Sprintf("the office does not offer %s", v.Service))
		}
	}
	timeField := func(name, raw string, required bool) int64 {
		if strings.TrimSpace(raw) == "" {
			if required {
				fe.Add(name, "required", "is required")
			}
			return 0
		}
		t, ok := ParseVisitTime(raw)
		if !ok {
			fe.Add(name, "invalid", "must be an RFC 3339 time such as 2026-11-22T09:30:00+03:30 (or 2026-11-22 09:30 in Tehran time)")
			return 0
		}
		if t > r.now+r.skew {
			fe.Add(name, "in_future", "lies in the future")
			return 0
		}
		if t <= 0 {
			fe.Add(name, "invalid", "is before 1970")
			return 0
		}
		return t
	}
	v.Arrived = timeField("arrived_at", in.ArrivedAt, true)
	if v.Arrived > 0 && r.maxAge >= 0 && v.Arrived < r.now-r.maxAge {
		fe.Add("arrived_at", "too_old", fmt.Sprintf("is more than %d days ago", r.maxAge/86400))
	}
	v.Outcome = strings.TrimSpace(in.Outcome)
	seen := v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred
	switch {
	case v.Outcome == "":
		fe.Add("outcome", "required", "is required")
	case !contains(Outcomes, v.Outcome):
		fe.Add("outcome", "invalid", "must be served, no_show, cancelled or referred")
	}
	v.Called = timeField("called_at", in.CalledAt, seen)
	v.Finished = timeField("finished_at", in.FinishedAt, seen)
	if v.Arrived > 0 && v.Called > 0 && v.Called < v.Arrived {
		fe.Add("called_at", "before_arrival", "is before arrived_at")
	}
	if v.Finished > 0 {
		switch {
		case v.Called > 0 && v.Finished < v.Called:
			fe.Add("finished_at", "before_call", "is before called_at")
		case v.Arrived > 0 && v.Finished < v.Arrived:
			fe.Add("finished_at", "before_arrival", "is before arrived_at")
		case v.Arrived > 0 && v.Finished-v.Arrived > r.maxDur:
			fe.Add("finished_at", "too_long", fmt.Sprintf("the visit lasts more than %d hours", r.maxDur/3600))
		}
	}
	if v.Called > 0 && v.Arrived > 0 && v.Finished == 0 && v.Called-v.Arrived > r.maxDur {
		fe.Add("called_at", "too_long", fmt.Sprintf("the wait lasts more than %d hours", r.maxDur/3600))
	}
	if c := strings.TrimSpace(daftar.NormalizeDigits(in.Counter)); c != "" {
		n, err := daftar.ParseInt(c)
		switch {
		case err != nil:
			fe.Add("counter", "invalid", "must be a whole number")
		case n < 1 || n > int64(off.Counters):
			fe.Add("counter", "out_of_range", fmt.Sprintf("must be between 1 and %d, the office's counters", off.Counters))
		default:
			v.Counter = int(n)
		}
	} else if seen {
		fe.Add("counter", "required", "is required for a served or referred visit")
	}
	v.Channel = strings.TrimSpace(in.Channel)
	if v.Channel == "" {
		v.Channel = ChannelWalkIn
	} else if !contains(Channels, v.Channel) {
		fe.Add("channel", "invalid", "must be walk_in or appointment")
	}
	if m := strings.TrimSpace(in.Mobile); m != "" {
		if norm, ok := NormalizeMobile(m); ok {
			v.Mobile = norm
		} else {
			fe.Add("mobile", "invalid", "must be an Iranian mobile number such as 09121234567")
		}
	}
	return v, fe
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func reasonOf(fe daftar.FieldErrors) string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + " " + f.Message
	}
	return strings.Join(parts, "; ")
}

// loadOfficeRules reads the office's status, counters and services in tx.
func loadOfficeRules(ctx context.Context, r runner, id int64) (*officeRules, error) {
	off := &officeRules{ID: id, services: map[string]bool{}}
	found := false
	err := r.query(ctx, "SELECT status, counters FROM offices WHERE id = ?", []any{id}, func(scan func(...any) error) error {
		found = true
		return scan(&off.Status, &off.Counters)
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, daftar.NotFound("office_not_found", "no such office")
	}
	err = r.query(ctx, "SELECT service_code FROM office_services WHERE office_id = ?", []any{id}, func(scan func(...any) error) error {
		var s string
		if err := scan(&s); err != nil {
			return err
		}
		off.services[s] = true
		return nil
	})
	return off, err
}

// visitCols are the columns written for a visit, in order.
var visitCols = []string{"office_id", "ticket", "service_code", "arrived_at", "called_at", "finished_at",
	"outcome", "counter", "channel", "mobile", "recorded_at"}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (v *Visit) values() []any { return v.appendValues(make([]any, 0, len(visitCols))) }

// appendValues appends the values of visitCols.
func (v *Visit) appendValues(b []any) []any {
	var counter any
	if v.Counter > 0 {
		counter = int64(v.Counter)
	}
	return append(b, v.OfficeID, v.Ticket, v.Service, v.Arrived, nullInt(v.Called), nullInt(v.Finished),
		v.Outcome, counter, v.Channel, nullStr(v.Mobile), v.RecordedAt)
}

// ErrOfficeNotServing is the code of a batch refused because of the
// office's status.
const ErrOfficeNotServing = "office_not_serving"

// Record stores a batch of visits of one office. Each visit is accepted,
// reported as a duplicate (its ticket is already stored, or repeated earlier
// in the batch: nothing changes) or refused with the reason. A batch for an
// office that is not active (pending, suspended, closed) is refused as a
// whole with a conflict. The rollups of the days touched are rebuilt in the
// same transaction, under the office's lock, so two racing batches are
// serialised and every ticket is accepted exactly once.
func (v *Visits) Record(ctx context.Context, officeID int64, items []VisitInput) (BatchResult, error) {
	if len(items) == 0 {
		return BatchResult{}, daftar.Invalid("empty_batch", "the batch has no visits",
			daftar.Field("visits", "required", "must hold at least one visit"))
	}
	if len(items) > v.cfg.MaxBatch {
		return BatchResult{}, daftar.TooLarge("batch_too_large",
			fmt.Sprintf("a batch holds at most %d visits; this one has %d", v.cfg.MaxBatch, len(items))).With("max_batch", v.cfg.MaxBatch)
	}
	v.mu.RLock()
	inviter := v.inviter
	v.mu.RUnlock()
	var res BatchResult
	err := v.db.Tx(ctx, func(tx *gorm.DB) error {
		res = BatchResult{Items: make([]ItemResult, len(items))}
		r := newGormRunner(tx, v.db.Dialect)
		if err := lockOffices(ctx, r, v.db.Dialect, []int64{officeID}); err != nil {
			return err
		}
		off, err := loadOfficeRules(ctx, r, officeID)
		if err != nil {
			return err
		}
		if off.Status != OfficeActive {
			return daftar.Conflict(ErrOfficeNotServing, fmt.Sprintf("the office is %s: it records no visits", off.Status)).With("status", off.Status)
		}
		rules := v.rules()
		var (
			valid   []Visit
			index   []int // item index of each valid visit
			inBatch = map[string]int{}
		)
		for i, in := range items {
			vis, fe := rules.check(in, off)
			it := &res.Items[i]
			it.Index, it.Ticket = i, vis.Ticket
			if it.Ticket == "" {
				it.Ticket = truncate(in.Ticket, 64)
			}
			if len(fe) > 0 {
				it.Status, it.Reason, it.Errors = VisitRefused, reasonOf(fe), fe
				continue
			}
			if first, dup := inBatch[vis.Ticket]; dup {
				it.Status, it.Reason = VisitDuplicate, fmt.Sprintf("repeats the ticket of visit %d of this batch", first)
				continue
			}
			inBatch[vis.Ticket] = i
			valid = append(valid, vis)
			index = append(index, i)
		}
		ids, err := insertVisits(ctx, r, valid)
		if err != nil {
			return err
		}
		var days []int64
		var served []Visit
		for k := range valid {
			it := &res.Items[index[k]]
			id, ok := ids[visitKey{officeID, valid[k].Ticket}]
			if !ok {
				it.Status, it.Reason = VisitDuplicate, "this ticket is already recorded"
				continue
			}
			it.Status, it.VisitID = VisitAccepted, id
			valid[k].ID = id
			days = append(days, daftar.DayStart(valid[k].Arrived))
			if valid[k].Outcome == OutcomeServed {
				served = append(served, valid[k])
			}
		}
		if len(days) > 0 {
			if err := rebuildAll(ctx, r, map[int64][]int64{officeID: days}); err != nil {
				return err
			}
		}
		if inviter != nil && len(served) > 0 {
			links, err := inviter.Invite(ctx, db.Wrap(tx), officeID, served)
			if err != nil {
				return fmt.Errorf("survey invitations: %w", err)
			}
			for k := range valid {
				if u, ok := links[valid[k].ID]; ok && valid[k].ID != 0 {
					res.Items[index[k]].SurveyURL = &u
				}
			}
		}
		return nil
	})
	if err != nil {
		return BatchResult{}, err
	}
	for _, it := range res.Items {
		switch it.Status {
		case VisitAccepted:
			res.Accepted++
		case VisitDuplicate:
			res.Duplicates++
		default:
			res.Refused++
		}
	}
	v.log.InfoContext(ctx, "visits recorded", "office_id", officeID, "accepted", res.Accepted, "duplicates", res.Duplicates, "refused", res.Refused)
	return res, nil
}

// visitKey identifies a visit: the office's own ticket reference.
type visitKey struct {
	office int64
	ticket string
}

// insertVisits writes visits, skipping tickets already stored, and returns
// the id of each one written.
func insertVisits(ctx context.Context, r runner, list []Visit) (map[visitKey]int64, error) {
	out := make(map[visitKey]int64, len(list))
	collect := func(scan func(...any) error) error {
		var id int64
		var k visitKey
		if err := scan(&id, &k.office, &k.ticket); err != nil {
			return err
		}
		out[k] = id
		return nil
	}
	const returning = " ON CONFLICT (office_id, ticket) DO NOTHING RETURNING id, office_id, ticket"
	if g, ok := r.(gormRunner); ok && g.sqlite && len(list) > 200 {
		rows := make([][]any, len(list))
		for i := range list {
			rows[i] = list[i].values()
		}
		err := db.SQLiteBulk(ctx, "visits", visitCols, rows, returning, func(ctx context.Context, q string, args []any) error {
			return g.rawQuery(ctx, q, args, collect)
		})
		if err != nil {
			return nil, fmt.Errorf("insert visits: %w", err)
		}
		return out, nil
	}
	per := 30000 / len(visitCols)
	tuple := "(" + placeholders(len(visitCols)) + ")"
	for start := 0; start < len(list); start += per {
		chunk := list[start:min(len(list), start+per)]
		var sb strings.Builder
		sb.WriteString("INSERT INTO visits (" + strings.Join(visitCols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(visitCols))
		for i := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, chunk[i].values()...)
		}
		sb.WriteString(returning)
		err := r.query(ctx, sb.String(), args, collect)
		if err != nil {
			return nil, fmt.Errorf("insert visits: %w", err)
		}
	}
	return out, nil
}
