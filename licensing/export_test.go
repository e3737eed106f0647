package licensing

import (
	"context"
	"time"
)

// Exports for the external tests and benchmarks of this package.

// CandidateColumns are the columns an import writes into candidates.
var CandidateColumns = candidateColumns

// PreparedRows reads an exam file exactly as Import does (sniffing,
// decoding, header, normalising, validating, keyed hashes and encryption)
// and returns the candidates Import would write, as COPY values: the
// "already parsed rows" the benchmarks' raw baselines write.
func PreparedRows(e *Exams, content []byte, examYear int, importID int64, now time.Time) ([][]any, error) {
	ctx := context.Background()
	in := ImportInput{ExamYear: examYear}
	in.Content, in.Size = BytesInput(content)
	c, err := scanContent(ctx, in.Content, in.Size)
	if err != nil {
		return nil, err
	}
	r, err := e.openRun(ctx, in, c)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.seal, r.existing = true, map[string]int64{}
	src := &candidateSource{importID: importID, examYear: examYear, now: now, vals: make([]any, len(candidateColumns))}
	var rows [][]any
	err = r.stream(ctx, func(cr *candidateRow) error {
		src.batch, src.i = []candidateRow{*cr}, 0
		v, _ := src.Values()
		rows = append(rows, append([]any(nil), v...))
		return nil
	})
	return rows, err
}
