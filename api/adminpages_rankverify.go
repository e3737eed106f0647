package api

import (
	"context"
	"strings"

	"github.com/daftar-ir/daftar/ranking"
)

// The ranking page's verification (POST /admin/ranking/runs/:id/verify), in
// its two parts: reproduce (the run recomputed from what it stored, which
// must match bit for bit) and drift (what today's data would give: which
// inputs changed, for which offices, and whether a rank or grade would move).

// verifyRows is how many drifting offices the page lists.
const verifyRows = 20

type verifyView struct {
	// Part (a).
	Reproduced            bool
	Problem               string
	Inputs, StoredInputs  string
	Results, StoredResult string
	Recomputed            string
	Offices, Mismatched   string
	// Part (b).
	Drifted          bool
	AsOf             string
	Changes          []verifyCount
	ScoresChanged    string
	RanksMoved       string
	GradesMoved      string
	AnyMoves         bool
	Rows             []driftRow
	More             string
	DirectiveVersion string
}

type verifyCount struct{ Label, Count string }

type driftRow struct {
	OfficeID              int64
	Office, Code          string
	Causes, Inputs        string
	Rank, Grade, Score    string
	RankMoves, GradeMoves bool
}

// verifyViewOf lays a verification out in the page's language.
func (s *Server) verifyViewOf(ctx context.Context, v *staffView, ver ranking.Verification) (*verifyView, error) {
	rep, dr := ver.Reproduce, ver.Drift
	out := &verifyView{Reproduced: rep.OK, Inputs: short(rep.InputsChecksum), StoredInputs: short(rep.StoredInputsChecksum),
		Results: short(rep.ResultsChecksum), StoredResult: short(rep.StoredResultsChecksum), Recomputed: short(rep.RecomputedResults),
		Offices: v.count(int64(rep.Offices)), Mismatched: v.count(int64(len(rep.MismatchedOffices))),
		Drifted: dr.Changed, AsOf: v.dateTime(dr.AsOf), DirectiveVersion: v.count(int64(dr.DirectiveVersion))}
	switch {
	case rep.OK:
	case !rep.InputsMatch:
		out.Problem = v.t("verify_inputs_altered")
	case rep.RecomputedResults != rep.ResultsChecksum:
		out.Problem = v.t("verify_code_changed")
	default:
		out.Problem = v.t("verify_rows_altered")
	}
	t := dr.Totals
	for _, c := range []struct {
		key string
		n   int64
	}{{"drift_offices_changed", int64(t.OfficesChanged)}, {"drift_late_visits", t.LateVisits}, {"drift_late_answers", t.LateAnswers},
		{"drift_inspections", int64(t.Inspections)}, {"drift_suspensions", int64(t.Suspensions)}, {"drift_complaints", int64(t.Complaints)},
		{"drift_actions", int64(t.CorrectiveActions)}, {"drift_register", int64(t.Register)}} {
		if c.n != 0 {
			out.Changes = append(out.Changes, verifyCount{Label: v.t(c.key), Count: v.count(c.n)})
		}
	}
	out.ScoresChanged, out.RanksMoved, out.GradesMoved = v.count(int64(t.ScoresChanged)), v.count(int64(t.RanksMoved)), v.count(int64(t.GradesMoved))
	out.AnyMoves = t.RanksMoved > 0 || t.GradesMoved > 0
	view := ver.View(verifyRows)
	if view.MoreRows > 0 {
		out.More = v.count(int64(view.MoreRows))
	}
	ids := make([]int64, len(view.Rows))
	for i, o := range view.Rows {
		ids[i] = o.OfficeID
	}
	labels, err := s.Offices.Labels(ctx, nil, ids)
	if err != nil {
		return nil, err
	}
	arrow := " " + v.t("arrow") + " "
	for _, o := range view.Rows {
		l := labels[o.OfficeID]
		row := driftRow{OfficeID: o.OfficeID, Office: nameIn(v.lang, l.NameFa, l.NameEn), Code: o.Code, RankMoves: o.RankMoves, GradeMoves: o.GradeMoves,
			Rank:  intPtr(v, o.RankWas) + arrow + intPtr(v, o.RankNow),
			Grade: v.word("grade_", dash(o.GradeWas)) + arrow + v.word("grade_", dash(o.GradeNow)),
			Score: v.numPtr(o.ScoreWas, 2) + arrow + v.numPtr(o.ScoreNow, 2)}
		causes := make([]string, len(o.Causes))
		for i, c := range o.Causes {
			causes[i] = v.word("drift_cause_", c)
		}
		row.Causes = strings.Join(causes, v.t("list_sep"))
		if len(o.Causes) == 0 {
			row.Causes = v.t("drift_others")
		}
		var inputs []string
		for _, c := range o.Inputs {
			if c.Was == nil && c.Now == nil {
				inputs = append(inputs, v.word("drift_input_", c.Input))
				continue
			}
			inputs = append(inputs, v.word("drift_input_", c.Input)+": "+v.numPtr(c.Was, 2)+arrow+v.numPtr(c.Now, 2))
		}
		row.Inputs = strings.Join(inputs, v.t("list_sep"))
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

func dash(p *string) string {
	if p == nil {
		return "—"
	}
	return *p
}
