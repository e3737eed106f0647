package complaints

import (
	"time"

	"github.com/daftar-ir/daftar"
)

// Complaint is a case as staff see it: everything but the citizen's
// mobile number, of which they see only whether there is one and its last
// four digits.
type Complaint struct {
	ID           int64
	TrackingCode string // without the separator; FormatTrackingCode shows it
	OfficeID     int64
	OfficeCode   string // as the office was registered at filing
	OfficeName   string
	Province     string
	City         string
	Category     Category
	Service      string // catalogue code; empty when not given
	// AmountPaidRials is what the citizen says they paid; OfficialFeeRials
	// the catalogue's fee for the service at filing. Nil when not known.
	AmountPaidRials  *int64
	OfficialFeeRials *int64
	Description      string // cleaned, identifiers masked
	HasMobile        bool
	MobileMasked     string // "*******6789", empty without a number
	FromSurvey       bool
	VisitDay         string // the survey's visit day (YYYY-MM-DD), when from a survey
	State            State
	Outcome          Outcome // empty until resolved
	PublicNote       string  // the resolve note, shown to the citizen
	OwnerReply       string
	RepliedAt        *time.Time
	InspectorID      *int64
	FiledAt          time.Time
	DueAt            time.Time
	ResolvedAt       *time.Time
	ClosedAt         *time.Time
	EscalatedAt      *time.Time
	UpdatedAt        time.Time
	Version          int64
	// Overdue: still open after its deadline; OverdueBy is by how many
	// working days (as of the time it was read).
	Overdue   bool
	OverdueBy daftar.WorkingDays
}

// ExtraRials is how much more than the official fee the citizen says they
// paid, when both are known and it is more.
func (c Complaint) ExtraRials() *int64 {
	if c.AmountPaidRials == nil || c.OfficialFeeRials == nil || *c.AmountPaidRials <= *c.OfficialFeeRials {
		return nil
	}
	d := *c.AmountPaidRials - *c.OfficialFeeRials
	return &d
}

// OwnerView is a complaint as the office's owner sees it: what was
// complained of and where the case stands, never the citizen's contact,
// the tracking code (which would let the owner follow the citizen's own
// page), the visit day, the exact filing time, the inspector or staff
// notes.
type OwnerView struct {
	ID               int64
	OfficeID         int64
	Category         Category
	Service          string
	AmountPaidRials  *int64
	OfficialFeeRials *int64
	Description      string
	State            State
	Outcome          Outcome
	PublicNote       string
	OwnerReply       string
	RepliedAt        *time.Time
	FiledOn          daftar.JalaliDate // the day only
	DueAt            time.Time
	ResolvedAt       *time.Time
	Overdue          bool
}

// ForOwner is the complaint as its office's owner may see it.
func (c Complaint) ForOwner() OwnerView {
	return OwnerView{ID: c.ID, OfficeID: c.OfficeID, Category: c.Category, Service: c.Service,
		AmountPaidRials: c.AmountPaidRials, OfficialFeeRials: c.OfficialFeeRials, Description: c.Description,
		State: c.State, Outcome: c.Outcome, PublicNote: c.PublicNote, OwnerReply: c.OwnerReply, RepliedAt: c.RepliedAt,
		FiledOn: daftar.ToJalali(c.FiledAt), DueAt: c.DueAt, ResolvedAt: c.ResolvedAt, Overdue: c.Overdue}
}

// Tracking is what anyone with the tracking code sees: where the case
// stands and when things happened, the decision and its public note.
// Nothing personal, no staff notes, no names.
type Tracking struct {
	TrackingCode string
	OfficeName   string
	Category     Category
	State        State
	Outcome      Outcome
	PublicNote   string
	FiledAt      time.Time
	DueAt        time.Time
	ResolvedAt   *time.Time
	ClosedAt     *time.Time
	Overdue      bool
	// Steps are the state changes in order, without who or why.
	Steps []Step
}

// Step is one change of state as the citizen sees it.
type Step struct {
	State State
	At    time.Time
}

// Event is one step of a case as staff see it.
type Event struct {
	ID          int64
	At          time.Time
	Action      Action
	From, To    State
	ActorID     *int64
	ActorName   string
	ActorRole   daftar.Role
	Note        string
	InspectorID *int64
	Outcome     Outcome
}

// Filing is a complaint as the citizen sends it, fields as typed.
type Filing struct {
	OfficeID    int64  // or OfficeCode
	OfficeCode  string // or OfficeID
	Category    string
	Service     string // optional catalogue code
	AmountPaid  string // rials, any digits; required for extra fees
	Description string
	Mobile      string // optional
	SurveyToken string // optional: the citizen came from the survey page
}

// Receipt is the answer to a filing.
type Receipt struct {
	ID           int64
	TrackingCode string
	State        State
	FiledAt      time.Time
	DueAt        time.Time // the expected answer date
	OfficeName   string
}

// Filter selects cases for the staff queue.
type Filter struct {
	OfficeID    int64
	Province    string
	Category    Category
	State       State
	Overdue     bool // only open cases past their deadline
	InspectorID int64
	// FiledFrom and FiledTo, when set, keep the cases filed in
	// [FiledFrom, FiledTo).
	FiledFrom time.Time
	FiledTo   time.Time
	Page      int // from 1
	PageSize  int // default 50, at most 200
}

// ActionInput is one step a person takes on a case.
type ActionInput struct {
	Action      Action
	Note        string
	InspectorID int64   // assign
	Outcome     Outcome // resolve
}
