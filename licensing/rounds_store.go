package licensing

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The rows of a round: the round itself, a quota per city of the gazetteer,
// and a result per qualifying candidate of the last allocation.

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

// lockRound reads a round's row for update (on PostgreSQL; SQLite has one
// writer at a time).
func (s *Rounds) lockRound(tx *gorm.DB, id int64) (roundRow, error) {
	q := tx
	if s.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return takeRound(q, id)
}

func takeRound(q *gorm.DB, id int64) (roundRow, error) {
	var row roundRow
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return row, daftar.NotFound("round_not_found", "no such licensing round")
		}
		return row, err
	}
	return row, nil
}

// quotasOf reads a round's quota rows, largest quota first.
func quotasOf(q *gorm.DB, id int64) ([]quotaRow, error) {
	var qs []quotaRow
	err := q.Where("round_id = ?", id).Order("quota DESC, shortage DESC, region").Find(&qs).Error
	return qs, err
}

func (s *Rounds) get(tx *gorm.DB, id int64) (Round, error) {
	row, err := takeRound(tx, id)
	if err != nil {
		return Round{}, err
	}
	qs, err := quotasOf(tx, id)
	if err != nil {
		return Round{}, err
	}
	return s.roundOf(row, qs)
}

// roundOf converts a round's rows into the domain type.
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
