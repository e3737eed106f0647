package licensing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// The lifecycle: activation (which opens the office, after the siting
// rules of geo/offices), suspension, reinstatement, revocation, renewal,
// and the expiry job.

// ActionInput is what a lifecycle action takes.
type ActionInput struct {
	Reason string
	// Activate: an existing pending office of the licence's city, or the
	// new office to open.
	OfficeID int64
	Office   *NewOfficeInput
	// Renew: years to add (default the configured validity).
	Years int
}

// NewOfficeInput is the office an activation opens.
type NewOfficeInput struct {
	Name         *string
	NameEn       *string
	Latitude     *float64
	Longitude    *float64
	Address      *string
	Phone        *string
	Counters     *int
	OpeningHours map[string][]string
	Services     []string
}

func forbidden(l Licence, action string) error {
	return daftar.Conflict("licence_transition_forbidden", fmt.Sprintf("a licence in state %s cannot be %s", l.State, pastTense(action))).
		With("state", l.State).With("allowed", AllowedActions(l.State))
}

func pastTense(action string) string {
	switch action {
	case ActionActivate:
		return "activated"
	case ActionSuspend:
		return "suspended"
	case ActionReinstate:
		return "reinstated"
	case ActionRevoke:
		return "revoked"
	case ActionRenew:
		return "renewed"
	}
	return action + "d"
}

// Act runs a lifecycle action on a licence. An unknown action is not found;
// one its state forbids is a conflict.
func (s *Licences) Act(ctx context.Context, id int64, action string, in ActionInput) (Licence, error) {
	if !slices.Contains(LicenceActions, action) {
		return Licence{}, daftar.NotFound("unknown_action", "no such action: activate, suspend, reinstate, revoke or renew")
	}
	var fe daftar.FieldErrors
	in.Reason = checkReason(in.Reason, action != ActionActivate, &fe)
	if action == ActionActivate {
		switch {
		case in.OfficeID != 0 && in.Office != nil:
			fe.Add("office_id", "conflict", "give either office_id (an existing pending office) or the new office's location, not both")
		case in.OfficeID < 0:
			fe.Add("office_id", "invalid", "must be an office id")
		case in.OfficeID == 0 && in.Office == nil:
			fe.Add("latitude", "required", "the new office's location is required (or office_id of a pending office)")
			fe.Add("longitude", "required", "the new office's location is required (or office_id of a pending office)")
		case in.Office != nil:
			o := in.Office
			if o.Latitude == nil {
				fe.Add("latitude", "required", "is required")
			}
			if o.Longitude == nil {
				fe.Add("longitude", "required", "is required")
			}
			if o.Address == nil || daftar.NormalizeText(*o.Address) == "" {
				fe.Add("address", "required", "is required")
			}
			if o.Counters == nil {
				fe.Add("counters", "required", "is required")
			}
		}
	}
	if action == ActionRenew && in.Years != 0 && (in.Years < 1 || in.Years > 10) {
		fe.Add("years", "out_of_range", "must be from 1 to 10")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_action", "the request is not valid"); err != nil {
		return Licence{}, err
	}
	var out Licence
	var touched []int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		l, err := s.get(tx, id, true)
		if err != nil {
			return err
		}
		if !slices.Contains(licenceFrom[action], l.State) {
			return forbidden(l, action)
		}
		before := l.auditView()
		from := l.State
		now := s.now()
		set := map[string]any{}
		switch action {
		case ActionActivate:
			if !l.ValidUntil.After(now) {
				return daftar.Conflict("licence_past_validity", "the licence's validity has ended: renew it first")
			}
			officeID, err := s.open(ctx, tx, &l, in)
			if err != nil {
				return err
			}
			l.State, l.OfficeID, l.ActivatedAt = LicenceActive, &officeID, &now
			set["office_id"], set["activated_at"] = officeID, now
			touched = append(touched, officeID)
		case ActionSuspend:
			l.State = LicenceSuspended
			if err := s.officeStatus(ctx, tx, l, offices.Suspended, "licence suspended: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionReinstate:
			if !l.ValidUntil.After(now) {
				return daftar.Conflict("licence_past_validity", "the licence's validity has ended: renew it first")
			}
			l.State = LicenceActive
			if err := s.officeStatus(ctx, tx, l, offices.Active, "licence reinstated: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionRevoke:
			l.State = LicenceRevoked
			if err := s.officeStatus(ctx, tx, l, offices.Closed, "licence revoked: "+in.Reason, &touched); err != nil {
				return err
			}
		case ActionRenew:
			years := in.Years
			if years == 0 {
				years = s.cfg.ValidityYears
			}
			base := l.ValidUntil
			if now.After(base) {
				base = now
			}
			l.ValidUntil = base.AddDate(years, 0, 0)
			l.Renewals++
			l.ExpiryFlaggedAt = nil
			set["valid_until"], set["renewals"], set["expiry_flagged_at"] = l.ValidUntil, l.Renewals, nil
			if from == LicenceExpired {
				// Back to the state it expired from.
				var prev []string
				if err := tx.Raw("SELECT from_state FROM licence_events WHERE licence_id = ? AND action = ? ORDER BY id DESC LIMIT 1", l.ID, actionExpire).Scan(&prev).Error; err != nil {
					return err
				}
				l.State = LicenceIssued
				if len(prev) == 1 && prev[0] != "" {
					l.State = prev[0]
				}
				if l.State == LicenceActive {
					if err := s.officeStatus(ctx, tx, l, offices.Active, "licence renewed: "+in.Reason, &touched); err != nil {
						return err
					}
				}
			}
		}
		l.StateReason = in.Reason
		set["state"], set["state_reason"], set["version"], set["updated_at"] = l.State, l.StateReason, l.Version+1, now
		res := tx.Model(&licenceRow{}).Where("id = ? AND version = ?", l.ID, l.Version).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("licence_version_stale", "the licence was changed at the same time; reload and try again")
		}
		l.Version++
		l.UpdatedAt = now
		if err := s.event(ctx, tx, &l, action, from, in.Reason); err != nil {
			return err
		}
		out = l
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licence." + action, Entity: "licence", EntityID: l.ID,
			Before: before, After: map[string]any{"licence": l.auditView(), "reason": in.Reason}})
	})
	if err != nil {
		return Licence{}, err
	}
	for _, id := range touched {
		s.offices.Changed(ctx, id)
	}
	return out, nil
}

// officeStatus sets the status of the licence's office, if it has one.
func (s *Licences) officeStatus(ctx context.Context, tx *gorm.DB, l Licence, status, reason string, touched *[]int64) error {
	if l.OfficeID == nil {
		return nil
	}
	if err := s.offices.SetStatus(ctx, db.Wrap(tx), *l.OfficeID, status, reason); err != nil {
		return err
	}
	*touched = append(*touched, *l.OfficeID)
	return nil
}

// minDistance is the round's policy distance, or the configured one.
func (s *Licences) minDistance(tx *gorm.DB, l Licence) (float64, error) {
	if l.RoundID == nil {
		return s.cfg.MinDistanceM, nil
	}
	var pol []string
	if err := tx.Raw("SELECT policy FROM licensing_rounds WHERE id = ?", *l.RoundID).Scan(&pol).Error; err != nil {
		return 0, err
	}
	if len(pol) == 1 {
		var p Policy
		if json.Unmarshal([]byte(pol[0]), &p) == nil && p.MinDistanceM != nil {
			return *p.MinDistanceM, nil
		}
	}
	return s.cfg.MinDistanceM, nil
}

// open opens the licence's office: the pending office named, or a new one
// at the location given, after the siting rules.
func (s *Licences) open(ctx context.Context, tx *gorm.DB, l *Licence, in ActionInput) (int64, error) {
	// Activations in one province take turns, so two offices opening at
	// once cannot both pass the distance rule (nor take one code).
	if err := s.offices.LockSiting(ctx, db.Wrap(tx), l.Province); err != nil {
		return 0, err
	}
	minD, err := s.minDistance(tx, *l)
	if err != nil {
		return 0, err
	}
	if in.OfficeID != 0 {
		off, err := s.offices.GetIn(ctx, db.Wrap(tx), in.OfficeID)
		if err != nil {
			if daftar.IsKind(err, daftar.KindNotFound) {
				return 0, daftar.Unprocessable("office_not_found", "no such office", daftar.Field("office_id", "unknown", "no such office"))
			}
			return 0, err
		}
		var fe daftar.FieldErrors
		if off.Status != offices.Pending {
			fe.Add("office_id", "not_pending", "the office is "+off.Status+": only a pending office opens with a licence")
		}
		if off.CityCode != l.Region {
			fe.Add("office_id", "other_city", "the office lies in "+off.CityCode+", the licence is for "+l.Region)
		}
		var bound int64
		if err := tx.Raw("SELECT COUNT(*) FROM licences WHERE office_id = ? AND id <> ?", off.ID, l.ID).Scan(&bound).Error; err != nil {
			return 0, err
		}
		if bound > 0 {
			fe.Add("office_id", "bound", "the office belongs to another licence")
		}
		if err := fe.Err(daftar.KindUnprocessable, "invalid_office", "the office cannot open with this licence"); err != nil {
			return 0, err
		}
		if err := s.offices.CheckSite(ctx, db.Wrap(tx), offices.Site{City: l.Region, Lat: off.Latitude, Lon: off.Longitude, MinDistanceM: minD, Except: off.ID}); err != nil {
			return 0, err
		}
		return off.ID, s.offices.SetStatus(ctx, db.Wrap(tx), off.ID, offices.Active, "licence "+l.Number+" activated")
	}
	o := in.Office
	if err := s.offices.CheckSite(ctx, db.Wrap(tx), offices.Site{City: l.Region, Lat: *o.Latitude, Lon: *o.Longitude, MinDistanceM: minD}); err != nil {
		return 0, err
	}
	city, _ := s.gaz.Get(l.Region)
	name := o.Name
	if name == nil || daftar.NormalizeText(*name) == "" {
		n := fmt.Sprintf("دفتر خدمات الکترونیک قضائی %s، مجوز %s", city.NameFa, l.Number)
		name = &n
	}
	nameEn := o.NameEn
	if nameEn == nil {
		n := fmt.Sprintf("Judicial e-services office %s, licence %s", city.NameEn, l.Number)
		nameEn = &n
	}
	services := o.Services
	if services == nil {
		for _, sv := range s.offices.Catalogue().All() {
			services = append(services, sv.Code)
		}
	}
	owner, status, code := l.HolderName, offices.Active, l.Region
	off, err := s.offices.CreateIn(ctx, db.Wrap(tx), offices.Input{NameFa: name, NameEn: nameEn, OwnerName: &owner, City: &code,
		Latitude: o.Latitude, Longitude: o.Longitude, Address: o.Address, Phone: o.Phone, Counters: o.Counters,
		OpeningHours: o.OpeningHours, Services: services, Status: &status})
	if err != nil {
		return 0, err
	}
	return off.ID, nil
}

// ExpireDue expires the licences whose validity has ended (their offices
// are suspended) and returns how many.
func (s *Licences) ExpireDue(ctx context.Context) (int, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Raw("SELECT id FROM licences WHERE state IN ? AND valid_until <= ? ORDER BY id",
		licenceFrom[actionExpire], s.now()).Scan(&ids).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		var touched []int64
		done := false
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			l, err := s.get(tx, id, true)
			if err != nil {
				return err
			}
			now := s.now()
			if !slices.Contains(licenceFrom[actionExpire], l.State) || l.ValidUntil.After(now) {
				return nil // renewed or changed meanwhile
			}
			before := l.auditView()
			from := l.State
			if from == LicenceActive {
				if err := s.officeStatus(ctx, tx, l, offices.Suspended, "licence expired", &touched); err != nil {
					return err
				}
			}
			l.State, l.StateReason = LicenceExpired, "validity ended"
			res := tx.Model(&licenceRow{}).Where("id = ? AND version = ?", l.ID, l.Version).Updates(map[string]any{
				"state": l.State, "state_reason": l.StateReason, "version": l.Version + 1, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return nil
			}
			l.Version++
			if err := s.event(ctx, tx, &l, actionExpire, from, l.StateReason); err != nil {
				return err
			}
			done = true
			return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licence.expire", Entity: "licence", EntityID: l.ID, Before: before, After: l.auditView()})
		})
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
		for _, oid := range touched {
			s.offices.Changed(ctx, oid)
		}
	}
	return n, nil
}

// FlagExpiring flags the live licences whose validity ends within the
// configured warning window and returns how many were newly flagged.
func (s *Licences) FlagExpiring(ctx context.Context) (int, error) {
	now := s.now()
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM licences WHERE state IN ? AND valid_until > ? AND valid_until <= ?
		AND expiry_flagged_at IS NULL ORDER BY id`, licenceFrom[actionExpire], now, now.Add(s.cfg.ExpiryWarning)).Scan(&ids).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&licenceRow{}).Where("id = ? AND expiry_flagged_at IS NULL", id).
				Updates(map[string]any{"expiry_flagged_at": now, "version": gorm.Expr("version + 1"), "updated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			l, err := s.get(tx, id, false)
			if err != nil {
				return err
			}
			n++
			if err := s.event(ctx, tx, &l, "expiry_flagged", l.State, "validity ends "+l.ValidUntil.Format("2006-01-02")); err != nil {
				return err
			}
			return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licence.expiry_flagged", Entity: "licence", EntityID: id,
				After: map[string]any{"number": l.Number, "valid_until": l.ValidUntil, "state": l.State}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
