package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Licensing rounds. A round has a total number of licences and a policy;
// its quotas per city follow the demand model's shortage, apportioned by
// largest remainder so they sum exactly to the total. An official may pin
// a city's quota with a reason: the other quotas are apportioned again over
// what is left. Approved candidates are then placed by candidate-proposing
// deferred acceptance (allocate.go), as often as wanted until the round is
// closed; closing freezes the allocation, and licences are issued from it
// (licences.go). Every change is audited in its transaction.

// Round states.
const (
	RoundOpen      = "open"      // quotas set, no allocation (or it was undone)
	RoundAllocated = "allocated" // an allocation stands; it may be run again
	RoundClosed    = "closed"    // the allocation is final; licences are issued from it
)

// Config holds the licensing settings shared by rounds and licences.
type Config struct {
	// MinDistanceM is the least distance between a new office and every
	// active office, unless a round's policy says otherwise (default 500).
	MinDistanceM float64
	// ValidityYears is how long a licence is valid, and how much a renewal
	// adds (default 5).
	ValidityYears int
	// ExpiryWarning is how long before the end of its validity a licence is
	// flagged as expiring (default 90 days).
	ExpiryWarning time.Duration
}

func (c Config) withDefaults() Config {
	if c.MinDistanceM == 0 {
		c.MinDistanceM = 500
	}
	if c.ValidityYears == 0 {
		c.ValidityYears = 5
	}
	if c.ExpiryWarning == 0 {
		c.ExpiryWarning = 90 * 24 * time.Hour
	}
	return c
}

// Policy is what a round decides beyond its total: the targets of the
// demand model, the siting distance, and which candidates qualify. Absent
// fields take the configuration; a round stores the policy it applied.
type Policy struct {
	TargetPopulationPerOffice *float64 `json:"target_population_per_office,omitempty" doc:"residents per office for the population need; default the national average"`
	WaitTargetMin             *float64 `json:"wait_target_min,omitempty" doc:"Erlang C expected wait at the peak hour, minutes"`
	MinDistanceM              *float64 `json:"min_distance_m,omitempty" doc:"least distance from every active office for the offices this round's licences open, metres"`
	ExamYear                  int      `json:"exam_year,omitempty" doc:"candidates of this exam year qualify; default the latest year with approved candidates"`
	MinScore                  *float64 `json:"min_score,omitempty" doc:"candidates scoring below this do not qualify"`
	ExamProvinces             []string `json:"exam_provinces,omitempty" doc:"only candidates who sat the exam in these provinces qualify (province codes)"`
}

// Quota is one city's share of a round.
type Quota struct {
	Region          string     `json:"region"`
	NameFa          string     `json:"name_fa"`
	NameEn          string     `json:"name_en"`
	Quota           int        `json:"quota"`
	Shortage        int        `json:"shortage" doc:"the demand model's shortage when the round was created"`
	Needed          int        `json:"needed"`
	ActiveOffices   int        `json:"active_offices"`
	LicensedNotOpen int        `json:"licensed_not_open"`
	ComputedQuota   int        `json:"computed_quota" doc:"the quota by largest remainder before any override"`
	Overridden      bool       `json:"overridden"`
	OverrideReason  *string    `json:"override_reason"`
	OverriddenBy    *string    `json:"overridden_by"`
	OverriddenAt    *time.Time `json:"overridden_at"`
	Filled          int        `json:"filled" doc:"candidates placed (and licences issued singly)"`
	Unfilled        int        `json:"unfilled" doc:"quota left unfilled by the allocation"`
	Issued          int        `json:"issued" doc:"licences issued against the quota"`
}

// Round is a licensing round with its quotas.
type Round struct {
	ID            int64       `json:"id"`
	Name          string      `json:"name"`
	State         string      `json:"state" doc:"open, allocated or closed"`
	TotalLicences int         `json:"total_licences"`
	Policy        Policy      `json:"policy" doc:"as applied"`
	Demand        DemandModel `json:"demand" doc:"the demand model's shared inputs when the quotas were computed"`
	Quotas        []Quota     `json:"quotas" doc:"cities with a quota, a shortage or an override, largest quota first"`
	Placed        int         `json:"placed"`
	Unplaced      int         `json:"unplaced"`
	Unfilled      int         `json:"unfilled"`
	Proposals     int         `json:"proposals" doc:"proposals deferred acceptance made: the work of the allocation"`
	Issued        int         `json:"issued"`
	Version       int64       `json:"version"`
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	AllocatedAt   *time.Time  `json:"allocated_at"`
	ClosedAt      *time.Time  `json:"closed_at"`
}

type roundRow struct {
	ID            int64      `gorm:"column:id;primaryKey"`
	Name          string     `gorm:"column:name"`
	State         string     `gorm:"column:state"`
	TotalLicences int        `gorm:"column:total_licences"`
	ExamYear      int        `gorm:"column:exam_year"`
	Policy        string     `gorm:"column:policy"`
	Demand        string     `gorm:"column:demand"`
	Placed        int        `gorm:"column:placed"`
	Unplaced      int        `gorm:"column:unplaced"`
	Proposals     int        `gorm:"column:proposals"`
	Version       int64      `gorm:"column:version"`
	CreatedBy     string     `gorm:"column:created_by"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
	UpdatedAt     time.Time  `gorm:"column:updated_at"`
	AllocatedAt   *time.Time `gorm:"column:allocated_at"`
	ClosedAt      *time.Time `gorm:"column:closed_at"`
}

func (roundRow) TableName() string { return "licensing_rounds" }

type quotaRow struct {
	RoundID         int64      `gorm:"column:round_id;primaryKey"`
	Region          string     `gorm:"column:region;primaryKey"`
	Needed          int        `gorm:"column:needed"`
	ActiveOffices   int        `gorm:"column:active_offices"`
	LicensedNotOpen int        `gorm:"column:licensed_not_open"`
	Shortage        int        `gorm:"column:shortage"`
	ComputedQuota   int        `gorm:"column:computed_quota"`
	Quota           int        `gorm:"column:quota"`
	OverrideReason  *string    `gorm:"column:override_reason"`
	OverriddenBy    *string    `gorm:"column:overridden_by"`
	OverriddenAt    *time.Time `gorm:"column:overridden_at"`
	Filled          int        `gorm:"column:filled"`
	Issued          int        `gorm:"column:issued"`
}

func (quotaRow) TableName() string { return "licensing_round_quotas" }

type allocationRow struct {
	RoundID        int64   `gorm:"column:round_id;primaryKey"`
	CandidateID    int64   `gorm:"column:candidate_id;primaryKey"`
	Region         *string `gorm:"column:region"`
	PreferenceRank *int    `gorm:"column:preference_rank"`
	Score          float64 `gorm:"column:score"`
	ExamRank       *int64  `gorm:"column:exam_rank"`
	Reason         string  `gorm:"column:reason"`
	ReasonFa       string  `gorm:"column:reason_fa"`
}

func (allocationRow) TableName() string { return "licensing_allocations" }

// Rounds keeps the licensing rounds.
type Rounds struct {
	db     *db.DB
	clock  daftar.Clock
	audit  *audit.Log
	gaz    *geo.Gazetteer
	cands  *Candidates
	demand *Demand
	cfg    Config
}

// NewRounds returns the rounds' register.
func NewRounds(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *geo.Gazetteer, cands *Candidates, demand *Demand, cfg Config) *Rounds {
	return &Rounds{db: d, clock: clock, audit: a, gaz: gaz, cands: cands, demand: demand, cfg: cfg.withDefaults()}
}

// Config returns the effective configuration.
func (s *Rounds) Config() Config { return s.cfg }

// NewRound is what creating a round takes.
type NewRound struct {
	Name          string
	TotalLicences int
	Policy        Policy
}

const maxRoundLicences = 100000

func (s *Rounds) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func actorName(ctx context.Context) string {
	if a, ok := daftar.ActorFrom(ctx); ok {
		return a.Username
	}
	return "system"
}

// checkPolicy validates a policy and fills what it leaves to the
// configuration (except the targets, which the demand model reports).
func (s *Rounds) checkPolicy(ctx context.Context, p *Policy, fe *daftar.FieldErrors) {
	if v := p.TargetPopulationPerOffice; v != nil && (*v < 1000 || *v > 1_000_000) {
		fe.Add("policy.target_population_per_office", "out_of_range", "must be between 1,000 and 1,000,000 residents")
	}
	if v := p.WaitTargetMin; v != nil && (*v < 1 || *v > 240) {
		fe.Add("policy.wait_target_min", "out_of_range", "must be between 1 and 240 minutes")
	}
	if v := p.MinDistanceM; v != nil && (*v < 0 || *v > 20000) {
		fe.Add("policy.min_distance_m", "out_of_range", "must be between 0 and 20,000 metres")
	}
	if p.MinDistanceM == nil {
		d := s.cfg.MinDistanceM
		p.MinDistanceM = &d
	}
	if v := p.MinScore; v != nil && (*v < 0 || *v > 1000) {
		fe.Add("policy.min_score", "out_of_range", "must be between 0 and 1000")
	}
	cur := daftar.ToJalali(s.clock.Now()).Year
	switch {
	case p.ExamYear == 0:
		var y *int
		if err := s.db.WithContext(ctx).Raw("SELECT MAX(exam_year) FROM candidates WHERE state = ?", StateApproved).Scan(&y).Error; err == nil && y != nil {
			p.ExamYear = *y
		} else {
			p.ExamYear = cur
		}
	case p.ExamYear < 1390 || p.ExamYear > cur+1:
		fe.Add("policy.exam_year", "out_of_range", fmt.Sprintf("must be a Jalali year from 1390 to %d", cur+1))
	}
	seen := map[string]bool{}
	var provs []string
	for i, code := range p.ExamProvinces {
		if r, ok := s.gaz.Get(code); !ok || r.Level != geo.LevelProvince {
			fe.Add(fmt.Sprintf("policy.exam_provinces[%d]", i), "unknown", fmt.Sprintf("%q is not a province code", code))
			continue
		}
		if !seen[code] {
			seen[code] = true
			provs = append(provs, code)
		}
	}
	p.ExamProvinces = provs
}

func (p Policy) demandQuery() DemandQuery {
	var q DemandQuery
	if p.TargetPopulationPerOffice != nil {
		q.TargetPopulationPerOffice = *p.TargetPopulationPerOffice
	}
	if p.WaitTargetMin != nil {
		q.WaitTarget = time.Duration(*p.WaitTargetMin * float64(time.Minute))
	}
	return q
}

// Create computes a round's quotas from the demand model under its policy
// and stores it, open.
func (s *Rounds) Create(ctx context.Context, in NewRound) (Round, error) {
	var fe daftar.FieldErrors
	in.Name = daftar.NormalizeText(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fe.Add("name", "required", "is required")
	case n < 3 || n > 200:
		fe.Add("name", "length", "must be 3 to 200 characters")
	}
	if in.TotalLicences < 1 || in.TotalLicences > maxRoundLicences {
		fe.Add("total_licences", "out_of_range", fmt.Sprintf("must be a whole number from 1 to %d", maxRoundLicences))
	}
	pol := in.Policy
	s.checkPolicy(ctx, &pol, &fe)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_round", "the round is not valid"); err != nil {
		return Round{}, err
	}
	res, err := s.demand.Compute(ctx, pol.demandQuery())
	if err != nil {
		return Round{}, err
	}
	target, wait := res.Model.TargetPopulationPerOffice, res.Model.WaitTargetMin
	pol.TargetPopulationPerOffice, pol.WaitTargetMin = &target, &wait
	var cities []RegionDemand
	for _, r := range res.Regions {
		if r.Level == geo.LevelCity {
			cities = append(cities, r)
		}
	}
	slices.SortFunc(cities, func(a, b RegionDemand) int { return strings.Compare(a.Region, b.Region) })
	weights := make([]float64, len(cities))
	sum := 0
	for i, c := range cities {
		weights[i] = float64(c.Shortage)
		sum += c.Shortage
	}
	if sum == 0 {
		return Round{}, daftar.Unprocessable("no_shortage", "no city has a shortage under this policy: there is nothing to apportion",
			daftar.Field("total_licences", "no_shortage", "no city is short of offices under this policy"))
	}
	quotas := LargestRemainder(in.TotalLicences, weights)
	polJSON, _ := json.Marshal(pol)
	demJSON, _ := json.Marshal(res.Model)
	now := s.now()
	row := roundRow{Name: in.Name, State: RoundOpen, TotalLicences: in.TotalLicences, ExamYear: pol.ExamYear, Policy: string(polJSON),
		Demand: string(demJSON), Version: 1, CreatedBy: actorName(ctx), CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		rows := make([]quotaRow, len(cities))
		given := map[string]int{}
		for i, c := range cities {
			rows[i] = quotaRow{RoundID: row.ID, Region: c.Region, Needed: c.Needed, ActiveOffices: c.ActiveOffices,
				LicensedNotOpen: c.LicensedNotOpen, Shortage: c.Shortage, ComputedQuota: quotas[i], Quota: quotas[i]}
			if quotas[i] > 0 {
				given[c.Region] = quotas[i]
			}
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.create", Entity: "licensing_round", EntityID: row.ID,
			After: map[string]any{"name": row.Name, "total_licences": row.TotalLicences, "policy": pol, "quotas": given,
				"target_population_per_office": target, "national_average": res.Model.NationalAverage}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, row.ID)
}

// Get returns a round with its quotas.
func (s *Rounds) Get(ctx context.Context, id int64) (Round, error) {
	return s.get(s.db.WithContext(ctx), id, false)
}

func (s *Rounds) lockRound(tx *gorm.DB, id int64) (roundRow, error) {
	var row roundRow
	q := tx
	if s.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return row, daftar.NotFound("round_not_found", "no such licensing round")
		}
		return row, err
	}
	return row, nil
}

func (s *Rounds) get(tx *gorm.DB, id int64, lock bool) (Round, error) {
	var row roundRow
	var err error
	if lock {
		row, err = s.lockRound(tx, id)
	} else {
		err = tx.Where("id = ?", id).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			err = daftar.NotFound("round_not_found", "no such licensing round")
		}
	}
	if err != nil {
		return Round{}, err
	}
	var qs []quotaRow
	if err := tx.Where("round_id = ?", id).Order("quota DESC, shortage DESC, region").Find(&qs).Error; err != nil {
		return Round{}, err
	}
	return s.roundOf(row, qs)
}

func (s *Rounds) roundOf(row roundRow, qs []quotaRow) (Round, error) {
	r := Round{ID: row.ID, Name: row.Name, State: row.State, TotalLicences: row.TotalLicences, Placed: row.Placed, Unplaced: row.Unplaced,
		Proposals: row.Proposals, Version: row.Version, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
		AllocatedAt: utcPtr(row.AllocatedAt), ClosedAt: utcPtr(row.ClosedAt), Quotas: []Quota{}}
	if err := json.Unmarshal([]byte(row.Policy), &r.Policy); err != nil {
		return r, fmt.Errorf("round %d policy: %w", row.ID, err)
	}
	if err := json.Unmarshal([]byte(row.Demand), &r.Demand); err != nil {
		return r, fmt.Errorf("round %d demand: %w", row.ID, err)
	}
	for _, q := range qs {
		r.Issued += q.Issued
		unfilled := 0
		if row.State != RoundOpen {
			unfilled = max(0, q.Quota-q.Filled)
			r.Unfilled += unfilled
		}
		if q.Quota == 0 && q.Shortage == 0 && q.OverrideReason == nil {
			continue
		}
		qt := Quota{Region: q.Region, Quota: q.Quota, Shortage: q.Shortage, Needed: q.Needed, ActiveOffices: q.ActiveOffices,
			LicensedNotOpen: q.LicensedNotOpen, ComputedQuota: q.ComputedQuota, Overridden: q.OverrideReason != nil,
			OverrideReason: q.OverrideReason, OverriddenBy: q.OverriddenBy, OverriddenAt: utcPtr(q.OverriddenAt),
			Filled: q.Filled, Unfilled: unfilled, Issued: q.Issued}
		if reg, ok := s.gaz.Get(q.Region); ok {
			qt.NameFa, qt.NameEn = reg.NameFa, reg.NameEn
		}
		r.Quotas = append(r.Quotas, qt)
	}
	return r, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// RoundFilter selects rounds.
type RoundFilter struct {
	State         string
	Limit, Offset int
}

// List returns rounds, newest first, with the total.
func (s *Rounds) List(ctx context.Context, f RoundFilter) ([]Round, int64, error) {
	q := s.db.WithContext(ctx).Model(&roundRow{})
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []roundRow
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Round, 0, len(rows))
	for _, row := range rows {
		var qs []quotaRow
		if err := s.db.WithContext(ctx).Where("round_id = ?", row.ID).Order("quota DESC, shortage DESC, region").Find(&qs).Error; err != nil {
			return nil, 0, err
		}
		r, err := s.roundOf(row, qs)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, nil
}

func checkReason(reason string, required bool, fe *daftar.FieldErrors) string {
	reason = daftar.NormalizeText(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0 && required:
		fe.Add("reason", "required", "a reason is required")
	case n > 0 && n < 3:
		fe.Add("reason", "too_short", "must be at least 3 characters")
	case n > 1000:
		fe.Add("reason", "too_long", "must be at most 1000 characters")
	}
	return reason
}

func roundClosed() error {
	return daftar.Conflict("round_closed", "the round is closed: its allocation is final").With("state", RoundClosed)
}

// OverrideQuota pins a city's quota (nil quota: unpins it) with a reason,
// and apportions what is left of the total over the other cities by their
// shortage. An allocation standing is undone (its candidates are approved
// again): allocate again to place them under the new quotas.
func (s *Rounds) OverrideQuota(ctx context.Context, id int64, region string, quota *int, reason string) (Round, error) {
	var fe daftar.FieldErrors
	reason = checkReason(reason, true, &fe)
	if quota != nil && (*quota < 0 || *quota > maxRoundLicences) {
		fe.Add("quota", "out_of_range", "must be a whole number from 0")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_override", "the override is not valid"); err != nil {
		return Round{}, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		if row.State == RoundClosed {
			return roundClosed()
		}
		var qs []quotaRow
		if err := tx.Where("round_id = ?", id).Order("region").Find(&qs).Error; err != nil {
			return err
		}
		k := slices.IndexFunc(qs, func(q quotaRow) bool { return q.Region == region })
		if k < 0 {
			return daftar.NotFound("quota_not_found", "the round has no such city: quotas are per city of the gazetteer")
		}
		before := map[string]any{"region": region, "quota": qs[k].Quota, "overridden": qs[k].OverrideReason != nil}
		now := s.now()
		if quota == nil {
			qs[k].OverrideReason, qs[k].OverriddenBy, qs[k].OverriddenAt = nil, nil, nil
		} else {
			by := actorName(ctx)
			qs[k].Quota, qs[k].OverrideReason, qs[k].OverriddenBy, qs[k].OverriddenAt = *quota, &reason, &by, &now
		}
		pinned := 0
		var free []int
		var weights []float64
		for i, q := range qs {
			if q.OverrideReason != nil {
				pinned += q.Quota
				continue
			}
			free = append(free, i)
			weights = append(weights, float64(q.Shortage))
		}
		rest := row.TotalLicences - pinned
		if rest < 0 {
			return daftar.Unprocessable("quotas_exceed_total", "the overridden quotas add up to more than the round's total",
				daftar.Field("quota", "exceeds_total", fmt.Sprintf("overridden quotas would add up to %d, more than the total of %d", pinned, row.TotalLicences)))
		}
		shares := LargestRemainder(rest, weights)
		sum := 0
		for _, v := range shares {
			sum += v
		}
		if sum != rest {
			return daftar.Unprocessable("cannot_apportion", "no other city has a shortage to take the rest of the total",
				daftar.Field("quota", "cannot_apportion", fmt.Sprintf("%d licences would be left with no city to go to: no city without an override has a shortage", rest)))
		}
		changed := map[string][2]int{}
		for j, i := range free {
			if qs[i].Quota != shares[j] {
				changed[qs[i].Region] = [2]int{qs[i].Quota, shares[j]}
			}
			qs[i].Quota = shares[j]
		}
		for _, q := range qs {
			if err := tx.Model(&quotaRow{}).Where("round_id = ? AND region = ?", id, q.Region).Updates(map[string]any{
				"quota": q.Quota, "override_reason": q.OverrideReason, "overridden_by": q.OverriddenBy, "overridden_at": q.OverriddenAt}).Error; err != nil {
				return err
			}
		}
		undone := false
		if row.State == RoundAllocated {
			if err := s.undoAllocation(ctx, tx, id, "quotas of the round changed: "+reason); err != nil {
				return err
			}
			undone = true
		}
		if err := s.touch(tx, row, map[string]any{"state": RoundOpen, "placed": 0, "unplaced": 0, "proposals": 0, "allocated_at": nil}, !undone); err != nil {
			return err
		}
		after := map[string]any{"region": region, "quota": qs[k].Quota, "overridden": quota != nil, "reason": reason,
			"others_changed": changed, "allocation_undone": undone}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.quota_override", Entity: "licensing_round", EntityID: id,
			Before: before, After: after})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}

// touch updates a round's row with its version guard. keepState leaves the
// state and allocation figures as they are.
func (s *Rounds) touch(tx *gorm.DB, row roundRow, set map[string]any, keepState bool) error {
	if keepState {
		set = map[string]any{}
	}
	set["version"] = row.Version + 1
	set["updated_at"] = s.now()
	res := tx.Model(&roundRow{}).Where("id = ? AND version = ?", row.ID, row.Version).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return daftar.Conflict("round_version_stale", "the round was changed at the same time; try again")
	}
	return nil
}

// undoAllocation returns every candidate placed by the round to approved
// (through the candidates' register, so each move is audited) and forgets
// the allocation.
func (s *Rounds) undoAllocation(ctx context.Context, tx *gorm.DB, id int64, reason string) error {
	var ids []int64
	if err := tx.Raw(`SELECT a.candidate_id FROM licensing_allocations a JOIN candidates c ON c.id = a.candidate_id
		WHERE a.round_id = ? AND a.region IS NOT NULL AND c.state = ? ORDER BY a.candidate_id`, id, StateAllocated).Scan(&ids).Error; err != nil {
		return err
	}
	for _, cid := range ids {
		if _, err := s.cands.ReleaseAllocation(ctx, db.Wrap(tx), cid, reason); err != nil {
			return err
		}
	}
	if err := tx.Exec("DELETE FROM licensing_allocations WHERE round_id = ?", id).Error; err != nil {
		return err
	}
	return tx.Exec("UPDATE licensing_round_quotas SET filled = 0 WHERE round_id = ?", id).Error
}

type qualifying struct {
	ID          int64
	FirstName   string
	LastName    string
	Score       float64
	ExamRank    *int64
	Preferences string
}

// Allocate places the round's qualifying candidates (approved, of its exam
// year, meeting its score and province rules) by candidate-proposing
// deferred acceptance over their full preference lists, with the quotas as
// capacities. A standing allocation is undone first. Each candidate's
// result is stored with its reason, and the placed ones move to allocated.
func (s *Rounds) Allocate(ctx context.Context, id int64) (Round, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		if row.State == RoundClosed {
			return roundClosed()
		}
		var pol Policy
		if err := json.Unmarshal([]byte(row.Policy), &pol); err != nil {
			return err
		}
		if err := s.undoAllocation(ctx, tx, id, "the round is allocated again"); err != nil {
			return err
		}
		q := tx.Table("candidates").Select("id, first_name, last_name, score, exam_rank, preferences").
			Where("state = ? AND exam_year = ?", StateApproved, row.ExamYear)
		if pol.MinScore != nil {
			q = q.Where("score >= ?", *pol.MinScore)
		}
		if len(pol.ExamProvinces) > 0 {
			q = q.Where("exam_province IN ?", pol.ExamProvinces)
		}
		var cands []qualifying
		if err := q.Order("id").Find(&cands).Error; err != nil {
			return err
		}
		var qs []quotaRow
		if err := tx.Where("round_id = ?", id).Find(&qs).Error; err != nil {
			return err
		}
		seats := map[string]int{}
		for _, q := range qs {
			if q.Quota > 0 {
				seats[q.Region] = q.Quota
			}
		}
		apps := make([]Applicant, len(cands))
		byID := make(map[int64]*qualifying, len(cands))
		for i := range cands {
			c := &cands[i]
			var prefs []string
			if err := json.Unmarshal([]byte(c.Preferences), &prefs); err != nil {
				return fmt.Errorf("candidate %d preferences: %w", c.ID, err)
			}
			rank := 0
			if c.ExamRank != nil {
				rank = int(*c.ExamRank)
			}
			apps[i] = Applicant{ID: c.ID, Score: c.Score, Rank: rank, Preferences: prefs}
			byID[c.ID] = c
		}
		alloc := DeferredAcceptance(apps, seats)
		prefsOf := make(map[int64][]string, len(apps))
		for _, a := range apps {
			prefsOf[a.ID] = a.Preferences
		}
		rows := make([]allocationRow, 0, len(alloc.Placements))
		placed := 0
		for _, p := range alloc.Placements {
			c := byID[p.ApplicantID]
			r := allocationRow{RoundID: id, CandidateID: p.ApplicantID, Score: c.Score, ExamRank: c.ExamRank}
			if p.Region != "" {
				reg, pref := p.Region, p.Preference
				r.Region, r.PreferenceRank = &reg, &pref
				placed++
			}
			r.Reason, r.ReasonFa = s.reasons(p, prefsOf[p.ApplicantID], seats, alloc.Cutoff)
			rows = append(rows, r)
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if r.Region == nil {
				continue
			}
			if _, err := s.cands.Allocate(ctx, db.Wrap(tx), r.CandidateID, *r.Region); err != nil {
				return err
			}
		}
		unfilled := map[string]int{}
		for region, n := range seats {
			filled := alloc.Filled[region]
			if err := tx.Exec("UPDATE licensing_round_quotas SET filled = ? WHERE round_id = ? AND region = ?", filled, id, region).Error; err != nil {
				return err
			}
			if filled < n {
				unfilled[region] = n - filled
			}
		}
		now := s.now()
		if err := s.touch(tx, row, map[string]any{"state": RoundAllocated, "placed": placed, "unplaced": len(rows) - placed,
			"proposals": alloc.Proposals, "allocated_at": now}, false); err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.allocate", Entity: "licensing_round", EntityID: id,
			Before: map[string]any{"state": row.State, "placed": row.Placed},
			After: map[string]any{"state": RoundAllocated, "qualifying": len(rows), "placed": placed, "unplaced": len(rows) - placed,
				"proposals": alloc.Proposals, "unfilled": unfilled}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}

// reasons says, in English and Persian, why a candidate got what they got.
func (s *Rounds) reasons(p Placement, prefs []string, seats map[string]int, cutoff map[string]float64) (string, string) {
	name := func(code string) (string, string) {
		if r, ok := s.gaz.Get(code); ok {
			return r.NameEn, r.NameFa
		}
		return code, code
	}
	if p.Region != "" {
		en, fa := name(p.Region)
		return fmt.Sprintf("placed at preference %d (%s)", p.Preference, en),
			fmt.Sprintf("در اولویت %s (%s) پذیرفته شد", daftar.PersianDigits(fmt.Sprint(p.Preference)), fa)
	}
	if len(prefs) == 0 {
		return "no preferences were given", "اولویتی اعلام نشده است"
	}
	var full, fullFa, none, noneFa []string
	for _, r := range prefs {
		en, fa := name(r)
		if seats[r] <= 0 {
			none, noneFa = append(none, en), append(noneFa, fa)
			continue
		}
		sc := fmt.Sprintf("%.2f", cutoff[r])
		full = append(full, fmt.Sprintf("%s (lowest placed score %s)", en, sc))
		fullFa = append(fullFa, fmt.Sprintf("%s (کمترین نمره پذیرفته %s)", fa, daftar.PersianDigits(sc)))
	}
	var en, fa []string
	if len(full) > 0 {
		en = append(en, "every preferred city with licences was filled by higher-ranked candidates: "+strings.Join(full, ", "))
		fa = append(fa, "ظرفیت همه شهرهای مورد نظر با داوطلبان دارای رتبه بهتر پر شد: "+strings.Join(fullFa, "، "))
	}
	if len(none) > 0 {
		en = append(en, "no licences in this round for "+strings.Join(none, ", "))
		fa = append(fa, "در این دوره مجوزی برای این شهرها نیست: "+strings.Join(noneFa, "، "))
	}
	return strings.Join(en, "; "), strings.Join(fa, "؛ ")
}

// Close freezes a round's allocation: no more allocating or overriding,
// and licences may be issued from it.
func (s *Rounds) Close(ctx context.Context, id int64, reason string) (Round, error) {
	var fe daftar.FieldErrors
	reason = checkReason(reason, false, &fe)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_close", "the request is not valid"); err != nil {
		return Round{}, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		switch row.State {
		case RoundClosed:
			return roundClosed()
		case RoundOpen:
			return daftar.Conflict("round_not_allocated", "allocate the round before closing it").With("state", row.State)
		}
		now := s.now()
		if err := s.touch(tx, row, map[string]any{"state": RoundClosed, "closed_at": now}, false); err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.close", Entity: "licensing_round", EntityID: id,
			Before: map[string]any{"state": row.State}, After: map[string]any{"state": RoundClosed, "reason": reason, "placed": row.Placed}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}

// AllocationItem is one candidate's result in a round.
type AllocationItem struct {
	CandidateID        int64   `json:"candidate_id"`
	Region             *string `json:"region" doc:"city code; null when unplaced"`
	RegionNameFa       *string `json:"region_name_fa"`
	RegionNameEn       *string `json:"region_name_en"`
	PreferenceRank     *int    `json:"preference_rank" doc:"1-based position of the region in the candidate's list; null when unplaced"`
	Reason             string  `json:"reason"`
	ReasonFa           string  `json:"reason_fa"`
	Score              float64 `json:"score"`
	ExamRank           *int64  `json:"exam_rank"`
	FirstName          string  `json:"first_name"`
	LastName           string  `json:"last_name"`
	NationalCodeMasked string  `json:"national_code_masked"`
	CandidateState     string  `json:"candidate_state"`
	LicenceID          *int64  `json:"licence_id" doc:"the licence issued from this allocation, if any"`
}

// AllocationFilter selects a round's results.
type AllocationFilter struct {
	Region        string
	Placed        *bool
	Limit, Offset int
}

// Allocations returns a round's results in the order regions rank
// candidates (score, then exam rank, then id), with the total.
func (s *Rounds) Allocations(ctx context.Context, id int64, f AllocationFilter) ([]AllocationItem, int64, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Table("licensing_allocations a").Joins("JOIN candidates c ON c.id = a.candidate_id").
		Joins("LEFT JOIN licences l ON l.candidate_id = a.candidate_id AND l.round_id = a.round_id").
		Where("a.round_id = ?", id)
	if f.Region != "" {
		q = q.Where("a.region = ?", f.Region)
	}
	if f.Placed != nil {
		if *f.Placed {
			q = q.Where("a.region IS NOT NULL")
		} else {
			q = q.Where("a.region IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []struct {
		CandidateID        int64
		Region             *string
		PreferenceRank     *int
		Reason             string
		ReasonFa           string
		Score              float64
		ExamRank           *int64
		FirstName          string
		LastName           string
		NationalCodeMasked string
		State              string
		LicenceID          *int64
	}
	err := q.Select(`a.candidate_id, a.region, a.preference_rank, a.reason, a.reason_fa, a.score, a.exam_rank,
		c.first_name, c.last_name, c.national_code_masked, c.state, l.id AS licence_id`).
		Order("a.score DESC").Order("CASE WHEN a.exam_rank IS NULL THEN 1 ELSE 0 END").Order("a.exam_rank").Order("a.candidate_id").
		Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	out := make([]AllocationItem, len(rows))
	for i, r := range rows {
		out[i] = AllocationItem{CandidateID: r.CandidateID, Region: r.Region, PreferenceRank: r.PreferenceRank, Reason: r.Reason,
			ReasonFa: r.ReasonFa, Score: r.Score, ExamRank: r.ExamRank, FirstName: r.FirstName, LastName: r.LastName,
			NationalCodeMasked: r.NationalCodeMasked, CandidateState: r.State, LicenceID: r.LicenceID}
		if r.Region != nil {
			if reg, ok := s.gaz.Get(*r.Region); ok {
				fa, en := reg.NameFa, reg.NameEn
				out[i].RegionNameFa, out[i].RegionNameEn = &fa, &en
			}
		}
	}
	return out, total, nil
}
