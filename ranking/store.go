package ranking

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// What a run stores, and the checksums over it. A run keeps its inputs
// (every office's, compressed), the version of its directive (whose body
// ranking_directives keeps, never edited), the previous published run its
// changes are against, and one row per office. Its checksums cover exactly
// those bytes, so verifying a run reads nothing but the run:
//
//	inputs_checksum  = SHA-256 of {"directive":<body as stored>,"inputs":<inputs as stored>}\n
//	results_checksum = SHA-256 of the result rows as stored, by office id,
//	                   one line each: office_id, province_code, score,
//	                   rank_national, rank_province, grade,
//	                   insufficient_data, responses, score_change,
//	                   rank_change and components, tab-separated (strings
//	                   quoted as Go does, numbers in their shortest exact
//	                   form, NULL as null, components as <length>:<JSON>)
//
// Runs stored before migration 0008 (checksum scheme 1) took their results
// checksum over the computed results before the changes against the
// previous run were filled in, office codes included; they are verified
// under that scheme.
const (
	schemeComputed = 1
	schemeStored   = 2
)

// inputsChecksum hashes a directive's body and a run's inputs as stored.
func inputsChecksum(directiveBody string, inputs []byte) string {
	h := sha256.New()
	io.WriteString(h, `{"directive":`)
	io.WriteString(h, directiveBody)
	io.WriteString(h, `,"inputs":`)
	h.Write(inputs)
	io.WriteString(h, "}\n")
	return hex.EncodeToString(h.Sum(nil))
}

// checksum is SHA-256 over v's JSON, streamed into the hash.
func checksum(v any) string {
	h := sha256.New()
	json.NewEncoder(h).Encode(v)
	return hex.EncodeToString(h.Sum(nil))
}

// storedResult is one result row as stored, in the order of its columns.
type storedResult struct {
	OfficeID         int64           `json:"office_id"`
	ProvinceCode     string          `json:"province_code"`
	Score            *float64        `json:"score"`
	RankNational     *int            `json:"rank_national"`
	RankProvince     *int            `json:"rank_province"`
	Grade            *string         `json:"grade"`
	InsufficientData bool            `json:"insufficient_data"`
	Responses        int64           `json:"responses"`
	ScoreChange      *float64        `json:"score_change"`
	RankChange       *int            `json:"rank_change"`
	Components       json.RawMessage `json:"components"`
}

var resultColumns = []string{"run_id", "office_id", "province_code", "score", "rank_national", "rank_province", "grade",
	"insufficient_data", "responses", "score_change", "rank_change", "components"}

// storedRows converts results to their rows, by office id.
func storedRows(results []Result) []storedResult {
	out := make([]storedResult, len(results))
	for i, r := range results {
		comps, _ := json.Marshal(r.Components)
		out[i] = storedResult{OfficeID: r.OfficeID, ProvinceCode: r.Province, Score: r.Score, RankNational: r.RankNational,
			RankProvince: r.RankProvince, Grade: r.Grade, InsufficientData: r.InsufficientData, Responses: r.Responses,
			ScoreChange: r.ScoreChange, RankChange: r.RankChange, Components: comps}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OfficeID < out[j].OfficeID })
	return out
}

func (r storedResult) values(runID int64) []any {
	return []any{runID, r.OfficeID, r.ProvinceCode, r.Score, r.RankNational, r.RankProvince, r.Grade, r.InsufficientData,
		r.Responses, r.ScoreChange, r.RankChange, string(r.Components)}
}

// rowsChecksum is the results checksum of scheme 2 (see the top of the
// file), streamed into the hash.
func rowsChecksum(rows []storedResult) string {
	h := sha256.New()
	var b []byte
	num := func(v *float64) {
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, *v, 'g', -1, 64)
		}
		b = append(b, '\t')
	}
	integer := func(v *int) {
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, int64(*v), 10)
		}
		b = append(b, '\t')
	}
	for _, r := range rows {
		b = b[:0]
		b = strconv.AppendInt(b, r.OfficeID, 10)
		b = append(b, '\t')
		b = strconv.AppendQuote(b, r.ProvinceCode)
		b = append(b, '\t')
		num(r.Score)
		integer(r.RankNational)
		integer(r.RankProvince)
		if r.Grade == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendQuote(b, *r.Grade)
		}
		b = append(b, '\t')
		b = strconv.AppendBool(b, r.InsufficientData)
		b = append(b, '\t')
		b = strconv.AppendInt(b, r.Responses, 10)
		b = append(b, '\t')
		num(r.ScoreChange)
		integer(r.RankChange)
		b = strconv.AppendInt(b, int64(len(r.Components)), 10)
		b = append(b, ':')
		h.Write(b)
		h.Write(r.Components)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// encodeInputs is the stored form of a run's inputs: JSON, gzipped (a run
// of 2,000 offices keeps some 60 kB instead of half a megabyte).
func encodeInputs(ri RunInputs) (raw, packed []byte, err error) {
	if raw, err = json.Marshal(ri); err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if _, err := z.Write(raw); err != nil {
		return nil, nil, err
	}
	if err := z.Close(); err != nil {
		return nil, nil, err
	}
	return raw, b.Bytes(), nil
}

// storedInputs reads a run's inputs back: the gzipped JSON of scheme 2, or
// the plain JSON array of the runs before it. raw is what the checksum
// covers.
func storedInputs(plain string, packed []byte) (ri RunInputs, raw []byte, err error) {
	if len(packed) == 0 {
		raw = []byte(plain)
		err = json.Unmarshal(raw, &ri.Offices)
		return ri, raw, err
	}
	z, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		return ri, nil, fmt.Errorf("stored inputs: %w", err)
	}
	if raw, err = io.ReadAll(io.LimitReader(z, 256<<20)); err != nil {
		return ri, nil, fmt.Errorf("stored inputs: %w", err)
	}
	err = json.Unmarshal(raw, &ri)
	return ri, raw, err
}
