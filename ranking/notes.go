package ranking

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar"
)

// Late data. Visits and answers for a period whose run is published are
// still accepted (visits up to visits.Config.MaxAge old, answers until
// their link expires), stored, and counted as late: a published run never
// changes, its verify shows them as drift, and the next runs' notes count
// them.

// RunNote is one note a run carries from when it was computed.
type RunNote struct {
	Kind   string `json:"kind" doc:"late_data"`
	RunID  int64  `json:"run_id" doc:"the published run the note is about"`
	Period string `json:"period"`
	// LateVisits are the visits of that period in the rollups beyond those
	// its run read (nil for a run stored before its inputs kept arrivals);
	// LateAnswers the counted answers to its visits received after the
	// hour it read its inputs.
	LateVisits  *int64 `json:"late_visits"`
	LateAnswers int64  `json:"late_answers"`
	Offices     int    `json:"offices" doc:"offices with any late visit or answer"`
	Text        string `json:"text"`
}

// NoteLateData is the kind of a note counting late data.
const NoteLateData = "late_data"

// lateRuns is how many published runs before a period its notes look at.
const lateRuns = 3

// lateNotes counts the late data of the published runs of the same kind
// before p (the latest lateRuns of them).
func (s *Service) lateNotes(ctx context.Context, p daftar.Period) ([]RunNote, error) {
	runs, err := s.runsWhere(s.db.WithContext(ctx), "state = 'published' AND period_kind = ? AND period_start < ? ORDER BY period_start DESC LIMIT ?",
		string(p.Kind), p.Start(), lateRuns)
	if err != nil {
		return nil, err
	}
	notes := []RunNote{}
	for _, run := range runs {
		rp, err := daftar.ParsePeriod(run.Period)
		if err != nil {
			return nil, err
		}
		arrivals, answers, err := s.gather.LateCounts(ctx, rp, run.CreatedAt)
		if err != nil {
			return nil, err
		}
		n := RunNote{Kind: NoteLateData, RunID: run.ID, Period: run.Period}
		late := map[int64]bool{}
		for id, k := range answers {
			n.LateAnswers += k
			late[id] = true
		}
		if run.ChecksumScheme >= schemeStored {
			ri, err := s.storedRunInputs(ctx, run.ID)
			if err != nil {
				return nil, err
			}
			read := make(map[int64]int64, len(ri.Offices))
			for _, x := range ri.Offices {
				read[x.OfficeID] = x.Arrivals
			}
			var visits int64
			for id, now := range arrivals {
				if was, ok := read[id]; ok && now > was {
					visits += now - was
					late[id] = true
				}
			}
			n.LateVisits = &visits
		}
		n.Offices = len(late)
		n.Text = n.text()
		notes = append(notes, n)
	}
	return notes, nil
}

func (n RunNote) text() string {
	if n.LateVisits == nil {
		return fmt.Sprintf("%s (run %d): %d answers came in after it was computed, at %d offices (its visits are not counted: the run predates stored arrivals); they show in its verify as drift and never change its published results",
			n.Period, n.RunID, n.LateAnswers, n.Offices)
	}
	if *n.LateVisits == 0 && n.LateAnswers == 0 {
		return fmt.Sprintf("%s (run %d): no late visits or answers since it was computed", n.Period, n.RunID)
	}
	return fmt.Sprintf("%s (run %d): %d visits and %d answers came in after it was computed, at %d offices; they show in its verify as drift and never change its published results",
		n.Period, n.RunID, *n.LateVisits, n.LateAnswers, n.Offices)
}

// storedRunInputs reads a run's stored inputs.
func (s *Service) storedRunInputs(ctx context.Context, id int64) (RunInputs, error) {
	st, err := s.storedRun(ctx, id)
	return st.inputs, err
}
