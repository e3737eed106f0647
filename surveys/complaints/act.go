package complaints

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Act takes one step on a case for the actor in ctx and returns the case
// after it (owners get it through ForOwner). The checks, in order:
//   - an unknown action: NotFound; a role that does not take it (staff do
//     not reply, owners do nothing else): Forbidden;
//   - a missing or too long note, a missing or unknown inspector or
//     outcome: Unprocessable naming the field;
//   - a case that does not exist, or an owner's case at another office:
//     NotFound;
//   - an inspector investigating or resolving a case assigned to someone
//     else: Forbidden;
//   - a state from which the action is not allowed (a second resolve):
//     Conflict, naming the state; so is a step that loses a race with
//     another on the same case.
//
// The change, its event, its audit record and any notice it sends commit
// together.
func (s *Service) Act(ctx context.Context, id int64, in ActionInput) (Complaint, error) {
	actor, ok := daftar.ActorFrom(ctx)
	if !ok || !actor.Role.Valid() {
		return Complaint{}, daftar.Unauthenticated("sign_in", "sign in to act on a complaint")
	}
	r, known := rules[in.Action]
	if !known {
		return Complaint{}, daftar.NotFound("unknown_action", "unknown action "+string(in.Action))
	}
	if !mayAct(actor, in.Action) {
		return Complaint{}, daftar.Forbidden("complaint_action_forbidden", fmt.Sprintf("a %s may not %s a complaint", actor.Role, in.Action))
	}
	note := MaskIdentifiers(cleanText(in.Note))
	if err := s.checkInput(ctx, in, r, note); err != nil {
		return Complaint{}, err
	}
	var out Complaint
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, found, err := getComplaint(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found || (actor.Role == daftar.RoleOfficeOwner && cur.officeID != actor.OfficeID) {
			return errNotFound
		}
		if r.assigned && actor.Role == daftar.RoleInspector && (cur.inspectorID == nil || *cur.inspectorID != actor.UserID) {
			return daftar.Forbidden("complaint_not_assigned", "this complaint is assigned to another inspector")
		}
		from := State(cur.state)
		if !slices.Contains(r.from, from) {
			return daftar.Conflict("complaint_state", fmt.Sprintf("a complaint that is %s cannot be %s", from, pastOf(in.Action))).
				With("state", string(from)).With("allowed_from", stateArgs(r.from))
		}
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		ch, err := s.changeFor(cur, in, note, now)
		if err != nil {
			return err
		}
		done, err := updateComplaint(ctx, tx, ch)
		if err != nil {
			return err
		}
		if !done {
			return daftar.Conflict("complaint_changed", "the complaint changed while this step was taken; read it again")
		}
		ev := Event{At: now, Action: in.Action, From: from, To: ch.state, ActorName: actor.Username, ActorRole: actor.Role,
			Note: note, Outcome: in.Outcome}
		if actor.UserID != 0 {
			uid := actor.UserID
			ev.ActorID = &uid
		}
		if in.Action == Assign {
			iid := in.InspectorID
			ev.InspectorID = &iid
		}
		if in.Action != Resolve {
			ev.Outcome = ""
		}
		if err := insertEvent(ctx, tx, id, ev); err != nil {
			return err
		}
		after, found, err := getComplaint(ctx, tx, id)
		if err != nil || !found {
			return fmt.Errorf("complaints: reread %d: %v", id, err)
		}
		if err := s.audit.Record(ctx, tx, audit.Change{Action: "complaint." + string(in.Action), Entity: "complaint",
			EntityID: id, Before: auditView(cur), After: auditView(after)}); err != nil {
			return err
		}
		if in.Action == Resolve {
			if err := s.noticeCitizen(ctx, tx, cur, in.Outcome); err != nil {
				return err
			}
		}
		out = s.withOverdue(after.complaint(), now)
		return nil
	})
	return out, err
}

// checkInput checks what the step carries before any case is read.
func (s *Service) checkInput(ctx context.Context, in ActionInput, r rule, note string) error {
	var fe daftar.FieldErrors
	switch n := runeLen(note); {
	case n == 0 && r.noteRequired:
		fe.Add("note", "required", fmt.Sprintf("say why (a note is required to %s)", in.Action))
	case n > s.cfg.NoteMax:
		fe.Add("note", "note_too_long", fmt.Sprintf("the note must have at most %d characters; it has %d", s.cfg.NoteMax, n))
	}
	if in.Action == Resolve && !in.Outcome.Valid() {
		fe.Add("outcome", "invalid_outcome", "outcome must be upheld or not_upheld")
	}
	if in.Action != Resolve && in.Outcome != "" {
		fe.Add("outcome", "unexpected", "only resolve takes an outcome")
	}
	if in.Action == Assign {
		if in.InspectorID <= 0 {
			fe.Add("inspector_id", "required", "say which inspector takes the case")
		} else if ok, err := s.inspectors.ActiveInspector(ctx, in.InspectorID); err != nil {
			return err
		} else if !ok {
			fe.Add("inspector_id", "unknown_inspector", "no active inspector has this id")
		}
	} else if in.InspectorID != 0 {
		fe.Add("inspector_id", "unexpected", "only assign takes an inspector")
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_complaint_action", "the step cannot be taken as it is")
}

// changeFor is the update the action makes to the case.
func (s *Service) changeFor(cur row, in ActionInput, note string, now time.Time) (change, error) {
	ch := change{id: cur.id, version: cur.version, state: next(in.Action, State(cur.state)), at: now}
	switch in.Action {
	case Assign:
		iid := in.InspectorID
		ch.inspectorID = &iid
	case Reply:
		ch.ownerReply, ch.repliedAt = &note, &now
	case Resolve:
		o := in.Outcome
		ch.outcome, ch.publicNote, ch.resolvedAt = &o, &note, &now
	case Close:
		ch.closedAt = &now
		ch.dropMobile = true // nothing more will be sent
	case Reopen:
		// Taken up again: no decision, a fresh deadline, and it may be
		// escalated again.
		empty, blank := Outcome(""), ""
		ch.outcome, ch.publicNote, ch.clearDone = &empty, &blank, true
		due, err := s.DueAt(Category(cur.category), now)
		if err != nil {
			return change{}, err
		}
		ch.dueAt = &due
	}
	return ch, nil
}

// auditView is what the audit log keeps of a case: its state, never the
// description or the citizen's contact.
func auditView(r row) map[string]any {
	return map[string]any{"state": r.state, "outcome": deref(r.outcome), "inspector_id": r.inspectorID,
		"due_at": r.dueAt.UTC(), "version": r.version}
}

// pastOf names an action's result in an error message.
func pastOf(a Action) string {
	switch a {
	case Triage:
		return "triaged"
	case Assign:
		return "assigned"
	case Reply:
		return "replied to"
	case Investigate:
		return "investigated"
	case Resolve:
		return "resolved"
	case Close:
		return "closed"
	case Reopen:
		return "reopened"
	}
	return string(a) + "d"
}

// noticeCitizen tells the citizen, when they left a mobile number, that
// their case is decided and where to read the outcome.
func (s *Service) noticeCitizen(ctx context.Context, tx *db.Tx, cur row, o Outcome) error {
	if len(cur.mobileEnc) == 0 {
		return nil
	}
	mobile, err := s.openMobile(cur.mobileEnc, cur.code)
	if err != nil {
		s.log.WarnContext(ctx, "complaint mobile does not open; no notice sent", "complaint", cur.id)
		return nil
	}
	verdict := "شکایت وارد نیست"
	if o == Upheld {
		verdict = "شکایت وارد است"
	}
	body := fmt.Sprintf("نتیجه رسیدگی به شکایت شما با کد پیگیری %s: %s. توضیح را در %s ببینید.",
		FormatTrackingCode(cur.code), verdict, s.cfg.TrackURL)
	return s.outbox.QueueSMS(ctx, tx, mobile, body)
}
