package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
)

// CandidatesSpec sizes the demo's exam year.
type CandidatesSpec struct {
	// ExamYear is the Jalali year of the exam; a year the intake refuses
	// (the clock is far from 1405) becomes the current year.
	ExamYear          int
	Passed, NotPassed int
	Seed              uint64
}

// CandidatesReport says what Candidates made.
type CandidatesReport struct {
	Created           bool // false: the same file had been imported before, and nothing was done
	ExamYear          int
	ImportID          int64
	Passed, NotPassed int
	Reviews           int // document-review decisions applied
}

// reviewRefusals are the reasons the demo's review gives for refusing.
var reviewRefusals = []string{"مدارک ناقص است", "گواهی عدم سوء پیشینه ارائه نشد", "مدرک تحصیلی تأیید نشد", "مدارک در مهلت مقرر نرسید"}

// Candidates imports a generated result file through the same path as an
// uploaded one (so the demo has an import report too), then reviews most
// passed candidates' documents: about 72% approved, 12% submitted and
// waiting, 8% rejected, 8% never heard of.
func Candidates(ctx context.Context, exams *licensing.Exams, cands *licensing.Candidates, spec CandidatesSpec) (CandidatesReport, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	year := spec.ExamYear
	if exams.CheckExamYear(year) != nil {
		year = exams.CurrentExamYear()
	}
	rep := CandidatesReport{ExamYear: year}
	rng := rand.New(rand.NewPCG(spec.Seed, uint64(year)))
	b := ExamCSV(exams.Gazetteer(), rng, ExamSpec{Passed: spec.Passed, NotPassed: spec.NotPassed, ExamYear: year})
	content, size := licensing.BytesInput(b)
	imp, created, err := exams.Import(ctx, licensing.ImportInput{Content: content, Size: size,
		FileName: fmt.Sprintf("demo-exam-%d.csv", year), ExamYear: year, RejectionsLimit: 5})
	if err != nil {
		return rep, fmt.Errorf("demo exam import: %w", err)
	}
	if !created {
		return rep, nil
	}
	rep.Created, rep.ImportID, rep.Passed, rep.NotPassed = true, imp.ID, imp.Passed, imp.NotPassed
	list, _, err := cands.List(ctx, licensing.CandidateFilter{ImportID: imp.ID, State: licensing.StatePassed, Limit: spec.Passed})
	if err != nil {
		return rep, err
	}
	var items []licensing.ReviewItem
	for _, c := range list {
		sub := licensing.ReviewItem{ID: c.ID, Review: licensing.Review{State: licensing.StateDocumentsSubmitted}}
		switch r := rng.IntN(100); {
		case r < 72:
			items = append(items, sub, licensing.ReviewItem{ID: c.ID, Review: licensing.Review{State: licensing.StateApproved}})
		case r < 84:
			items = append(items, sub)
		case r < 89:
			items = append(items, sub, licensing.ReviewItem{ID: c.ID, Review: licensing.Review{State: licensing.StateRejected,
				Reason: reviewRefusals[rng.IntN(len(reviewRefusals))]}})
		case r < 92:
			items = append(items, licensing.ReviewItem{ID: c.ID, Review: licensing.Review{State: licensing.StateRejected,
				Reason: reviewRefusals[3]}})
		}
	}
	if err := cands.ReviewBatch(ctx, items); err != nil {
		return rep, fmt.Errorf("demo document review: %w", err)
	}
	rep.Reviews = len(items)
	return rep, nil
}
