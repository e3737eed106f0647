package licensing

import (
	"encoding/json"
	"time"
)

// candidateRecord is a candidate as the candidates table stores it, with
// the preferences as JSON and the folded names the search matches (a
// candidateRow is one parsed from an exam file). The exam import writes
// records (candidateColumns, by COPY) and the register's guarded updates
// change them; Candidate is what the package hands out.
type candidateRecord struct {
	ID                 int64     `gorm:"column:id;primaryKey"`
	ImportID           int64     `gorm:"column:import_id"`
	ExamYear           int       `gorm:"column:exam_year"`
	SourceRow          int       `gorm:"column:source_row"`
	NationalCodeHash   string    `gorm:"column:national_code_hash"`
	NationalCodeMasked string    `gorm:"column:national_code_masked"`
	NationalCodeEnc    []byte    `gorm:"column:national_code_enc"`
	FirstName          string    `gorm:"column:first_name"`
	LastName           string    `gorm:"column:last_name"`
	SearchText         string    `gorm:"column:search_text"`
	Gender             *string   `gorm:"column:gender"`
	BirthDate          *string   `gorm:"column:birth_date"`
	ExamProvince       string    `gorm:"column:exam_province"`
	Score              float64   `gorm:"column:score"`
	ScoreMax           float64   `gorm:"column:score_max"`
	Rank               *int64    `gorm:"column:exam_rank"`
	Result             string    `gorm:"column:result"`
	Preferences        string    `gorm:"column:preferences"`
	State              string    `gorm:"column:state"`
	StateReason        string    `gorm:"column:state_reason"`
	AllocatedRegion    *string   `gorm:"column:allocated_region"`
	Version            int64     `gorm:"column:version"`
	CreatedAt          time.Time `gorm:"column:created_at"`
	UpdatedAt          time.Time `gorm:"column:updated_at"`
}

func (candidateRecord) TableName() string { return "candidates" }

// candidateOf converts a stored candidate, decoding the preferences.
func candidateOf(r candidateRecord) (Candidate, error) {
	c := Candidate{ID: r.ID, ImportID: r.ImportID, ExamYear: r.ExamYear, SourceRow: r.SourceRow, NationalCodeHash: r.NationalCodeHash,
		NationalCodeMasked: r.NationalCodeMasked, NationalCodeEnc: r.NationalCodeEnc, FirstName: r.FirstName, LastName: r.LastName,
		Gender: r.Gender, BirthDate: r.BirthDate, ExamProvince: r.ExamProvince, Score: r.Score, ScoreMax: r.ScoreMax, Rank: r.Rank, Result: r.Result,
		State: r.State, StateReason: r.StateReason, AllocatedRegion: r.AllocatedRegion, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Preferences: []string{}}
	if r.Preferences == "" {
		return c, nil
	}
	return c, json.Unmarshal([]byte(r.Preferences), &c.Preferences)
}
