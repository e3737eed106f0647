package offices

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// Config sets the siting rules: inside its city, and apart from the other
// active offices.
type Config struct {
	// CityRadiusScale multiplies each city's urban radius (default 1.25).
	CityRadiusScale float64
	// MinCityRadiusM is the smallest radius used for any city (default 3000).
	MinCityRadiusM float64
	// MinDistanceM is how far an office opened through the register
	// (created active, re-opened, or moved while active) keeps from every
	// other active office, as licence activation requires (default 500;
	// negative: no distance rule).
	MinDistanceM float64
}

func (c Config) withDefaults() Config {
	if c.CityRadiusScale == 0 {
		c.CityRadiusScale = 1.25
	}
	if c.MinCityRadiusM == 0 {
		c.MinCityRadiusM = 3000
	}
	if c.MinDistanceM == 0 {
		c.MinDistanceM = 500
	}
	return c
}

// Register is the offices register.
type Register struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	gaz     *geo.Gazetteer
	cat     *geo.Catalogue
	changes *Changes
	cfg     Config
}

// New returns the register. Every change it commits is announced on
// changes.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *geo.Gazetteer, cat *geo.Catalogue, changes *Changes, cfg Config) (*Register, error) {
	if err := deps.Check("offices", "database", d, "clock", clock, "audit log", a, "gazetteer", gaz, "catalogue", cat,
		"changes hub", changes); err != nil {
		return nil, err
	}
	return &Register{db: d, clock: clock, audit: a, gaz: gaz, cat: cat, changes: changes, cfg: cfg.withDefaults()}, nil
}

// Gazetteer returns the regions the register checks against.
func (o *Register) Gazetteer() *geo.Gazetteer { return o.gaz }

// Catalogue returns the service catalogue.
func (o *Register) Catalogue() *geo.Catalogue { return o.cat }

// Changed tells the listeners that an office was changed inside a caller's
// transaction (licensing opens and suspends offices), once it committed.
func (o *Register) Changed(ctx context.Context, id int64) {
	if off, err := o.Get(ctx, id); err == nil {
		o.changes.publish(off)
	}
}

// CityRadius is the radius used for "inside the city" for a city.
func (o *Register) CityRadius(city *geo.Region) float64 {
	return max(city.RadiusM*o.cfg.CityRadiusScale, o.cfg.MinCityRadiusM)
}

// searchText is what the text search of List matches: the office's code,
// names, owner, address and city, folded.
func (o *Register) searchText(off *Office) string {
	names := []string{off.Code, off.NameFa, off.NameEn, off.OwnerName, off.Address}
	if c, ok := o.gaz.Get(off.CityCode); ok {
		names = append(names, c.NameFa, c.NameEn)
	}
	return daftar.FoldForMatch(strings.Join(names, " "))
}

// prepare validates a new office.
func (o *Register) prepare(in Input) (Office, error) {
	now := o.clock.Now()
	off := Office{Status: Active, Version: 1, CreatedAt: now, UpdatedAt: now, Hours: geo.DefaultOpeningHours(), Services: []string{}}
	var fe daftar.FieldErrors
	o.apply(&off, in, &fe, true)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office is not valid"); err != nil {
		return Office{}, err
	}
	return off, nil
}

// Create registers an office. One created active passes the siting rule
// (or carries an exemption: see Input.SitingExemption).
func (o *Register) Create(ctx context.Context, in Input) (Office, error) {
	off, err := o.prepare(in)
	if err != nil {
		return Office{}, err
	}
	err = o.db.InTx(ctx, func(tx *db.Tx) error {
		exempt, err := o.siting(ctx, tx, nil, &off, in.SitingExemption)
		if err != nil {
			return err
		}
		return o.insertWith(ctx, tx, &off, exempt)
	})
	if err != nil {
		return Office{}, err
	}
	o.changes.publish(off)
	return off, nil
}

// CreateIn registers an office inside the caller's transaction, with the
// same checks and audit as Create: licensing opens an office together with
// the licence's activation, so both commit or neither does. The caller
// tells the listeners (the finder) with Changed once the transaction has
// committed.
func (o *Register) CreateIn(ctx context.Context, tx *db.Tx, in Input) (Office, error) {
	off, err := o.prepare(in)
	if err != nil {
		return Office{}, err
	}
	if err := o.insert(ctx, tx, &off); err != nil {
		return Office{}, err
	}
	return off, nil
}

// Get returns one office with its services.
func (o *Register) Get(ctx context.Context, id int64) (Office, error) {
	return o.get(o.db.WithContext(ctx), id, false)
}

// GetIn reads an office inside the caller's transaction, locking its row
// on PostgreSQL.
func (o *Register) GetIn(ctx context.Context, tx *db.Tx, id int64) (Office, error) {
	return o.get(tx.Gorm().WithContext(ctx), id, true)
}

// Filter selects offices.
type Filter struct {
	IDs      []int64 // restrict to these (an owner's own office)
	Province string
	City     string
	Status   string
	Service  string
	Query    string // text in fa or en
	Limit    int
	Offset   int
}

// Update applies in to the office. expectVersion, when non-zero, must match
// the stored version: a stale write is a conflict.
func (o *Register) Update(ctx context.Context, id int64, in Input, expectVersion int64) (Office, error) {
	var out Office
	err := o.db.InTx(ctx, func(tx *db.Tx) error {
		off, err := o.get(tx.Gorm(), id, true)
		if err != nil {
			return err
		}
		if expectVersion != 0 && expectVersion != off.Version {
			return daftar.Conflict("office_version_stale", "the office was changed by someone else; reload and try again").
				With("current_version", off.Version)
		}
		before := off.auditView()
		was := off
		var fe daftar.FieldErrors
		o.apply(&off, in, &fe, false)
		if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office is not valid"); err != nil {
			return err
		}
		if sameOffice(was, off) && in.SitingExemption == nil {
			out = was // nothing changes: no write, no new version, no audit
			return nil
		}
		exempt, err := o.siting(ctx, tx, &was, &off, in.SitingExemption)
		if err != nil {
			return err
		}
		off.UpdatedAt = o.clock.Now()
		if err := o.update(tx, &off, in.Services != nil); err != nil {
			return err
		}
		out = off
		after := off.auditView()
		if exempt != "" {
			after["siting_exemption"] = exempt
		}
		return o.audit.Record(ctx, tx, audit.Change{Action: "office.update", Entity: "office", EntityID: off.ID, Before: before, After: after})
	})
	if err != nil {
		return Office{}, err
	}
	o.changes.publish(out)
	return out, nil
}

// SetStatus changes an office's status inside a caller's transaction (the
// licence lifecycle opens, suspends and closes offices), audited.
func (o *Register) SetStatus(ctx context.Context, tx *db.Tx, id int64, status, reason string) error {
	off, err := o.get(tx.Gorm(), id, true)
	if err != nil {
		return err
	}
	if off.Status == status {
		return nil
	}
	if err := o.setStatus(tx, off, status); err != nil {
		return err
	}
	return o.audit.Record(ctx, tx, audit.Change{Action: "office.status", Entity: "office", EntityID: id,
		Before: map[string]any{"status": off.Status}, After: map[string]any{"status": status, "reason": reason}})
}

// hoursJSON is the stored form of the opening hours.
func hoursJSON(h geo.OpeningHours) (string, error) {
	b, err := json.Marshal(h)
	return string(b), err
}
