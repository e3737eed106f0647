package licensing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"gorm.io/gorm"
)

// Licences. A licence is issued from a closed round's allocation, or singly
// by an admin against a round's unfilled quota; either way it takes a seat
// of the round's quota for its city in the same transaction (a guarded
// UPDATE, so concurrent issuing never exceeds a quota) and the next number
// of its province and year from a counter row locked by that transaction
// (so numbers are unique and gap-free: a transaction that fails takes its
// number back with it). Its lifecycle:
//
//	issued ──activate──► active ──suspend──► suspended ──reinstate──► active
//	issued | active | suspended ──revoke──► revoked (final)
//	issued | active | suspended ──(validity ends: job)──► expired
//	issued | active | suspended | expired ──renew──► validity extended (an expired one returns to its state before expiry)
//
// Activation opens the office: inside the licence's city and at least the
// minimum distance from every active office. Suspension, reinstatement and
// revocation suspend, reopen and close it; expiry suspends it. Every step
// has a reason, is kept in licence_events (the ranking reads suspensions
// from there) and is audited in its transaction.

// Licence states.
const (
	LicenceIssued    = "issued"
	LicenceActive    = "active"
	LicenceSuspended = "suspended"
	LicenceRevoked   = "revoked"
	LicenceExpired   = "expired"
)

// LicenceStates lists every state.
var LicenceStates = []string{LicenceIssued, LicenceActive, LicenceSuspended, LicenceRevoked, LicenceExpired}

// Lifecycle actions (expire is the job's, not an API action).
const (
	ActionActivate  = "activate"
	ActionSuspend   = "suspend"
	ActionReinstate = "reinstate"
	ActionRevoke    = "revoke"
	ActionRenew     = "renew"
	actionExpire    = "expire"
)

// LicenceActions are the actions of POST /licences/{id}/{action}.
var LicenceActions = []string{ActionActivate, ActionSuspend, ActionReinstate, ActionRevoke, ActionRenew}

// licenceFrom lists the states each action may start from.
var licenceFrom = map[string][]string{
	ActionActivate:  {LicenceIssued},
	ActionSuspend:   {LicenceActive},
	ActionReinstate: {LicenceSuspended},
	ActionRevoke:    {LicenceIssued, LicenceActive, LicenceSuspended},
	ActionRenew:     {LicenceIssued, LicenceActive, LicenceSuspended, LicenceExpired},
	actionExpire:    {LicenceIssued, LicenceActive, LicenceSuspended},
}

// AllowedActions lists the API actions a licence in state may take.
func AllowedActions(state string) []string {
	out := []string{}
	for _, a := range LicenceActions {
		if slices.Contains(licenceFrom[a], state) {
			out = append(out, a)
		}
	}
	return out
}

// Licence is one licence.
type Licence struct {
	ID                       int64      `json:"id"`
	Number                   string     `json:"number" doc:"PROVINCE-YEAR-NNNN, gap-free per province and Jalali year"`
	Province                 string     `json:"province"`
	Year                     int        `json:"year" doc:"Jalali year of issue"`
	Seq                      int        `json:"seq"`
	Region                   string     `json:"region" doc:"city code"`
	RoundID                  *int64     `json:"round_id"`
	CandidateID              *int64     `json:"candidate_id"`
	HolderName               string     `json:"holder_name"`
	HolderNationalCodeMasked string     `json:"holder_national_code_masked"`
	Source                   string     `json:"source" doc:"allocation (from a closed round's allocation) or single (issued singly by an admin)"`
	State                    string     `json:"state" doc:"issued, active, suspended, revoked or expired"`
	StateReason              string     `json:"state_reason"`
	OfficeID                 *int64     `json:"office_id"`
	ValidFrom                time.Time  `json:"valid_from"`
	ValidUntil               time.Time  `json:"valid_until"`
	Renewals                 int        `json:"renewals"`
	ExpiryFlaggedAt          *time.Time `json:"expiry_flagged_at" doc:"when the expiry job flagged it as expiring soon"`
	IssuedAt                 time.Time  `json:"issued_at"`
	IssuedBy                 string     `json:"issued_by"`
	ActivatedAt              *time.Time `json:"activated_at"`
	Version                  int64      `json:"version"`
	UpdatedAt                time.Time  `json:"updated_at"`
}

func (l *Licence) auditView() map[string]any {
	return map[string]any{"id": l.ID, "number": l.Number, "region": l.Region, "round_id": l.RoundID, "candidate_id": l.CandidateID,
		"source": l.Source, "state": l.State, "state_reason": l.StateReason, "office_id": l.OfficeID,
		"valid_from": l.ValidFrom, "valid_until": l.ValidUntil, "renewals": l.Renewals, "version": l.Version}
}

// Licences is the licences' register.
type Licences struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	gaz     *geo.Gazetteer
	offices *offices.Register
	cands   *Candidates
	cfg     Config
}

// NewLicences returns the register of licences; activations open their
// offices in the office register.
func NewLicences(d *db.DB, clock daftar.Clock, a *audit.Log, register *offices.Register, cands *Candidates, cfg Config) (*Licences, error) {
	if err := deps.Check("licences", "database", d, "clock", clock, "audit log", a, "office register", register, "candidates", cands); err != nil {
		return nil, err
	}
	return &Licences{db: d, clock: clock, audit: a, gaz: register.Gazetteer(), offices: register, cands: cands, cfg: cfg.withDefaults()}, nil
}

// Config returns the effective configuration.
func (s *Licences) Config() Config { return s.cfg }

func (s *Licences) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// event appends to the licence's history.
func (s *Licences) event(ctx context.Context, tx *gorm.DB, l *Licence, action, from, reason string) error {
	return tx.Exec("INSERT INTO licence_events (licence_id, office_id, action, from_state, to_state, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		l.ID, l.OfficeID, action, from, l.State, reason, actorName(ctx), s.now()).Error
}

// Get returns one licence.
func (s *Licences) Get(ctx context.Context, id int64) (Licence, error) {
	return s.get(s.db.WithContext(ctx), id, false)
}

func (s *Licences) get(tx *gorm.DB, id int64, lock bool) (Licence, error) {
	var row licenceRow
	if err := db.TakeByID(tx, &row, id, lock, daftar.NotFound("licence_not_found", "no such licence")); err != nil {
		return Licence{}, err
	}
	return licenceOf(row), nil
}

// LicenceFilter selects licences.
type LicenceFilter struct {
	State       string
	Region      string // city
	Province    string
	RoundID     int64
	CandidateID int64
	OfficeID    int64
	Expiring    *bool // flagged as expiring soon and not yet expired
	Query       string
	// Sort is the order: LicencesByRecent (the default: newest first),
	// LicencesByNumber or LicencesByExpiry (soonest to expire first).
	Sort   string
	Limit  int
	Offset int
}

// The orders of a licences list.
const (
	LicencesByRecent = "recent"
	LicencesByNumber = "number"
	LicencesByExpiry = "valid_until"
)

var licenceOrders = map[string]string{"": "id DESC", LicencesByRecent: "id DESC", LicencesByNumber: "number, id",
	LicencesByExpiry: "valid_until, id"}

// List returns licences in the filter's order (newest first by default),
// with the total.
func (s *Licences) List(ctx context.Context, f LicenceFilter) ([]Licence, int64, error) {
	q := s.db.WithContext(ctx).Model(&licenceRow{})
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Region != "" {
		q = q.Where("region = ?", f.Region)
	}
	if f.Province != "" {
		q = q.Where("province_code = ?", f.Province)
	}
	if f.RoundID != 0 {
		q = q.Where("round_id = ?", f.RoundID)
	}
	if f.CandidateID != 0 {
		q = q.Where("candidate_id = ?", f.CandidateID)
	}
	if f.OfficeID != 0 {
		q = q.Where("office_id = ?", f.OfficeID)
	}
	if f.Expiring != nil {
		live := []string{LicenceIssued, LicenceActive, LicenceSuspended}
		if *f.Expiring {
			q = q.Where("expiry_flagged_at IS NOT NULL AND state IN ?", live)
		} else {
			q = q.Where("NOT (expiry_flagged_at IS NOT NULL AND state IN ?)", live)
		}
	}
	if f.Query != "" {
		word := "%" + strings.NewReplacer("%", "", "_", "").Replace(strings.ToUpper(daftar.NormalizeText(f.Query))) + "%"
		q = q.Where("(UPPER(number) LIKE ? OR holder_name LIKE ?)", word, "%"+strings.NewReplacer("%", "", "_", "").Replace(daftar.NormalizeText(f.Query))+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	order, ok := licenceOrders[f.Sort]
	if !ok {
		return nil, 0, daftar.Invalid("invalid_query", "the query is not valid", daftar.Field("sort", "invalid", "must be recent, number or valid_until"))
	}
	var rows []licenceRow
	if err := q.Order(order).Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Licence, len(rows))
	for i, r := range rows {
		out[i] = licenceOf(r)
	}
	return out, total, nil
}

// CountByState counts the licences in each state (every state present,
// zero or not).
func (s *Licences) CountByState(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	if err := s.db.WithContext(ctx).Raw("SELECT state, COUNT(*) AS n FROM licences GROUP BY state").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(LicenceStates))
	for _, st := range LicenceStates {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// SuspendedDuring says which offices' licences were suspended at some time
// in [from, to) (the ranking's compliance reads it).
func (s *Licences) SuspendedDuring(ctx context.Context, from, to time.Time) (map[int64]bool, error) {
	var evs []struct {
		LicenceID int64
		OfficeID  int64
		FromState string
		ToState   string
		At        time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT e.licence_id, l.office_id, e.from_state, e.to_state, e.at FROM licence_events e
		JOIN licences l ON l.id = e.licence_id
		WHERE l.office_id IS NOT NULL AND e.at < ? AND (e.to_state = ? OR e.from_state = ?) AND e.from_state <> e.to_state
		ORDER BY e.licence_id, e.at, e.id`, to.UTC(), LicenceSuspended, LicenceSuspended).Scan(&evs).Error; err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	var start *time.Time
	flush := func(office int64, end time.Time) {
		if start != nil && start.Before(to) && end.After(from) {
			out[office] = true
		}
		start = nil
	}
	for i, e := range evs {
		if i > 0 && evs[i-1].LicenceID != e.LicenceID {
			flush(evs[i-1].OfficeID, time.Unix(1<<40, 0))
		}
		switch {
		case e.ToState == LicenceSuspended:
			at := e.At
			start = &at
		case e.FromState == LicenceSuspended:
			flush(e.OfficeID, e.At)
		}
	}
	if len(evs) > 0 {
		flush(evs[len(evs)-1].OfficeID, time.Unix(1<<40, 0))
	}
	return out, nil
}
