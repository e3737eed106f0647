package finder

// The finder's benchmark against a bare quadtree in the same run, reporting
// the ratio (see docs/crowding.md for the figures):
//
//	go test -run='^$' -bench=Finder -benchtime=3x ./geo/finder/

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/quadtree"
)

// finderBench builds a finder over 2,000 demo offices (in memory) with
// random wait profiles, and query points around them.
func finderBench(b *testing.B) (*Finder, *quadtree.Quadtree, []orb.Point) {
	d := dbtest.Open(b, db.SQLite)
	e := newEnv(b, d)
	list := geodemo.Offices(e.Gaz, e.Cat, rand.New(rand.NewPCG(7, 7)), 2000)
	f := &Finder{clock: e.Clock, grades: &fakeGrades{}, cfg: Config{}.withDefaults(), bits: map[string]int{}, profiles: map[int64]*waitProfile{}}
	for i, s := range e.Cat.All() {
		f.bits[s.Code] = i
	}
	f.resetIndex()
	bare := quadtree.New(orb.Bound{Min: orb.Point{geo.MinLon - 1, geo.MinLat - 1}, Max: orb.Point{geo.MaxLon + 1, geo.MaxLat + 1}})
	r := rand.New(rand.NewPCG(8, 8))
	for i := range list {
		o := list[i]
		o.ID, o.Status = int64(i+1), offices.Active
		p := &waitProfile{overall: float32(5 + r.Float64()*40)}
		for d := range p.slot {
			for h := range p.slot[d] {
				p.slot[d][h] = float32(r.Float64() * 60)
			}
		}
		f.profiles[o.ID] = p
		f.Update(o)
		bare.Add(o.Point())
	}
	// Citizens where the offices are: a random office, a few km away.
	pts := make([]orb.Point, 1024)
	for i := range pts {
		o := list[r.IntN(len(list))]
		lat, lon := offset(o.Latitude, o.Longitude, r.NormFloat64()*3000, r.NormFloat64()*3000)
		pts[i] = orb.Point{lon, lat}
	}
	return f, bare, pts
}

// BenchmarkFinder compares the finder (k=10 among 2,000 offices, true
// distances and scores) with a bare orb quadtree KNearest(10) over the same
// offices. Reported: finder-us, knearest-us and finder/knearest.
func BenchmarkFinder(b *testing.B) {
	f, bare, pts := finderBench(b)
	ctx := context.Background()
	var buf []orb.Pointer
	const rounds = 2000
	var fTotal, kTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < rounds; j++ {
			p := pts[j%len(pts)]
			buf = bare.KNearest(buf[:0], p, 10)
		}
		kTotal += time.Since(start)
		start = time.Now()
		for j := 0; j < rounds; j++ {
			p := pts[j%len(pts)]
			res, err := f.Find(ctx, Query{Lat: p.Lat(), Lon: p.Lon(), Service: "criminal_record", Limit: 10})
			if err != nil || len(res) == 0 {
				b.Fatalf("%v %d", err, len(res))
			}
		}
		fTotal += time.Since(start)
	}
	b.StopTimer()
	n := float64(b.N * rounds)
	b.ReportMetric(fTotal.Seconds()*1e6/n, "finder-us")
	b.ReportMetric(kTotal.Seconds()*1e6/n, "knearest-us")
	b.ReportMetric(float64(fTotal)/float64(kTotal), "finder/knearest")
}
