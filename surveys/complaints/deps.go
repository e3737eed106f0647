package complaints

import (
	"context"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
)

// Office is what a complaint needs of the office it is against.
type Office struct {
	ID       int64
	Code     string
	Name     string
	Province string // region code
	City     string // region code
	Active   bool
	// NoticeMobile is the mobile number the office's owner gets notices
	// on; empty when the office has none.
	NoticeMobile string
}

// Offices finds offices in the register (package geo/offices). Both
// methods answer a daftar NotFound error for an office that does not exist.
type Offices interface {
	OfficeByID(ctx context.Context, id int64) (Office, error)
	OfficeByCode(ctx context.Context, code string) (Office, error)
}

// Catalogue is the service catalogue (*geo.Catalogue satisfies it).
type Catalogue interface {
	Get(code string) (*geo.Service, bool)
}

// SurveyVisit is what a survey link tells about its visit: the office, the
// Tehran day (YYYY-MM-DD) and the service. Nothing about the citizen.
type SurveyVisit struct {
	OfficeID int64
	Day      string
	Service  string
}

// SurveyVisits reads the visit behind a survey link (package surveys)
// without consuming the invitation and whether or not it was answered: the
// complaint link is offered after the answers. A daftar NotFound error for
// a token that was never issued or has been forgotten.
type SurveyVisits interface {
	SurveyVisit(ctx context.Context, token string) (SurveyVisit, error)
}

// Outbox queues a text message inside the caller's transaction (the SMS
// outbox of package surveys), so a notice goes out only if the step that
// sends it commits.
type Outbox interface {
	QueueSMS(ctx context.Context, tx *db.Tx, mobile, body string) error
}

// Inspectors tells whether an account is an inspector who can take cases
// (package internal/accounts): it exists, has the inspector role and is
// not disabled.
type Inspectors interface {
	ActiveInspector(ctx context.Context, userID int64) (bool, error)
}
