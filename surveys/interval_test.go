package surveys_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// TestAdjustedIntervals by hand: adjusted ± 1.96 · sd / √(w + n), the sd
// of the office's overall scores (2 below two answers), clamped to 1-5;
// offices without answers get none.
func TestAdjustedIntervals(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 4, surveys.Config{MinResponses: 10, PriorWeight: 10})
		ctx := context.Background()
		a, b, c, none := f.offices[0], f.offices[1], f.offices[2], f.offices[3]
		linksA, linksB, linksC := f.serve(t, a, 10, ""), f.serve(t, b, 4, ""), f.serve(t, c, 1, "")
		f.serve(t, none, 2, "")
		f.clock.Advance(10 * time.Minute)
		submit := func(links []string, overall ...int) {
			for i, l := range links {
				if _, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(overall[i], 3, 3, 3, false, 7, ""),
					ClientIP: fmt.Sprintf("10.9.%d.%d", len(links), i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		submit(linksA, 5, 5, 4, 4, 4, 3, 3, 2, 5, 4)
		submit(linksB, 1, 1, 1, 1)
		submit(linksC, 5)
		r := surveys.RangeOf(daftar.MonthOf(start))
		figs, err := f.s.FiguresFor(ctx, r, []int64{a, b, c, none})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.AdjustedIntervals(ctx, r, figs)
		if err != nil {
			t.Fatal(err)
		}
		const z = 1.959963984540054
		// A: sum 39, sum of squares 161: sd √((161 − 152.1)/9).
		halfA := z * math.Sqrt(8.9/9) / math.Sqrt(20)
		halfC := z * 2 / math.Sqrt(11)
		for _, w := range []struct {
			name      string
			id        int64
			low, high float64
		}{
			{"A", a, figs[a].Adjusted - halfA, figs[a].Adjusted + halfA},
			{"B (all alike)", b, figs[b].Adjusted, figs[b].Adjusted},
			{"C (one answer)", c, figs[c].Adjusted - halfC, min(5, figs[c].Adjusted+halfC)},
		} {
			iv, ok := got[w.id]
			if !ok || math.Abs(iv.Low-w.low) > 1e-9 || math.Abs(iv.High-w.high) > 1e-9 {
				t.Errorf("%s: %+v, want %.4f-%.4f", w.name, iv, w.low, w.high)
			}
		}
		if _, ok := got[none]; ok || len(got) != 3 {
			t.Fatalf("intervals for %d offices: %+v", len(got), got)
		}
		if iv := got[a]; !(iv.Low < figs[a].Adjusted && figs[a].Adjusted < iv.High) || math.Abs(halfA-0.4358) > 1e-4 {
			t.Fatalf("A: %+v around %v", iv, figs[a].Adjusted)
		}
	})
}
