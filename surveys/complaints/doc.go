// Package complaints turns a citizen's complaint against an office into a
// case that staff follow to an outcome.
//
// A citizen files without an account (File) and gets a tracking code that is
// short enough to read out over the telephone and unguessable (see
// trackingcode.go); with it anyone can follow the case's state, dates and
// public outcome (Track), and nothing personal. The case moves new ▸ triaged
// ▸ assigned ▸ investigating ▸ resolved (upheld or not upheld) ▸ closed, and
// may be reopened (Act, the table in states.go); every step is one
// transaction with its event and its audit record. Each category has a
// deadline in working days on the official calendar; Escalate flags the
// cases that pass it, once, however many replicas run it.
//
// What each reader sees differs: staff see the whole case, never the
// citizen's mobile number (only whether there is one and its last digits);
// the office's owner sees the complaints against their own office without
// anything that could point at the citizen beyond what the citizen wrote
// (ForOwner); the public sees Tracking. National codes and mobile numbers
// typed into the description or a note are masked before they are stored.
//
// The package owns the complaints and complaint_events tables. It reaches
// the offices register, the service catalogue, the survey invitations, the
// SMS outbox and the accounts only through the small interfaces in deps.go.
package complaints
