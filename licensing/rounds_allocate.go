package licensing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// undoAllocation returns every candidate placed by the round to approved
// (through the candidates' register, so each move is audited) and forgets
// the allocation.
func (s *Rounds) undoAllocation(ctx context.Context, tx *gorm.DB, id int64, reason string) error {
	var ids []int64
	if err := tx.Raw(`SELECT a.candidate_id FROM licensing_allocations a JOIN candidates c ON c.id = a.candidate_id
		WHERE a.round_id = ? AND a.region IS NOT NULL AND c.state = ? ORDER BY a.candidate_id`, id, StateAllocated).Scan(&ids).Error; err != nil {
		return err
	}
	for _, cid := range ids {
		if _, err := s.cands.ReleaseAllocation(ctx, db.Wrap(tx), cid, reason); err != nil {
			return err
		}
	}
	if err := tx.Exec("DELETE FROM licensing_allocations WHERE round_id = ?", id).Error; err != nil {
		return err
	}
	return tx.Exec("UPDATE licensing_round_quotas SET filled = 0 WHERE round_id = ?", id).Error
}

type qualifying struct {
	ID          int64
	FirstName   string
	LastName    string
	Score       float64
	ScoreMax    float64
	ExamRank    *int64
	Preferences string
}

// Allocate places the round's qualifying candidates (approved, of its exam
// year, meeting its score and province rules) by candidate-proposing
// deferred acceptance over their full preference lists, with the quotas as
// capacities. A standing allocation is undone first. Each candidate's
// result is stored with its reason, and the placed ones move to allocated.
func (s *Rounds) Allocate(ctx context.Context, id int64) (Round, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row, err := s.lockRound(tx, id)
		if err != nil {
			return err
		}
		if row.State == RoundClosed {
			return roundClosed()
		}
		var pol Policy
		if err := json.Unmarshal([]byte(row.Policy), &pol); err != nil {
			return err
		}
		if err := s.undoAllocation(ctx, tx, id, "the round is allocated again"); err != nil {
			return err
		}
		q := tx.Table("candidates").Select("id, first_name, last_name, score, score_max, exam_rank, preferences").
			Where("state = ? AND exam_year = ?", StateApproved, row.ExamYear)
		if pol.MinScore != nil {
			q = q.Where("score >= ?", *pol.MinScore)
		}
		if len(pol.ExamProvinces) > 0 {
			q = q.Where("exam_province IN ?", pol.ExamProvinces)
		}
		var cands []qualifying
		if err := q.Order("id").Find(&cands).Error; err != nil {
			return err
		}
		if err := checkScales(scalesOf(cands), row.ExamYear); err != nil {
			return err
		}
		var qs []quotaRow
		if err := tx.Where("round_id = ?", id).Find(&qs).Error; err != nil {
			return err
		}
		seats := map[string]int{}
		for _, q := range qs {
			if q.Quota > 0 {
				seats[q.Region] = q.Quota
			}
		}
		apps := make([]Applicant, len(cands))
		byID := make(map[int64]*qualifying, len(cands))
		for i := range cands {
			c := &cands[i]
			var prefs []string
			if err := json.Unmarshal([]byte(c.Preferences), &prefs); err != nil {
				return fmt.Errorf("candidate %d preferences: %w", c.ID, err)
			}
			rank := 0
			if c.ExamRank != nil {
				rank = int(*c.ExamRank)
			}
			apps[i] = Applicant{ID: c.ID, Score: c.Score, Rank: rank, Preferences: prefs}
			byID[c.ID] = c
		}
		alloc := DeferredAcceptance(apps, seats)
		prefsOf := make(map[int64][]string, len(apps))
		for _, a := range apps {
			prefsOf[a.ID] = a.Preferences
		}
		rows := make([]allocationRow, 0, len(alloc.Placements))
		placed := 0
		for _, p := range alloc.Placements {
			c := byID[p.ApplicantID]
			r := allocationRow{RoundID: id, CandidateID: p.ApplicantID, Score: c.Score, ExamRank: c.ExamRank}
			if p.Region != "" {
				reg, pref := p.Region, p.Preference
				r.Region, r.PreferenceRank = &reg, &pref
				placed++
			}
			r.Reason, r.ReasonFa = s.reasons(p, prefsOf[p.ApplicantID], seats, alloc.Cutoff)
			rows = append(rows, r)
		}
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if r.Region == nil {
				continue
			}
			if _, err := s.cands.Allocate(ctx, db.Wrap(tx), r.CandidateID, *r.Region); err != nil {
				return err
			}
		}
		unfilled := map[string]int{}
		for region, n := range seats {
			filled := alloc.Filled[region]
			if err := tx.Exec("UPDATE licensing_round_quotas SET filled = ? WHERE round_id = ? AND region = ?", filled, id, region).Error; err != nil {
				return err
			}
			if filled < n {
				unfilled[region] = n - filled
			}
		}
		now := s.now()
		if err := s.touch(tx, row, map[string]any{"state": RoundAllocated, "placed": placed, "unplaced": len(rows) - placed,
			"proposals": alloc.Proposals, "allocated_at": now}, false); err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.allocate", Entity: "licensing_round", EntityID: id,
			Before: map[string]any{"state": row.State, "placed": row.Placed},
			After: map[string]any{"state": RoundAllocated, "qualifying": len(rows), "placed": placed, "unplaced": len(rows) - placed,
				"proposals": alloc.Proposals, "unfilled": unfilled}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, id)
}

// reasons says, in English and Persian, why a candidate got what they got.
func (s *Rounds) reasons(p Placement, prefs []string, seats map[string]int, cutoff map[string]float64) (string, string) {
	name := func(code string) (string, string) {
		if r, ok := s.gaz.Get(code); ok {
			return r.NameEn, r.NameFa
		}
		return code, code
	}
	if p.Region != "" {
		en, fa := name(p.Region)
		return fmt.Sprintf("placed at preference %d (%s)", p.Preference, en),
			fmt.Sprintf("در اولویت %s (%s) پذیرفته شد", daftar.PersianDigits(fmt.Sprint(p.Preference)), fa)
	}
	if len(prefs) == 0 {
		return "no preferences were given", "اولویتی اعلام نشده است"
	}
	var full, fullFa, none, noneFa []string
	for _, r := range prefs {
		en, fa := name(r)
		if seats[r] <= 0 {
			none, noneFa = append(none, en), append(noneFa, fa)
			continue
		}
		sc := fmt.Sprintf("%.2f", cutoff[r])
		full = append(full, fmt.Sprintf("%s (lowest placed score %s)", en, sc))
		fullFa = append(fullFa, fmt.Sprintf("%s (کمترین نمره پذیرفته %s)", fa, daftar.PersianDigits(sc)))
	}
	var en, fa []string
	if len(full) > 0 {
		en = append(en, "every preferred city with licences was filled by higher-ranked candidates: "+strings.Join(full, ", "))
		fa = append(fa, "ظرفیت همه شهرهای مورد نظر با داوطلبان دارای رتبه بهتر پر شد: "+strings.Join(fullFa, "، "))
	}
	if len(none) > 0 {
		en = append(en, "no licences in this round for "+strings.Join(none, ", "))
		fa = append(fa, "در این دوره مجوزی برای این شهرها نیست: "+strings.Join(noneFa, "، "))
	}
	return strings.Join(en, "; "), strings.Join(fa, "؛ ")
}
