package surveys

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Stuffing signals. A flagged response is kept, left out of every figure,
// and listed for staff, who may overrule the flag.
const (
	FlagTooFast   = "too_fast"          // answered within seconds of the visit's end
	FlagBurst     = "burst"             // many answers for one office from one address
	FlagIdentical = "identical_pattern" // one answer pattern piling up for one office
)

// signals checks a new response against every stuffing signal, in the
// submission's transaction, and returns the flags raised.
func (s *Service) signals(tx *gorm.DB, r Response, inv Invitation, now time.Time) ([]string, error) {
	var raised []string
	flag := func(ids []int64, reason, detail string) error {
		for _, id := range ids {
			if err := tx.Exec(`INSERT INTO survey_flags (response_id, office_id, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (response_id, reason) DO NOTHING`, id, r.OfficeID, reason, detail, now).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("UPDATE survey_responses SET excluded = TRUE WHERE id IN ?", ids).Error; err != nil {
			return err
		}
		raised = append(raised, reason)
		return nil
	}

	// Too fast: the citizen can hardly have left the counter.
	if gap := now.Unix() - inv.VisitFinishedAt; gap < int64(s.cfg.TooFast.Seconds()) {
		if err := flag([]int64{r.ID}, FlagTooFast, fmt.Sprintf("answered %d s after the visit ended (less than %d s)", max(gap, 0), int(s.cfg.TooFast.Seconds()))); err != nil {
			return nil, err
		}
	}

	// Burst: this address answered for this office many times in about an
	// hour (this hour and the one before). Shared addresses (carrier NAT)
	// are common, hence a per-office count and a generous limit.
	if r.ClientHash != nil {
		var ids []int64
		if err := tx.Raw(`SELECT id FROM survey_responses WHERE client_hash = ? AND office_id = ? AND received_hour >= ? ORDER BY id`,
			*r.ClientHash, r.OfficeID, r.ReceivedHour-3600).Scan(&ids).Error; err != nil {
			return nil, err
		}
		if len(ids) > s.cfg.BurstLimit {
			if err := flag(ids, FlagBurst, fmt.Sprintf("%d answers for this office from one address within about an hour (limit %d)", len(ids), s.cfg.BurstLimit)); err != nil {
				return nil, err
			}
		}
	}

	// Identical pattern: the same answers piling up for one office within a
	// day, far beyond what that pattern's national share predicts (all 5s
	// is common and honest; forty of them in a day at a small office is not).
	since := r.ReceivedHour - 24*3600
	var same []int64
	if err := tx.Raw(`SELECT id FROM survey_responses WHERE office_id = ? AND pattern = ? AND received_hour > ? ORDER BY id`,
		r.OfficeID, r.Pattern, since).Scan(&same).Error; err != nil {
		return nil, err
	}
	if len(same) >= s.cfg.PatternMin {
		var office, nationalSame, nationalAll int64
		month := r.ReceivedHour - 30*24*3600
		if err := tx.Raw(`SELECT COUNT(*) FROM survey_responses WHERE office_id = ? AND received_hour > ?`, r.OfficeID, since).Scan(&office).Error; err != nil {
			return nil, err
		}
		if err := tx.Raw(`SELECT COUNT(*) FROM survey_responses WHERE received_hour > ?`, month).Scan(&nationalAll).Error; err != nil {
			return nil, err
		}
		if err := tx.Raw(`SELECT COUNT(*) FROM survey_responses WHERE pattern = ? AND received_hour > ?`, r.Pattern, month).Scan(&nationalSame).Error; err != nil {
			return nil, err
		}
		// The office's own answers are taken out of the national share, so
		// an office cannot make its pattern "normal" by stuffing.
		otherSame, otherAll := nationalSame-int64(len(same)), nationalAll-office
		share := 0.0
		if otherAll > 0 {
			share = float64(max(otherSame, 0)) / float64(otherAll)
		}
		expected := share * float64(office)
		if float64(len(same)) >= s.cfg.PatternFactor*expected {
			if err := flag(same, FlagIdentical, fmt.Sprintf("%d identical answers for this office in a day; its national share predicts %.1f", len(same), expected)); err != nil {
				return nil, err
			}
		}
	}
	return raised, nil
}

// Flag is one stuffing flag as staff see it.
type Flag struct {
	ID           int64      `json:"id"`
	ResponseID   int64      `json:"response_id"`
	OfficeID     int64      `json:"office_id"`
	Reason       string     `json:"reason"`
	Detail       string     `json:"detail"`
	CreatedAt    time.Time  `json:"created_at"`
	OverruledAt  *time.Time `json:"overruled_at"`
	OverruledBy  *string    `json:"overruled_by"`
	OverruleNote *string    `json:"overrule_note"`
}

// FlagFilter selects flags.
type FlagFilter struct {
	OfficeID  int64
	Reason    string
	Overruled *bool
	Limit     int
	Offset    int
}

// Flags lists flags, newest first, with the total.
func (s *Service) Flags(ctx context.Context, f FlagFilter) ([]Flag, int64, error) {
	q := s.db.WithContext(ctx).Table("survey_flags")
	if f.OfficeID != 0 {
		q = q.Where("office_id = ?", f.OfficeID)
	}
	if f.Reason != "" {
		q = q.Where("reason = ?", f.Reason)
	}
	if f.Overruled != nil {
		if *f.Overruled {
			q = q.Where("overruled_at IS NOT NULL")
		} else {
			q = q.Where("overruled_at IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Flag
	err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Scan(&out).Error
	return out, total, err
}

// Overrule lifts a flag (staff judged the answer genuine); the response
// counts again unless another flag still holds. Audited.
func (s *Service) Overrule(ctx context.Context, id int64, note string) (Flag, error) {
	note = daftar.NormalizeText(note)
	if note == "" || len([]rune(note)) > 500 {
		return Flag{}, daftar.Invalid("invalid_overrule", "say why the flag is overruled",
			daftar.Field("note", "required", "1 to 500 characters"))
	}
	actor, _ := daftar.ActorFrom(ctx)
	var out Flag
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rows []Flag
		if err := tx.Table("survey_flags").Where("id = ?", id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return daftar.NotFound("flag_not_found", "no such flag")
		}
		f := rows[0]
		if f.OverruledAt != nil {
			return daftar.Conflict("flag_overruled", "this flag is already overruled")
		}
		now := s.clock.Now()
		res := tx.Exec("UPDATE survey_flags SET overruled_at = ?, overruled_by = ?, overrule_note = ? WHERE id = ? AND overruled_at IS NULL",
			now, actor.Username, note, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("flag_overruled", "this flag is already overruled")
		}
		if err := tx.Exec(`UPDATE survey_responses SET excluded = EXISTS (SELECT 1 FROM survey_flags
			WHERE response_id = ? AND overruled_at IS NULL) WHERE id = ?`, f.ResponseID, f.ResponseID).Error; err != nil {
			return err
		}
		f.OverruledAt, f.OverruledBy, f.OverruleNote = &now, &actor.Username, &note
		out = f
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "survey_flag.overrule", Entity: "survey_flag", EntityID: id,
			Before: map[string]any{"reason": f.Reason, "overruled": false}, After: map[string]any{"overruled": true, "note": note}})
	})
	return out, err
}
