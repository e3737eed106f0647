package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Bulk inserts on SQLite. The pure-Go SQLite driver compiles every
// statement again on each execution and binds parameters in quadratic time,
// so multi-row VALUES statements manage only some 15,000 rows a second. Here
// a whole chunk travels as two BLOB parameters instead: ?1 holds one
// fixed-width record per row (integers as decimal text, and for each text or
// blob field its offset and length in ?2), and a recursive CTE walks the
// records with substr(), which is O(1) on a BLOB. That is ten times faster.

const bulkField = 20 // bytes per integer field, or per offset+length pair (10+10)

type bulkKind uint8

const (
	bulkInt     bulkKind = iota
	bulkNullInt          // an integer column holding NULLs: 0 reads as NULL
	bulkText
	bulkBlob
	bulkSkip // every value NULL: the column is left out (every column written here defaults to NULL)
)

// bulkKinds infers each column's kind from its values. An integer column
// that holds a NULL becomes bulkNullInt, where 0 stands for NULL: callers
// write NULL, never 0, in such columns (visit times and counters).
func bulkKinds(cols []string, rows [][]any) ([]bulkKind, error) {
	kinds := make([]bulkKind, len(cols))
	for c := range cols {
		hasNull, kind, known := false, bulkInt, false
		for _, r := range rows {
			var k bulkKind
			switch r[c].(type) {
			case nil:
				hasNull = true
				continue
			case int64:
				k = bulkInt
			case int, int32, bool:
				k = bulkInt
			case string:
				k = bulkText
			case []byte:
				k = bulkBlob
			default:
				return nil, fmt.Errorf("bulk insert: column %s: unsupported %T", cols[c], r[c])
			}
			if known && k != kind {
				return nil, fmt.Errorf("bulk insert: column %s mixes types", cols[c])
			}
			kind, known = k, true
		}
		if !known {
			kinds[c] = bulkSkip
			continue
		}
		if kind == bulkInt && hasNull {
			for _, r := range rows {
				if x, ok := r[c].(int64); ok && x == 0 {
					return nil, fmt.Errorf("bulk insert: column %s holds both 0 and NULL", cols[c])
				}
			}
			kind = bulkNullInt
		}
		kinds[c] = kind
	}
	return kinds, nil
}

// bulkStatement builds the INSERT for a chunk layout; suffix follows the
// SELECT (an ON CONFLICT / RETURNING clause).
func bulkStatement(table string, cols []string, kinds []bulkKind, suffix string) string {
	var names []string
	for c, k := range kinds {
		if k != bulkSkip {
			names = append(names, cols[c])
		}
	}
	width := len(names) * bulkField
	num := func(pos, n int) string {
		return fmt.Sprintf("CAST(substr(?1, r.i*%d+%d, %d) AS INTEGER)", width, pos, n)
	}
	exprs := make([]string, 0, len(names))
	field := 0
	for _, k := range kinds {
		if k == bulkSkip {
			continue
		}
		pos := field*bulkField + 1
		field++
		var expr string
		switch k {
		case bulkInt:
			expr = num(pos, bulkField)
		case bulkNullInt:
			expr = "nullif(" + num(pos, bulkField) + ", 0)"
		default:
			// Offset 0 marks NULL (offsets start at 1).
			off, n := num(pos, 10), num(pos+10, 10)
			v := "substr(?2, " + off + ", " + n + ")"
			if k == bulkText {
				v = "CAST(" + v + " AS TEXT)"
			}
			expr = "CASE WHEN " + off + " = 0 THEN NULL ELSE " + v + " END"
		}
		exprs = append(exprs, expr)
	}
	return "WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM r WHERE i+1 < ?3) INSERT INTO " + table +
		" (" + strings.Join(names, ", ") + ") SELECT " + strings.Join(exprs, ", ") + " FROM r WHERE true" + suffix
}

// bulkEncode lays out rows as the two blobs. Numbers are written with
// leading zeros (CAST reads them as decimal), NULL as zeros.
func bulkEncode(kinds []bulkKind, rows [][]any, rec, data []byte) ([]byte, []byte) {
	rec, data = rec[:0], data[:0]
	var tmp [24]byte
	put := func(n int64, width int) {
		neg := n < 0
		u := uint64(n)
		if neg {
			u = uint64(-n) // also right for the smallest int64
		}
		d := strconv.AppendUint(tmp[:0], u, 10)
		pad := width - len(d)
		if neg {
			rec = append(rec, '-')
			pad--
		}
		for ; pad > 0; pad-- {
			rec = append(rec, '0')
		}
		rec = append(rec, d...)
	}
	for _, r := range rows {
		for c, k := range kinds {
			v := r[c]
			switch k {
			case bulkSkip:
			case bulkInt, bulkNullInt:
				var n int64
				switch x := v.(type) {
				case int64:
					n = x
				case int:
					n = int64(x)
				case int32:
					n = int64(x)
				case bool:
					if x {
						n = 1
					}
				}
				put(n, bulkField)
			default:
				var b []byte
				switch x := v.(type) {
				case nil:
					put(0, 10)
					put(0, 10)
					continue
				case string:
					b = []byte(x)
				case []byte:
					b = x
				}
				put(int64(len(data)+1), 10)
				put(int64(len(b)), 10)
				data = append(data, b...)
			}
		}
	}
	return rec, data
}

// SQLiteBulk inserts rows in chunks through run (which runs one statement
// with its arguments and reads any rows it returns with each).
func SQLiteBulk(ctx context.Context, table string, cols []string, rows [][]any, suffix string,
	run func(ctx context.Context, q string, args []any) error) error {
	if len(rows) == 0 {
		return nil
	}
	kinds, err := bulkKinds(cols, rows)
	if err != nil {
		return err
	}
	q := bulkStatement(table, cols, kinds, suffix)
	var rec, data []byte
	const per = 5000
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		rec, data = bulkEncode(kinds, chunk, rec, data)
		if len(data) == 0 {
			data = []byte{0} // substr of an empty parameter is never read
		}
		if err := run(ctx, q, []any{rec, data, int64(len(chunk))}); err != nil {
			return err
		}
	}
	return nil
}
