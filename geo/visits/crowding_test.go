package visits

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
)

// TestQueueSweepAgainstBruteForce: the queue length rebuilt by the sweep
// equals a second-by-second count on random days.
func TestQueueSweepAgainstBruteForce(t *testing.T) {
	off, day, _ := goldenDay()
	r := rand.New(rand.NewPCG(3, 4))
	var b dayBuilder
	for trial := 0; trial < 20; trial++ {
		var vs []rawVisit
		for i := 0; i < 1+r.IntN(60); i++ {
			a := day + 7*3600 + r.Int64N(4*3600)
			v := rawVisit{Arrived: a, Outcome: OutcomeServed}
			switch r.IntN(4) {
			case 0:
				v.Outcome, v.Finished = OutcomeCancelled, a+r.Int64N(3000)
			case 1:
				v.Outcome, v.Called = OutcomeNoShow, a+r.Int64N(3000)
			default:
				v.Called = a + r.Int64N(3000)
				v.Finished = v.Called + 60 + r.Int64N(1200)
			}
			vs = append(vs, v)
		}
		slices.SortFunc(vs, func(x, y rawVisit) int { return int(x.Arrived - y.Arrived) })
		row, _ := b.build(off, day, vs)
		var hours [24]*Stats
		mergeHours(row.Hours, &hours)
		var area [24]int64
		var peak [24]int64
		for s := day; s < day+86400; s++ {
			var n int64
			for _, v := range vs {
				if from, to := v.queueSpan(); s >= from && s < to {
					n++
				}
			}
			h := (s - day) / 3600
			area[h] += n
			peak[h] = max(peak[h], n)
		}
		for h := range hours {
			var ga, gp int64
			if hours[h] != nil {
				ga, gp = hours[h].QueueArea, hours[h].QueueMax
			}
			if ga != area[h] || gp != peak[h] {
				t.Fatalf("trial %d hour %d: area %d max %d, brute force %d %d", trial, h, ga, gp, area[h], peak[h])
			}
		}
	}
}

func TestCrowdingRange(t *testing.T) {
	a := time.Date(2026, 11, 1, 15, 0, 0, 0, daftar.Tehran())
	r, err := NewCrowdingRange(a, a, 0)
	if err != nil || r.Days() != 1 || r.From != daftar.DayStart(a.Unix()) {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := NewCrowdingRange(a, a.AddDate(0, 0, -1), 0); !daftar.IsKind(err, daftar.KindInvalid) {
		t.Fatalf("reversed: %v", err)
	}
	if _, err := NewCrowdingRange(a, a.AddDate(0, 0, 40), 31); !daftar.IsKind(err, daftar.KindInvalid) {
		t.Fatalf("too long: %v", err)
	}
	// A range inside one month has no whole month.
	if p := planRange(r); p.monthTo != p.monthFrom || len(p.edges) != 1 {
		t.Fatalf("%+v", p)
	}
	// Exactly one Jalali month: no edges.
	m1, _ := daftar.FromJalali(1405, 8, 1)
	m30, _ := daftar.FromJalali(1405, 8, 30)
	r, _ = NewCrowdingRange(m1, m30, 0)
	if p := planRange(r); p.monthFrom != m1.Unix() || p.monthTo != r.To || len(p.edges) != 0 {
		t.Fatalf("%+v", p)
	}
}
