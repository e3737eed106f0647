package visits

import "github.com/daftar-ir/daftar"

// Outcomes of a visit.
const (
	OutcomeServed    = "served"
	OutcomeNoShow    = "no_show"
	OutcomeCancelled = "cancelled"
	OutcomeReferred  = "referred"
)

// Channels of a visit.
const (
	ChannelWalkIn      = "walk_in"
	ChannelAppointment = "appointment"
)

// Outcomes lists every outcome; Channels every channel.
var (
	Outcomes = []string{OutcomeServed, OutcomeNoShow, OutcomeCancelled, OutcomeReferred}
	Channels = []string{ChannelWalkIn, ChannelAppointment}
)

// Input is one visit as received, every field as text ("" when
// absent), so the API and the CSV import share one validation.
type Input struct {
	Ticket     string
	Service    string
	ArrivedAt  string
	CalledAt   string
	FinishedAt string
	Outcome    string
	Counter    string
	Channel    string
	Mobile     string
	// Problems found while decoding (a field of the wrong type): the
	// visit is refused with them.
	Problems daftar.FieldErrors
}

// Visit is one stored visit. Times are Unix seconds (UTC), 0 when absent.
type Visit struct {
	ID         int64
	OfficeID   int64
	Ticket     string
	Service    string
	Arrived    int64
	Called     int64
	Finished   int64
	Outcome    string
	Counter    int
	Channel    string
	Mobile     string // never logged
	RecordedAt int64
}

// Item statuses of a batch answer.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRefused   = "refused"
)

// ItemResult is the fate of one visit of a batch.
type ItemResult struct {
	Index     int
	Ticket    string
	Status    string
	Reason    string
	Errors    []daftar.FieldError
	SurveyURL *string
	VisitID   int64
}

// BatchResult answers a batch.
type BatchResult struct {
	Accepted, Duplicates, Refused int
	Items                         []ItemResult
}

// ErrOfficeNotServing is the code of a batch refused because of the
// office's status.
const ErrOfficeNotServing = "office_not_serving"
