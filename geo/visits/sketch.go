package visits

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"
)

// Sketch is a mergeable histogram of durations in whole seconds, from which
// percentiles are read with a bounded relative error. It is the quantile
// sketch of the crowding rollups: every office-day and office-month row keeps
// one for waits and one for service times, and figures for any range, city
// or province merge them.
//
// The bins are log-linear (in the manner of HDR histograms):
//
//   - values 0..127 s each have a bin of their own: exact;
//   - a value v >= 128 with bit length L falls in the bin of its top 7 bits,
//     that is [m<<e, (m+1)<<e - 1] with e = L-7 and m = v>>e in 64..127
//     (64 bins per power of two).
//
// A bin is represented by its midpoint, whose distance from any value of the
// bin is below half its width: (2^e)/2 / (m*2^e) <= 1/(2*64) = 1/128. So any
// value read back is within 0.78% of a true value, and a percentile (which
// interpolates between two order statistics, as PostgreSQL's percentile_cont
// does) is within 0.78% of the exact percentile: inside the 1% promised.
// The arithmetic is integer-only, so bin boundaries are exact. (Finer bins
// would cost more bytes per visit in every rollup and every read of a long
// range; 64 per octave is the coarsest power of two inside 1%.)
//
// Values are clamped to 0..maxSketchValue (about 68 years).
type Sketch struct {
	counts []uint64 // dense, indexed by bin; grows as needed
	n      uint64
}

const (
	sketchTopBits  = 7
	sketchLinear   = 1 << sketchTopBits       // values below this are exact
	sketchSubBins  = 1 << (sketchTopBits - 1) // bins per power of two above it
	maxSketchValue = 1<<31 - 1
	sketchVersion  = 2
	// maxSketchBin is sketchBin(maxSketchValue).
	maxSketchBin = sketchLinear + (31-sketchTopBits-1)*sketchSubBins + sketchSubBins - 1
)

// sketchBin returns the bin index of v (seconds).
func sketchBin(v int64) int {
	if v < 0 {
		v = 0
	}
	if v > maxSketchValue {
		v = maxSketchValue
	}
	if v < sketchLinear {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - sketchTopBits // >= 1
	m := int(v >> uint(e))                     // sketchSubBins .. 2*sketchSubBins-1
	return sketchLinear + (e-1)*sketchSubBins + (m - sketchSubBins)
}

// sketchBinRange returns the smallest and largest value of bin i.
func sketchBinRange(i int) (lo, hi int64) {
	if i < sketchLinear {
		return int64(i), int64(i)
	}
	k := i - sketchLinear
	e := k/sketchSubBins + 1
	m := int64(k%sketchSubBins + sketchSubBins)
	return m << uint(e), (m+1)<<uint(e) - 1
}

// sketchBinValue is the value that represents bin i: exact below 128, the
// midpoint above.
func sketchBinValue(i int) float64 {
	lo, hi := sketchBinRange(i)
	return (float64(lo) + float64(hi)) / 2
}

// SketchRelativeError is the largest relative error of a value read back.
const SketchRelativeError = 1.0 / (2 * sketchSubBins)

// Add counts one value.
func (s *Sketch) Add(v int64) { s.addBin(sketchBin(v), 1) }

func (s *Sketch) addBin(i int, c uint64) {
	if i >= len(s.counts) {
		s.grow(i)
	}
	s.counts[i] += c
	s.n += c
}

// growTo makes room for n bins exactly (rounded up to 64): merges read the
// highest bin of an encoding first, so an accumulator grows once.
func (s *Sketch) growTo(n int) {
	n = (n + 63) &^ 63
	if n <= len(s.counts) {
		return
	}
	if n <= cap(s.counts) {
		s.counts = s.counts[:n]
		return
	}
	c := make([]uint64, n)
	copy(c, s.counts)
	s.counts = c
}

func (s *Sketch) grow(i int) {
	n := max(i+1, 2*len(s.counts), 64)
	if n > cap(s.counts) {
		c := make([]uint64, n, n)
		copy(c, s.counts)
		s.counts = c
		return
	}
	s.counts = s.counts[:n]
}

// Count is the number of values.
func (s *Sketch) Count() uint64 {
	if s == nil {
		return 0
	}
	return s.n
}

// Reset empties the sketch, keeping its memory.
func (s *Sketch) Reset() {
	clear(s.counts)
	s.n = 0
}

// Merge adds every value of o.
func (s *Sketch) Merge(o *Sketch) {
	if o == nil || o.n == 0 {
		return
	}
	if len(o.counts) > len(s.counts) {
		s.grow(len(o.counts) - 1)
	}
	for i, c := range o.counts {
		s.counts[i] += c
	}
	s.n += o.n
}

// Encode writes the sketch compactly, as runs of neighbouring bins: a
// version byte, the number of runs and the highest bin's index, then for
// each run the gap from the end of the previous run to its first bin, its
// length, and the count of each of its bins (a run may hold empty bins
// where that is shorter than starting a new run), all as unsigned varints.
// Busy months fill most bins between their smallest and largest wait, so a
// bin costs about one byte; an office-hour with 30 waits takes about 40.
func (s *Sketch) Encode() []byte { return s.AppendEncoded(nil) }

// AppendEncoded appends the encoding of s to b.
func (s *Sketch) AppendEncoded(b []byte) []byte {
	var idx []int
	var cnt []uint64
	for i, c := range s.counts {
		if c != 0 {
			idx = append(idx, i)
			cnt = append(cnt, c)
		}
	}
	return appendBins(b, idx, cnt)
}

// maxRunGap is the most empty bins a run swallows rather than end: a new
// run costs two header bytes, an empty bin one.
const maxRunGap = 2

// appendBins encodes non-empty bins (ascending indexes) as runs.
func appendBins(b []byte, idx []int, cnt []uint64) []byte {
	b = append(b, sketchVersion)
	runs, last := 0, 0
	for k := range idx {
		if k == 0 || idx[k]-idx[k-1]-1 > maxRunGap {
			runs++
		}
	}
	if len(idx) > 0 {
		last = idx[len(idx)-1]
	}
	b = binary.AppendUvarint(b, uint64(runs))
	b = binary.AppendUvarint(b, uint64(last))
	end := 0 // one past the previous run
	for k := 0; k < len(idx); {
		j := k + 1
		for j < len(idx) && idx[j]-idx[j-1]-1 <= maxRunGap {
			j++
		}
		b = binary.AppendUvarint(b, uint64(idx[k]-end))
		b = binary.AppendUvarint(b, uint64(idx[j-1]-idx[k]+1))
		for m := k; m < j; m++ {
			if m > k {
				for z := idx[m-1] + 1; z < idx[m]; z++ {
					b = append(b, 0)
				}
			}
			b = binary.AppendUvarint(b, cnt[m])
		}
		end = idx[j-1] + 1
		k = j
	}
	return b
}

// appendEncodedValues encodes a sketch of vals without building a dense
// sketch (the rollup builder's path); vals is sorted in place.
func appendEncodedValues(b []byte, vals []int64) []byte {
	slices.Sort(vals)
	var idx []int
	var cnt []uint64
	for _, v := range vals {
		i := sketchBin(v)
		if n := len(idx); n > 0 && idx[n-1] == i {
			cnt[n-1]++
			continue
		}
		idx = append(idx, i)
		cnt = append(cnt, 1)
	}
	return appendBins(b, idx, cnt)
}

var errBadSketch = errors.New("visits: malformed sketch encoding")

// MergeEncoded adds the values of an encoded sketch.
func (s *Sketch) MergeEncoded(b []byte) error {
	_, err := s.mergeEncoded(b)
	return err
}

// mergeEncoded merges one encoding from the start of b and returns the
// number of bytes it took. It is the hot loop of every crowding query, so
// one-byte counts (nearly all) take a fast path.
func (s *Sketch) mergeEncoded(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil // an empty column reads as an empty sketch
	}
	if b[0] != sketchVersion {
		return 0, errBadSketch
	}
	pos := 1
	runs, k := binary.Uvarint(b[pos:])
	if k <= 0 || runs > 1<<16 {
		return 0, errBadSketch
	}
	pos += k
	const maxBin = maxSketchBin
	last, k := binary.Uvarint(b[pos:])
	if k <= 0 || last > maxBin {
		return 0, errBadSketch
	}
	pos += k
	if runs > 0 && int(last) >= len(s.counts) {
		s.growTo(int(last) + 1)
	}
	counts := s.counts
	idx := 0
	var total uint64
	for r := uint64(0); r < runs; r++ {
		gap, k := binary.Uvarint(b[pos:])
		if k <= 0 || gap > maxBin {
			return 0, errBadSketch
		}
		pos += k
		n, k := binary.Uvarint(b[pos:])
		if k <= 0 || n == 0 {
			return 0, errBadSketch
		}
		pos += k
		idx += int(gap)
		if idx+int(n)-1 > int(last) {
			return 0, errBadSketch
		}
		bins := counts[idx : idx+int(n)]
		if len(b)-pos < len(bins) { // every count takes a byte at least
			return 0, errBadSketch
		}
		src := b[pos:]
		j := 0
		for m := range bins {
			c := uint64(src[j])
			if c < 0x80 {
				j++
			} else {
				v, k := binary.Uvarint(src[j:])
				if k <= 0 {
					return 0, errBadSketch
				}
				c, j = v, j+k
				if len(src)-j < len(bins)-m-1 {
					return 0, errBadSketch
				}
			}
			bins[m] += c
			total += c
		}
		pos += j
		idx += int(n)
	}
	s.n += total
	return pos, nil
}

// DecodeSketch reads an encoded sketch.
func DecodeSketch(b []byte) (*Sketch, error) {
	s := &Sketch{}
	n, err := s.mergeEncoded(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, errBadSketch
	}
	return s, nil
}

// valueAtRank returns the representative value of the value of 0-based rank
// r (r < n).
func (s *Sketch) valueAtRank(r uint64) float64 {
	var seen uint64
	for i, c := range s.counts {
		seen += c
		if seen > r {
			return sketchBinValue(i)
		}
	}
	return sketchBinValue(len(s.counts) - 1)
}

// Quantile returns the q-quantile (0 <= q <= 1) the way percentile_cont
// does: interpolating between the values of rank floor(q(n-1)) and the next.
// It returns NaN for an empty sketch.
func (s *Sketch) Quantile(q float64) float64 {
	if s == nil || s.n == 0 {
		return math.NaN()
	}
	q = min(max(q, 0), 1)
	pos := q * float64(s.n-1)
	lo := math.Floor(pos)
	frac := pos - lo
	r := uint64(lo)
	vlo := s.valueAtRank(r)
	if frac == 0 || r+1 >= s.n {
		return vlo
	}
	vhi := s.valueAtRank(r + 1)
	return vlo + frac*(vhi-vlo)
}

// Quantiles returns several quantiles, as Quantile does,
// in one pass over the bins.
func (s *Sketch) Quantiles(qs ...float64) []float64 {
	out := make([]float64, len(qs))
	if s == nil || s.n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	// The ranks needed, ascending: floor(q(n-1)) and the next.
	type need struct {
		rank uint64
		at   int // index into vals
	}
	vals := make([]float64, 2*len(qs))
	ranks := make([]need, 0, 2*len(qs))
	for i, q := range qs {
		pos := min(max(q, 0), 1) * float64(s.n-1)
		r := uint64(math.Floor(pos))
		ranks = append(ranks, need{r, 2 * i}, need{min(r+1, s.n-1), 2*i + 1})
	}
	slices.SortFunc(ranks, func(a, b need) int { return cmp.Compare(a.rank, b.rank) })
	var seen uint64
	k := 0
	for i, c := range s.counts {
		seen += c
		for k < len(ranks) && ranks[k].rank < seen {
			vals[ranks[k].at] = sketchBinValue(i)
			k++
		}
		if k == len(ranks) {
			break
		}
	}
	for i, q := range qs {
		pos := min(max(q, 0), 1) * float64(s.n-1)
		frac := pos - math.Floor(pos)
		lo, hi := vals[2*i], vals[2*i+1]
		out[i] = lo + frac*(hi-lo)
	}
	return out
}

// CountAbove estimates how many values exceed t (seconds). It is exact when
// t < 128 or when no value lies in t's bin; otherwise that one bin is split
// in proportion to its width, so only values within 1.6% of t are uncertain.
func (s *Sketch) CountAbove(t int64) float64 {
	if s == nil || s.n == 0 {
		return 0
	}
	if t < 0 {
		return float64(s.n)
	}
	bt := sketchBin(t)
	var above float64
	for i := len(s.counts) - 1; i > bt; i-- {
		above += float64(s.counts[i])
	}
	if bt < len(s.counts) && s.counts[bt] > 0 {
		lo, hi := sketchBinRange(bt)
		above += float64(s.counts[bt]) * float64(hi-t) / float64(hi-lo+1)
	}
	return above
}
