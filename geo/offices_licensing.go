package geo

import (
	"context"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// CreateIn registers an office inside the caller's transaction, with the
// same checks and audit as Create: licensing opens an office together with
// the licence's activation, so both commit or neither does. The caller
// tells the listeners (the finder) with Changed once the transaction has
// committed.
func (o *Offices) CreateIn(ctx context.Context, t *db.Tx, in OfficeInput) (Office, error) {
	tx := t.Gorm()
	now := o.clock.Now()
	off := Office{Status: OfficeActive, Version: 1, CreatedAt: now, UpdatedAt: now, Hours: DefaultOpeningHours(), Services: []string{}}
	var fe daftar.FieldErrors
	o.apply(&off, in, &fe, true)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office is not valid"); err != nil {
		return Office{}, err
	}
	if err := o.finish(&off); err != nil {
		return Office{}, err
	}
	if off.Code == "" {
		code, err := o.nextCode(tx, off.ProvinceCode)
		if err != nil {
			return Office{}, err
		}
		off.Code = code
	}
	if err := tx.Create(&off).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return Office{}, daftar.Conflict("office_code_taken", "an office with this code exists").With("field", "code")
		}
		return Office{}, err
	}
	if err := writeServices(tx, off.ID, off.Services); err != nil {
		return Office{}, err
	}
	return off, o.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "office.create", Entity: "office", EntityID: off.ID, After: off.auditView()})
}

// GetIn reads an office inside the caller's transaction, locking its row
// on PostgreSQL.
func (o *Offices) GetIn(tx *db.Tx, id int64) (Office, error) { return o.get(tx.Gorm(), id, true) }
