package complaints

import (
	"slices"

	"github.com/daftar-ir/daftar"
)

// State is where a case stands.
type State string

const (
	StateNew           State = "new"           // filed, nobody has looked at it yet
	StateTriaged       State = "triaged"       // read and accepted as a case
	StateAssigned      State = "assigned"      // an inspector has it
	StateInvestigating State = "investigating" // the inspector is on it
	StateResolved      State = "resolved"      // decided: upheld or not upheld
	StateClosed        State = "closed"        // finished (resolved, or dismissed before investigation)
	StateReopened      State = "reopened"      // a decided case taken up again
)

// States lists every state in the order a case goes through them.
var States = []State{StateNew, StateTriaged, StateAssigned, StateInvestigating, StateResolved, StateClosed, StateReopened}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Open reports whether the case still waits for a decision: its deadline
// runs and it counts as open for the inspections' risk.
func (s State) Open() bool { return s != StateResolved && s != StateClosed && s.Valid() }

// openStates are the states Open reports, for queries.
var openStates = []State{StateNew, StateTriaged, StateAssigned, StateInvestigating, StateReopened}

// Outcome is the decision on a case.
type Outcome string

const (
	Upheld    Outcome = "upheld"     // the office was at fault
	NotUpheld Outcome = "not_upheld" // it was not
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Upheld || o == NotUpheld }

// Action is a step a person takes on a case.
type Action string

const (
	Triage      Action = "triage"
	Assign      Action = "assign" // takes an inspector
	Reply       Action = "reply"  // the office owner's answer; the state stays
	Investigate Action = "investigate"
	Resolve     Action = "resolve" // takes an outcome; its note is public
	Close       Action = "close"
	Reopen      Action = "reopen"
)

// Actions lists the actions of POST /api/v1/complaints/{id}/{action}.
var Actions = []Action{Triage, Assign, Reply, Investigate, Resolve, Close, Reopen}

// Steps the system takes, recorded as events like the actions.
const (
	fileStep     Action = "file"
	escalateStep Action = "escalate"
)

// rule says from which states an action may be taken, where it leads (the
// same state when to is empty), and who may take it.
type rule struct {
	from  []State
	to    State
	owner bool // the office's owner takes it (staff do not)
	// assigned: an inspector may take it only on a case assigned to them
	// (admins and the ministry on any).
	assigned bool
	// noteRequired: the step means nothing without its text.
	noteRequired bool
}

// rules is the state machine. Assign from assigned or investigating hands
// the case to another inspector; close from new or triaged dismisses a
// complaint that needs no investigation (a duplicate, outside Daftar's
// remit), without an outcome.
var rules = map[Action]rule{
	Triage:      {from: []State{StateNew, StateReopened}, to: StateTriaged},
	Assign:      {from: []State{StateTriaged, StateAssigned, StateInvestigating, StateReopened}, to: StateAssigned},
	Reply:       {from: []State{StateNew, StateTriaged, StateAssigned, StateInvestigating, StateReopened}, owner: true, noteRequired: true},
	Investigate: {from: []State{StateAssigned}, to: StateInvestigating, assigned: true},
	Resolve:     {from: []State{StateAssigned, StateInvestigating}, to: StateResolved, assigned: true, noteRequired: true},
	Close:       {from: []State{StateNew, StateTriaged, StateResolved}, to: StateClosed},
	Reopen:      {from: []State{StateResolved, StateClosed}, to: StateReopened, noteRequired: true},
}

// Allowed reports whether action a may be taken on a case in state s (the
// state machine alone, whoever asks).
func Allowed(a Action, s State) bool {
	r, ok := rules[a]
	return ok && slices.Contains(r.from, s)
}

// next is the state after a on a case in state s.
func next(a Action, s State) State {
	if r := rules[a]; r.to != "" {
		return r.to
	}
	return s
}

// mayAct says whether the actor's role may take action a at all (whose case
// it is is checked later). Owners reply; staff do the rest.
func mayAct(actor daftar.Actor, a Action) bool {
	r, ok := rules[a]
	if !ok {
		return false
	}
	if r.owner {
		return actor.Role == daftar.RoleOfficeOwner
	}
	return actor.Role.Staff()
}
