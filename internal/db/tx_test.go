package db_test

import (
	"bytes"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestBulkEncodingRoundTrip: the SQLite bulk path stores every kind of
// value as given: negative and extreme integers, NULLs, empty and non-ASCII
// text, binary blobs.
func TestBulkEncodingRoundTrip(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	if err := d.Gorm.Exec("CREATE TABLE bulk_t (k INTEGER, a BIGINT, b TEXT, c BLOB, n BIGINT)").Error; err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{int64(1), int64(-42), "سلام, \"x\" ?1", []byte{0, 1, 2, 255}, nil},
		{int64(2), int64(9223372036854775807), "", []byte{}, int64(7)},
		{int64(3), int64(-9223372036854775808), nil, nil, nil},
	}
	for i := 4; i < 12000; i++ { // more than one chunk
		rows = append(rows, []any{int64(i), int64(i * 1000), "t", []byte("b"), int64(i)})
	}
	if err := d.InTx(t.Context(), func(tx *db.Tx) error {
		return tx.CopyRows(t.Context(), "bulk_t", []string{"k", "a", "b", "c", "n"}, rows)
	}); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		K, A int64
		B    *string
		C    []byte
		N    *int64
	}
	d.Gorm.Raw("SELECT k, a, b, c, n FROM bulk_t WHERE k <= 3 ORDER BY k").Scan(&got)
	if len(got) != 3 || got[0].A != -42 || *got[0].B != "سلام, \"x\" ?1" || !bytes.Equal(got[0].C, []byte{0, 1, 2, 255}) || got[0].N != nil ||
		got[1].A != 9223372036854775807 || *got[1].B != "" || len(got[1].C) != 0 || *got[1].N != 7 ||
		got[2].A != -9223372036854775808 || got[2].B != nil {
		t.Fatalf("%+v", got)
	}
	var nulls []string
	d.Gorm.Raw("SELECT (c IS NULL) || '/' || COALESCE(length(c), -1) || '/' || typeof(c) FROM bulk_t WHERE k IN (2, 3) ORDER BY k").Scan(&nulls)
	if len(nulls) != 2 || nulls[0] != "0/0/blob" || nulls[1] != "1/-1/null" {
		t.Fatalf("empty and null blobs: %v", nulls)
	}
	var n int64
	d.Gorm.Raw("SELECT COUNT(*) FROM bulk_t").Scan(&n)
	if n != int64(len(rows)) {
		t.Fatalf("%d rows", n)
	}
}
