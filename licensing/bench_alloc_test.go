package licensing

// BenchmarkAllocation times DeferredAcceptance on random instances of the
// size of a national round (issue 5):
//
//	go test -run='^$' -bench=Allocation -benchtime=3x ./licensing/
//
// Each instance has n candidates with 30 preferences each over 400
// regions, and seats for a fifth of the candidates (20,000 at n = 100,000),
// so four in five stay unplaced and propose to all 30 of their regions: a
// competitive round, close to the worst case for the work done. Regions
// are wanted with Zipf(1) popularity (the capital about 15% of first
// choices, the smallest region a fraction of a percent); seats follow the
// same popularity (largest remainder, at least one each). Scores are
// normal around 60 (σ 15, two decimals, so ties occur and the exam rank
// breaks them). Everything comes from a fixed seed.
//
// The instances keep their shape as n grows (same regions, the same share
// of seats), so the proposals grow with n; the time per proposal staying
// flat from 25,000 to 200,000 candidates shows the time growing linearly
// with the proposals. Reported per size: ms/op (the whole call: copying
// and de-duplicating the lists, the proposals, and the placements with
// their reasons), proposals, proposals per candidate, ns/proposal (wall
// time) and cpu-ns/proposal (the process's CPU time, garbage collection
// included: steadier on a shared machine), and the candidates placed. The 25,000 instance is also checked to be stable
// (outside the timer).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	allocRegions     = 400
	allocPrefs       = 30
	allocSeatsShare  = 5 // one seat per this many candidates
	allocSeed        = 1405
	allocCheckStable = 25_000 // the size whose result is checked for stability
)

var allocSizes = []int{25_000, 50_000, 100_000, 200_000}

type allocInstance struct {
	applicants []Applicant
	seats      map[string]int
	totalSeats int
}

// allocCached is the last instance made: kept while its size's benchmark
// runs (b.N grows), dropped for the next size so the live heap holds one
// instance at a time.
var allocCached struct {
	sync.Mutex
	n    int
	inst *allocInstance
}

// allocRegionCodes are the 400 region codes, most wanted first.
func allocRegionCodes() []string {
	codes := make([]string, allocRegions)
	for i := range codes {
		codes[i] = fmt.Sprintf("r%03d", i)
	}
	return codes
}

// newAllocInstance makes the instance of n candidates (deterministic: the
// seed and n fix it).
func newAllocInstance(n int) *allocInstance {
	allocCached.Lock()
	defer allocCached.Unlock()
	if allocCached.n == n {
		return allocCached.inst
	}
	allocCached.n, allocCached.inst = 0, nil
	runtime.GC()
	rng := rand.New(rand.NewPCG(allocSeed, uint64(n)))
	codes := allocRegionCodes()
	// Zipf(1) popularity and its cumulative weights for sampling.
	weights := make([]float64, allocRegions)
	cum := make([]float64, allocRegions)
	total := 0.0
	for i := range weights {
		weights[i] = 1 / float64(i+1)
		total += weights[i]
		cum[i] = total
	}
	// Seats by popularity, largest remainder, at least one per region.
	totalSeats := n / allocSeatsShare
	seats := make(map[string]int, allocRegions)
	left := totalSeats - allocRegions
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, allocRegions)
	for i, w := range weights {
		exact := float64(left) * w / total
		seats[codes[i]] = 1 + int(exact)
		rems[i] = rem{i, exact - math.Floor(exact)}
	}
	given := 0
	for _, s := range seats {
		given += s
	}
	sort.Slice(rems, func(a, b int) bool {
		if rems[a].r != rems[b].r {
			return rems[a].r > rems[b].r
		}
		return rems[a].i < rems[b].i
	})
	for k := 0; given < totalSeats; k++ {
		seats[codes[rems[k].i]]++
		given++
	}
	// Candidates: scores, ranks by score, 30 distinct regions by popularity.
	apps := make([]Applicant, n)
	for i := range apps {
		score := math.Round(math.Max(0, math.Min(100, 60+15*rng.NormFloat64()))*100) / 100
		prefs := make([]string, 0, allocPrefs)
		var picked [allocRegions]bool
		for len(prefs) < allocPrefs {
			r := sort.SearchFloat64s(cum, rng.Float64()*total)
			if r >= allocRegions || picked[r] {
				continue
			}
			picked[r] = true
			prefs = append(prefs, codes[r])
		}
		apps[i] = Applicant{ID: int64(i + 1), Score: score, Preferences: prefs}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		x, y := &apps[order[a]], &apps[order[b]]
		if x.Score != y.Score {
			return x.Score > y.Score
		}
		return x.ID < y.ID
	})
	for rank, i := range order {
		apps[i].Rank = rank + 1
	}
	// Shuffle the input order: the allocation must not depend on it.
	rng.Shuffle(len(apps), func(a, b int) { apps[a], apps[b] = apps[b], apps[a] })
	inst := &allocInstance{applicants: apps, seats: seats, totalSeats: totalSeats}
	allocCached.n, allocCached.inst = n, inst
	return inst
}

func BenchmarkAllocation(b *testing.B) {
	for _, n := range allocSizes {
		b.Run(fmt.Sprintf("candidates=%d", n), func(b *testing.B) {
			inst := newAllocInstance(n)
			// One run outside the timer: the figures are the same every
			// time, and the smallest instance is checked for stability.
			first := DeferredAcceptance(inst.applicants, inst.seats)
			placed := 0
			for _, p := range first.Placements {
				if p.Region != "" {
					placed++
				}
			}
			if placed != inst.totalSeats || len(first.Placements) != n {
				b.Fatalf("placed %d of %d seats, %d placements for %d candidates", placed, inst.totalSeats, len(first.Placements), n)
			}
			if n == allocCheckStable {
				if id, r, unstable := BlockingPair(inst.applicants, inst.seats, first); unstable {
					b.Fatalf("not stable: candidate %d and %s", id, r)
				}
			}
			b.ResetTimer()
			var elapsed, cpu time.Duration
			proposals := 0
			for i := 0; i < b.N; i++ {
				start, cpu0 := time.Now(), allocCPU()
				a := DeferredAcceptance(inst.applicants, inst.seats)
				elapsed, cpu = elapsed+time.Since(start), cpu+allocCPU()-cpu0
				proposals += a.Proposals
			}
			b.StopTimer()
			if proposals != b.N*first.Proposals {
				b.Fatalf("proposals vary between runs: %d over %d runs, first %d", proposals, b.N, first.Proposals)
			}
			b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(first.Proposals), "proposals")
			b.ReportMetric(float64(first.Proposals)/float64(n), "proposals/candidate")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(proposals), "ns/proposal")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(proposals), "cpu-ns/proposal")
			b.ReportMetric(float64(placed), "placed")
		})
	}
}

// allocCPU is the CPU time (user and system, all threads: the garbage
// collector's too) the process has used: on a shared machine it moves less
// than wall time when other work competes for the cores.
func allocCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
