package licensing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestSplitHeaderScale: a score header may carry its scale, in Persian or
// English, with Persian or Latin digits (NormalizeText has made them Latin).
func TestSplitHeaderScale(t *testing.T) {
	cases := []struct {
		in   string
		base string
		max  float64
	}{
		{"نمره (از 20)", "نمره", 20},
		{"نمره تراز (از 12,000)", "نمره تراز", 12000},
		{"نمره از 100", "نمره", 100},
		{"Score (out of 12000)", "score", 12000},
		{"score out of 20", "score", 20},
		{"score/20", "score", 20},
		{"score [max 150]", "score", 150},
		{"نمره تراز", "نمره تراز", 0},
		{"score (0)", "score (0)", 0},
		{"(20)", "(20)", 0},
		{"score (out of 99999999)", "score (out of 99999999)", 0},
	}
	for _, c := range cases {
		base, max := splitHeaderScale(c.in)
		if max != c.max || (max > 0 && base != c.base) {
			t.Errorf("splitHeaderScale(%q) = %q, %v; want %q, %v", c.in, base, max, c.base, c.max)
		}
	}
}

// TestScoreScale: standard scores (تراز) import with score_max; a score
// above the scale is refused with its row, column and reason; the report
// and every candidate keep the scale; a file refused whole on the default
// scale imports when sent again with its scale; a scale in the header is
// read; and one exam year holds one scale.
func TestScoreScale(t *testing.T) {
	standard, err := os.ReadFile(filepath.Join("testdata", "exam-standard-scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		withMax := func(m float64) func(*ImportInput) { return func(in *ImportInput) { in.ScoreMax = m } }

		// On the default scale every row is refused, with a hint.
		rep := mustImport(t, e, standard)
		if rep.Status != ImportRefused || rep.ScoreMax != 100 || rep.ScoreScale != ScaleDefault || rep.Refused != 6 {
			t.Fatalf("default scale: %+v", rep)
		}
		if j := rep.Rejections[0]; j.Code != "score_out_of_range" || !strings.Contains(j.ReasonEn, "give score_max") ||
			!strings.Contains(j.ReasonFa, "score_max") {
			t.Fatalf("default-scale rejection: %+v", j)
		}
		first := rep.ID

		// Sent again with its scale, it is imported (replacing the refusal).
		rep, created, err := e.importBytes(t, standard, withMax(12000))
		if err != nil || !created {
			t.Fatalf("with score_max: %v created %v", err, created)
		}
		if rep.ID == first || rep.Status != ImportPartiallyAccepted || rep.Accepted != 5 || rep.Refused != 1 ||
			rep.ScoreMax != 12000 || rep.ScoreScale != ScaleGiven {
			t.Fatalf("standard scores: %+v", rep)
		}
		j := rep.Rejections[0]
		if j.Row != 7 || j.Column != "score" || j.Value != "12750" || j.Code != "score_out_of_range" ||
			j.ReasonEn != "the score must be between 0 and 12000" || !strings.Contains(j.ReasonFa, "۱۲۰۰۰") {
			t.Fatalf("out-of-scale rejection: %+v", j)
		}
		if _, err := e.exams.Get(e.ctx, first, 0, 0); codeOf(t, err) != "exam_import_not_found" {
			t.Fatalf("the refused import was not replaced: %v", err)
		}
		got, err := e.exams.Get(e.ctx, rep.ID, 0, 0)
		if err != nil || got.ScoreMax != 12000 || got.ScoreScale != ScaleGiven || got.RejectionsTotal != 1 {
			t.Fatalf("stored report: %+v %v", got, err)
		}
		list, _, err := e.cands.List(e.ctx, CandidateFilter{ExamYear: 1405, Limit: 10})
		if err != nil || len(list) != 5 {
			t.Fatalf("candidates: %d %v", len(list), err)
		}
		for _, c := range list {
			if c.ScoreMax != 12000 || c.Score < 11000 || c.ExamYear != 1405 {
				t.Fatalf("candidate %+v", c)
			}
		}
		// The same content again answers the import, on its scale.
		again, created, err := e.importBytes(t, standard, withMax(12000))
		if err != nil || created || again.ID != rep.ID {
			t.Fatalf("again: %+v %v %v", again, created, err)
		}

		// The year is scored out of 12000: a file out of 100 is refused whole.
		_, _, err = e.importBytes(t, fileOf(t, goodRow(1)))
		if codeOf(t, err) != "score_scale_mismatch" || !strings.Contains(err.Error(), "12000") {
			t.Fatalf("another scale in the same year: %v", err)
		}
		// A scale in the header, for its own year.
		hdr := append([]string(nil), stdHeader...)
		hdr[6] = "نمره (از ۲۰)"
		r20 := goodRow(2)
		r20[6] = "۱۸٫۵"
		rep, _, err = e.importBytes(t, csvOf(t, hdr, r20), func(in *ImportInput) { in.ExamYear = 1404 })
		if err != nil || rep.Accepted != 1 || rep.ScoreMax != 20 || rep.ScoreScale != ScaleHeader || len(rep.IgnoredColumns) != 0 {
			t.Fatalf("header scale: %+v %v", rep, err)
		}
		// A scale that is no scale is refused.
		for _, bad := range []float64{-1, 2_000_000} {
			if _, _, err := e.importBytes(t, standard, withMax(bad)); codeOf(t, err) != "invalid_score_max" {
				t.Fatalf("score_max %v: %v", bad, err)
			}
		}
	})
}

// TestAllocationWithinOneExamYear: allocation places the candidates of its
// round's exam year only, so scores of another year (here on another
// scale, numerically far higher) never compete; and candidates of one year
// on mixed scales (which imports prevent; here written around them) are
// refused rather than compared.
func TestAllocationWithinOneExamYear(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		ids := e.approve(t, 300, candSpec{70, "تهران"}, candSpec{60, "تهران"}) // 1405, out of 100
		// 1404's candidates, on standard scores.
		rows := [][]string{
			row(validCode(400), "رضا", "کاظمی", "مرد", "1370/05/12", "تهران", "11800", "1", "قبول", "تهران"),
			row(validCode(401), "سارا", "نوری", "زن", "1371/02/02", "تهران", "11700", "2", "قبول", "تهران"),
		}
		rep, _, err := e.importBytes(t, fileOf(t, rows...), func(in *ImportInput) { in.ExamYear, in.ScoreMax = 1404, 12000 })
		if err != nil || rep.Accepted != 2 {
			t.Fatalf("1404: %+v %v", rep, err)
		}
		old, _, _ := e.cands.List(e.ctx, CandidateFilter{ExamYear: 1404, Limit: 10})
		var items []ReviewItem
		for _, c := range old {
			items = append(items, ReviewItem{ID: c.ID, Review: Review{State: StateDocumentsSubmitted}},
				ReviewItem{ID: c.ID, Review: Review{State: StateApproved}})
		}
		if err := e.cands.ReviewBatch(e.ctx, items); err != nil {
			t.Fatal(err)
		}
		r := e.pinnedRound(t, 1, "tehran", Policy{ExamYear: 1405})
		r, err = e.rounds.Allocate(e.ministry, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, total, err := e.rounds.Allocations(e.ctx, r.ID, AllocationFilter{Limit: 10})
		if err != nil || total != 2 || got[0].CandidateID != ids[0] || got[0].Region == nil || got[1].Region != nil {
			t.Fatalf("1405 round: total %d %+v %v", total, got, err)
		}

		// Mixed scales within one year, written around the import's check.
		if err := d.Gorm.Exec("UPDATE candidates SET score_max = 12000 WHERE id = ?", ids[1]).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := e.rounds.Allocate(e.ministry, r.ID); codeOf(t, err) != "mixed_score_scales" {
			t.Fatalf("mixed scales: %v", err)
		}
	})
}
