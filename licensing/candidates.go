package licensing

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Candidate is one candidate of an exam year. The national code travels
// only in its protected forms: the keyed hash, the ciphertext (which
// NationalCodes opens) and the masked form.
type Candidate struct {
	ID                 int64
	ImportID           int64
	ExamYear           int
	SourceRow          int // the row of the exam file it came from
	NationalCodeHash   string
	NationalCodeMasked string
	NationalCodeEnc    []byte
	FirstName          string
	LastName           string
	Gender             *string
	BirthDate          *string // Jalali, 1375/06/21
	ExamProvince       string
	Score              float64
	ScoreMax           float64 // the top of the scale Score was read on
	Rank               *int64
	Result             string
	// Preferences are the city codes in the candidate's order.
	Preferences     []string
	State           string
	StateReason     string
	AllocatedRegion *string
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// auditView is what the audit log keeps of a candidate: never the national
// code, not even its hash.
func (c *Candidate) auditView() map[string]any {
	return map[string]any{"id": c.ID, "exam_year": c.ExamYear, "national_code_masked": c.NationalCodeMasked,
		"state": c.State, "state_reason": c.StateReason, "allocated_region": c.AllocatedRegion, "version": c.Version}
}

// Candidates is the register of exam candidates.
type Candidates struct {
	db    *db.DB
	clock daftar.Clock
	audit *audit.Log
	gaz   *geo.Gazetteer
	codes *NationalCodes
}

// NewCandidates returns the register.
func NewCandidates(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *geo.Gazetteer, codes *NationalCodes) *Candidates {
	return &Candidates{db: d, clock: clock, audit: a, gaz: gaz, codes: codes}
}

// CandidateFilter selects candidates.
type CandidateFilter struct {
	ExamYear     int
	Province     string // exam province code
	City         string // a city among the preferences
	State        string
	Result       string
	ScoreMin     *float64
	ScoreMax     *float64
	Query        string // text in the names
	NationalCode string // a full national code: matched through its keyed hash
	ImportID     int64
	// Sort is the order: CandidatesByScore (the default: best score, then
	// rank), CandidatesByName or CandidatesByRecent (last changed first).
	Sort   string
	Limit  int
	Offset int
}

// The orders of a candidates list.
const (
	CandidatesByScore  = "score"
	CandidatesByName   = "name"
	CandidatesByRecent = "recent"
)

// candidateOrders are the SQL of each order, every one ending on the id
// so that pages never overlap.
var candidateOrders = map[string]string{
	"": "score DESC, exam_rank, id", CandidatesByScore: "score DESC, exam_rank, id",
	CandidatesByName: "last_name, first_name, id", CandidatesByRecent: "updated_at DESC, id DESC",
}

// List returns a page of candidates in the filter's order (best score
// first by default), with the total.
func (s *Candidates) List(ctx context.Context, f CandidateFilter) ([]Candidate, int64, error) {
	q := s.db.WithContext(ctx).Model(&candidateRecord{})
	if f.ExamYear != 0 {
		q = q.Where("exam_year = ?", f.ExamYear)
	}
	if f.Province != "" {
		q = q.Where("exam_province = ?", f.Province)
	}
	if f.City != "" {
		// Codes are [a-z0-9-]: the quoted code matches one JSON element.
		q = q.Where("preferences LIKE ?", `%"`+f.City+`"%`)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Result != "" {
		q = q.Where("result = ?", f.Result)
	}
	if f.ScoreMin != nil {
		q = q.Where("score >= ?", *f.ScoreMin)
	}
	if f.ScoreMax != nil {
		q = q.Where("score <= ?", *f.ScoreMax)
	}
	if f.ImportID != 0 {
		q = q.Where("import_id = ?", f.ImportID)
	}
	if f.NationalCode != "" {
		h, err := s.codes.Lookup(f.NationalCode)
		if err != nil {
			return nil, 0, daftar.Invalid("invalid_query", "the query is not valid",
				daftar.Field("national_code", "invalid", "is not a valid national code"))
		}
		q = q.Where("national_code_hash = ?", h)
	}
	if f.Query != "" {
		for _, word := range strings.Fields(daftar.FoldForMatch(f.Query)) {
			q = q.Where("search_text LIKE ?", "%"+strings.NewReplacer("%", "", "_", "").Replace(word)+"%")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	order, ok := candidateOrders[f.Sort]
	if !ok {
		return nil, 0, daftar.Invalid("invalid_query", "the query is not valid", daftar.Field("sort", "invalid", "must be score, name or recent"))
	}
	var rows []candidateRecord
	if err := q.Order(order).Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Candidate, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = candidateOf(r); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// Get returns one candidate.
func (s *Candidates) Get(ctx context.Context, id int64) (Candidate, error) {
	return s.get(s.db.WithContext(ctx), id, false)
}

func (s *Candidates) get(tx *gorm.DB, id int64, lock bool) (Candidate, error) {
	var row candidateRecord
	if err := db.TakeByID(tx, &row, id, lock, daftar.NotFound("candidate_not_found", "no such candidate")); err != nil {
		return Candidate{}, err
	}
	return candidateOf(row)
}

// RevealNationalCode decrypts a candidate's national code. Only admins may;
// every reveal is audited (the code itself is not written to the log).
func (s *Candidates) RevealNationalCode(ctx context.Context, id int64) (string, error) {
	if a, ok := daftar.ActorFrom(ctx); !ok || a.Role != daftar.RoleAdmin {
		return "", daftar.Forbidden("reveal_forbidden", "only admins may see a full national code")
	}
	var code string
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.get(tx, id, false)
		if err != nil {
			return err
		}
		if code, err = s.codes.Open(c.NationalCodeEnc, c.NationalCodeHash); err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "candidate.reveal_national_code", Entity: "candidate",
			EntityID: id, After: map[string]any{"national_code_masked": c.NationalCodeMasked}})
	})
	return code, err
}

// transitions lists the states each state may move to. The document review
// (PATCH) sets documents_submitted, approved and rejected; allocation and
// licensing set the rest through their own functions.
var transitions = map[string][]string{
	StatePassed:             {StateDocumentsSubmitted, StateRejected},
	StateDocumentsSubmitted: {StateApproved, StateRejected},
	StateApproved:           {StateAllocated},
	StateAllocated:          {StateLicensed, StateApproved},
}

// ReviewStates are the states the document review sets.
var ReviewStates = []string{StateDocumentsSubmitted, StateApproved, StateRejected}

// CanMove reports whether a candidate in state from may move to state to.
func CanMove(from, to string) bool { return slices.Contains(transitions[from], to) }

// Review is one document-review decision.
type Review struct {
	State  string // documents_submitted, approved or rejected
	Reason string // required for rejected
}

const maxReasonRunes = 1000

func (r *Review) check() error {
	var fe daftar.FieldErrors
	if !slices.Contains(ReviewStates, r.State) {
		fe.Add("state", "invalid", "must be documents_submitted, approved or rejected")
	}
	r.Reason = daftar.NormalizeText(r.Reason)
	if r.State == StateRejected && r.Reason == "" {
		fe.Add("reason", "required", "a rejection needs a reason")
	}
	if utf8.RuneCountInString(r.Reason) > maxReasonRunes {
		fe.Add("reason", "too_long", "must be at most 1000 characters")
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_review", "the review is not valid")
}

// Review moves a candidate through the document review. expectVersion, when
// non-zero, must match the stored version (409 otherwise); a move its state
// forbids is a conflict (409).
func (s *Candidates) Review(ctx context.Context, id int64, r Review, expectVersion int64) (Candidate, error) {
	if err := r.check(); err != nil {
		return Candidate{}, err
	}
	var out Candidate
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.get(tx, id, true)
		if err != nil {
			return err
		}
		if expectVersion != 0 && expectVersion != c.Version {
			return daftar.Conflict("candidate_version_stale", "the candidate was changed by someone else; reload and try again").
				With("current_version", c.Version)
		}
		out, err = s.move(ctx, tx, c, r.State, r.Reason, nil)
		return err
	})
	return out, err
}

// ReviewItem is one decision of a batch.
type ReviewItem struct {
	ID int64
	Review
}

// ReviewBatch applies many review decisions in one transaction (the demo
// dataset, bulk decisions). Items apply in order, so one candidate may move
// twice (documents_submitted, then approved). A move any candidate's state
// forbids refuses the whole batch (409). The changes are written as a few
// set-wise updates and audited as one event listing every move, so a batch
// of thousands takes a moment, not minutes.
func (s *Candidates) ReviewBatch(ctx context.Context, items []ReviewItem) error {
	for i := range items {
		if err := items[i].check(); err != nil {
			return err
		}
	}
	if len(items) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		ids := make([]int64, 0, len(items))
		state := map[int64]string{}
		for _, it := range items {
			if _, ok := state[it.ID]; !ok {
				state[it.ID] = ""
				ids = append(ids, it.ID)
			}
		}
		for start := 0; start < len(ids); start += 500 {
			var rows []struct {
				ID    int64
				State string
			}
			q := tx.Table("candidates").Select("id, state").Where("id IN ?", ids[start:min(start+500, len(ids))])
			if s.db.Dialect == db.Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			if err := q.Find(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				state[r.ID] = r.State
			}
		}
		// Simulate in order; the k-th move of every candidate goes in round k.
		type move struct {
			ID     int64  `json:"id"`
			From   string `json:"from"`
			To     string `json:"to"`
			Reason string `json:"reason,omitempty"`
		}
		var moves []move
		var rounds []map[[2]string][]int64 // (to, reason) → ids
		step := map[int64]int{}
		for _, it := range items {
			from := state[it.ID]
			if from == "" {
				return daftar.NotFound("candidate_not_found", "no such candidate").With("candidate_id", it.ID)
			}
			if !CanMove(from, it.State) {
				return daftar.Conflict("candidate_transition_forbidden", "a candidate in state "+from+" cannot move to "+it.State).
					With("candidate_id", it.ID).With("state", from)
			}
			k := step[it.ID]
			step[it.ID] = k + 1
			if k == len(rounds) {
				rounds = append(rounds, map[[2]string][]int64{})
			}
			key := [2]string{it.State, it.Reason}
			rounds[k][key] = append(rounds[k][key], it.ID)
			moves = append(moves, move{it.ID, from, it.State, it.Reason})
			state[it.ID] = it.State
		}
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		for _, round := range rounds {
			for key, group := range round {
				for start := 0; start < len(group); start += 500 {
					err := tx.Model(&candidateRecord{}).Where("id IN ?", group[start:min(start+500, len(group))]).Updates(map[string]any{
						"state": key[0], "state_reason": key[1], "version": gorm.Expr("version + 1"), "updated_at": now}).Error
					if err != nil {
						return err
					}
				}
			}
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "candidate.review_batch", Entity: "candidate", EntityID: "batch",
			After: map[string]any{"moves": moves}})
	})
}

// move changes the state inside tx, guarded by the version, and audits it.
func (s *Candidates) move(ctx context.Context, tx *gorm.DB, c Candidate, to, reason string, region *string) (Candidate, error) {
	if !CanMove(c.State, to) {
		return Candidate{}, daftar.Conflict("candidate_transition_forbidden",
			"a candidate in state "+c.State+" cannot move to "+to).With("state", c.State).With("allowed", nonNil(transitions[c.State]))
	}
	before := c.auditView()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	updates := map[string]any{"state": to, "state_reason": reason, "version": c.Version + 1, "updated_at": now}
	switch to {
	case StateAllocated:
		updates["allocated_region"] = region
	case StateApproved:
		updates["allocated_region"] = nil
	}
	res := tx.Model(&candidateRecord{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(updates)
	if res.Error != nil {
		return Candidate{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Candidate{}, daftar.Conflict("candidate_version_stale", "the candidate was changed by someone else; reload and try again")
	}
	c.State, c.StateReason, c.Version, c.UpdatedAt = to, reason, c.Version+1, now
	switch to {
	case StateAllocated:
		c.AllocatedRegion = region
	case StateApproved:
		c.AllocatedRegion = nil
	}
	return c, s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "candidate." + to, Entity: "candidate", EntityID: c.ID,
		Before: before, After: c.auditView()})
}

// Allocate marks an approved candidate as allocated to a region, inside the
// caller's transaction (the licensing round's allocation).
func (s *Candidates) Allocate(ctx context.Context, t *db.Tx, id int64, region string) (Candidate, error) {
	tx := t.Gorm()
	if _, ok := s.gaz.Get(region); !ok {
		return Candidate{}, daftar.Unprocessable("unknown_region", "no such region", daftar.Field("region", "unknown", "is not a region code"))
	}
	c, err := s.get(tx, id, true)
	if err != nil {
		return Candidate{}, err
	}
	return s.move(ctx, tx, c, StateAllocated, "", &region)
}

// ReleaseAllocation returns an allocated candidate to approved (an
// allocation undone), inside the caller's transaction.
func (s *Candidates) ReleaseAllocation(ctx context.Context, t *db.Tx, id int64, reason string) (Candidate, error) {
	tx := t.Gorm()
	c, err := s.get(tx, id, true)
	if err != nil {
		return Candidate{}, err
	}
	return s.move(ctx, tx, c, StateApproved, daftar.NormalizeText(reason), nil)
}

// MarkLicensed marks an allocated candidate as licensed, inside the caller's
// transaction (issuing the licence).
func (s *Candidates) MarkLicensed(ctx context.Context, t *db.Tx, id int64) (Candidate, error) {
	tx := t.Gorm()
	c, err := s.get(tx, id, true)
	if err != nil {
		return Candidate{}, err
	}
	return s.move(ctx, tx, c, StateLicensed, "", c.AllocatedRegion)
}
