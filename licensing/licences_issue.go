package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Issuing: a seat of the round's quota, the candidate licensed, the next
// number of its province and year, the licence, its event and its audit,
// all in one transaction.

// IssueRequest asks for licences of a closed round: every allocation not yet
// licensed (CandidateID 0), one candidate's allocation, or (admins only) a
// candidate placed singly in Region against the round's unfilled quota,
// with a Reason.
type IssueRequest struct {
	RoundID     int64
	CandidateID int64
	Region      string
	Reason      string
}

// Issue issues licences and returns them. Issuing every allocation again
// issues nothing more (an empty list).
func (s *Licences) Issue(ctx context.Context, in IssueRequest) ([]Licence, error) {
	var fe daftar.FieldErrors
	if in.RoundID <= 0 {
		fe.Add("round_id", "required", "the closed round the licence is issued from")
	}
	single := false
	if in.CandidateID == 0 {
		if in.Region != "" {
			fe.Add("region", "not_allowed", "only with candidate_id")
		}
		if in.Reason != "" {
			fe.Add("reason", "not_allowed", "only with candidate_id")
		}
	} else if in.CandidateID < 0 {
		fe.Add("candidate_id", "invalid", "must be a candidate id")
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_issue", "the request is not valid"); err != nil {
		return nil, err
	}
	var out []Licence
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rnd roundRow
		if err := tx.Where("id = ?", in.RoundID).Take(&rnd).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return daftar.Unprocessable("round_not_found", "no such licensing round", daftar.Field("round_id", "unknown", "is not a licensing round"))
			}
			return err
		}
		if rnd.State != RoundClosed {
			return daftar.Conflict("round_not_closed", "licences are issued from a closed round: close the round first").With("state", rnd.State)
		}
		type alloc struct {
			CandidateID int64
			Region      string
		}
		var todo []alloc
		if in.CandidateID == 0 {
			if err := tx.Raw(`SELECT a.candidate_id, a.region FROM licensing_allocations a
				WHERE a.round_id = ? AND a.region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM licences l WHERE l.candidate_id = a.candidate_id)
				ORDER BY a.region, a.score DESC, a.candidate_id`, in.RoundID).Scan(&todo).Error; err != nil {
				return err
			}
		} else {
			var held int64
			if err := tx.Raw("SELECT COUNT(*) FROM licences WHERE candidate_id = ?", in.CandidateID).Scan(&held).Error; err != nil {
				return err
			}
			if held > 0 {
				return daftar.Conflict("already_licensed", "the candidate already holds a licence").With("candidate_id", in.CandidateID)
			}
			var a []alloc
			if err := tx.Raw("SELECT candidate_id, region FROM licensing_allocations WHERE round_id = ? AND candidate_id = ? AND region IS NOT NULL",
				in.RoundID, in.CandidateID).Scan(&a).Error; err != nil {
				return err
			}
			switch {
			case len(a) == 1:
				if in.Region != "" && in.Region != a[0].Region {
					return daftar.Unprocessable("region_mismatch", "the candidate was allocated another city",
						daftar.Field("region", "mismatch", "the allocation placed the candidate in "+a[0].Region))
				}
				todo = a
			default:
				single = true
				if err := s.checkSingle(ctx, tx, in); err != nil {
					return err
				}
				todo = []alloc{{in.CandidateID, in.Region}}
			}
		}
		for _, a := range todo {
			l, err := s.issueOne(ctx, tx, rnd, a.CandidateID, a.Region, single, in.Reason)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSingle validates a single issue: an admin's, with a reason, for a
// city with a quota in the round.
func (s *Licences) checkSingle(ctx context.Context, tx *gorm.DB, in IssueRequest) error {
	if a, ok := daftar.ActorFrom(ctx); !ok || a.Role != daftar.RoleAdmin {
		return daftar.Forbidden("single_issue_admin_only", "the candidate has no allocation in this round: only an admin may issue a licence singly")
	}
	var fe daftar.FieldErrors
	checkReason(in.Reason, true, &fe)
	if in.Region == "" {
		fe.Add("region", "required", "the city of the licence: the candidate has no allocation in this round")
	} else {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM licensing_round_quotas WHERE round_id = ? AND region = ? AND quota > 0", in.RoundID, in.Region).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			fe.Add("region", "no_quota", "the round has no quota for this city")
		}
	}
	var cnt int64
	if err := tx.Raw("SELECT COUNT(*) FROM candidates WHERE id = ?", in.CandidateID).Scan(&cnt).Error; err != nil {
		return err
	}
	if cnt == 0 {
		fe.Add("candidate_id", "unknown", "no such candidate")
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_issue", "the request is not valid")
}

// issueOne issues one licence inside tx: a seat of the quota, the
// candidate licensed, the next number, the licence, its event, the audit.
func (s *Licences) issueOne(ctx context.Context, tx *gorm.DB, rnd roundRow, candidateID int64, region string, single bool, reason string) (Licence, error) {
	seat := "UPDATE licensing_round_quotas SET issued = issued + 1 WHERE round_id = ? AND region = ? AND issued < quota"
	if single {
		seat = "UPDATE licensing_round_quotas SET issued = issued + 1, filled = filled + 1 WHERE round_id = ? AND region = ? AND filled < quota"
	}
	res := tx.Exec(seat, rnd.ID, region)
	if res.Error != nil {
		return Licence{}, res.Error
	}
	if res.RowsAffected == 0 {
		var q struct{ Quota, Filled, Issued int }
		tx.Raw("SELECT quota, filled, issued FROM licensing_round_quotas WHERE round_id = ? AND region = ?", rnd.ID, region).Scan(&q)
		return Licence{}, daftar.Conflict("quota_exhausted", "the round's quota for this city is used up").
			With("region", region).With("quota", q.Quota).With("filled", q.Filled).With("issued", q.Issued)
	}
	reason = daftar.NormalizeText(reason)
	if single {
		if _, err := s.cands.Allocate(ctx, db.Wrap(tx), candidateID, region); err != nil {
			return Licence{}, err
		}
		if err := s.recordSinglePlacement(tx, rnd.ID, candidateID, region, reason); err != nil {
			return Licence{}, err
		}
	}
	c, err := s.cands.MarkLicensed(ctx, db.Wrap(tx), candidateID)
	if err != nil {
		return Licence{}, err
	}
	prov, ok := s.gaz.Province(region)
	if !ok {
		return Licence{}, daftar.Unprocessable("unknown_region", "no such city", daftar.Field("region", "unknown", "is not a city code"))
	}
	now := s.now()
	year := daftar.ToJalali(now).Year
	var seq int
	if err := tx.Raw(`INSERT INTO licence_counters (province_code, year, last_seq) VALUES (?, ?, 1)
		ON CONFLICT (province_code, year) DO UPDATE SET last_seq = licence_counters.last_seq + 1 RETURNING last_seq`, prov.Code, year).Scan(&seq).Error; err != nil {
		return Licence{}, err
	}
	rid, cid := rnd.ID, candidateID
	source := "allocation"
	if single {
		source = "single"
	}
	l := Licence{Number: fmt.Sprintf("%s-%d-%04d", prov.Code, year, seq), Province: prov.Code, Year: year, Seq: seq, Region: region,
		RoundID: &rid, CandidateID: &cid, HolderName: strings.TrimSpace(c.FirstName + " " + c.LastName),
		HolderNationalCodeMasked: c.NationalCodeMasked, Source: source, State: LicenceIssued, StateReason: reason,
		ValidFrom: now, ValidUntil: now.AddDate(s.cfg.ValidityYears, 0, 0), IssuedAt: now, IssuedBy: actorName(ctx),
		Version: 1, UpdatedAt: now}
	row := l.rowOf()
	if err := tx.Create(&row).Error; err != nil {
		if db.IsUniqueViolation(err) {
			return Licence{}, daftar.Conflict("already_licensed", "the candidate already holds a licence").With("candidate_id", candidateID)
		}
		return Licence{}, err
	}
	l.ID = row.ID
	if err := s.event(ctx, tx, &l, "issue", "", reason); err != nil {
		return Licence{}, err
	}
	return l, s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licence.issue", Entity: "licence", EntityID: l.ID, After: l.auditView()})
}

// recordSinglePlacement writes a single issue into the round's results.
func (s *Licences) recordSinglePlacement(tx *gorm.DB, roundID, candidateID int64, region, reason string) error {
	var c struct {
		Score       float64
		ExamRank    *int64
		Preferences string
	}
	if err := tx.Raw("SELECT score, exam_rank, preferences FROM candidates WHERE id = ?", candidateID).Scan(&c).Error; err != nil {
		return err
	}
	var prefs []string
	_ = json.Unmarshal([]byte(c.Preferences), &prefs)
	var rank *int
	if k := slices.Index(prefs, region); k >= 0 {
		r := k + 1
		rank = &r
	}
	name, nameFa := region, region
	if r, ok := s.gaz.Get(region); ok {
		name, nameFa = r.NameEn, r.NameFa
	}
	row := allocationRow{RoundID: roundID, CandidateID: candidateID, Region: &region, PreferenceRank: rank, Score: c.Score, ExamRank: c.ExamRank,
		Reason:   fmt.Sprintf("placed singly in %s by an admin against the unfilled quota: %s", name, reason),
		ReasonFa: fmt.Sprintf("با تصمیم مدیر در ظرفیت خالی %s قرار گرفت: %s", nameFa, reason)}
	if err := tx.Exec("DELETE FROM licensing_allocations WHERE round_id = ? AND candidate_id = ?", roundID, candidateID).Error; err != nil {
		return err
	}
	return tx.Create(&row).Error
}
