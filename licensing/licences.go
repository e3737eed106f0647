package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/paulmach/orb"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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
	offices *geo.Offices
	cands   *Candidates
	cfg     Config
}

// NewLicences returns the register.
func NewLicences(d *db.DB, clock daftar.Clock, a *audit.Log, offices *geo.Offices, cands *Candidates, cfg Config) *Licences {
	return &Licences{db: d, clock: clock, audit: a, gaz: offices.Gazetteer(), offices: offices, cands: cands, cfg: cfg.withDefaults()}
}

// Config returns the effective configuration.
func (s *Licences) Config() Config { return s.cfg }

func (s *Licences) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// IssueRequest asks for licences of a closed round: every allocation not yet
// licensed (CandidateID 0), one candidate's allocation, or (admins only) a
// candidate placed singly in Region against the round's unfilled quota,
// with a Reason.
type IssueRequest struct {
	RoundID     int64
	CandidateID int64
	Region      string
	Reason      string
}

// Issue issues licences and returns them. Issuing every allocation again
// issues nothing more (an empty list).
func (s *Licences) Issue(ctx context.Context, in IssueRequest) ([]Licence, error) {
	var fe daftar.FieldErrors
	if in.RoundID <= 0 {
		fe.Add("round_id", "required", "the closed round the licence is issued from")
	}
	single := false
	if in.CandidateID == 0 {
		if in.Region != "" {
			fe.Add("region", "not_allowed", "only with candidate_id")
		}
		if in.Reason != "" {
			fe.Add("reason", "not_allowed", "only with candidate_id")
		}
	} else if in.CandidateID < 0 {
		fe.Add("candidate_id", "invalid", "must be a candidate id")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_issue", "the request is not valid"); err != nil {
		return nil, err
	}
	var out []Licence
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rnd roundRow
		if err := tx.Where("id = ?", in.RoundID).Take(&rnd).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return daftar.Unprocessable("round_not_found", "no such licensing round", daftar.Field("round_id", "unknown", "is not a licensing round"))
			}
			return err
		}
		if rnd.State != RoundClosed {
			return daftar.Conflict("round_not_closed", "licences are issued from a closed round: close the round first").With("state", rnd.State)
		}
		type alloc struct {
			CandidateID int64
			Region      string
		}
		var todo []alloc
		if in.CandidateID == 0 {
			if err := tx.Raw(`SELECT a.candidate_id, a.region FROM licensing_allocations a
				WHERE a.round_id = ? AND a.region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM licences l WHERE l.candidate_id = a.candidate_id)
				ORDER BY a.region, a.score DESC, a.candidate_id`, in.RoundID).Scan(&todo).Error; err != nil {
				return err
			}
		} else {
			var held int64
			if err := tx.Raw("SELECT COUNT(*) FROM licences WHERE candidate_id = ?", in.CandidateID).Scan(&held).Error; err != nil {
				return err
			}
			if held > 0 {
				return daftar.Conflict("already_licensed", "the candidate already holds a licence").With("candidate_id", in.CandidateID)
			}
			var a []alloc
			if err := tx.Raw("SELECT candidate_id, region FROM licensing_allocations WHERE round_id = ? AND candidate_id = ? AND region IS NOT NULL",
				in.RoundID, in.CandidateID).Scan(&a).Error; err != nil {
				return err
			}
			switch {
			case len(a) == 1:
				if in.Region != "" && in.Region != a[0].Region {
					return daftar.Unprocessable("region_mismatch", "the candidate was allocated another city",
						daftar.Field("region", "mismatch", "the allocation placed the candidate in "+a[0].Region))
				}
				todo = a
			default:
				single = true
				if err := s.checkSingle(ctx, tx, in); err != nil {
					return err
				}
				todo = []alloc{{in.CandidateID, in.Region}}
			}
		}
		for _, a := range todo {
			l, err := s.issueOne(ctx, tx, rnd, a.CandidateID, a.Region, single, in.Reason)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSingle validates a single issue: an admin's, with a reason, for a
// city with a quota in the round.
func (s *Licences) checkSingle(ctx context.Context, tx *gorm.DB, in IssueRequest) error {
	if a, ok := daftar.ActorFrom(ctx); !ok || a.Role != daftar.RoleAdmin {
		return daftar.Forbidden("single_issue_admin_only", "the candidate has no allocation in this round: only an admin may issue a licence singly")
	}
	var fe daftar.FieldErrors
	checkReason(in.Reason, true, &fe)
	if in.Region == "" {
		fe.Add("region", "required", "the city of the licence: the candidate has no allocation in this round")
	} else {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM licensing_round_quotas WHERE round_id = ? AND region = ? AND quota > 0", in.RoundID, in.Region).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			fe.Add("region", "no_quota", "the round has no quota for this city")
		}
	}
	var cnt int64
	if err := tx.Raw("SELECT COUNT(*) FROM candidates WHERE id = ?", in.CandidateID).Scan(&cnt).Error; err != nil {
		return err
	}
	if cnt == 0 {
		fe.Add("candidate_id", "unknown", "no such candidate")
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_issue", "the request is not valid")
}

// issueOne issues one licence inside tx: a seat of the quota, the
// candidate licensed, the next number, the licence, its event, the audit.
func (s *Licences) issueOne(ctx context.Context, tx *gorm.DB, rnd roundRow, candidateID int64, region string, single bool, reason string) (Licence, error) {
	seat := "UPDATE licensing_round_quotas SET issued = issued + 1 WHERE round_id = ? AND region = ? AND issued < quota"
	if single {
		seat = "UPDATE licensing_round_quotas SET issued = issued + 1, filled = filled + 1 WHERE round_id = ? AND region = ? AND filled < quota"
	}
	res := tx.Exec(seat, rnd.ID, region)
	if res.Error != nil {
		return Licence{}, res.Error
	}
	if res.RowsAffected == 0 {
		var q struct{ Quota, Filled, Issued int }
		tx.Raw("SELECT quota, filled, issued FROM licensing_round_quotas WHERE round_id = ? AND region = ?", rnd.ID, region).Scan(&q)
		return Licence{}, daftar.Conflict("quota_exhausted", "the round's quota for this city is used up").
			With("region", region).With("quota", q.Quota).With("filled", q.Filled).With("issued", q.Issued)
	}
	reason = daftar.NormalizeText(reason)
	if single {
		if _, err := s.cands.Allocate(ctx, tx, candidateID, region); err != nil {
			return Licence{}, err
		}
		if err := s.recordSinglePlacement(tx, rnd.ID, candidateID, region, reason); err != nil {
			return Licence{}, err
		}
	}
	c, err := s.cands.MarkLicensed(ctx, tx, candidateID)
	if err != nil {
		return Licence{}, err
	}
	prov, ok := s.gaz.Province(region)
	if !ok {
		return Licence{}, daftar.Unprocessable("unknown_region", "no such city", daftar.Field("region", "unknown", "is not a city code"))
	}
	now := s.now()
	year := daftar.ToJalali(now).Year
	var seq int
	if err := tx.Raw(`INSERT INTO licence_counters (province_code, year, last_seq) VALUES (?, ?, 1)
		ON CONFLICT (province_code, year) DO UPDATE SET last_seq = licence_counters.last_seq + 1 RETURNING last_seq`, prov.Code, year).Scan(&seq).Error; err != nil {
		return Licence{}, err
	}
	rid, cid := rnd.ID, candidateID
	source := "allocation"
	if single {
		source = "single"
	}
	l := Licence{Number: fmt.Sprintf("%s-%d-%04d", prov.Code, year, seq), Province: prov.Code, Year: year, Seq: seq, Region: region,
		RoundID: &rid, CandidateID: &cid, HolderName: strings.TrimSpace(c.FirstName + " " + c.LastName),
		HolderNationalCodeMasked: c.NationalCodeMasked, Source: source, State: LicenceIssued, StateReason: reason,
		ValidFrom: now, ValidUntil: now.AddDate(s.cfg.ValidityYears, 0, 0), IssuedAt: now, IssuedBy: actorName(ctx),
		Version: 1, UpdatedAt: now}
	row := l.rowOf()
	if err := tx.Create(&row).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return Licence{}, daftar.Conflict("already_licensed", "the candidate already holds a licence").With("candidate_id", candidateID)
		}
		return Licence{}, err
	}
	l.ID = row.ID
	if err := s.event(ctx, tx, &l, "issue", "", reason); err != nil {
		return Licence{}, err
	}
	return l, s.audit.Record(ctx, tx, audit.Change{Action: "licence.issue", Entity: "licence", EntityID: l.ID, After: l.auditView()})
}

// recordSinglePlacement writes a single issue into the round's results.
func (s *Licences) recordSinglePlacement(tx *gorm.DB, roundID, candidateID int64, region, reason string) error {
	var c struct {
		Score       float64
		ExamRank    *int64
		Preferences string
	}
	if err := tx.Raw("SELECT score, exam_rank, preferences FROM candidates WHERE id = ?", candidateID).Scan(&c).Error; err != nil {
		return err
	}
	var prefs []string
	_ = json.Unmarshal([]byte(c.Preferences), &prefs)
	var rank *int
	if k := slices.Index(prefs, region); k >= 0 {
		r := k + 1
		rank = &r
	}
	name, nameFa := region, region
	if r, ok := s.gaz.Get(region); ok {
		name, nameFa = r.NameEn, r.NameFa
	}
	row := allocationRow{RoundID: roundID, CandidateID: candidateID, Region: &region, PreferenceRank: rank, Score: c.Score, ExamRank: c.ExamRank,
		Reason:   fmt.Sprintf("placed singly in %s by an admin against the unfilled quota: %s", name, reason),
		ReasonFa: fmt.Sprintf("با تصمیم مدیر در ظرفیت خالی %s قرار گرفت: %s", nameFa, reason)}
	if err := tx.Exec("DELETE FROM licensing_allocations WHERE round_id = ? AND candidate_id = ?", roundID, candidateID).Error; err != nil {
		return err
	}
	return tx.Create(&row).Error
}

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
	q := tx
	if lock && s.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Licence{}, daftar.NotFound("licence_not_found", "no such licence")
		}
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
	Limit       int
	Offset      int
}

// List returns licences, newest first, with the total.
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
	var rows []licenceRow
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Licence, len(rows))
	for i, r := range rows {
		out[i] = licenceOf(r)
	}
	return out, total, nil
}

// ActionInput is what a lifecycle action takes.
type ActionInput struct {
	Reason string
	// Activate: an existing pending office of the licence's city, or the
	// new office to open.
	OfficeID int64
	Office   *NewOfficeInput
	// Renew: years to add (default the configured validity).
	Years int
}

// NewOfficeInput is the office an activation opens.
type NewOfficeInput struct {
	Name         *string
	NameEn       *string
	Latitude     *float64
	Longitude    *float64
	Address      *string
	Phone        *string
	Counters     *int
	OpeningHours map[string][]string
	Services     []string
}

func forbidden(l Licence, action string) error {
	return daftar.Conflict("licence_transition_forbidden", fmt.Sprintf("a licence in state %s cannot be %s", l.State, pastTense(action))).
		With("state", l.State).With("allowed", AllowedActions(l.State))
}

func pastTense(action string) string {
	switch action {
	case ActionActivate:
		return "activated"
	case ActionSuspend:
		return "suspended"
	case ActionReinstate:
		return "reinstated"
	case ActionRevoke:
		return "revoked"
	case ActionRenew:
		return "renewed"
	}
	return action + "d"
}

// Act runs a lifecycle action on a licence. An unknown action is not found;
// one its state forbids is a conflict.
func (s *Licences) Act(ctx context.Context, id int64, action string, in ActionInput) (Licence, error) {
	if !slices.Contains(LicenceActions, action) {
		return Licence{}, daftar.NotFound("unknown_action", "no such action: activate, suspend, reinstate, revoke or renew")
	}
	var fe daftar.FieldErrors
	in.Reason = checkReason(in.Reason, action != ActionActivate, &fe)
	if action == ActionActivate {
		switch {
		case in.OfficeID != 0 && in.Office != nil:
			fe.Add("office_id", "conflict", "give either office_id (an existing pending office) or the new office's location, not both")
		case in.OfficeID < 0:
			fe.Add("office_id", "invalid", "must be an office id")
		case in.OfficeID == 0 && in.Office == nil:
			fe.Add("latitude", "required", "the new office's location is required (or office_id of a pending office)")
			fe.Add("longitude", "required", "the new office's location is required (or office_id of a pending office)")
		case in.Office != nil:
			o := in.Office
			if o.Latitude == nil {
				fe.Add("latitude", "required", "is required")
			}
			if o.Longitude == nil {
				fe.Add("longitude", "required", "is required")
			}
			if o.Address == nil || daftar.NormalizeText(*o.Address) == "" {
				fe.Add("address", "required", "is required")
			}
			if o.Counters == nil {
				fe.Add("counters", "required", "is required")
			}
		}
	}
	if action == ActionRenew && in.Years != 0 && (in.Years < 1 || in.Years > 10) {
		fe.Add("years", "out_of_range", "must be from 1 to 10")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_action", "the request is not valid"); err != nil {
		return Licence{}, err
	}
	var out Licence
	var touched []int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		l, err := s.get(tx, id, true)
		if err != nil {
			return err
		}
		if !slices.Contains(licenceFrom[action], l.State) {
			return forbidden(l, action)
		}
		before := l.auditView()
		from := l.State
		now := s.now()
		set := map[string]any{}
		switch action {
		case ActionActivate:
			if !l.ValidUntil.After(now) {
				return daftar.Conflict("licence_past_validity", "the licence's validity has ended: renew it first")
			}
			officeID, err := s.open(ctx, tx, &l, in)
			if err != nil {
				return err
			}
			l.State, l.OfficeID, l.ActivatedAt = LicenceActive, &officeID, &now
			set["office_id"], set["activated_at"] = officeID, now
			touched = append(touched, officeID)
		case ActionSuspend:
			l.State = LicenceSuspended
			if err := s.officeStatus(ctx, tx, l, geo.OfficeSuspended, "licence suspended: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionReinstate:
			if !l.ValidUntil.After(now) {
				return daftar.Conflict("licence_past_validity", "the licence's validity has ended: renew it first")
			}
			l.State = LicenceActive
			if err := s.officeStatus(ctx, tx, l, geo.OfficeActive, "licence reinstated: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionRevoke:
			l.State = LicenceRevoked
			if err := s.officeStatus(ctx, tx, l, geo.OfficeClosed, "licence revoked: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionRenew:
			years := in.Years
			if years == 0 {
				years = s.cfg.ValidityYears
			}
			base := l.ValidUntil
			if now.After(base) {
				base = now
			}
			l.ValidUntil = base.AddDate(years, 0, 0)
			l.Renewals++
			l.ExpiryFlaggedAt = nil
			set["valid_until"], set["renewals"], set["expiry_flagged_at"] = l.ValidUntil, l.Renewals, nil
			if from == LicenceExpired {
				// Back to the state it expired from.
				var prev []string
				if err := tx.Raw("SELECT from_state FROM licence_events WHERE licence_id = ? AND action = ? ORDER BY id DESC LIMIT 1", l.ID, actionExpire).Scan(&prev).Error; err != nil {
					return err
				}
				l.State = LicenceIssued
				if len(prev) == 1 && prev[0] != "" {
					l.State = prev[0]
				}
				if l.State == LicenceActive {
					if err := s.officeStatus(ctx, tx, l, geo.OfficeActive, "licence renewed: "+in.Reason, &touched); err != nil {
						return err
					}
				}
			}
		}
		l.StateReason = in.Reason
		set["state"], set["state_reason"], set["version"], set["updated_at"] = l.State, l.StateReason, l.Version+1, now
		res := tx.Model(&licenceRow{}).Where("id = ? AND version = ?", l.ID, l.Version).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("licence_version_stale", "the licence was changed at the same time; reload and try again")
		}
		l.Version++
		l.UpdatedAt = now
		if err := s.event(ctx, tx, &l, action, from, in.Reason); err != nil {
			return err
		}
		out = l
		return s.audit.Record(ctx, tx, audit.Change{Action: "licence." + action, Entity: "licence", EntityID: l.ID,
			Before: before, After: map[string]any{"licence": l.auditView(), "reason": in.Reason}})
	})
	if err != nil {
		return Licence{}, err
	}
	for _, id := range touched {
		s.offices.Changed(ctx, id)
	}
	return out, nil
}

// officeStatus sets the status of the licence's office, if it has one.
func (s *Licences) officeStatus(ctx context.Context, tx *gorm.DB, l Licence, status, reason string, touched *[]int64) error {
	if l.OfficeID == nil {
		return nil
	}
	if err := s.offices.SetStatus(ctx, tx, *l.OfficeID, status, reason); err != nil {
		return err
	}
	*touched = append(*touched, *l.OfficeID)
	return nil
}

// SitingError details are what a refused location says.
type nearestOffice struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	NameEn    string  `json:"name_en"`
	DistanceM float64 `json:"distance_m"`
}

// minDistance is the round's policy distance, or the configured one.
func (s *Licences) minDistance(tx *gorm.DB, l Licence) (float64, error) {
	if l.RoundID == nil {
		return s.cfg.MinDistanceM, nil
	}
	var pol []string
	if err := tx.Raw("SELECT policy FROM licensing_rounds WHERE id = ?", *l.RoundID).Scan(&pol).Error; err != nil {
		return 0, err
	}
	if len(pol) == 1 {
		var p Policy
		if json.Unmarshal([]byte(pol[0]), &p) == nil && p.MinDistanceM != nil {
			return *p.MinDistanceM, nil
		}
	}
	return s.cfg.MinDistanceM, nil
}

// CheckSite applies the siting rules to a location for an office of city:
// inside the city's area (its boundary, or the register's radius around
// its centre) and at least minDistance metres from every active office
// other than except. It returns a 422 naming the field, and for a location
// too close the nearest office and its distance.
func (s *Licences) CheckSite(ctx context.Context, tx *gorm.DB, city string, lat, lon, minDistance float64, except int64) error {
	c, ok := s.gaz.Get(city)
	if !ok || c.Level != geo.LevelCity {
		return daftar.Unprocessable("unknown_city", "the licence's city is not in the gazetteer", daftar.Field("region", "unknown", "not a city"))
	}
	if !geo.InIran(lat, lon) {
		return daftar.Unprocessable("outside_iran", "the location does not lie in Iran",
			daftar.Field("latitude", "outside_iran", "must lie in Iran"), daftar.Field("longitude", "outside_iran", "must lie in Iran"))
	}
	p := orb.Point{lon, lat}
	radius := s.offices.CityRadius(c)
	if !c.Contains(p, radius) {
		dist := geo.Distance(c.Centroid(), p)
		msg := fmt.Sprintf("lies outside %s: %.0f m from its centre, more than the %.0f m allowed", c.NameEn, dist, radius)
		if c.HasBoundary() {
			msg = fmt.Sprintf("lies outside the boundary of %s", c.NameEn)
		}
		return daftar.Unprocessable("outside_city", "the office must lie in the licence's city",
			daftar.Field("latitude", "outside_city", msg), daftar.Field("longitude", "outside_city", msg)).
			With("city", c.Code).With("distance_from_centre_m", math.Round(dist)).With("allowed_radius_m", math.Round(radius))
	}
	if minDistance <= 0 {
		return nil
	}
	const mPerDeg = math.Pi * geo.EarthRadiusM / 180
	dLat := minDistance / mPerDeg * 1.01
	dLon := minDistance / (mPerDeg * math.Cos(math.Min(89, math.Abs(lat)+dLat)*math.Pi/180)) * 1.01
	var near []struct {
		ID        int64
		Code      string
		NameFa    string
		NameEn    string
		Latitude  float64
		Longitude float64
	}
	if err := tx.Raw(`SELECT id, code, name_fa, name_en, latitude, longitude FROM offices
		WHERE status = ? AND id <> ? AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?`,
		geo.OfficeActive, except, lat-dLat, lat+dLat, lon-dLon, lon+dLon).Scan(&near).Error; err != nil {
		return err
	}
	best := -1
	bestD := math.Inf(1)
	for i, o := range near {
		if d := geo.Distance(p, orb.Point{o.Longitude, o.Latitude}); d < bestD {
			best, bestD = i, d
		}
	}
	if best >= 0 && bestD < minDistance {
		o := near[best]
		msg := fmt.Sprintf("is %.0f m from the active office %s (%s); at least %.0f m is required", bestD, o.Code, o.NameEn, minDistance)
		return daftar.Unprocessable("too_close_to_office", msg,
			daftar.Field("latitude", "too_close", msg), daftar.Field("longitude", "too_close", msg)).
			With("nearest_office", nearestOffice{ID: o.ID, Code: o.Code, Name: o.NameFa, NameEn: o.NameEn, DistanceM: math.Round(bestD*10) / 10}).
			With("min_distance_m", minDistance)
	}
	return nil
}

func sitingLockKey(province string) int64 {
	h := fnv.New64a()
	h.Write([]byte("daftar-siting:" + province))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

// open opens the licence's office: the pending office named, or a new one
// at the location given, after the siting rules.
func (s *Licences) open(ctx context.Context, tx *gorm.DB, l *Licence, in ActionInput) (int64, error) {
	if s.db.Dialect == db.Postgres {
		// Activations in one province take turns, so two offices opening
		// at once cannot both pass the distance rule (nor take one code).
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", sitingLockKey(l.Province)).Error; err != nil {
			return 0, err
		}
	}
	minD, err := s.minDistance(tx, *l)
	if err != nil {
		return 0, err
	}
	if in.OfficeID != 0 {
		off, err := s.offices.GetIn(tx, in.OfficeID)
		if err != nil {
			if daftar.IsKind(err, daftar.KindNotFound) {
				return 0, daftar.Unprocessable("office_not_found", "no such office", daftar.Field("office_id", "unknown", "no such office"))
			}
			return 0, err
		}
		var fe daftar.FieldErrors
		if off.Status != geo.OfficePending {
			fe.Add("office_id", "not_pending", "the office is "+off.Status+": only a pending office opens with a licence")
		}
		if off.CityCode != l.Region {
			fe.Add("office_id", "other_city", "the office lies in "+off.CityCode+", the licence is for "+l.Region)
		}
		var bound int64
		if err := tx.Raw("SELECT COUNT(*) FROM licences WHERE office_id = ? AND id <> ?", off.ID, l.ID).Scan(&bound).Error; err != nil {
			return 0, err
		}
		if bound > 0 {
			fe.Add("office_id", "bound", "the office belongs to another licence")
		}
		if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office cannot open with this licence"); err != nil {
			return 0, err
		}
		if err := s.CheckSite(ctx, tx, l.Region, off.Latitude, off.Longitude, minD, off.ID); err != nil {
			return 0, err
		}
		return off.ID, s.offices.SetStatus(ctx, tx, off.ID, geo.OfficeActive, "licence "+l.Number+" activated")
	}
	o := in.Office
	if err := s.CheckSite(ctx, tx, l.Region, *o.Latitude, *o.Longitude, minD, 0); err != nil {
		return 0, err
	}
	city, _ := s.gaz.Get(l.Region)
	name := o.Name
	if name == nil || daftar.NormalizeText(*name) == "" {
		n := fmt.Sprintf("دفتر خدمات الکترونیک قضائی %s، مجوز %s", city.NameFa, l.Number)
		name = &n
	}
	nameEn := o.NameEn
	if nameEn == nil {
		n := fmt.Sprintf("Judicial e-services office %s, licence %s", city.NameEn, l.Number)
		nameEn = &n
	}
	services := o.Services
	if services == nil {
		for _, sv := range s.offices.Catalogue().All() {
			services = append(services, sv.Code)
		}
	}
	owner, status, code := l.HolderName, geo.OfficeActive, l.Region
	off, err := s.offices.CreateIn(ctx, tx, geo.OfficeInput{NameFa: name, NameEn: nameEn, OwnerName: &owner, City: &code,
		Latitude: o.Latitude, Longitude: o.Longitude, Address: o.Address, Phone: o.Phone, Counters: o.Counters,
		OpeningHours: o.OpeningHours, Services: services, Status: &status})
	if err != nil {
		return 0, err
	}
	return off.ID, nil
}

// ExpireDue expires the licences whose validity has ended (their offices
// are suspended) and returns how many.
func (s *Licences) ExpireDue(ctx context.Context) (int, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw("SELECT id FROM licences WHERE state IN ? AND valid_until <= ? ORDER BY id",
		licenceFrom[actionExpire], s.now()).Scan(&ids).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		var touched []int64
		done := false
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			l, err := s.get(tx, id, true)
			if err != nil {
				return err
			}
			now := s.now()
			if !slices.Contains(licenceFrom[actionExpire], l.State) || l.ValidUntil.After(now) {
				return nil // renewed or changed meanwhile
			}
			before := l.auditView()
			from := l.State
			if from == LicenceActive {
				if err := s.officeStatus(ctx, tx, l, geo.OfficeSuspended, "licence expired", &touched); err != nil {
					return err
				}
			}
			l.State, l.StateReason = LicenceExpired, "validity ended"
			res := tx.Model(&licenceRow{}).Where("id = ? AND version = ?", l.ID, l.Version).Updates(map[string]any{
				"state": l.State, "state_reason": l.StateReason, "version": l.Version + 1, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return nil
			}
			l.Version++
			if err := s.event(ctx, tx, &l, actionExpire, from, l.StateReason); err != nil {
				return err
			}
			done = true
			return s.audit.Record(ctx, tx, audit.Change{Action: "licence.expire", Entity: "licence", EntityID: l.ID, Before: before, After: l.auditView()})
		})
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
		for _, oid := range touched {
			s.offices.Changed(ctx, oid)
		}
	}
	return n, nil
}

// FlagExpiring flags the live licences whose validity ends within the
// configured warning window and returns how many were newly flagged.
func (s *Licences) FlagExpiring(ctx context.Context) (int, error) {
	now := s.now()
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM licences WHERE state IN ? AND valid_until > ? AND valid_until <= ?
		AND expiry_flagged_at IS NULL ORDER BY id`, licenceFrom[actionExpire], now, now.Add(s.cfg.ExpiryWarning)).Scan(&ids).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&licenceRow{}).Where("id = ? AND expiry_flagged_at IS NULL", id).
				Updates(map[string]any{"expiry_flagged_at": now, "version": gorm.Expr("version + 1"), "updated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			l, err := s.get(tx, id, false)
			if err != nil {
				return err
			}
			n++
			if err := s.event(ctx, tx, &l, "expiry_flagged", l.State, "validity ends "+l.ValidUntil.Format("2006-01-02")); err != nil {
				return err
			}
			return s.audit.Record(ctx, tx, audit.Change{Action: "licence.expiry_flagged", Entity: "licence", EntityID: id,
				After: map[string]any{"number": l.Number, "valid_until": l.ValidUntil, "state": l.State}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
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
