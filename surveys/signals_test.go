package surveys_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestTooFastIsFlaggedAndLeftOut(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 1, surveys.Config{TooFast: 2 * time.Minute})
		ctx := context.Background()
		links := f.serve(t, f.offices[0], 2, "") // finished a minute ago
		sub, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(links[0]), Answers: answers(5, 5, 5, 5, false, 10, ""), ClientIP: "1.1.1.1"})
		if err != nil || !has(sub.Flags, surveys.FlagTooFast) {
			t.Fatalf("answer a minute after the visit: %+v %v", sub, err)
		}
		f.clock.Advance(5 * time.Minute)
		sub, err = f.s.Submit(ctx, surveys.Submission{Token: tokenOf(links[1]), Answers: answers(2, 2, 2, 2, false, 2, ""), ClientIP: "1.1.1.2"})
		if err != nil || len(sub.Flags) != 0 {
			t.Fatalf("answer later: %+v %v", sub, err)
		}
		figs, _ := f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), nil)
		fo := figs[f.offices[0]]
		if fo.Responses != 1 || fo.Flagged != 1 || fo.MeanOverall != 2 {
			t.Fatalf("figures with a flagged answer: %+v", fo)
		}
		// Staff overrule the flag: the answer counts again.
		flags, total, err := f.s.Flags(daftar.WithActor(ctx, daftar.SystemActor("t")), surveys.FlagFilter{Limit: 10})
		if err != nil || total != 1 || flags[0].Reason != surveys.FlagTooFast {
			t.Fatalf("flags %+v %v", flags, err)
		}
		staff := daftar.WithActor(ctx, daftar.Actor{UserID: 1, Username: "inspector", Role: daftar.RoleInspector})
		if _, err := f.s.Overrule(staff, flags[0].ID, ""); !daftar.IsKind(err, daftar.KindInvalid) {
			t.Fatalf("overrule without a note: %v", err)
		}
		if _, err := f.s.Overrule(staff, flags[0].ID, "the citizen answered at the counter with help"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Overrule(staff, flags[0].ID, "again"); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("second overrule: %v", err)
		}
		figs, _ = f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), nil)
		if fo := figs[f.offices[0]]; fo.Responses != 2 || fo.Flagged != 0 {
			t.Fatalf("after overrule: %+v", fo)
		}
	})
}

func TestBurstFromOneAddress(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 2, surveys.Config{BurstLimit: 4})
		ctx := context.Background()
		links := f.serve(t, f.offices[0], 6, "")
		other := f.serve(t, f.offices[1], 3, "")
		f.clock.Advance(10 * time.Minute)
		var last surveys.Submitted
		for i, l := range links {
			var err error
			last, err = f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(5, 5, 5, 5, false, 10-i%3, ""), ClientIP: "5.5.5.5"})
			if err != nil {
				t.Fatal(err)
			}
			if i < 4 && len(last.Flags) != 0 {
				t.Fatalf("answer %d flagged early: %v", i, last.Flags)
			}
		}
		if !has(last.Flags, surveys.FlagBurst) {
			t.Fatalf("no burst flag after 6 answers from one address: %v", last.Flags)
		}
		// The same address answering for another office is not part of it.
		for _, l := range other {
			s, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(3, 3, 3, 3, false, 5, ""), ClientIP: "5.5.5.5"})
			if err != nil || len(s.Flags) != 0 {
				t.Fatalf("other office: %+v %v", s, err)
			}
		}
		figs, _ := f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), nil)
		if fo := figs[f.offices[0]]; fo.Responses != 0 || fo.Flagged != 6 {
			t.Fatalf("burst answers must all be left out: %+v", fo)
		}
	})
}

func TestIdenticalPatternPilingUp(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 3, surveys.Config{PatternMin: 6, PatternFactor: 3, BurstLimit: 1000})
		ctx := context.Background()
		// Background: varied answers nationally at offices 2 and 3, a few of
		// them the common all-top pattern.
		for k, office := range f.offices[1:] {
			links := f.serve(t, office, 10, "")
			f.clock.Advance(5 * time.Minute)
			for i, l := range links {
				o := 1 + (i+k)%5
				f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(o, o, 1+i%5, o, i%4 == 0, 2*o, ""), ClientIP: fmt.Sprintf("9.%d.0.%d", k, i)})
			}
		}
		// Office 1: the same odd pattern eight times.
		links := f.serve(t, f.offices[0], 8, "")
		f.clock.Advance(5 * time.Minute)
		var flagged bool
		for i, l := range links {
			s, err := f.s.Submit(ctx, surveys.Submission{Token: tokenOf(l), Answers: answers(5, 1, 5, 1, false, 10, "عالی"), ClientIP: fmt.Sprintf("7.7.%d.1", i)})
			if err != nil {
				t.Fatal(err)
			}
			if i < 5 && len(s.Flags) > 0 {
				t.Fatalf("flagged after %d identical answers", i+1)
			}
			flagged = flagged || has(s.Flags, surveys.FlagIdentical)
		}
		if !flagged {
			t.Fatal("eight identical answers in a day were not flagged")
		}
		figs, _ := f.s.FiguresFor(ctx, surveys.RangeOf(daftar.MonthOf(start)), nil)
		if fo := figs[f.offices[0]]; fo.Responses != 0 || fo.Flagged != 8 {
			t.Fatalf("identical answers must be left out: %+v", fo)
		}
		// Varied answers at the other offices were never flagged.
		for _, o := range f.offices[1:] {
			if figs[o].Flagged != 0 {
				t.Fatalf("office %d flagged: %+v", o, figs[o])
			}
		}
	})
}
