package licensing

import (
	"context"
	"fmt"
	"slices"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// OverrideQuota pins a city's quota (nil quota: unpins it) with a reason,
// and apportions what is left of the total over the other cities by their
// shortage. An allocation standing is undone (its candidates are approved
// again): allocate again to place them under the new quotas.
func (s *Rounds) OverrideQuota(ctx context.Context, id int64, region string, quota *int, reason string) (Round, error) {
	var fe daftar.FieldErrors
	reason = checkReason(reason, true, &fe)
	if quota != nil && (*quota < 0 || *quota > maxRoundLicences) {
		fe.Add("quota", "out_of_range", "must be a whole number from 0")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_override", "the override is not valid"); err != nil {
		return Round{}, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		if row.State == RoundClosed {
			return roundClosed()
		}
		var qs []quotaRow
		if err := tx.Where("round_id = ?", id).Order("region").Find(&qs).Error; err != nil {
			return err
		}
		k := slices.IndexFunc(qs, func(q quotaRow) bool { return q.Region == region })
		if k < 0 {
			return daftar.NotFound("quota_not_found", "the round has no such city: quotas are per city of the gazetteer")
		}
		before := map[string]any{"region": region, "quota": qs[k].Quota, "overridden": qs[k].OverrideReason != nil}
		now := s.now()
		if quota == nil {
			qs[k].OverrideReason, qs[k].OverriddenBy, qs[k].OverriddenAt = nil, nil, nil
		} else {
			by := actorName(ctx)
			qs[k].Quota, qs[k].OverrideReason, qs[k].OverriddenBy, qs[k].OverriddenAt = *quota, &reason, &by, &now
		}
		pinned := 0
		var free []int
		var weights []float64
		for i, q := range qs {
			if q.OverrideReason != nil {
				pinned += q.Quota
				continue
			}
			free = append(free, i)
			weights = append(weights, float64(q.Shortage))
		}
		rest := row.TotalLicences - pinned
		if rest < 0 {
			return daftar.Unprocessable("quotas_exceed_total", "the overridden quotas add up to more than the round's total",
				daftar.Field("quota", "exceeds_total", fmt.Sprintf("overridden quotas would add up to %d, more than the total of %d", pinned, row.TotalLicences)))
		}
		shares := LargestRemainder(rest, weights)
		sum := 0
		for _, v := range shares {
			sum += v
		}
		if sum != rest {
			return daftar.Unprocessable("cannot_apportion", "no other city has a shortage to take the rest of the total",
				daftar.Field("quota", "cannot_apportion", fmt.Sprintf("%d licences would be left with no city to go to: no city without an override has a shortage", rest)))
		}
		changed := map[string][2]int{}
		for j, i := range free {
			if qs[i].Quota != shares[j] {
				changed[qs[i].Region] = [2]int{qs[i].Quota, shares[j]}
			}
			qs[i].Quota = shares[j]
		}
		for _, q := range qs {
			if err := tx.Model(&quotaRow{}).Where("round_id = ? AND region = ?", id, q.Region).Updates(map[string]any{
				"quota": q.Quota, "override_reason": q.OverrideReason, "overridden_by": q.OverriddenBy, "overridden_at": q.OverriddenAt}).Error; err != nil {
				return err
			}
		}
		undone := false
		if row.State == RoundAllocated {
			if err := s.undoAllocation(ctx, tx, id, "quotas of the round changed: "+reason); err != nil {
				return err
			}
			undone = true
		}
		if err := s.touch(tx, row, map[string]any{"state": RoundOpen, "placed": 0, "unplaced": 0, "proposals": 0, "allocated_at": nil}, !undone); err != nil {
			return err
		}
		after := map[string]any{"region": region, "quota": qs[k].Quota, "overridden": quota != nil, "reason": reason,
			"others_changed": changed, "allocation_undone": undone}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.quota_override", Entity: "licensing_round", EntityID: id,
			Before: before, After: after})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}
