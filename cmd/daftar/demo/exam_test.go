package demo

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/licensing"
)

func TestExamCSV(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		exams, cands := e.licensing(t)
		spec := ExamSpec{Passed: 2000, NotPassed: 300, ExamYear: 1405}
		b := ExamCSV(e.gaz, rand.New(rand.NewPCG(1405, 1405)), spec)
		if again := ExamCSV(e.gaz, rand.New(rand.NewPCG(1405, 1405)), spec); !bytes.Equal(b, again) {
			t.Fatal("the demo file is not deterministic")
		}
		in := licensing.ImportInput{FileName: "results.csv", ExamYear: 1405}
		in.Content, in.Size = licensing.BytesInput(b)
		rep, _, err := exams.Import(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != licensing.ImportAccepted || rep.Passed != 2000 || rep.NotPassed != 300 || rep.Encoding != licensing.EncodingUTF8BOM {
			t.Fatalf("demo import %+v (first rejections %+v)", rep, rep.Rejections[:min(3, len(rep.Rejections))])
		}
		list, _, err := cands.List(e.ctx, licensing.CandidateFilter{State: licensing.StatePassed, Limit: 2000})
		if err != nil {
			t.Fatal(err)
		}
		big, own := 0, 0
		for i, c := range list {
			if n := len(c.Preferences); n < 3 || n > 10 {
				t.Fatalf("%d preferences", n)
			}
			if i > 0 && c.Score > list[i-1].Score {
				t.Fatal("not in score order")
			}
			if c.Rank == nil || *c.Rank != int64(i+1) && c.Score != list[i-1].Score {
				t.Fatalf("rank %v at %d", c.Rank, i)
			}
			for _, p := range c.Preferences {
				if p == "tehran" || p == "mashhad" || p == "isfahan" {
					big++
					break
				}
			}
			if prov, _ := e.gaz.Province(c.Preferences[0]); prov != nil && prov.Code == c.ExamProvince {
				own++
			}
		}
		if big < len(list)/3 || own < len(list)/3 {
			t.Fatalf("preferences do not lean: %d of %d name a big city, %d start in their own province", big, len(list), own)
		}
		if list[0].Score < 90 || list[len(list)-1].Score > 60 || list[len(list)-1].Score < 20 {
			t.Fatalf("scores %v .. %v", list[0].Score, list[len(list)-1].Score)
		}
	})
}
