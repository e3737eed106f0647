package offices

import (
	"context"
	"reflect"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Contact is what an office's owner may change without asking anyone: the
// phone citizens call and the opening hours. A nil field stays as it is.
// Everything else on the register (name, place, counters, services,
// status) is the judiciary's to change.
type Contact struct {
	Phone        *string
	OpeningHours map[string][]string // nil keeps; set replaces the week
}

// UpdateContact applies an owner's change of phone and opening hours, with
// the same checks as Update. expectVersion, when non-zero, must match the
// stored version: a stale write is a conflict. A change that changes
// nothing leaves the office (and its version) alone and records nothing;
// any other is audited as office.contact in its transaction.
func (o *Register) UpdateContact(ctx context.Context, id int64, c Contact, expectVersion int64) (Office, error) {
	var out Office
	changed := false
	err := o.db.InTx(ctx, func(tx *db.Tx) error {
		off, err := o.get(tx.Gorm(), id, true)
		if err != nil {
			return err
		}
		if expectVersion != 0 && expectVersion != off.Version {
			return daftar.Conflict("office_version_stale", "the office was changed by someone else; reload and try again").
				With("current_version", off.Version)
		}
		before := Office{Phone: off.Phone, Hours: off.Hours}
		var fe daftar.FieldErrors
		o.apply(&off, Input{Phone: c.Phone, OpeningHours: c.OpeningHours}, &fe, false)
		if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the change is not valid"); err != nil {
			return err
		}
		out = off
		if off.Phone == before.Phone && reflect.DeepEqual(off.Hours, before.Hours) {
			return nil
		}
		changed = true
		off.UpdatedAt = o.clock.Now()
		if err := o.update(tx, &off, false); err != nil {
			return err
		}
		out = off
		return o.audit.Record(ctx, tx, audit.Change{Action: "office.contact", Entity: "office", EntityID: off.ID,
			Before: map[string]any{"phone": before.Phone, "opening_hours": before.Hours, "version": off.Version - 1},
			After:  map[string]any{"phone": off.Phone, "opening_hours": off.Hours, "version": off.Version}})
	})
	if err != nil {
		return Office{}, err
	}
	if changed {
		o.changes.publish(out)
	}
	return out, nil
}
