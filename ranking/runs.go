package ranking

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

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
	CreatedAt        time.Time  `json:"created_at" doc:"when its inputs were read (a draft computed again reads them again)"`
	CreatedBy        string     `json:"created_by"`
	PublishedAt      *time.Time `json:"published_at"`
	PublishedBy      *string    `json:"published_by"`
	ChecksumScheme   int        `json:"checksum_scheme" doc:"2: the checksums cover the stored inputs and result rows exactly; 1: a run stored before it (docs/ranking.md)"`
	PreviousRunID    *int64     `json:"previous_run_id" doc:"the published run that score_change and rank_change are against"`
	Notes            []RunNote  `json:"notes" doc:"what the run knew when computed: data that came in late for the published runs before it"`
}

// runRow is a ranking_runs row.
type runRow struct {
	ID               int64
	Period           string
	PeriodKind       string
	DirectiveVersion int
	State            string
	InputsChecksum   string
	ResultsChecksum  string
	Offices          int
	Ranked           int
	Version          int64
	CreatedAt        time.Time
	CreatedBy        string
	PublishedAt      *time.Time
	PublishedBy      *string
	ChecksumScheme   int
	PreviousRunID    *int64
	Notes            string
}

const runColumns = `id, period, period_kind, directive_version, state, inputs_checksum, results_checksum, offices, ranked, version,
	created_at, created_by, published_at, published_by, checksum_scheme, previous_run_id, notes`

func (r runRow) run() Run {
	out := Run{ID: r.ID, Period: r.Period, PeriodKind: r.PeriodKind, DirectiveVersion: r.DirectiveVersion, State: r.State,
		InputsChecksum: r.InputsChecksum, ResultsChecksum: r.ResultsChecksum, Offices: r.Offices, Ranked: r.Ranked, Version: r.Version,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, PublishedAt: r.PublishedAt, PublishedBy: r.PublishedBy,
		ChecksumScheme: r.ChecksumScheme, PreviousRunID: r.PreviousRunID, Notes: []RunNote{}}
	if r.Notes != "" {
		json.Unmarshal([]byte(r.Notes), &out.Notes)
	}
	return out
}

// Run states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
)

func (s *Service) runsWhere(g *gorm.DB, where string, args ...any) ([]Run, error) {
	var rows []runRow
	if err := g.Raw("SELECT "+runColumns+" FROM ranking_runs WHERE "+where, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Run, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, nil
}

// computed is a run computed but not yet stored.
type computed struct {
	period    daftar.Period
	directive Directive
	body      string
	inputs    RunInputs
	raw       []byte // the inputs' JSON, which the checksum covers
	packed    []byte // and as stored
	inSum     string
	results   []Result
}

// gatherRun reads the period's inputs from today's data and computes its
// results under d (body: d as stored).
func (s *Service) gatherRun(ctx context.Context, p daftar.Period, d Directive, body string) (computed, error) {
	ri, err := s.gather.Inputs(ctx, p, d)
	if err != nil {
		return computed{}, err
	}
	sort.Slice(ri.Offices, func(i, j int) bool { return ri.Offices[i].OfficeID < ri.Offices[j].OfficeID })
	raw, packed, err := encodeInputs(ri)
	if err != nil {
		return computed{}, err
	}
	return computed{period: p, directive: d, body: body, inputs: ri, raw: raw, packed: packed,
		inSum: inputsChecksum(body, raw), results: d.compute(ri.Offices, ri.Missing)}, nil
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
	// A published period refuses before anything is read (and again in
	// the transaction, for one published meanwhile).
	if runs, err := s.runsWhere(s.db.WithContext(ctx), "period = ? AND state = 'published'", p.String()); err != nil {
		return Run{}, err
	} else if len(runs) == 1 {
		return Run{}, daftar.Conflict("run_published", "this period's run is published and never changes").With("run_id", runs[0].ID)
	}
	d, body, err := s.inForce(ctx, p.Start())
	if err != nil {
		return Run{}, err
	}
	// Today's inputs, and the late data of the runs before, side by side.
	var (
		c     computed
		prev  *Run
		notes []RunNote
	)
	err = parallel(
		func() (err error) { c, err = s.gatherRun(ctx, p, d, body); return },
		func() (err error) {
			if prev, err = s.previousPublished(s.db.WithContext(ctx), p); err != nil {
				return err
			}
			notes, err = s.lateNotes(ctx, p)
			return err
		},
	)
	if err != nil {
		return Run{}, err
	}
	notesJSON, _ := json.Marshal(notes)
	actor, _ := daftar.ActorFrom(ctx)
	var out Run
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		existing, err := s.runsWhere(tx, "period = ?", p.String())
		if err != nil {
			return err
		}
		if len(existing) == 1 && existing[0].State == StatePublished {
			return daftar.Conflict("run_published", "this period's run is published and never changes").With("run_id", existing[0].ID)
		}
		// The changes are against the run the notes were read for; one
		// published meanwhile means reading again.
		if again, err := s.previousPublished(tx, p); err != nil {
			return err
		} else if !sameRun(runID(again), runID(prev)) {
			return daftar.Conflict("run_changed", "a ranking run was published meanwhile; compute again")
		}
		if err := applyChanges(tx, prev, c.results); err != nil {
			return err
		}
		rows := storedRows(c.results)
		outSum := rowsChecksum(rows)
		ranked := 0
		for _, r := range c.results {
			if r.Score != nil {
				ranked++
			}
		}
		prevID := runID(prev)
		now := s.clock.Now()
		var id int64
		if len(existing) == 1 {
			id = existing[0].ID
			res := tx.Exec(`UPDATE ranking_runs SET directive_version = ?, inputs_checksum = ?, results_checksum = ?, inputs = '', inputs_gz = ?,
				checksum_scheme = ?, previous_run_id = ?, notes = ?, offices = ?, ranked = ?, version = version + 1, created_at = ?, created_by = ?
				WHERE id = ? AND state = 'draft' AND version = ?`,
				d.Version, c.inSum, outSum, c.packed, schemeStored, prevID, string(notesJSON), len(c.results), ranked, now, actor.Username,
				id, existing[0].Version)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return daftar.Conflict("run_changed", "the run changed meanwhile; try again")
			}
			if err := tx.Exec("DELETE FROM ranking_results WHERE run_id = ?", id).Error; err != nil {
				return err
			}
		} else {
			if err := tx.Raw(`INSERT INTO ranking_runs (period, period_kind, period_start, directive_version, state, inputs_checksum, results_checksum,
				inputs, inputs_gz, checksum_scheme, previous_run_id, notes, offices, ranked, version, created_at, created_by)
				VALUES (?, ?, ?, ?, 'draft', ?, ?, '', ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
				p.String(), string(p.Kind), p.Start(), d.Version, c.inSum, outSum, c.packed, schemeStored, prevID, string(notesJSON),
				len(c.results), ranked, now, actor.Username).Scan(&id).Error; err != nil {
				if db.IsUniqueViolation(err) {
					return daftar.Conflict("run_exists", "this period is being computed by someone else; try again")
				}
				return err
			}
		}
		if err := insertResults(ctx, tx, id, rows); err != nil {
			return err
		}
		runs, err := s.runsWhere(tx, "id = ?", id)
		if err != nil {
			return err
		}
		out = runs[0]
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "ranking_run.compute", Entity: "ranking_run", EntityID: out.ID,
			After: map[string]any{"period": out.Period, "directive_version": out.DirectiveVersion, "inputs_checksum": out.InputsChecksum,
				"results_checksum": out.ResultsChecksum, "ranked": ranked}})
	})
	return out, err
}

func runID(r *Run) *int64 {
	if r == nil {
		return nil
	}
	return &r.ID
}

func sameRun(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// previousPublished is the latest published run of the same kind before
// the period: what the changes are against (nil when none).
func (s *Service) previousPublished(g *gorm.DB, p daftar.Period) (*Run, error) {
	runs, err := s.runsWhere(g, "state = 'published' AND period_kind = ? AND period_start < ? ORDER BY period_start DESC LIMIT 1", string(p.Kind), p.Start())
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// applyChanges fills each result's change against the previous published
// run (nil: none).
func applyChanges(g *gorm.DB, prev *Run, results []Result) error {
	if prev == nil {
		return nil
	}
	var rows []struct {
		OfficeID     int64
		Score        *float64
		RankNational *int
	}
	if err := g.Raw("SELECT office_id, score, rank_national FROM ranking_results WHERE run_id = ?", prev.ID).Scan(&rows).Error; err != nil {
		return err
	}
	before := make(map[int64]int, len(rows))
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

// insertResults writes a run's rows straight on the transaction's
// connection (gorm's statement building costs more than the database's
// work here): on PostgreSQL one INSERT from arrays (unnest), on SQLite one
// prepared INSERT of 50 rows run again and again (the pure-Go SQLite
// compiles every statement it is given: twice as slow with fewer, longer
// statements).
func insertResults(ctx context.Context, tx *gorm.DB, runID int64, rows []storedResult) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.Dialector.Name() == "postgres" {
		return insertResultsPG(ctx, tx, runID, rows)
	}
	const per = 50
	statement := func(n int) string {
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(resultColumns)), ", ") + ")"
		return "INSERT INTO ranking_results (" + strings.Join(resultColumns, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
	}
	args := func(chunk []storedResult) []any {
		out := make([]any, 0, len(chunk)*len(resultColumns))
		for _, r := range chunk {
			out = append(out, r.values(runID)...)
		}
		return out
	}
	i := 0
	if len(rows) >= per {
		st, err := tx.Statement.ConnPool.PrepareContext(ctx, statement(per))
		if err != nil {
			return err
		}
		defer st.Close()
		for ; i+per <= len(rows); i += per {
			if _, err := st.ExecContext(ctx, args(rows[i:i+per])...); err != nil {
				return err
			}
		}
	}
	if i < len(rows) {
		_, err := tx.Statement.ConnPool.ExecContext(ctx, statement(len(rows)-i), args(rows[i:])...)
		return err
	}
	return nil
}

func insertResultsPG(ctx context.Context, tx *gorm.DB, runID int64, rows []storedResult) error {
	n := len(rows)
	var (
		office, responses        = make([]int64, n), make([]int64, n)
		province, components     = make([]string, n), make([]string, n)
		score, change            = make([]*float64, n), make([]*float64, n)
		national, prov, rankDiff = make([]*int64, n), make([]*int64, n), make([]*int64, n)
		grade                    = make([]*string, n)
		insufficient             = make([]bool, n)
	)
	i64 := func(v *int) *int64 {
		if v == nil {
			return nil
		}
		x := int64(*v)
		return &x
	}
	for i, r := range rows {
		office[i], province[i], score[i], national[i], prov[i] = r.OfficeID, r.ProvinceCode, r.Score, i64(r.RankNational), i64(r.RankProvince)
		grade[i], insufficient[i], responses[i], change[i], rankDiff[i] = r.Grade, r.InsufficientData, r.Responses, r.ScoreChange, i64(r.RankChange)
		components[i] = string(r.Components)
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, `INSERT INTO ranking_results (`+strings.Join(resultColumns, ", ")+`)
		SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::float8[], $5::int[], $6::int[], $7::text[], $8::bool[], $9::bigint[], $10::float8[], $11::int[], $12::text[])`,
		runID, office, province, score, national, prov, grade, insufficient, responses, change, rankDiff, components)
	return err
}

// Get returns a run.
func (s *Service) Get(ctx context.Context, id int64) (Run, error) {
	runs, err := s.runsWhere(s.db.WithContext(ctx), "id = ?", id)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, daftar.NotFound("run_not_found", "no such ranking run")
	}
	return runs[0], nil
}

// Runs lists runs, newest period first.
func (s *Service) Runs(ctx context.Context, limit, offset int) ([]Run, int64, error) {
	var total int64
	if err := s.db.WithContext(ctx).Table("ranking_runs").Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out, err := s.runsWhere(s.db.WithContext(ctx), "1 = 1 ORDER BY period_start DESC, period_kind LIMIT ? OFFSET ?", limit, offset)
	return out, total, err
}

// Publish freezes a draft. expectVersion, when non-zero, must match. A
// draft whose changes are against a run other than the latest published
// one before it (one was published since) must be computed again first.
func (s *Service) Publish(ctx context.Context, id int64, expectVersion int64) (Run, error) {
	actor, _ := daftar.ActorFrom(ctx)
	var out Run
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		runs, err := s.runsWhere(tx, "id = ?", id)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return daftar.NotFound("run_not_found", "no such ranking run")
		}
		run := runs[0]
		if run.State == StatePublished {
			return daftar.Conflict("run_published", "the run is already published and never changes")
		}
		if expectVersion != 0 && expectVersion != run.Version {
			return daftar.Conflict("run_version_stale", "the draft was recomputed since you read it; review it again")
		}
		p, err := daftar.ParsePeriod(run.Period)
		if err != nil {
			return err
		}
		prev, err := s.previousPublished(tx, p)
		if err != nil {
			return err
		}
		if !sameRun(runID(prev), run.PreviousRunID) {
			return daftar.Conflict("run_compare_stale", "a run this draft compares with was published since it was computed; compute the draft again")
		}
		res := tx.Exec("UPDATE ranking_runs SET state = 'published', published_at = ?, published_by = ?, version = version + 1 WHERE id = ? AND state = 'draft' AND version = ?",
			s.clock.Now(), actor.Username, id, run.Version)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return daftar.Conflict("run_changed", "the run changed meanwhile; review it again")
		}
		if runs, err = s.runsWhere(tx, "id = ?", id); err != nil {
			return err
		}
		out = runs[0]
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
