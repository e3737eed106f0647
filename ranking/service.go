package ranking

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"gorm.io/gorm"
)

// Gatherer reads what a period's ranking is computed from.
type Gatherer interface {
	Inputs(ctx context.Context, p daftar.Period, d Directive) ([]Input, error)
}

// Service keeps directives and runs, and the grades of the
// latest published run (the finder shows them).
type Service struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	offices *offices.Register
	log     *slog.Logger
	gather  Gatherer

	mu     sync.RWMutex
	grades map[int64]string
}

// New returns the ranking service; its grades are empty until
// RefreshGrades.
func New(d *db.DB, clock daftar.Clock, a *audit.Log, register *offices.Register, log *slog.Logger, g Gatherer) (*Service, error) {
	if err := deps.Check("ranking", "database", d, "clock", clock, "audit log", a, "office register", register, "gatherer", g); err != nil {
		return nil, err
	}
	if src, ok := g.(Sources); ok {
		if err := src.check(); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, offices: register, log: log, gather: g, grades: map[int64]string{}}, nil
}

// EnsureDefaultDirective stores version 1 when there is none.
func (s *Service) EnsureDefaultDirective(ctx context.Context) error {
	d := DefaultDirective()
	body, _ := json.Marshal(d)
	return s.db.WithContext(ctx).Exec(`INSERT INTO ranking_directives (version, effective_from, body, created_at, created_by)
		VALUES (1, ?, ?, ?, 'system') ON CONFLICT (version) DO NOTHING`, d.EffectiveFrom, string(body), s.clock.Now()).Error
}

// Directives lists every version, newest first.
func (s *Service) Directives(ctx context.Context) ([]Directive, error) {
	var rows []struct{ Body string }
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM ranking_directives ORDER BY version DESC").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Directive, 0, len(rows))
	for _, r := range rows {
		var d Directive
		if err := json.Unmarshal([]byte(r.Body), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// AddDirective stores d as the next version (versions are never edited).
func (s *Service) AddDirective(ctx context.Context, d Directive) (Directive, error) {
	d.EffectiveFrom = daftar.NormalizeDigits(d.EffectiveFrom)
	if err := d.Validate(); err != nil {
		return d, err
	}
	actor, _ := daftar.ActorFrom(ctx)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var v []int
		if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM ranking_directives").Scan(&v).Error; err != nil {
			return err
		}
		d.Version = v[0] + 1
		body, _ := json.Marshal(d)
		if err := tx.Exec("INSERT INTO ranking_directives (version, effective_from, body, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
			d.Version, d.EffectiveFrom, string(body), s.clock.Now(), actor.Username).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return daftar.Conflict("directive_version_taken", "another version was added at the same time; try again")
			}
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "directive.add", Entity: "ranking_directive", EntityID: d.Version, After: d})
	})
	return d, err
}

// InForce returns the directive in force on a day: the version with the
// latest effective date on or before it (the newest version on a tie).
func (s *Service) InForce(ctx context.Context, day time.Time) (Directive, error) {
	var rows []struct{ Body string }
	err := s.db.WithContext(ctx).Raw(`SELECT body FROM ranking_directives WHERE effective_from <= ? ORDER BY effective_from DESC, version DESC LIMIT 1`,
		daftar.TehranDate(day)).Scan(&rows).Error
	if err != nil {
		return Directive{}, err
	}
	if len(rows) == 0 {
		return Directive{}, daftar.Unprocessable("no_directive", "no ranking directive is in force for this period")
	}
	var d Directive
	return d, json.Unmarshal([]byte(rows[0].Body), &d)
}

// Run is one ranking run.
type Run struct {
	ID               int64      `json:"id"`
	Period           string     `json:"period"`
	PeriodKind       string     `json:"period_kind"`
	DirectiveVersion int        `json:"directive_version"`
	State            string     `json:"state"`
	InputsChecksum   string     `json:"inputs_checksum"`
	ResultsChecksum  string     `json:"results_checksum"`
	Offices          int        `json:"offices"`
	Ranked           int        `json:"ranked"`
	Version          int64      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	CreatedBy        string     `json:"created_by"`
	PublishedAt      *time.Time `json:"published_at"`
	PublishedBy      *string    `json:"published_by"`
}

const runColumns = `id, period, period_kind, directive_version, state, inputs_checksum, results_checksum, offices, ranked, version,
	created_at, created_by, published_at, published_by`

// Run states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
)

// checksum is SHA-256 over v's JSON, streamed into the hash.
func checksum(v any) string {
	h := sha256.New()
	json.NewEncoder(h).Encode(v)
	return hex.EncodeToString(h.Sum(nil))
}

// computed is a run computed but not yet stored.
type computed struct {
	period    daftar.Period
	directive Directive
	inputs    []Input
	results   []Result
	inSum     string
	outSum    string
}

func (s *Service) compute(ctx context.Context, p daftar.Period) (computed, error) {
	d, err := s.InForce(ctx, p.Start())
	if err != nil {
		return computed{}, err
	}
	in, err := s.gather.Inputs(ctx, p, d)
	if err != nil {
		return computed{}, err
	}
	sort.Slice(in, func(i, j int) bool { return in[i].OfficeID < in[j].OfficeID })
	res := d.Compute(in)
	return computed{period: p, directive: d, inputs: in, results: res,
		inSum: checksum(struct {
			Directive Directive `json:"directive"`
			Inputs    []Input   `json:"inputs"`
		}{d, in}),
		outSum: checksum(res)}, nil
}

// Compute computes the period's run as a draft: a new run, or the period's
// draft again. A published period refuses (409).
func (s *Service) Compute(ctx context.Context, period string) (Run, error) {
	p, err := daftar.ParsePeriod(period)
	if err != nil {
		return Run{}, err
	}
	// The running period may be drafted (a preview); a future one may not.
	if p.Start().After(s.clock.Now()) {
		return Run{}, daftar.Unprocessable("period_in_future", "the period has not started").
			With("field", "period")
	}
	c, err := s.compute(ctx, p)
	if err != nil {
		return Run{}, err
	}
	actor, _ := daftar.ActorFrom(ctx)
	var out Run
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var existing []Run
		if err := tx.Raw("SELECT "+runColumns+" FROM ranking_runs WHERE period = ?", p.String()).Scan(&existing).Error; err != nil {
			return err
		}
		if len(existing) == 1 && existing[0].State == StatePublished {
			return daftar.Conflict("run_published", "this period's run is published and never changes").With("run_id", existing[0].ID)
		}
		if err := s.applyChanges(tx, p, c.results); err != nil {
			return err
		}
		inputs, _ := json.Marshal(c.inputs)
		ranked := 0
		for _, r := range c.results {
			if r.Score != nil {
				ranked++
			}
		}
		now := s.clock.Now()
		if len(existing) == 1 {
			out = existing[0]
			res := tx.Exec(`UPDATE ranking_runs SET directive_version = ?, inputs_checksum = ?, results_checksum = ?, inputs = ?, offices = ?,
				ranked = ?, version = version + 1, created_at = ?, created_by = ? WHERE id = ? AND state = 'draft' AND version = ?`,
				c.directive.Version, c.inSum, c.outSum, string(inputs), len(c.results), ranked, now, actor.Username, out.ID, out.Version)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return daftar.Conflict("run_changed", "the run changed meanwhile; try again")
			}
			if err := tx.Exec("DELETE FROM ranking_results WHERE run_id = ?", out.ID).Error; err != nil {
				return err
			}
		} else {
			if err := tx.Raw(`INSERT INTO ranking_runs (period, period_kind, period_start, directive_version, state, inputs_checksum, results_checksum,
				inputs, offices, ranked, version, created_at, created_by) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
				p.String(), string(p.Kind), p.Start(), c.directive.Version, c.inSum, c.outSum, string(inputs), len(c.results), ranked, now,
				actor.Username).Scan(&out.ID).Error; err != nil {
				if db.IsUniqueViolation(err) {
					return daftar.Conflict("run_exists", "this period is being computed by someone else; try again")
				}
				return err
			}
		}
		if err := insertResults(tx, out.ID, c.results); err != nil {
			return err
		}
		if err := tx.Raw("SELECT "+runColumns+" FROM ranking_runs WHERE id = ?", out.ID).Scan(&out).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "ranking_run.compute", Entity: "ranking_run", EntityID: out.ID,
			After: map[string]any{"period": out.Period, "directive_version": out.DirectiveVersion, "inputs_checksum": out.InputsChecksum, "ranked": ranked}})
	})
	return out, err
}

// applyChanges fills each result's change against the latest published run
// of the same kind before the period.
func (s *Service) applyChanges(tx *gorm.DB, p daftar.Period, results []Result) error {
	var prev []int64
	if err := tx.Raw(`SELECT id FROM ranking_runs WHERE state = 'published' AND period_kind = ? AND period_start < ? ORDER BY period_start DESC LIMIT 1`,
		string(p.Kind), p.Start()).Scan(&prev).Error; err != nil {
		return err
	}
	if len(prev) == 0 {
		return nil
	}
	var rows []struct {
		OfficeID     int64
		Score        *float64
		RankNational *int
	}
	if err := tx.Raw("SELECT office_id, score, rank_national FROM ranking_results WHERE run_id = ?", prev[0]).Scan(&rows).Error; err != nil {
		return err
	}
	before := map[int64]int{}
	for i, r := range rows {
		before[r.OfficeID] = i
	}
	for i := range results {
		r := &results[i]
		k, ok := before[r.OfficeID]
		if !ok || r.Score == nil || rows[k].Score == nil {
			continue
		}
		d := round(*r.Score-*rows[k].Score, 2)
		up := *rows[k].RankNational - *r.RankNational
		r.ScoreChange, r.RankChange = &d, &up
	}
	return nil
}

func insertResults(tx *gorm.DB, runID int64, results []Result) error {
	rows := make([]map[string]any, 0, len(results))
	for _, r := range results {
		comps, _ := json.Marshal(r.Components)
		rows = append(rows, map[string]any{"run_id": runID, "office_id": r.OfficeID, "province_code": r.Province, "score": r.Score,
			"rank_national": r.RankNational, "rank_province": r.RankProvince, "grade": r.Grade, "insufficient_data": r.InsufficientData,
			"responses": r.Responses, "score_change": r.ScoreChange, "rank_change": r.RankChange, "components": string(comps)})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Table("ranking_results").CreateInBatches(rows, 500).Error
}

// Get returns a run.
func (s *Service) Get(ctx context.Context, id int64) (Run, error) {
	var rows []Run
	if err := s.db.WithContext(ctx).Raw("SELECT "+runColumns+" FROM ranking_runs WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return Run{}, err
	}
	if len(rows) == 0 {
		return Run{}, daftar.NotFound("run_not_found", "no such ranking run")
	}
	return rows[0], nil
}

// Runs lists runs, newest period first.
func (s *Service) Runs(ctx context.Context, limit, offset int) ([]Run, int64, error) {
	var total int64
	if err := s.db.WithContext(ctx).Table("ranking_runs").Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Run
	err := s.db.WithContext(ctx).Raw("SELECT "+runColumns+" FROM ranking_runs ORDER BY period_start DESC, period_kind LIMIT ? OFFSET ?", limit, offset).Scan(&out).Error
	return out, total, err
}

// Publish freezes a draft. expectVersion, when non-zero, must match.
func (s *Service) Publish(ctx context.Context, id int64, expectVersion int64) (Run, error) {
	actor, _ := daftar.ActorFrom(ctx)
	var out Run
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rows []Run
		if err := tx.Raw("SELECT "+runColumns+" FROM ranking_runs WHERE id = ?", id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return daftar.NotFound("run_not_found", "no such ranking run")
		}
		run := rows[0]
		if run.State == StatePublished {
			return daftar.Conflict("run_published", "the run is already published and never changes")
		}
		if expectVersion != 0 && expectVersion != run.Version {
			return daftar.Conflict("run_version_stale", "the draft was recomputed since you read it; review it again")
		}
		res := tx.Exec("UPDATE ranking_runs SET state = 'published', published_at = ?, published_by = ?, version = version + 1 WHERE id = ? AND state = 'draft' AND version = ?",
			s.clock.Now(), actor.Username, id, run.Version)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("run_changed", "the run changed meanwhile; review it again")
		}
		if err := tx.Raw("SELECT "+runColumns+" FROM ranking_runs WHERE id = ?", id).Scan(&rows).Error; err != nil {
			return err
		}
		out = rows[0]
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "ranking_run.publish", Entity: "ranking_run", EntityID: id,
			Before: map[string]any{"state": StateDraft}, After: map[string]any{"state": StatePublished, "period": out.Period, "results_checksum": out.ResultsChecksum}})
	})
	if err == nil {
		// A run published here shows in the finder at once (other
		// replicas follow with the hourly refresh).
		if err := s.RefreshGrades(context.WithoutCancel(ctx)); err != nil {
			s.log.WarnContext(ctx, "refresh grades", "error", err)
		}
	}
	return out, err
}

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

// Verification says whether computing a run's period again from today's
// data gives the same inputs and results.
type Verification struct {
	RunID             int64  `json:"run_id"`
	InputsChecksum    string `json:"inputs_checksum"`
	RecomputedInputs  string `json:"recomputed_inputs_checksum"`
	InputsMatch       bool   `json:"inputs_match"`
	ResultsChecksum   string `json:"results_checksum"`
	RecomputedResults string `json:"recomputed_results_checksum"`
	ResultsMatch      bool   `json:"results_match"`
}

// Verify recomputes a run's period without storing anything. For a
// published run, results differ only if its inputs changed since (late
// visits or answers); the same inputs always give the same results.
func (s *Service) Verify(ctx context.Context, id int64) (Verification, error) {
	run, err := s.Get(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	p, err := daftar.ParsePeriod(run.Period)
	if err != nil {
		return Verification{}, err
	}
	c, err := s.compute(ctx, p)
	if err != nil {
		return Verification{}, err
	}
	// Changes against the previous run are part of the stored results.
	if err := s.applyChanges(s.db.WithContext(ctx), p, c.results); err != nil {
		return Verification{}, err
	}
	c.outSum = checksum(c.results)
	return Verification{RunID: id, InputsChecksum: run.InputsChecksum, RecomputedInputs: c.inSum, InputsMatch: c.inSum == run.InputsChecksum,
		ResultsChecksum: run.ResultsChecksum, RecomputedResults: c.outSum, ResultsMatch: c.outSum == run.ResultsChecksum}, nil
}

// DraftPreviousMonth computes the draft of the Jalali month before today,
// once: the scheduled job runs it daily and it does nothing once the month
// has a run (so a missed first day is caught up the next).
func (s *Service) DraftPreviousMonth(ctx context.Context) (bool, error) {
	p := daftar.MonthOf(s.clock.Now()).Previous()
	var n int64
	if err := s.db.WithContext(ctx).Table("ranking_runs").Where("period = ?", p.String()).Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	_, err := s.Compute(ctx, p.String())
	if daftar.IsKind(err, daftar.KindConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("draft ranking for %s: %w", p, err)
	}
	s.log.InfoContext(ctx, "ranking draft computed", "period", p.String())
	return true, nil
}
