package ranking

import (
	"context"
	"sort"

	"github.com/daftar-ir/daftar"
)

// drift is part (b): the run's directive applied to today's data,
// compared with what the run read and stored.
func (s *Service) drift(ctx context.Context, st storedRun, stored []storedResult) (Drift, error) {
	p, err := daftar.ParsePeriod(st.run.Period)
	if err != nil {
		return Drift{}, err
	}
	today, err := s.gatherRun(ctx, p, st.directive, st.body)
	if err != nil {
		return Drift{}, err
	}
	out := Drift{AsOf: s.clock.Now(), DirectiveVersion: st.directive.Version, InputsChecksum: today.inSum, Offices: []OfficeDrift{}}
	// Fields a run stored before its inputs kept them are not compared.
	full := st.run.ChecksumScheme >= schemeStored
	was := make(map[int64]*Input, len(st.inputs.Offices))
	for i := range st.inputs.Offices {
		was[st.inputs.Offices[i].OfficeID] = &st.inputs.Offices[i]
	}
	now := make(map[int64]*Input, len(today.inputs.Offices))
	for i := range today.inputs.Offices {
		now[today.inputs.Offices[i].OfficeID] = &today.inputs.Offices[i]
	}
	storedBy := make(map[int64]*storedResult, len(stored))
	for i := range stored {
		storedBy[stored[i].OfficeID] = &stored[i]
	}
	nowBy := make(map[int64]*Result, len(today.results))
	for i := range today.results {
		nowBy[today.results[i].OfficeID] = &today.results[i]
	}
	ids := map[int64]bool{}
	for id := range was {
		ids[id] = true
	}
	for id := range now {
		ids[id] = true
	}
	t := &out.Totals
	for id := range ids {
		a, b := was[id], now[id]
		od := OfficeDrift{OfficeID: id, Causes: []string{}, Inputs: []InputChange{}}
		switch {
		case a == nil:
			od.Code = b.Code
			od.Causes = append(od.Causes, CauseRegister)
		case b == nil:
			od.Code = a.Code
			od.Causes = append(od.Causes, CauseRegister)
		default:
			od.Code = b.Code
			od.Inputs = inputChanges(*a, *b, full)
			seen := map[string]bool{}
			for _, c := range od.Inputs {
				if !seen[c.Cause] {
					seen[c.Cause] = true
					od.Causes = append(od.Causes, c.Cause)
				}
				switch c.Input {
				case "arrivals":
					t.LateVisits += max(int64(*c.Delta), 0)
				case "responses":
					t.LateAnswers += max(int64(*c.Delta), 0)
				}
			}
		}
		for _, c := range od.Causes {
			switch c {
			case CauseInspections:
				t.Inspections++
			case CauseSuspension:
				t.Suspensions++
			case CauseComplaints:
				t.Complaints++
			case CauseActions:
				t.CorrectiveActions++
			case CauseRegister:
				t.Register++
			}
		}
		if len(od.Causes) > 0 {
			t.OfficesChanged++
		}
		if r := storedBy[id]; r != nil {
			od.ScoreWas, od.RankWas, od.GradeWas = r.Score, r.RankNational, r.Grade
		}
		if r := nowBy[id]; r != nil {
			od.ScoreNow, od.RankNow, od.GradeNow = r.Score, r.RankNational, r.Grade
		}
		od.RankMoves = !sameInt(od.RankWas, od.RankNow)
		od.GradeMoves = !sameString(od.GradeWas, od.GradeNow)
		scoreMoves := !sameFloat(od.ScoreWas, od.ScoreNow)
		if scoreMoves {
			t.ScoresChanged++
		}
		if od.RankMoves {
			t.RanksMoved++
		}
		if od.GradeMoves {
			t.GradesMoved++
		}
		if len(od.Causes) > 0 || scoreMoves || od.RankMoves || od.GradeMoves {
			out.Offices = append(out.Offices, od)
		}
	}
	out.Changed = t.OfficesChanged > 0
	sort.Slice(out.Offices, func(i, j int) bool { return driftBefore(&out.Offices[i], &out.Offices[j]) })
	return out, nil
}

// driftBefore orders offices: grade moves, then rank moves, then the
// largest score change, then by code.
func driftBefore(a, b *OfficeDrift) bool {
	if a.GradeMoves != b.GradeMoves {
		return a.GradeMoves
	}
	if a.RankMoves != b.RankMoves {
		return a.RankMoves
	}
	if da, db := scoreDelta(a), scoreDelta(b); da != db {
		return da > db
	}
	return a.Code < b.Code
}

func scoreDelta(o *OfficeDrift) float64 {
	if o.ScoreWas == nil || o.ScoreNow == nil {
		if o.ScoreWas == nil && o.ScoreNow == nil {
			return 0
		}
		return 100
	}
	d := *o.ScoreNow - *o.ScoreWas
	if d < 0 {
		d = -d
	}
	return d
}

// inputChanges compares one office's inputs field by field (full: also
// the fields that only runs stored since checksum scheme 2 keep).
func inputChanges(a, b Input, full bool) []InputChange {
	var out []InputChange
	num := func(name, cause string, x, y float64) {
		if x != y {
			d := round(y-x, 4)
			out = append(out, InputChange{Input: name, Cause: cause, Was: &x, Now: &y, Delta: &d})
		}
	}
	opt := func(name, cause string, x, y *float64) {
		switch {
		case x == nil && y == nil:
		case x == nil || y == nil:
			out = append(out, InputChange{Input: name, Cause: cause, Was: x, Now: y})
		default:
			num(name, cause, *x, *y)
		}
	}
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	num("responses", CauseAnswers, float64(a.Responses), float64(b.Responses))
	num("overall_sum", CauseAnswers, float64(a.OverallSum), float64(b.OverallSum))
	num("extra_fee_reports", CauseAnswers, float64(a.ExtraFeeReports), float64(b.ExtraFeeReports))
	opt("wait_p90_min", CauseVisits, a.WaitP90Min, b.WaitP90Min)
	opt("over_target_share", CauseVisits, a.OverTargetShare, b.OverTargetShare)
	num("served", CauseVisits, float64(a.Served), float64(b.Served))
	num("counter_hours", CauseVisits, a.CounterHours, b.CounterHours)
	num("minor", CauseInspections, float64(a.Minor), float64(b.Minor))
	num("major", CauseInspections, float64(a.Major), float64(b.Major))
	num("critical", CauseInspections, float64(a.Critical), float64(b.Critical))
	num("licence_suspended", CauseSuspension, flag(a.LicenceSuspended), flag(b.LicenceSuspended))
	if full {
		num("arrivals", CauseVisits, float64(a.Arrivals), float64(b.Arrivals))
		num("upheld_complaints", CauseComplaints, float64(a.UpheldComplaints), float64(b.UpheldComplaints))
		num("overdue_corrective_actions", CauseActions, float64(a.OverdueActions), float64(b.OverdueActions))
		num("counters", CauseRegister, float64(a.Counters), float64(b.Counters))
		if a.City != b.City || a.Province != b.Province {
			out = append(out, InputChange{Input: "city", Cause: CauseRegister})
		}
	}
	return out
}

func sameInt(a, b *int) bool       { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func sameString(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
