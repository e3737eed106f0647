package visits

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactPercentile is PostgreSQL's percentile_cont over sorted values.
func exactPercentile(sorted []int64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := math.Floor(pos)
	i := int(lo)
	if i+1 >= len(sorted) {
		return float64(sorted[i])
	}
	return float64(sorted[i]) + (pos-lo)*float64(sorted[i+1]-sorted[i])
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

func TestSketchBinsCoverEveryValueOnce(t *testing.T) {
	// Bins are contiguous, ordered, and each value maps into its own bin.
	prevHi := int64(-1)
	for i := 0; i <= sketchBin(maxSketchValue); i++ {
		lo, hi := sketchBinRange(i)
		if lo != prevHi+1 || hi < lo {
			t.Fatalf("bin %d = [%d,%d] after %d", i, lo, hi, prevHi)
		}
		for _, v := range []int64{lo, hi, (lo + hi) / 2} {
			if sketchBin(v) != i {
				t.Fatalf("value %d in bin %d, want %d", v, sketchBin(v), i)
			}
		}
		if lo > 0 && (float64(hi)-float64(lo))/2/float64(lo) >= SketchRelativeError {
			t.Fatalf("bin %d [%d,%d] wider than the bound", i, lo, hi)
		}
		prevHi = hi
	}
	if prevHi != maxSketchValue {
		t.Fatalf("last bin ends at %d", prevHi)
	}
}

func TestSketchExactBelow128(t *testing.T) {
	var s Sketch
	vals := []int64{0, 0, 5, 17, 60, 61, 100, 127}
	for _, v := range vals {
		s.Add(v)
	}
	for _, q := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1} {
		if got, want := s.Quantile(q), exactPercentile(vals, q); math.Abs(got-want) > 1e-9 {
			t.Errorf("q=%v: %v, want %v", q, got, want)
		}
	}
}

// TestSketchErrorBoundOnRandomData: on random data of several shapes, every
// percentile read from a sketch (also after merging encoded pieces, as the
// rollups do) is within the stated relative error of the exact
// percentile_cont.
func TestSketchErrorBoundOnRandomData(t *testing.T) {
	shapes := []struct {
		name string
		gen  func(r *rand.Rand) int64
	}{
		{"exponential waits", func(r *rand.Rand) int64 { return int64(r.ExpFloat64() * 900) }},
		{"lognormal service", func(r *rand.Rand) int64 { return int64(math.Exp(6 + 0.6*r.NormFloat64())) }},
		{"uniform hours", func(r *rand.Rand) int64 { return r.Int64N(6 * 3600) }},
		{"heavy tail", func(r *rand.Rand) int64 { return int64(60 / math.Pow(r.Float64()+1e-9, 1.2)) }},
		{"spikes", func(r *rand.Rand) int64 { return []int64{0, 30, 1800, 1801, 7200}[r.IntN(5)] }},
	}
	qs := []float64{0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			for trial := 0; trial < 20; trial++ {
				r := rand.New(rand.NewPCG(uint64(trial), 42))
				n := 1 + r.IntN(20000)
				vals := make([]int64, n)
				for i := range vals {
					vals[i] = min(sh.gen(r), maxSketchValue)
				}
				// Build from pieces, encoded and merged as rollups are.
				var merged Sketch
				for start := 0; start < n; {
					end := min(n, start+1+r.IntN(500))
					piece := append([]int64(nil), vals[start:end]...)
					if err := merged.MergeEncoded(appendEncodedValues(nil, piece)); err != nil {
						t.Fatal(err)
					}
					start = end
				}
				sorted := append([]int64(nil), vals...)
				slices.Sort(sorted)
				if merged.Count() != uint64(n) {
					t.Fatalf("count %d, want %d", merged.Count(), n)
				}
				for _, q := range qs {
					got, want := merged.Quantile(q), exactPercentile(sorted, q)
					if e := relErr(got, want); e > SketchRelativeError || e > 0.01 {
						t.Fatalf("trial %d n=%d q=%v: %v vs exact %v: relative error %.5f", trial, n, q, got, want, e)
					}
				}
				// The share over a target is exact away from the target's bin.
				for _, target := range []int64{100, 1800, 3600} {
					exact := 0
					inBin := 0
					for _, v := range vals {
						if v > target {
							exact++
						}
						if sketchBin(v) == sketchBin(target) {
							inBin++
						}
					}
					got := merged.CountAbove(target)
					if math.Abs(got-float64(exact)) > float64(inBin) {
						t.Fatalf("count above %d: %v, exact %d (values in its bin %d)", target, got, exact, inBin)
					}
				}
			}
		})
	}
}

func TestSketchEncodeRoundTrip(t *testing.T) {
	var s Sketch
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		s.Add(r.Int64N(100000))
	}
	b := s.Encode()
	d, err := DecodeSketch(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Count() != s.Count() || d.Quantile(0.9) != s.Quantile(0.9) {
		t.Fatalf("round trip differs")
	}
	vals := []int64{5, 5, 300, 300000}
	var direct Sketch
	for _, v := range vals {
		direct.Add(v)
	}
	if string(direct.Encode()) != string(appendEncodedValues(nil, vals)) {
		t.Fatal("the two encoders disagree")
	}
	var empty Sketch
	if e, err := DecodeSketch(empty.Encode()); err != nil || e.Count() != 0 || !math.IsNaN(e.Quantile(0.5)) {
		t.Fatalf("empty: %v %v", e, err)
	}
	for _, bad := range [][]byte{{9}, {2, 5}, {2, 1, 0x80}, {2, 1, 3, 0xff, 0xff, 0xff, 0x7f, 1, 1}, {2, 1, 3, 3, 2, 1, 1}, {2, 1, 0xff, 0xff, 0x7f}, {2, 1, 3, 0, 0}, {2, 1, 3, 0, 2, 1}} {
		if _, err := DecodeSketch(bad); err == nil {
			t.Errorf("decoded garbage %v", bad)
		}
	}
}

func FuzzDecodeSketch(f *testing.F) {
	var s Sketch
	s.Add(10)
	s.Add(4000)
	f.Add(s.Encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeSketch(b)
		if err != nil {
			return
		}
		_ = d.Quantile(0.5)
		if d2, err := DecodeSketch(d.Encode()); err != nil || d2.Count() != d.Count() {
			t.Fatalf("re-encode: %v", err)
		}
	})
}

func TestQuantilesMatchQuantile(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		var s Sketch
		for i := 0; i < 1+r.IntN(50); i++ {
			s.Add(r.Int64N(5000))
		}
		qs := []float64{0.95, 0, 0.5, 0.5, 0.9, 1, 0.01}
		got := s.Quantiles(qs...)
		for i, q := range qs {
			if got[i] != s.Quantile(q) {
				t.Fatalf("q=%v: %v vs %v", q, got[i], s.Quantile(q))
			}
		}
	}
}
