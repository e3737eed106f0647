package inspections

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// States of an assignment.
const (
	AssignmentAssigned  = "assigned"
	AssignmentDone      = "done"
	AssignmentCancelled = "cancelled"
)

// AssignmentCancel is the one verb of POST .../assignments/{id}/{action}:
// an assignment is done by recording an inspection of its office.
const AssignmentCancel = "cancel"

// Assignment is an inspection planned for an inspector.
type Assignment struct {
	ID          int64
	OfficeID    int64
	InspectorID int64
	Inspector   string // the inspector's username
	DueOn       string // Tehran YYYY-MM-DD
	Reason      string
	// RiskScore is the office's worklist score when it was assigned.
	RiskScore    *float64
	State        string
	InspectionID *int64 // the inspection that did it
	Note         string // why it was cancelled
	Overdue      bool   // still assigned after its due day
	Version      int64
	CreatedAt    time.Time
	CreatedBy    string
	UpdatedAt    time.Time
}

const assignmentColumns = `id, office_id, inspector_id, inspector, due_on, reason, risk_score, state, inspection_id, note, version,
	created_at, created_by, updated_at`

func scanAssignment(scan func(...any) error, a *Assignment, today string) error {
	if err := scan(&a.ID, &a.OfficeID, &a.InspectorID, &a.Inspector, &a.DueOn, &a.Reason, &a.RiskScore, &a.State, &a.InspectionID, &a.Note,
		&a.Version, &a.CreatedAt, &a.CreatedBy, &a.UpdatedAt); err != nil {
		return err
	}
	a.Overdue = a.State == AssignmentAssigned && a.DueOn < today
	return nil
}

// NewAssignment is what assigning an inspection takes.
type NewAssignment struct {
	OfficeID    int64
	InspectorID int64
	DueOn       string // ISO or Jalali date
	Reason      string
}

// planners may plan and cancel inspections.
func planner(a daftar.Actor) bool {
	return a.Role == daftar.RoleAdmin || a.Role == daftar.RoleInspector
}

// Assign plans an inspection of an active office for an inspector by a due
// day, stating why; the office's risk score is kept with it. An office has
// at most one open assignment (409 for a second). Audited.
func (p *Planner) Assign(ctx context.Context, in NewAssignment) (Assignment, error) {
	actor, _ := daftar.ActorFrom(ctx)
	if !planner(actor) {
		return Assignment{}, daftar.Forbidden("planners_only", "admins and inspectors assign inspections")
	}
	now := p.s.now()
	today := daftar.TehranDate(now)
	var fe daftar.FieldErrors
	due, err := daftar.ParseDate(in.DueOn)
	dueOn := ""
	switch {
	case err != nil:
		fe.Add("due_on", "invalid", "must be a date like 2026-12-20 or 1405/09/29")
	default:
		dueOn = daftar.TehranDate(due)
		if dueOn < today {
			fe.Add("due_on", "past", "must be today or later")
		} else if due.Sub(now) > 366*24*time.Hour {
			fe.Add("due_on", "too_far", "must be within a year")
		}
	}
	in.Reason = strings.TrimSpace(daftar.NormalizeText(in.Reason))
	if in.Reason == "" || len([]rune(in.Reason)) > 500 {
		fe.Add("reason", "invalid", "say why, 1 to 500 characters")
	}
	var inspector string
	if in.InspectorID <= 0 {
		fe.Add("inspector_id", "required", "the inspector's account id")
	} else if u, err := p.src.Accounts.Get(ctx, in.InspectorID); err != nil {
		if !daftar.IsKind(err, daftar.KindNotFound) {
			return Assignment{}, err
		}
		fe.Add("inspector_id", "unknown", "no such account")
	} else if u.Role != string(daftar.RoleInspector) || u.Disabled {
		fe.Add("inspector_id", "not_inspector", "the account is not an active inspector's")
	} else {
		inspector = u.Username
	}
	var score *float64
	if in.OfficeID <= 0 {
		fe.Add("office_id", "required", "the office's id")
	} else {
		items, err := p.items(ctx, in.OfficeID)
		if err != nil {
			return Assignment{}, err
		}
		if len(items) == 0 {
			fe.Add("office_id", "unknown", "no active office with this id")
		} else {
			score = &items[0].Score
		}
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_assignment", "the assignment is not valid"); err != nil {
		return Assignment{}, err
	}
	a := Assignment{OfficeID: in.OfficeID, InspectorID: in.InspectorID, Inspector: inspector, DueOn: dueOn, Reason: in.Reason, RiskScore: score,
		State: AssignmentAssigned, Version: 1, CreatedAt: now, CreatedBy: actor.Username, UpdatedAt: now}
	err = p.s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Query(ctx, `INSERT INTO inspection_assignments (office_id, inspector_id, inspector, due_on, reason, risk_score, state,
			created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			[]any{a.OfficeID, a.InspectorID, a.Inspector, a.DueOn, a.Reason, a.RiskScore, a.State, now, a.CreatedBy, now},
			func(scan func(...any) error) error { return scan(&a.ID) }); err != nil {
			if db.IsUniqueViolation(err) {
				return daftar.Conflict("assignment_open", "the office already has an open assignment: cancel it first")
			}
			return err
		}
		return p.s.audit.Record(ctx, tx, audit.Change{Action: "inspection_assignment.create", Entity: "inspection_assignment", EntityID: a.ID, After: a})
	})
	return a, err
}

// ActOnAssignment runs a verb on an assignment: cancel (with a note), only
// while it is assigned. Audited.
func (p *Planner) ActOnAssignment(ctx context.Context, id int64, verb, note string) (Assignment, error) {
	if verb != AssignmentCancel {
		return Assignment{}, daftar.NotFound("unknown_action", "no such action: cancel")
	}
	actor, _ := daftar.ActorFrom(ctx)
	if !planner(actor) {
		return Assignment{}, daftar.Forbidden("planners_only", "admins and inspectors cancel assignments")
	}
	note = strings.TrimSpace(daftar.NormalizeText(note))
	if note == "" || len([]rune(note)) > 1000 {
		return Assignment{}, daftar.Unprocessable("invalid_action", "the request is not valid", daftar.Field("note", "required", "say why, 1 to 1000 characters"))
	}
	var out Assignment
	err := p.s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := p.s.assignment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.State != AssignmentAssigned {
			return daftar.Conflict("assignment_transition_forbidden", fmt.Sprintf("an assignment that is %s cannot be cancelled", a.State)).With("state", a.State)
		}
		before := a
		now := p.s.now()
		n, err := tx.Exec(ctx, "UPDATE inspection_assignments SET state = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ? AND state = ?",
			AssignmentCancelled, note, now, id, AssignmentAssigned)
		if err != nil {
			return err
		}
		if n == 0 {
			return daftar.Conflict("assignment_changed", "the assignment was changed at the same time; reload and try again")
		}
		a.State, a.Note, a.Version, a.UpdatedAt, a.Overdue = AssignmentCancelled, note, a.Version+1, now, false
		out = a
		return p.s.audit.Record(ctx, tx, audit.Change{Action: "inspection_assignment.cancel", Entity: "inspection_assignment", EntityID: id, Before: before, After: a})
	})
	return out, err
}

// AssignmentFilter selects assignments.
type AssignmentFilter struct {
	OfficeID    int64
	InspectorID int64
	State       string
	Overdue     bool // only assigned ones past their due day
	Limit       int
	Offset      int
}

// Assignments lists assignments, the soonest due first, with the total.
func (p *Planner) Assignments(ctx context.Context, f AssignmentFilter) ([]Assignment, int64, error) {
	today := daftar.TehranDate(p.s.now())
	var where []string
	var args []any
	if f.OfficeID != 0 {
		where, args = append(where, "office_id = ?"), append(args, f.OfficeID)
	}
	if f.InspectorID != 0 {
		where, args = append(where, "inspector_id = ?"), append(args, f.InspectorID)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.Overdue {
		where, args = append(where, "state = 'assigned' AND due_on < ?"), append(args, today)
	}
	q := ""
	if len(where) > 0 {
		q = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := p.s.db.Query(ctx, "SELECT COUNT(*) FROM inspection_assignments"+q, args, func(scan func(...any) error) error { return scan(&total) }); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	out := []Assignment{}
	err := p.s.db.Query(ctx, "SELECT "+assignmentColumns+" FROM inspection_assignments"+q+" ORDER BY due_on, id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset), func(scan func(...any) error) error {
			var a Assignment
			if err := scanAssignment(scan, &a, today); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	return out, total, err
}

// Assignment returns one assignment.
func (p *Planner) Assignment(ctx context.Context, id int64) (Assignment, error) {
	return p.s.assignment(ctx, p.s.db, id)
}

func (s *Service) assignment(ctx context.Context, q db.Querier, id int64) (Assignment, error) {
	var a Assignment
	found := false
	today := daftar.TehranDate(s.now())
	err := q.Query(ctx, "SELECT "+assignmentColumns+" FROM inspection_assignments WHERE id = ?", []any{id}, func(scan func(...any) error) error {
		found = true
		return scanAssignment(scan, &a, today)
	})
	if err == nil && !found {
		err = daftar.NotFound("assignment_not_found", "no such assignment")
	}
	return a, err
}

// openAssignments returns every office's open assignment.
func (p *Planner) openAssignments(ctx context.Context) (map[int64]Assignment, error) {
	today := daftar.TehranDate(p.s.now())
	out := map[int64]Assignment{}
	err := p.s.db.Query(ctx, "SELECT "+assignmentColumns+" FROM inspection_assignments WHERE state = 'assigned'", nil, func(scan func(...any) error) error {
		var a Assignment
		if err := scanAssignment(scan, &a, today); err != nil {
			return err
		}
		out[a.OfficeID] = a
		return nil
	})
	return out, err
}

// fulfil marks the office's open assignment done by the inspection just
// recorded (whoever made it), in its transaction, and returns its id.
func (s *Service) fulfil(ctx context.Context, tx *db.Tx, in Inspection) (*int64, error) {
	var id int64
	found := false
	if err := tx.Query(ctx, "SELECT id FROM inspection_assignments WHERE office_id = ? AND state = 'assigned'", []any{in.OfficeID},
		func(scan func(...any) error) error {
			found = true
			return scan(&id)
		}); err != nil || !found {
		return nil, err
	}
	now := s.now()
	if _, err := tx.Exec(ctx, "UPDATE inspection_assignments SET state = ?, inspection_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND state = ?",
		AssignmentDone, in.ID, now, id, AssignmentAssigned); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "UPDATE inspections SET assignment_id = ? WHERE id = ?", id, in.ID); err != nil {
		return nil, err
	}
	return &id, s.audit.Record(ctx, tx, audit.Change{Action: "inspection_assignment.done", Entity: "inspection_assignment", EntityID: id,
		After: map[string]any{"state": AssignmentDone, "inspection_id": in.ID}})
}
