package licensing

import "context"

// Get returns a round with its quotas.
func (s *Rounds) Get(ctx context.Context, id int64) (Round, error) {
	return s.get(s.db.WithContext(ctx), id)
}

// RoundFilter selects rounds.
type RoundFilter struct {
	State         string
	Limit, Offset int
}

// List returns rounds, newest first, with the total.
func (s *Rounds) List(ctx context.Context, f RoundFilter) ([]Round, int64, error) {
	q := s.db.WithContext(ctx).Model(&roundRow{})
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []roundRow
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Round, 0, len(rows))
	for _, row := range rows {
		qs, err := quotasOf(s.db.WithContext(ctx), row.ID)
		if err != nil {
			return nil, 0, err
		}
		r, err := s.roundOf(row, qs)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, nil
}

// AllocationItem is one candidate's result in a round.
type AllocationItem struct {
	CandidateID        int64   `json:"candidate_id"`
	Region             *string `json:"region" doc:"city code; null when unplaced"`
	RegionNameFa       *string `json:"region_name_fa"`
	RegionNameEn       *string `json:"region_name_en"`
	PreferenceRank     *int    `json:"preference_rank" doc:"1-based position of the region in the candidate's list; null when unplaced"`
	Reason             string  `json:"reason"`
	ReasonFa           string  `json:"reason_fa"`
	Score              float64 `json:"score"`
	ExamRank           *int64  `json:"exam_rank"`
	FirstName          string  `json:"first_name"`
	LastName           string  `json:"last_name"`
	NationalCodeMasked string  `json:"national_code_masked"`
	CandidateState     string  `json:"candidate_state"`
	LicenceID          *int64  `json:"licence_id" doc:"the licence issued from this allocation, if any"`
}

// AllocationFilter selects a round's results.
type AllocationFilter struct {
	Region        string
	Placed        *bool
	Limit, Offset int
}

// Allocations returns a round's results in the order regions rank
// candidates (score, then exam rank, then id), with the total.
func (s *Rounds) Allocations(ctx context.Context, id int64, f AllocationFilter) ([]AllocationItem, int64, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Table("licensing_allocations a").Joins("JOIN candidates c ON c.id = a.candidate_id").
		Joins("LEFT JOIN licences l ON l.candidate_id = a.candidate_id AND l.round_id = a.round_id").
		Where("a.round_id = ?", id)
	if f.Region != "" {
		q = q.Where("a.region = ?", f.Region)
	}
	if f.Placed != nil {
		if *f.Placed {
			q = q.Where("a.region IS NOT NULL")
		} else {
			q = q.Where("a.region IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []struct {
		CandidateID        int64
		Region             *string
		PreferenceRank     *int
		Reason             string
		ReasonFa           string
		Score              float64
		ExamRank           *int64
		FirstName          string
		LastName           string
		NationalCodeMasked string
		State              string
		LicenceID          *int64
	}
	err := q.Select(`a.candidate_id, a.region, a.preference_rank, a.reason, a.reason_fa, a.score, a.exam_rank,
		c.first_name, c.last_name, c.national_code_masked, c.state, l.id AS licence_id`).
		Order("a.score DESC").Order("CASE WHEN a.exam_rank IS NULL THEN 1 ELSE 0 END").Order("a.exam_rank").Order("a.candidate_id").
		Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	out := make([]AllocationItem, len(rows))
	for i, r := range rows {
		out[i] = AllocationItem{CandidateID: r.CandidateID, Region: r.Region, PreferenceRank: r.PreferenceRank, Reason: r.Reason,
			ReasonFa: r.ReasonFa, Score: r.Score, ExamRank: r.ExamRank, FirstName: r.FirstName, LastName: r.LastName,
			NationalCodeMasked: r.NationalCodeMasked, CandidateState: r.State, LicenceID: r.LicenceID}
		if r.Region != nil {
			if reg, ok := s.gaz.Get(*r.Region); ok {
				fa, en := reg.NameFa, reg.NameEn
				out[i].RegionNameFa, out[i].RegionNameEn = &fa, &en
			}
		}
	}
	return out, total, nil
}
