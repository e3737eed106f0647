package ranking

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
)

// Verification is a run checked in two parts. Reproduce recomputes the
// run from what it stored (its inputs and its directive version), reading
// none of today's data: it must match the stored results bit for bit,
// always, and a failure means the code or the stored rows changed. Drift
// applies the run's directive to today's data: what changed since the run
// read its inputs (late visits and answers, inspections, suspensions,
// complaints, corrective actions), for which offices, by how much, and
// whether any rank or grade would move. Drift never changes a run.
type Verification struct {
	RunID            int64  `json:"run_id"`
	Period           string `json:"period"`
	State            string `json:"state"`
	DirectiveVersion int    `json:"directive_version"`
	// Reproduced is reproduce.ok; InputsMatch and ResultsMatch repeat
	// reproduce's (the fields of the one-part verify before).
	Reproduced   bool         `json:"reproduced" doc:"part (a): the stored results recomputed from the stored inputs, bit for bit"`
	InputsMatch  bool         `json:"inputs_match" doc:"part (a): the stored inputs match their checksum"`
	ResultsMatch bool         `json:"results_match" doc:"part (a): the recomputed and the stored result rows match the results checksum"`
	Reproduce    Reproduction `json:"reproduce" doc:"part (a): recomputed from the run's stored inputs and directive; none of today's data"`
	Drift        Drift        `json:"drift" doc:"part (b): what today's data would give under the run's directive; never stored"`
}

// Reproduction is part (a) of a verification.
type Reproduction struct {
	OK             bool   `json:"ok"`
	Problem        string `json:"problem,omitempty" doc:"why it did not reproduce"`
	ChecksumScheme int    `json:"checksum_scheme"`
	// The stored checksums, and the same hashes taken now over the stored
	// inputs, the stored result rows, and the results recomputed.
	InputsChecksum         string  `json:"inputs_checksum"`
	StoredInputsChecksum   string  `json:"stored_inputs_checksum"`
	InputsMatch            bool    `json:"inputs_match"`
	ResultsChecksum        string  `json:"results_checksum"`
	StoredResultsChecksum  string  `json:"stored_results_checksum" doc:"of the stored rows (checksum scheme 2)"`
	RecomputedResults      string  `json:"recomputed_results_checksum"`
	ResultsMatch           bool    `json:"results_match"`
	Offices                int     `json:"offices"`
	MismatchedOffices      []int64 `json:"mismatched_offices" doc:"offices whose recomputed row differs from the stored one"`
	ComparedWithPreviousID *int64  `json:"previous_run_id" doc:"the published run whose stored results the changes were recomputed against"`
}

// Drift is part (b) of a verification.
type Drift struct {
	AsOf             time.Time     `json:"as_of"`
	DirectiveVersion int           `json:"directive_version" doc:"the run's own directive, applied to today's data"`
	InputsChecksum   string        `json:"inputs_checksum" doc:"of today's inputs, under the run's directive"`
	Changed          bool          `json:"changed" doc:"any input differs from what the run read"`
	Totals           DriftTotals   `json:"totals"`
	Offices          []OfficeDrift `json:"offices" doc:"every office whose inputs or result would differ; those whose grade or rank would move first"`
}

// DriftTotals sum a drift up.
type DriftTotals struct {
	OfficesChanged    int   `json:"offices_changed" doc:"offices with any input changed"`
	LateVisits        int64 `json:"late_visits" doc:"visits of the period in the rollups beyond those the run read"`
	LateAnswers       int64 `json:"late_answers" doc:"counted answers beyond those the run read"`
	Inspections       int   `json:"inspections" doc:"offices whose inspection findings changed"`
	Suspensions       int   `json:"suspensions" doc:"offices whose licence standing in the period changed"`
	Complaints        int   `json:"complaints" doc:"offices whose upheld complaints changed"`
	CorrectiveActions int   `json:"corrective_actions" doc:"offices whose overdue corrective actions changed"`
	Register          int   `json:"register" doc:"offices added, removed, moved or resized in the register"`
	ScoresChanged     int   `json:"scores_changed"`
	RanksMoved        int   `json:"ranks_moved" doc:"offices whose national rank would move"`
	GradesMoved       int   `json:"grades_moved"`
}

// OfficeDrift is one office's drift.
type OfficeDrift struct {
	OfficeID   int64         `json:"office_id"`
	Code       string        `json:"code"`
	Causes     []string      `json:"causes" doc:"visits, answers, inspections, suspension, complaints, corrective_actions, register; empty when only others' changes move it"`
	Inputs     []InputChange `json:"inputs"`
	ScoreWas   *float64      `json:"score_was"`
	ScoreNow   *float64      `json:"score_now"`
	RankWas    *int          `json:"rank_was"`
	RankNow    *int          `json:"rank_now"`
	GradeWas   *string       `json:"grade_was"`
	GradeNow   *string       `json:"grade_now"`
	RankMoves  bool          `json:"rank_moves"`
	GradeMoves bool          `json:"grade_moves"`
}

// InputChange is one input of one office, as the run read it and today.
type InputChange struct {
	Input string   `json:"input" doc:"the input's name, as in the stored inputs (arrivals, responses, wait_p90_min, minor, ...)"`
	Cause string   `json:"cause"`
	Was   *float64 `json:"was"`
	Now   *float64 `json:"now"`
	Delta *float64 `json:"delta"`
}

// Causes of drift.
const (
	CauseVisits      = "visits"
	CauseAnswers     = "answers"
	CauseInspections = "inspections"
	CauseSuspension  = "suspension"
	CauseComplaints  = "complaints"
	CauseActions     = "corrective_actions"
	CauseRegister    = "register"
)

// storedRun is a run with everything it stored.
type storedRun struct {
	run       Run
	directive Directive
	body      string
	inputs    RunInputs
	raw       []byte
}

func (s *Service) storedRun(ctx context.Context, id int64) (storedRun, error) {
	run, err := s.Get(ctx, id)
	if err != nil {
		return storedRun{}, err
	}
	var rows []struct {
		Inputs   string
		InputsGz []byte
	}
	if err := s.db.WithContext(ctx).Raw("SELECT inputs, inputs_gz FROM ranking_runs WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return storedRun{}, err
	}
	if len(rows) == 0 {
		return storedRun{}, daftar.NotFound("run_not_found", "no such ranking run")
	}
	ri, raw, err := storedInputs(rows[0].Inputs, rows[0].InputsGz)
	if err != nil {
		return storedRun{}, err
	}
	d, body, err := s.directive(ctx, run.DirectiveVersion)
	if err != nil {
		return storedRun{}, err
	}
	return storedRun{run: run, directive: d, body: body, inputs: ri, raw: raw}, nil
}

// storedResults reads a run's result rows as stored, by office id.
func (s *Service) storedResults(ctx context.Context, runID int64) ([]storedResult, error) {
	var rows []resultRow
	if err := s.db.WithContext(ctx).Raw("SELECT * FROM ranking_results WHERE run_id = ? ORDER BY office_id", runID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]storedResult, len(rows))
	for i, r := range rows {
		out[i] = storedResult{OfficeID: r.OfficeID, ProvinceCode: r.ProvinceCode, Score: r.Score, RankNational: r.RankNational,
			RankProvince: r.RankProvince, Grade: r.Grade, InsufficientData: r.InsufficientData, Responses: r.Responses,
			ScoreChange: r.ScoreChange, RankChange: r.RankChange, Components: json.RawMessage(r.Components)}
	}
	return out, nil
}

// Verify checks a run in both parts, side by side; it stores nothing.
func (s *Service) Verify(ctx context.Context, id int64) (Verification, error) {
	st, err := s.storedRun(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	var (
		rep   Reproduction
		drift Drift
	)
	err = parallel(
		func() (err error) { rep, _, err = s.reproduce(ctx, st); return },
		func() (err error) {
			stored, err := s.standings(ctx, id)
			if err != nil {
				return err
			}
			drift, err = s.drift(ctx, st, stored)
			return err
		},
	)
	if err != nil {
		return Verification{}, err
	}
	return Verification{RunID: st.run.ID, Period: st.run.Period, State: st.run.State, DirectiveVersion: st.run.DirectiveVersion,
		Reproduced: rep.OK, InputsMatch: rep.InputsMatch, ResultsMatch: rep.ResultsMatch, Reproduce: rep, Drift: drift}, nil
}

// standings reads a run's stored scores, ranks and grades (what drift
// compares; the components stay in the table).
func (s *Service) standings(ctx context.Context, id int64) ([]storedResult, error) {
	var out []storedResult
	err := s.db.WithContext(ctx).Raw("SELECT office_id, score, rank_national, grade FROM ranking_results WHERE run_id = ?", id).Scan(&out).Error
	return out, err
}

// Reproduce is part (a) alone.
func (s *Service) Reproduce(ctx context.Context, id int64) (Reproduction, error) {
	st, err := s.storedRun(ctx, id)
	if err != nil {
		return Reproduction{}, err
	}
	rep, _, err := s.reproduce(ctx, st)
	return rep, err
}

// Drift is part (b) alone.
func (s *Service) Drift(ctx context.Context, id int64) (Drift, error) {
	st, err := s.storedRun(ctx, id)
	if err != nil {
		return Drift{}, err
	}
	stored, err := s.standings(ctx, id)
	if err != nil {
		return Drift{}, err
	}
	return s.drift(ctx, st, stored)
}

func (s *Service) reproduce(ctx context.Context, st storedRun) (Reproduction, []storedResult, error) {
	run := st.run
	rep := Reproduction{ChecksumScheme: run.ChecksumScheme, InputsChecksum: run.InputsChecksum, ResultsChecksum: run.ResultsChecksum,
		MismatchedOffices: []int64{}, ComparedWithPreviousID: run.PreviousRunID}
	rep.StoredInputsChecksum = inputsChecksum(st.body, st.raw)
	rep.InputsMatch = rep.StoredInputsChecksum == run.InputsChecksum
	stored, err := s.storedResults(ctx, run.ID)
	if err != nil {
		return rep, nil, err
	}
	results := st.directive.compute(st.inputs.Offices, st.inputs.Missing)
	rep.Offices = len(results)
	storedSum := rowsChecksum(stored)
	if run.ChecksumScheme >= schemeStored {
		var prev *Run
		if run.PreviousRunID != nil {
			p, err := s.Get(ctx, *run.PreviousRunID)
			if err != nil {
				return rep, nil, err
			}
			prev = &p
		}
		if err := applyChanges(s.db.WithContext(ctx), prev, results); err != nil {
			return rep, nil, err
		}
		again := storedRows(results)
		rep.RecomputedResults, rep.StoredResultsChecksum = rowsChecksum(again), storedSum
		rep.MismatchedOffices = mismatched(again, stored, false)
		rep.ResultsMatch = rep.RecomputedResults == run.ResultsChecksum && storedSum == run.ResultsChecksum && len(rep.MismatchedOffices) == 0
	} else {
		// Scheme 1 hashed the computed results, codes in and changes not yet
		// filled in; the stored rows are compared with them without their
		// changes.
		rep.RecomputedResults = checksum(results)
		rep.MismatchedOffices = mismatched(storedRows(results), stored, true)
		rep.ResultsMatch = rep.RecomputedResults == run.ResultsChecksum && len(rep.MismatchedOffices) == 0
	}
	rep.OK = rep.InputsMatch && rep.ResultsMatch
	switch {
	case !rep.InputsMatch:
		rep.Problem = "the stored inputs do not match their checksum: they were altered after the run was computed"
	case rep.RecomputedResults != run.ResultsChecksum:
		rep.Problem = fmt.Sprintf("the results recomputed from the stored inputs differ from the results checksum (%d offices differ): the scoring code changed since the run", len(rep.MismatchedOffices))
	case !rep.ResultsMatch:
		rep.Problem = fmt.Sprintf("the stored result rows differ from the results recomputed (%d offices differ): they were altered after the run was computed", len(rep.MismatchedOffices))
	}
	return rep, stored, nil
}

// mismatched lists the offices whose rows differ (withoutChanges: ignoring
// score_change and rank_change).
func mismatched(a, b []storedResult, withoutChanges bool) []int64 {
	byID := make(map[int64]storedResult, len(b))
	for _, r := range b {
		byID[r.OfficeID] = r
	}
	out := []int64{}
	seen := map[int64]bool{}
	for _, x := range a {
		seen[x.OfficeID] = true
		y, ok := byID[x.OfficeID]
		if withoutChanges {
			x.ScoreChange, x.RankChange, y.ScoreChange, y.RankChange = nil, nil, nil, nil
		}
		ja, _ := json.Marshal(x)
		jb, _ := json.Marshal(y)
		if !ok || !bytes.Equal(ja, jb) {
			out = append(out, x.OfficeID)
		}
	}
	for _, y := range b {
		if !seen[y.OfficeID] {
			out = append(out, y.OfficeID)
		}
	}
	return out
}
