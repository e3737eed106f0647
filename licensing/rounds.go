package licensing

import (
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Licensing rounds. A round has a total number of licences and a policy;
// its quotas per city follow the demand model's shortage, apportioned by
// largest remainder so they sum exactly to the total. An official may pin
// a city's quota with a reason: the other quotas are apportioned again over
// what is left. Approved candidates are then placed by candidate-proposing
// deferred acceptance (allocate.go), as often as wanted until the round is
// closed; closing freezes the allocation, and licences are issued from it
// (licences.go). Every change is audited in its transaction.
//
// One file per step: rounds_create.go (policy and quotas), rounds_override.go,
// rounds_allocate.go, rounds_close.go; rounds_read.go reads rounds and their
// results, rounds_store.go holds their rows.

// Round states.
const (
	RoundOpen      = "open"      // quotas set, no allocation (or it was undone)
	RoundAllocated = "allocated" // an allocation stands; it may be run again
	RoundClosed    = "closed"    // the allocation is final; licences are issued from it
)

// Policy is what a round decides beyond its total: the targets of the
// demand model, the siting distance, and which candidates qualify. Absent
// fields take the configuration; a round stores the policy it applied.
type Policy struct {
	TargetPopulationPerOffice *float64 `json:"target_population_per_office,omitempty" doc:"residents per office for the population need; default the national average"`
	WaitTargetMin             *float64 `json:"wait_target_min,omitempty" doc:"Erlang C expected wait at the peak hour, minutes"`
	MinDistanceM              *float64 `json:"min_distance_m,omitempty" doc:"least distance from every active office for the offices this round's licences open, metres"`
	ExamYear                  int      `json:"exam_year,omitempty" doc:"candidates of this exam year qualify; default the latest year with approved candidates"`
	MinScore                  *float64 `json:"min_score,omitempty" doc:"candidates scoring below this do not qualify"`
	ExamProvinces             []string `json:"exam_provinces,omitempty" doc:"only candidates who sat the exam in these provinces qualify (province codes)"`
}

// Quota is one city's share of a round.
type Quota struct {
	Region          string     `json:"region"`
	NameFa          string     `json:"name_fa"`
	NameEn          string     `json:"name_en"`
	Quota           int        `json:"quota"`
	Shortage        int        `json:"shortage" doc:"the demand model's shortage when the round was created"`
	Needed          int        `json:"needed"`
	ActiveOffices   int        `json:"active_offices"`
	LicensedNotOpen int        `json:"licensed_not_open"`
	ComputedQuota   int        `json:"computed_quota" doc:"the quota by largest remainder before any override"`
	Overridden      bool       `json:"overridden"`
	OverrideReason  *string    `json:"override_reason"`
	OverriddenBy    *string    `json:"overridden_by"`
	OverriddenAt    *time.Time `json:"overridden_at"`
	Filled          int        `json:"filled" doc:"candidates placed (and licences issued singly)"`
	Unfilled        int        `json:"unfilled" doc:"quota left unfilled by the allocation"`
	Issued          int        `json:"issued" doc:"licences issued against the quota"`
}

// Round is a licensing round with its quotas.
type Round struct {
	ID            int64       `json:"id"`
	Name          string      `json:"name"`
	State         string      `json:"state" doc:"open, allocated or closed"`
	TotalLicences int         `json:"total_licences"`
	Policy        Policy      `json:"policy" doc:"as applied"`
	Demand        DemandModel `json:"demand" doc:"the demand model's shared inputs when the quotas were computed"`
	Quotas        []Quota     `json:"quotas" doc:"cities with a quota, a shortage or an override, largest quota first"`
	Placed        int         `json:"placed"`
	Unplaced      int         `json:"unplaced"`
	Unfilled      int         `json:"unfilled"`
	Proposals     int         `json:"proposals" doc:"proposals deferred acceptance made: the work of the allocation"`
	Issued        int         `json:"issued"`
	Version       int64       `json:"version"`
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	AllocatedAt   *time.Time  `json:"allocated_at"`
	ClosedAt      *time.Time  `json:"closed_at"`
}

// Rounds keeps the licensing rounds.
type Rounds struct {
	db     *db.DB
	clock  daftar.Clock
	audit  *audit.Log
	gaz    *geo.Gazetteer
	cands  *Candidates
	demand *Demand
	cfg    Config
}

// NewRounds returns the rounds' register.
func NewRounds(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *geo.Gazetteer, cands *Candidates, demand *Demand, cfg Config) *Rounds {
	return &Rounds{db: d, clock: clock, audit: a, gaz: gaz, cands: cands, demand: demand, cfg: cfg.withDefaults()}
}

// Config returns the effective configuration.
func (s *Rounds) Config() Config { return s.cfg }

func (s *Rounds) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func roundClosed() error {
	return daftar.Conflict("round_closed", "the round is closed: its allocation is final").With("state", RoundClosed)
}
