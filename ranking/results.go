package ranking

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"gorm.io/gorm"
)

// Reads of stored results: a run's list, an office's published results,
// the grades the finder shows.

// ResultFilter selects results of a run.
type ResultFilter struct {
	Province string
	Grade    string
	OfficeID int64
	Limit    int
	Offset   int
}

// Results returns a run's results: ranked offices by rank, then the
// offices with insufficient data.
func (s *Service) Results(ctx context.Context, runID int64, f ResultFilter) ([]Result, int64, error) {
	q := s.db.WithContext(ctx).Table("ranking_results").Where("run_id = ?", runID)
	if f.Province != "" {
		q = q.Where("province_code = ?", f.Province)
	}
	if f.Grade != "" {
		q = q.Where("grade = ?", f.Grade)
	}
	if f.OfficeID != 0 {
		q = q.Where("office_id = ?", f.OfficeID)
	}
	// The order (ranked by rank, then the unranked, each by office code)
	// needs the codes, which the register holds: the page is picked from
	// the run's keys, then only its rows are read.
	var keys []struct {
		OfficeID     int64
		RankNational *int
	}
	if err := q.Session(&gorm.Session{}).Select("office_id, rank_national").Scan(&keys).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.OfficeID
	}
	labels, err := s.offices.Labels(ctx, nil, ids)
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(keys, func(a, b struct {
		OfficeID     int64
		RankNational *int
	}) int {
		if c := cmp.Compare(boolInt(a.RankNational == nil), boolInt(b.RankNational == nil)); c != 0 {
			return c
		}
		if a.RankNational != nil && *a.RankNational != *b.RankNational {
			return cmp.Compare(*a.RankNational, *b.RankNational)
		}
		return cmp.Compare(labels[a.OfficeID].Code, labels[b.OfficeID].Code)
	})
	total := int64(len(keys))
	keys = keys[min(max(f.Offset, 0), len(keys)):]
	if f.Limit >= 0 {
		keys = keys[:min(f.Limit, len(keys))]
	}
	page := make([]int64, len(keys))
	for i, k := range keys {
		page[i] = k.OfficeID
	}
	var rows []resultRow
	if len(page) > 0 {
		if err := s.db.WithContext(ctx).Raw("SELECT * FROM ranking_results WHERE run_id = ? AND office_id IN ?", runID, page).Scan(&rows).Error; err != nil {
			return nil, 0, err
		}
	}
	byOffice := make(map[int64]*resultRow, len(rows))
	for i := range rows {
		byOffice[rows[i].OfficeID] = &rows[i]
	}
	out := make([]Result, 0, len(page))
	for _, id := range page {
		r, ok := byOffice[id]
		if !ok {
			continue
		}
		r.Code = labels[id].Code
		res, err := r.result()
		if err != nil {
			return nil, 0, err
		}
		out = append(out, res)
	}
	return out, total, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type resultRow struct {
	RunID            int64
	OfficeID         int64
	Code             string
	ProvinceCode     string
	Score            *float64
	RankNational     *int
	RankProvince     *int
	Grade            *string
	InsufficientData bool
	Responses        int64
	ScoreChange      *float64
	RankChange       *int
	Components       string
}

func (r resultRow) result() (Result, error) {
	out := Result{OfficeID: r.OfficeID, Code: r.Code, Province: r.ProvinceCode, Score: r.Score, RankNational: r.RankNational,
		RankProvince: r.RankProvince, Grade: r.Grade, InsufficientData: r.InsufficientData, Responses: r.Responses,
		ScoreChange: r.ScoreChange, RankChange: r.RankChange}
	return out, json.Unmarshal([]byte(r.Components), &out.Components)
}

// OfficeRanking is an office's result in one published run.
type OfficeRanking struct {
	Run    Run    `json:"run"`
	Result Result `json:"result"`
}

// OfficeResults returns an office's results in published runs, newest
// first.
func (s *Service) OfficeResults(ctx context.Context, officeID int64, limit int) ([]OfficeRanking, error) {
	var rows []resultRow
	err := s.db.WithContext(ctx).Raw(`SELECT r.* FROM ranking_results r JOIN ranking_runs u ON u.id = r.run_id
		WHERE r.office_id = ? AND u.state = 'published' ORDER BY u.period_start DESC, u.period_kind LIMIT ?`, officeID, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]OfficeRanking, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	labels, err := s.offices.Labels(ctx, nil, []int64{officeID})
	if err != nil {
		return nil, err
	}
	label, ok := labels[officeID]
	if !ok {
		return out, nil
	}
	for _, row := range rows {
		row.Code = label.Code
		res, err := row.result()
		if err != nil {
			return nil, err
		}
		run, err := s.Get(ctx, row.RunID)
		if err != nil {
			return nil, err
		}
		out = append(out, OfficeRanking{Run: run, Result: res})
	}
	return out, nil
}

// Grade is the office's grade in the latest published run, as of the last
// RefreshGrades (nil when it has none).
func (s *Service) Grade(officeID int64) *string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if g, ok := s.grades[officeID]; ok {
		return &g
	}
	return nil
}

// RefreshGrades reads the grades of the latest published run again: at
// start, after every publication here, and hourly for those of other
// replicas.
func (s *Service) RefreshGrades(ctx context.Context) error {
	m, err := s.LatestGrades(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.grades = m
	s.mu.Unlock()
	return nil
}

// LatestGrades returns each office's grade in the latest published run (the
// finder shows it).
func (s *Service) LatestGrades(ctx context.Context) (map[int64]string, error) {
	var runs []int64
	if err := s.db.WithContext(ctx).Raw("SELECT id FROM ranking_runs WHERE state = 'published' ORDER BY period_start DESC, period_kind LIMIT 1").Scan(&runs).Error; err != nil {
		return nil, err
	}
	out := map[int64]string{}
	if len(runs) == 0 {
		return out, nil
	}
	var rows []struct {
		OfficeID int64
		Grade    *string
	}
	if err := s.db.WithContext(ctx).Raw("SELECT office_id, grade FROM ranking_results WHERE run_id = ? AND grade IS NOT NULL", runs[0]).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.OfficeID] = *r.Grade
	}
	return out, nil
}
