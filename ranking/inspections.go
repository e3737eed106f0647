package ranking

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Severities of an inspection finding.
const (
	SeverityMinor    = "minor"
	SeverityMajor    = "major"
	SeverityCritical = "critical"
)

// Violation is one finding of an inspection.
type Violation struct {
	Code        string `json:"code"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
}

// Inspection is one visit of an inspector to an office.
type Inspection struct {
	ID          int64       `json:"id"`
	OfficeID    int64       `json:"office_id"`
	InspectedOn string      `json:"inspected_on"` // YYYY-MM-DD, Tehran
	Inspector   string      `json:"inspector"`
	Violations  []Violation `json:"violations"`
	Notes       string      `json:"notes"`
	CreatedAt   time.Time   `json:"created_at"`
}

// NewInspection is what recording an inspection takes.
type NewInspection struct {
	InspectedOn string
	Violations  []Violation
	Notes       string
}

// RecordInspection stores an inspection's findings, audited.
func (s *Service) RecordInspection(ctx context.Context, officeID int64, in NewInspection) (Inspection, error) {
	var fe daftar.FieldErrors
	day, err := daftar.ParseDate(in.InspectedOn)
	ok := err == nil
	now := s.clock.Now()
	switch {
	case !ok:
		fe.Add("inspected_on", "invalid", "must be a date like 2026-11-20 or 1405/08/29")
	case day.After(now):
		fe.Add("inspected_on", "future", "must not be in the future")
	case now.Sub(day) > 2*366*24*time.Hour:
		fe.Add("inspected_on", "too_old", "must be within the last two years")
	}
	if len(in.Violations) > 50 {
		fe.Add("violations", "too_many", "at most 50 findings")
	}
	var counts [3]int
	for i, v := range in.Violations {
		f := fmt.Sprintf("violations[%d]", i)
		v.Code = strings.TrimSpace(daftar.NormalizeText(v.Code))
		v.Description = daftar.NormalizeText(v.Description)
		if v.Code == "" || len(v.Code) > 40 {
			fe.Add(f+".code", "invalid", "a short code of the rule broken, 1-40 characters")
		}
		if len([]rune(v.Description)) > 1000 {
			fe.Add(f+".description", "too_long", "at most 1000 characters")
		}
		switch v.Severity {
		case SeverityMinor:
			counts[0]++
		case SeverityMajor:
			counts[1]++
		case SeverityCritical:
			counts[2]++
		default:
			fe.Add(f+".severity", "invalid", "minor, major or critical")
		}
		in.Violations[i] = v
	}
	in.Notes = daftar.NormalizeText(in.Notes)
	if len([]rune(in.Notes)) > 2000 {
		fe.Add("notes", "too_long", "at most 2000 characters")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_inspection", "the inspection is not valid"); err != nil {
		return Inspection{}, err
	}
	if in.Violations == nil {
		in.Violations = []Violation{}
	}
	actor, _ := daftar.ActorFrom(ctx)
	out := Inspection{OfficeID: officeID, InspectedOn: daftar.TehranDate(day), Inspector: actor.Username, Violations: in.Violations, Notes: in.Notes, CreatedAt: now}
	body, _ := json.Marshal(in.Violations)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`INSERT INTO inspections (office_id, inspected_on, inspector, violations, minor, major, critical, notes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, officeID, out.InspectedOn, out.Inspector, string(body),
			counts[0], counts[1], counts[2], out.Notes, now).Scan(&out.ID).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "inspection.record", Entity: "office", EntityID: officeID, After: out})
	})
	return out, err
}

// tableFindings reads the findings from ranking's inspections table: the
// InspectionSource while ranking owns that table (see Sources.Inspections).
type tableFindings struct{ db *db.DB }

func (t tableFindings) FindingsBetween(ctx context.Context, from, to time.Time) (map[int64]Findings, error) {
	var rows []struct {
		OfficeID               int64
		Minor, Major, Critical int
	}
	if err := t.db.WithContext(ctx).Raw(`SELECT office_id, SUM(minor) AS minor, SUM(major) AS major, SUM(critical) AS critical FROM inspections
		WHERE inspected_on >= ? AND inspected_on < ? GROUP BY office_id`, daftar.TehranDate(from), daftar.TehranDate(to)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]Findings, len(rows))
	for _, r := range rows {
		out[r.OfficeID] = Findings{Minor: r.Minor, Major: r.Major, Critical: r.Critical}
	}
	return out, nil
}

// Inspections lists an office's inspections, newest first.
func (s *Service) Inspections(ctx context.Context, officeID int64, limit, offset int) ([]Inspection, int64, error) {
	q := s.db.WithContext(ctx).Table("inspections").Where("office_id = ?", officeID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []struct {
		ID          int64
		OfficeID    int64
		InspectedOn string
		Inspector   string
		Violations  string
		Notes       string
		CreatedAt   time.Time
	}
	if err := q.Order("inspected_on DESC, id DESC").Limit(limit).Offset(offset).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Inspection, len(rows))
	for i, r := range rows {
		out[i] = Inspection{ID: r.ID, OfficeID: r.OfficeID, InspectedOn: r.InspectedOn, Inspector: r.Inspector, Notes: r.Notes, CreatedAt: r.CreatedAt}
		if err := json.Unmarshal([]byte(r.Violations), &out[i].Violations); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
