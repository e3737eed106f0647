package visits

import (
	"encoding/binary"
	"errors"
	"slices"
)

// The hours column of a rollup row: each hour of the day's counts and
// sketches, in one byte string that a range's figures merge without
// unpacking into rows.

const hoursVersion = 1

// hourEncoder builds the hours column: a version byte, the number of hours,
// then for each hour its number, its counts as unsigned varints, and its two
// sketches.
type hourEncoder struct {
	b []byte
	n int
}

func (e *hourEncoder) start() { e.b, e.n = append(e.b[:0], hoursVersion, 0), 0 }

func (e *hourEncoder) appendCounts(c *Counts) {
	for _, f := range c.fields() {
		e.b = binary.AppendUvarint(e.b, uint64(max(*f, 0)))
	}
}

func (e *hourEncoder) finish() []byte {
	if e.n > 24 {
		panic("visits: more than 24 hours in a day")
	}
	e.b[1] = byte(e.n)
	return slices.Clone(e.b)
}

var errBadHours = errors.New("visits: malformed hours encoding")

// walkHours decodes an hours column (see hourEncoder): for each hour
// present it hands over the hour, its counts and the bytes from its
// sketches on; each returns how many of those bytes the hour's two
// sketches took.
func walkHours(b []byte, each func(h int, c *Counts, rest []byte) (int, error)) error {
	if len(b) < 2 || b[0] != hoursVersion {
		return errBadHours
	}
	n := int(b[1])
	pos := 2
	for k := 0; k < n; k++ {
		if pos >= len(b) {
			return errBadHours
		}
		h := int(b[pos])
		pos++
		if h > 23 {
			return errBadHours
		}
		var c Counts
		for _, f := range c.fields() {
			v, w := binary.Uvarint(b[pos:])
			if w <= 0 || v > 1<<62 {
				return errBadHours
			}
			pos += w
			*f = int64(v)
		}
		w, err := each(h, &c, b[pos:])
		if err != nil {
			return err
		}
		pos += w
	}
	if pos != len(b) {
		return errBadHours
	}
	return nil
}

// mergeHours decodes an hours column and merges each hour into into[hour]
// (allocated on first use).
func mergeHours(b []byte, into *[24]*Stats) error {
	return walkHours(b, func(h int, c *Counts, rest []byte) (int, error) {
		st := into[h]
		if st == nil {
			st = getStats()
			into[h] = st
		}
		st.Counts.Add(c)
		w1, err := st.Wait.mergeEncoded(rest)
		if err != nil || w1 == 0 {
			return 0, errBadHours
		}
		w2, err := st.Service.mergeEncoded(rest[w1:])
		if err != nil || w2 == 0 {
			return 0, errBadHours
		}
		return w1 + w2, nil
	})
}

// addHourCounts decodes an hours column (see hourEncoder) and adds each
// hour's counts into into[hour], skipping the hour's sketches.
func addHourCounts(b []byte, into *[24]Counts) error {
	return walkHours(b, func(h int, c *Counts, rest []byte) (int, error) {
		into[h].Add(c)
		w1, err := skipSketch(rest)
		if err != nil {
			return 0, err
		}
		w2, err := skipSketch(rest[w1:])
		if err != nil {
			return 0, err
		}
		return w1 + w2, nil
	})
}

// skipSketch returns the length of the encoded sketch at the start of b
// (see appendBins) without decoding its bins.
func skipSketch(b []byte) (int, error) {
	if len(b) == 0 || b[0] != sketchVersion {
		return 0, errBadHours
	}
	pos := 1
	uv := func() (uint64, bool) {
		v, k := binary.Uvarint(b[pos:])
		if k <= 0 {
			return 0, false
		}
		pos += k
		return v, true
	}
	runs, ok := uv()
	if !ok || runs > 1<<16 {
		return 0, errBadHours
	}
	if _, ok := uv(); !ok { // the last bin
		return 0, errBadHours
	}
	for r := uint64(0); r < runs; r++ {
		if _, ok := uv(); !ok { // gap
			return 0, errBadHours
		}
		n, ok := uv()
		if !ok || n == 0 || n > maxSketchBin+1 {
			return 0, errBadHours
		}
		for m := uint64(0); m < n; m++ {
			if _, ok := uv(); !ok {
				return 0, errBadHours
			}
		}
	}
	return pos, nil
}
