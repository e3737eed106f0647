package ranking

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
)

// What a directive's numbers and texts may be: the scale each criterion is
// measured on, points out of 100, sizes a person reads. A value beyond them
// (1e308 as a penalty) is a mistake, refused before it reaches a score.
const (
	maxDirectiveName = 200
	maxCriteria      = 20
	maxGrades        = 20
	maxGradeName     = 20
	maxPenalty       = 100 // compliance points out of 100
)

// criterionScale is the range a criterion's raw figure lies in, for its
// fixed targets (best, worst).
var criterionScale = map[string][2]float64{
	CritSatisfaction: {1, 5},    // mean overall answer
	CritWaitP90:      {0, 1440}, // minutes
	CritOverTarget:   {0, 1},    // share of visits
	CritExtraFee:     {0, 1},    // share of answers
	CritProductivity: {0, 1e6},  // visits per counter
	CritCompliance:   {0, 100},  // points
}

// bounds are the field errors of numbers and texts outside what the domain
// allows; Validate adds the rules between them.
func (d Directive) bounds() daftar.FieldErrors {
	var fe daftar.FieldErrors
	if utf8.RuneCountInString(d.Name) > maxDirectiveName {
		fe.Add("name", "too_long", fmt.Sprintf("must be at most %d characters", maxDirectiveName))
	}
	if len(d.Criteria) > maxCriteria {
		fe.Add("criteria", "too_many", fmt.Sprintf("at most %d criteria", maxCriteria))
	}
	for i, c := range d.Criteria {
		scale, ok := criterionScale[c.Criterion]
		if !ok || c.Normalisation != NormFixed {
			continue
		}
		for name, v := range map[string]float64{"best": c.Best, "worst": c.Worst} {
			if math.IsNaN(v) || v < scale[0] || v > scale[1] {
				fe.Add(fmt.Sprintf("criteria[%d].%s", i, name), "out_of_range", fmt.Sprintf("%s is measured from %g to %g", c.Criterion, scale[0], scale[1]))
			}
		}
	}
	if len(d.Grades) > maxGrades {
		fe.Add("grades", "too_many", fmt.Sprintf("at most %d grades", maxGrades))
	}
	for i, g := range d.Grades {
		if utf8.RuneCountInString(g.Grade) > maxGradeName {
			fe.Add(fmt.Sprintf("grades[%d].grade", i), "too_long", fmt.Sprintf("must be at most %d characters", maxGradeName))
		}
	}
	p := d.Penalties
	for name, v := range map[string]float64{"minor": p.Minor, "major": p.Major, "critical": p.Critical, "licence_suspended": p.LicenceSuspended} {
		if math.IsNaN(v) || v > maxPenalty {
			fe.Add("penalties."+name, "out_of_range", fmt.Sprintf("at most %d points", maxPenalty))
		}
	}
	return fe
}
