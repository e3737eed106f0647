package visits

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
)

// Record stores a batch of visits of one office. Each visit is accepted,
// reported as a duplicate (its ticket is already stored, or repeated earlier
// in the batch: nothing changes) or refused with the reason. A batch for an
// office that is not active (pending, suspended, closed) is refused as a
// whole with a conflict. The rollups of the days touched are rebuilt in the
// same transaction, under the office's lock, so two racing batches are
// serialised and every ticket is accepted exactly once.
func (v *Service) Record(ctx context.Context, officeID int64, items []Input) (BatchResult, error) {
	if len(items) == 0 {
		return BatchResult{}, daftar.Invalid("empty_batch", "the batch has no visits",
			daftar.Field("visits", "required", "must hold at least one visit"))
	}
	if len(items) > v.cfg.MaxBatch {
		return BatchResult{}, daftar.TooLarge("batch_too_large",
			fmt.Sprintf("a batch holds at most %d visits; this one has %d", v.cfg.MaxBatch, len(items))).With("max_batch", v.cfg.MaxBatch)
	}
	var res BatchResult
	err := v.db.InTx(ctx, func(tx *db.Tx) error {
		res = BatchResult{Items: make([]ItemResult, len(items))}
		if err := v.offices.Lock(ctx, tx, []int64{officeID}); err != nil {
			return err
		}
		servings, err := v.offices.Servings(ctx, tx, []int64{officeID})
		if err != nil {
			return err
		}
		off, ok := servings[officeID]
		if !ok {
			return daftar.NotFound("office_not_found", "no such office")
		}
		if off.Status != offices.Active {
			return daftar.Conflict(ErrOfficeNotServing, fmt.Sprintf("the office is %s: it records no visits", off.Status)).With("status", off.Status)
		}
		rules := v.rules(ctx)
		var (
			valid   []Visit
			index   []int // item index of each valid visit
			inBatch = map[string]int{}
		)
		for i, in := range items {
			vis, fe := rules.check(in, off)
			it := &res.Items[i]
			it.Index, it.Ticket = i, vis.Ticket
			if it.Ticket == "" {
				it.Ticket = truncate(in.Ticket, 64)
			}
			if len(fe) > 0 {
				it.Status, it.Reason, it.Errors = StatusRefused, reasonOf(fe), fe
				continue
			}
			if first, dup := inBatch[vis.Ticket]; dup {
				it.Status, it.Reason = StatusDuplicate, fmt.Sprintf("repeats the ticket of visit %d of this batch", first)
				continue
			}
			inBatch[vis.Ticket] = i
			valid = append(valid, vis)
			index = append(index, i)
		}
		ids, err := insertVisits(ctx, tx, valid)
		if err != nil {
			return err
		}
		var days []int64
		var served []Visit
		for k := range valid {
			it := &res.Items[index[k]]
			id, ok := ids[visitKey{officeID, valid[k].Ticket}]
			if !ok {
				it.Status, it.Reason = StatusDuplicate, "this ticket is already recorded"
				continue
			}
			it.Status, it.VisitID = StatusAccepted, id
			valid[k].ID = id
			days = append(days, daftar.DayStart(valid[k].Arrived))
			if valid[k].Outcome == OutcomeServed {
				served = append(served, valid[k])
			}
		}
		if len(days) > 0 {
			if err := v.rebuildAll(ctx, tx, map[int64][]int64{officeID: days}); err != nil {
				return err
			}
		}
		if len(served) > 0 {
			links, err := v.inviter.Invite(ctx, tx, officeID, served)
			if err != nil {
				return fmt.Errorf("survey invitations: %w", err)
			}
			for k := range valid {
				if u, ok := links[valid[k].ID]; ok && valid[k].ID != 0 {
					res.Items[index[k]].SurveyURL = &u
				}
			}
		}
		return nil
	})
	if err != nil {
		return BatchResult{}, err
	}
	for _, it := range res.Items {
		switch it.Status {
		case StatusAccepted:
			res.Accepted++
		case StatusDuplicate:
			res.Duplicates++
		default:
			res.Refused++
		}
	}
	v.log.InfoContext(ctx, "visits recorded", "office_id", officeID, "accepted", res.Accepted, "duplicates", res.Duplicates, "refused", res.Refused)
	return res, nil
}
