package inspections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// States of a corrective action.
const (
	ActionOpen      = "open"
	ActionDone      = "done"
	ActionConfirmed = "confirmed"
	ActionReopened  = "reopened"
)

// What may be done to a corrective action through the API: the owner says
// it is fixed (done), staff confirm the fix or reopen it.
const (
	DoDone    = "done"
	DoConfirm = "confirm"
	DoReopen  = "reopen"
)

// Verbs lists the actions of POST .../corrective-actions/{id}/{action}.
var Verbs = []string{DoDone, DoConfirm, DoReopen}

// actionFrom lists the states each verb may start from. A confirmed action
// is final: a later failure of the same item opens a new one.
var actionFrom = map[string][]string{
	DoDone:    {ActionOpen, ActionReopened},
	DoConfirm: {ActionDone},
	DoReopen:  {ActionDone},
}

var verbTo = map[string]string{DoDone: ActionDone, DoConfirm: ActionConfirmed, DoReopen: ActionReopened}

// AllowedVerbs lists the verbs an action in state may take.
func AllowedVerbs(state string) []string {
	out := []string{}
	for _, v := range Verbs {
		if slices.Contains(actionFrom[v], state) {
			out = append(out, v)
		}
	}
	return out
}

// CorrectiveAction is what an office must fix after an inspection.
type CorrectiveAction struct {
	ID           int64
	OfficeID     int64
	InspectionID int64
	Item         string // the checklist item's code, or the free-text finding's
	Severity     string
	Finding      string
	State        string
	DueOn        string // Tehran YYYY-MM-DD: fixed by the end of that day
	Overdue      bool   // past DueOn and not confirmed, now
	DoneAt       *time.Time
	DoneBy       *string
	DoneNote     *string
	ReviewedAt   *time.Time
	ReviewedBy   *string
	ReviewNote   *string
	// ReviewInspectionID is the follow-up inspection that confirmed or
	// reopened it last; nil when a person did it by hand.
	ReviewInspectionID *int64
	ConfirmedAt        *time.Time
	Reopened           int
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// History is filled by CorrectiveAction (one action), oldest first.
	History []ActionEvent
}

// ActionEvent is one step of an action's history.
type ActionEvent struct {
	Event        string // open, done, confirm, reopen
	From, To     string
	Note         string
	InspectionID *int64
	Actor        string
	At           time.Time
}

const actionColumns = `id, office_id, inspection_id, item_code, severity, finding, state, due_on, done_at, done_by, done_note,
	reviewed_at, reviewed_by, review_note, review_inspection_id, confirmed_at, reopened, version, created_at, updated_at`

func scanAction(scan func(...any) error, a *CorrectiveAction) error {
	return scan(&a.ID, &a.OfficeID, &a.InspectionID, &a.Item, &a.Severity, &a.Finding, &a.State, &a.DueOn, &a.DoneAt, &a.DoneBy, &a.DoneNote,
		&a.ReviewedAt, &a.ReviewedBy, &a.ReviewNote, &a.ReviewInspectionID, &a.ConfirmedAt, &a.Reopened, &a.Version, &a.CreatedAt, &a.UpdatedAt)
}

func (a *CorrectiveAction) setOverdue(today string) {
	a.Overdue = a.State != ActionConfirmed && a.DueOn < today
}

// auditView is what the audit log keeps of an action.
func (a CorrectiveAction) auditView() map[string]any {
	return map[string]any{"office_id": a.OfficeID, "inspection_id": a.InspectionID, "item": a.Item, "severity": a.Severity,
		"state": a.State, "due_on": a.DueOn, "reopened": a.Reopened, "version": a.Version}
}

// ActionFilter selects an office's corrective actions.
type ActionFilter struct {
	OfficeID int64 // 0: every office
	State    string
	Overdue  *bool
	Limit    int
	Offset   int
}

// CorrectiveActions lists actions, the most urgent first (unconfirmed by
// due day, then confirmed ones newest first), with the total.
func (s *Service) CorrectiveActions(ctx context.Context, f ActionFilter) ([]CorrectiveAction, int64, error) {
	today := daftar.TehranDate(s.now())
	var where []string
	var args []any
	if f.OfficeID != 0 {
		where, args = append(where, "office_id = ?"), append(args, f.OfficeID)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.Overdue != nil {
		if *f.Overdue {
			where, args = append(where, "state <> 'confirmed' AND due_on < ?"), append(args, today)
		} else {
			where, args = append(where, "(state = 'confirmed' OR due_on >= ?)"), append(args, today)
		}
	}
	q := ""
	if len(where) > 0 {
		q = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := s.db.Query(ctx, "SELECT COUNT(*) FROM corrective_actions"+q, args, func(scan func(...any) error) error { return scan(&total) }); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	out := []CorrectiveAction{}
	err := s.db.Query(ctx, "SELECT "+actionColumns+" FROM corrective_actions"+q+
		" ORDER BY CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END, CASE WHEN state = 'confirmed' THEN '' ELSE due_on END, id DESC LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset), func(scan func(...any) error) error {
			var a CorrectiveAction
			if err := scanAction(scan, &a); err != nil {
				return err
			}
			a.setOverdue(today)
			out = append(out, a)
			return nil
		})
	return out, total, err
}

// CorrectiveAction returns one action of the office with its history; an
// action of another office is not found.
func (s *Service) CorrectiveAction(ctx context.Context, officeID, id int64) (CorrectiveAction, error) {
	a, err := s.action(ctx, s.db, officeID, id)
	if err != nil {
		return a, err
	}
	a.History, err = s.history(ctx, s.db, id)
	return a, err
}

func (s *Service) action(ctx context.Context, q db.Querier, officeID, id int64) (CorrectiveAction, error) {
	var a CorrectiveAction
	found := false
	err := q.Query(ctx, "SELECT "+actionColumns+" FROM corrective_actions WHERE id = ? AND office_id = ?", []any{id, officeID},
		func(scan func(...any) error) error {
			found = true
			return scanAction(scan, &a)
		})
	if err != nil {
		return a, err
	}
	if !found {
		return a, daftar.NotFound("corrective_action_not_found", "the office has no such corrective action")
	}
	a.setOverdue(daftar.TehranDate(s.now()))
	return a, nil
}

func (s *Service) history(ctx context.Context, q db.Querier, id int64) ([]ActionEvent, error) {
	out := []ActionEvent{}
	err := q.Query(ctx, "SELECT event, from_state, to_state, note, inspection_id, actor, at FROM corrective_action_events WHERE action_id = ? ORDER BY id",
		[]any{id}, func(scan func(...any) error) error {
			var e ActionEvent
			if err := scan(&e.Event, &e.From, &e.To, &e.Note, &e.InspectionID, &e.Actor, &e.At); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	return out, err
}

// Act runs a verb on an office's corrective action: done by the office's
// owner (or an admin) with a note saying what was fixed; confirm (note
// optional) or reopen (with a note) by staff. An unknown verb, an action of
// another office or an owner reaching past their own office is not found;
// a role the verb is not for is forbidden; a state the verb cannot start
// from is a conflict. Audited.
func (s *Service) Act(ctx context.Context, officeID, id int64, verb, note string) (CorrectiveAction, error) {
	if !slices.Contains(Verbs, verb) {
		return CorrectiveAction{}, daftar.NotFound("unknown_action", "no such action: done, confirm or reopen")
	}
	actor, _ := daftar.ActorFrom(ctx)
	if !actor.CanSeeOffice(officeID) {
		return CorrectiveAction{}, daftar.NotFound("corrective_action_not_found", "the office has no such corrective action")
	}
	switch verb {
	case DoDone:
		if !(actor.Role == daftar.RoleAdmin || actor.Role == daftar.RoleOfficeOwner && actor.OfficeID == officeID) {
			return CorrectiveAction{}, daftar.Forbidden("owner_only", "the office's owner says an action is done")
		}
	default:
		if !actor.Role.Staff() {
			return CorrectiveAction{}, daftar.Forbidden("staff_only", "staff confirm or reopen an action")
		}
	}
	note = strings.TrimSpace(daftar.NormalizeText(note))
	switch {
	case len([]rune(note)) > 1000:
		return CorrectiveAction{}, daftar.Unprocessable("invalid_action", "the request is not valid", daftar.Field("note", "too_long", "at most 1000 characters"))
	case note == "" && verb != DoConfirm:
		return CorrectiveAction{}, daftar.Unprocessable("invalid_action", "the request is not valid", daftar.Field("note", "required", "say what was done (1 to 1000 characters)"))
	}
	var out CorrectiveAction
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.action(ctx, tx, officeID, id)
		if err != nil {
			return err
		}
		if !slices.Contains(actionFrom[verb], a.State) {
			return daftar.Conflict("corrective_action_transition_forbidden", fmt.Sprintf("an action that is %s cannot be %s", a.State, pastTense(verb))).
				With("state", a.State).With("allowed", AllowedVerbs(a.State))
		}
		out, err = s.move(ctx, tx, a, verb, note, nil, actor.Username)
		return err
	})
	return out, err
}

func pastTense(verb string) string {
	switch verb {
	case DoDone:
		return "marked done"
	case DoConfirm:
		return "confirmed"
	}
	return "reopened"
}

// move takes a to the state verb leads to, records the event and the audit
// entry. The state is checked again in the UPDATE, so two people acting at
// once cannot both win.
func (s *Service) move(ctx context.Context, tx *db.Tx, a CorrectiveAction, verb, note string, inspectionID *int64, by string) (CorrectiveAction, error) {
	before := a.auditView()
	now := s.now()
	from, to := a.State, verbTo[verb]
	var set string
	var args []any
	switch verb {
	case DoDone:
		set, args = "done_at = ?, done_by = ?, done_note = ?", []any{now, by, note}
		a.DoneAt, a.DoneBy, a.DoneNote = &now, &by, &note
	case DoConfirm:
		set, args = "reviewed_at = ?, reviewed_by = ?, review_note = ?, review_inspection_id = ?, confirmed_at = ?", []any{now, by, note, inspectionID, now}
		a.ReviewedAt, a.ReviewedBy, a.ReviewNote, a.ReviewInspectionID, a.ConfirmedAt = &now, &by, &note, inspectionID, &now
	case DoReopen:
		set, args = "reviewed_at = ?, reviewed_by = ?, review_note = ?, review_inspection_id = ?, reopened = reopened + 1", []any{now, by, note, inspectionID}
		a.ReviewedAt, a.ReviewedBy, a.ReviewNote, a.ReviewInspectionID = &now, &by, &note, inspectionID
		a.Reopened++
	}
	n, err := tx.Exec(ctx, "UPDATE corrective_actions SET state = ?, "+set+", version = version + 1, updated_at = ? WHERE id = ? AND state = ?",
		append(append([]any{to}, args...), now, a.ID, from)...)
	if err != nil {
		return a, err
	}
	if n == 0 {
		return a, daftar.Conflict("corrective_action_changed", "the action was changed at the same time; reload and try again")
	}
	a.State, a.Version, a.UpdatedAt = to, a.Version+1, now
	a.setOverdue(daftar.TehranDate(now))
	if err := s.event(ctx, tx, a.ID, verb, from, to, note, inspectionID, by, now); err != nil {
		return a, err
	}
	if a.History, err = s.history(ctx, tx, a.ID); err != nil {
		return a, err
	}
	return a, s.audit.Record(ctx, tx, audit.Change{Action: "corrective_action." + verb, Entity: "corrective_action", EntityID: a.ID,
		Before: before, After: a.auditView()})
}

func (s *Service) event(ctx context.Context, tx *db.Tx, id int64, event, from, to, note string, inspectionID *int64, by string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO corrective_action_events (action_id, event, from_state, to_state, note, inspection_id, actor, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, event, from, to, note, inspectionID, by, at)
	return err
}

// followUp turns an inspection's answers into corrective actions, in its
// transaction. For every failure: a new open action when the item has none
// pending, due DueWorkingDays(severity) working days after the inspection's
// day; the pending action reopened when the owner had marked it done;
// nothing more while it is still open. For every passed item: its pending
// action confirmed, done or not (the inspector saw it fixed). An action raised by an inspection of
// a later day is left alone by an earlier one recorded late.
func (s *Service) followUp(ctx context.Context, tx *db.Tx, in Inspection, failed []finding) (ActionChanges, error) {
	ch := ActionChanges{Opened: []int64{}, Reopened: []int64{}, Confirmed: []int64{}}
	day, _ := time.ParseInLocation("2006-01-02", in.InspectedOn, daftar.Tehran())
	pending := func(code string) (CorrectiveAction, string, bool, error) {
		var a CorrectiveAction
		var raisedOn string
		found := false
		err := tx.Query(ctx, "SELECT "+prefixed(actionColumns, "a.")+", i.inspected_on FROM corrective_actions a JOIN inspections i ON i.id = a.inspection_id"+
			" WHERE a.office_id = ? AND a.item_code = ? AND a.state <> 'confirmed'", []any{in.OfficeID, code},
			func(scan func(...any) error) error {
				found = true
				return scanAction(func(dest ...any) error { return scan(append(dest, &raisedOn)...) }, &a)
			})
		return a, raisedOn, found, err
	}
	id := in.ID
	seen := map[string]bool{}
	for _, f := range failed {
		if seen[f.code] {
			continue
		}
		seen[f.code] = true
		a, raisedOn, ok, err := pending(f.code)
		if err != nil {
			return ch, err
		}
		switch {
		case !ok:
			due, err := s.dueOn(day, f.severity)
			if err != nil {
				return ch, err
			}
			nid, err := s.open(ctx, tx, in, f, due)
			if err != nil {
				return ch, err
			}
			ch.Opened = append(ch.Opened, nid)
		case a.State == ActionDone && raisedOn <= in.InspectedOn:
			if _, err := s.move(ctx, tx, a, DoReopen, "found again at the follow-up inspection", &id, in.Inspector); err != nil {
				return ch, err
			}
			ch.Reopened = append(ch.Reopened, a.ID)
		}
	}
	for _, r := range in.Results {
		if r.Result != ResultPass {
			continue
		}
		a, raisedOn, ok, err := pending(r.Item)
		if err != nil {
			return ch, err
		}
		if !ok || raisedOn > in.InspectedOn {
			continue
		}
		if _, err := s.move(ctx, tx, a, DoConfirm, "passed at the follow-up inspection", &id, in.Inspector); err != nil {
			return ch, err
		}
		ch.Confirmed = append(ch.Confirmed, a.ID)
	}
	return ch, nil
}

// open stores a new corrective action for a failure.
func (s *Service) open(ctx context.Context, tx *db.Tx, in Inspection, f finding, dueOn string) (int64, error) {
	now := s.now()
	a := CorrectiveAction{OfficeID: in.OfficeID, InspectionID: in.ID, Item: f.code, Severity: f.severity, Finding: f.text, State: ActionOpen,
		DueOn: dueOn, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.Query(ctx, `INSERT INTO corrective_actions (office_id, inspection_id, item_code, severity, finding, state, due_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, []any{a.OfficeID, a.InspectionID, a.Item, a.Severity, a.Finding, a.State, a.DueOn, now, now},
		func(scan func(...any) error) error { return scan(&a.ID) }); err != nil {
		return 0, err
	}
	if err := s.event(ctx, tx, a.ID, "open", "", ActionOpen, "", &a.InspectionID, in.Inspector, now); err != nil {
		return 0, err
	}
	return a.ID, s.audit.Record(ctx, tx, audit.Change{Action: "corrective_action.open", Entity: "corrective_action", EntityID: a.ID, After: a.auditView()})
}

func prefixed(cols, p string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// OverdueByOffice counts every office's corrective actions overdue at at:
// raised by then, due on a day before at's Tehran day, and not confirmed
// by then (an action the owner marked done still counts until it is
// confirmed). Confirmation is final and due days never move, so the count
// for a past moment stays what it was then.
func (s *Service) OverdueByOffice(ctx context.Context, at time.Time) (map[int64]int, error) {
	by, err := s.overdueBySeverity(ctx, at)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(by))
	for id, f := range by {
		out[id] = f.Minor + f.Major + f.Critical
	}
	return out, nil
}

func (s *Service) overdueBySeverity(ctx context.Context, at time.Time) (map[int64]Findings, error) {
	at = at.UTC().Truncate(time.Microsecond)
	out := map[int64]Findings{}
	err := s.db.Query(ctx, `SELECT office_id, severity, COUNT(*) FROM corrective_actions
		WHERE created_at <= ? AND due_on < ? AND (confirmed_at IS NULL OR confirmed_at > ?) GROUP BY office_id, severity`,
		[]any{at, daftar.TehranDate(at), at}, func(scan func(...any) error) error {
			var id int64
			var sev string
			var n int
			if err := scan(&id, &sev, &n); err != nil {
				return err
			}
			f := out[id]
			switch sev {
			case SeverityMinor:
				f.Minor += n
			case SeverityMajor:
				f.Major += n
			case SeverityCritical:
				f.Critical += n
			}
			out[id] = f
			return nil
		})
	return out, err
}

// ActionCounts are the corrective actions one inspection raised: how many,
// how many are not confirmed yet, and how many of those are overdue now.
type ActionCounts struct {
	Raised, Unconfirmed, Overdue int
}

// ActionCountsOf returns the action counts of the given inspections (those
// that raised none are absent).
func (s *Service) ActionCountsOf(ctx context.Context, inspectionIDs []int64) (map[int64]ActionCounts, error) {
	today := daftar.TehranDate(s.now())
	out := map[int64]ActionCounts{}
	for start := 0; start < len(inspectionIDs); start += 500 {
		chunk := inspectionIDs[start:min(len(inspectionIDs), start+500)]
		err := s.db.Query(ctx, `SELECT inspection_id, COUNT(*), SUM(CASE WHEN state <> 'confirmed' THEN 1 ELSE 0 END),
			SUM(CASE WHEN state <> 'confirmed' AND due_on < ? THEN 1 ELSE 0 END)
			FROM corrective_actions WHERE inspection_id IN (`+db.Placeholders(len(chunk))+`) GROUP BY inspection_id`,
			append([]any{today}, db.Int64Args(chunk)...), func(scan func(...any) error) error {
				var id int64
				var c ActionCounts
				if err := scan(&id, &c.Raised, &c.Unconfirmed, &c.Overdue); err != nil {
					return err
				}
				out[id] = c
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
