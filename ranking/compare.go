package ranking

import (
	"cmp"
	"context"
	"slices"

	"github.com/daftar-ir/daftar"
)

// Move is one office's change between a run and the previous published
// run of its kind.
type Move struct {
	OfficeID    int64
	Code        string
	Province    string
	RankBefore  int
	Rank        int
	ScoreBefore float64
	Score       float64
	GradeBefore string
	Grade       string
}

// Up is how many places the office rose (negative: fell).
func (m Move) Up() int { return m.RankBefore - m.Rank }

// Comparison sets a run (a draft before it is published) against the
// latest published run of the same kind before its period: who moved
// most, whose grade changed, who entered or left the ranking.
type Comparison struct {
	Run      Run
	Previous *Run // nil: nothing published before it
	// Risers and Fallers are the largest moves each way, largest first.
	Risers, Fallers []Move
	// GradeChanges are the offices whose grade changed, largest score
	// change first; Grades counts them by (before, after).
	GradeChanges []Move
	Grades       map[[2]string]int
	// Both is how many offices are ranked in both runs; Entered those
	// ranked now but not before, Left the reverse.
	Both, Entered, Left int
}

// Previous returns the latest published run of the run's kind before its
// period (the one its changes are measured against), if any.
func (s *Service) Previous(ctx context.Context, run Run) (*Run, error) {
	p, err := daftar.ParsePeriod(run.Period)
	if err != nil {
		return nil, err
	}
	var rows []Run
	if err := s.db.WithContext(ctx).Raw("SELECT "+runColumns+` FROM ranking_runs WHERE state = 'published' AND period_kind = ? AND period_start < ?
		ORDER BY period_start DESC LIMIT 1`, string(p.Kind), p.Start()).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// Compare sets run id against the previous published run; movers bounds
// each of the risers and fallers.
func (s *Service) Compare(ctx context.Context, id int64, movers int) (Comparison, error) {
	run, err := s.Get(ctx, id)
	if err != nil {
		return Comparison{}, err
	}
	out := Comparison{Run: run, Grades: map[[2]string]int{}}
	if out.Previous, err = s.Previous(ctx, run); err != nil || out.Previous == nil {
		return out, err
	}
	now, _, err := s.Results(ctx, run.ID, ResultFilter{Limit: -1})
	if err != nil {
		return Comparison{}, err
	}
	before, _, err := s.Results(ctx, out.Previous.ID, ResultFilter{Limit: -1})
	if err != nil {
		return Comparison{}, err
	}
	prev := make(map[int64]Result, len(before))
	for _, r := range before {
		if r.RankNational != nil {
			prev[r.OfficeID] = r
		}
	}
	var moves []Move
	seen := map[int64]bool{}
	for _, r := range now {
		if r.RankNational == nil || r.Score == nil {
			continue
		}
		seen[r.OfficeID] = true
		b, ok := prev[r.OfficeID]
		if !ok || b.Score == nil {
			out.Entered++
			continue
		}
		m := Move{OfficeID: r.OfficeID, Code: r.Code, Province: r.Province, RankBefore: *b.RankNational, Rank: *r.RankNational,
			ScoreBefore: *b.Score, Score: *r.Score, GradeBefore: cmpDeref(b.Grade), Grade: cmpDeref(r.Grade)}
		moves = append(moves, m)
		if m.Grade != m.GradeBefore {
			out.GradeChanges = append(out.GradeChanges, m)
			out.Grades[[2]string{m.GradeBefore, m.Grade}]++
		}
	}
	for id := range prev {
		if !seen[id] {
			out.Left++
		}
	}
	out.Both = len(moves)
	byMove := func(a, b Move) int {
		if c := cmp.Compare(cmpAbs(b.Up()), cmpAbs(a.Up())); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	}
	slices.SortFunc(moves, byMove)
	for _, m := range moves {
		switch {
		case m.Up() > 0 && len(out.Risers) < movers:
			out.Risers = append(out.Risers, m)
		case m.Up() < 0 && len(out.Fallers) < movers:
			out.Fallers = append(out.Fallers, m)
		}
	}
	slices.SortFunc(out.GradeChanges, func(a, b Move) int {
		if c := cmp.Compare(cmpAbsF(b.Score-b.ScoreBefore), cmpAbsF(a.Score-a.ScoreBefore)); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out, nil
}

func cmpDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func cmpAbs(n int) int { return max(n, -n) }

func cmpAbsF(x float64) float64 { return max(x, -x) }
