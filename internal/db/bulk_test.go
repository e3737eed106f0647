package db_test

import (
	"context"
	"errors"
	"iter"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func TestBulkAllOrNothing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		d.Gorm.Exec("CREATE TABLE bulk_t (a BIGINT NOT NULL, b TEXT)")
		rows := func(n int) iter.Seq[[]any] {
			return func(yield func([]any) bool) {
				for i := 0; i < n; i++ {
					if !yield([]any{int64(i), "x"}) {
						return
					}
				}
			}
		}
		if err := d.Bulk(ctx, func(ins db.Inserter) error { return ins("bulk_t", []string{"a", "b"}, rows(1234)) }); err != nil {
			t.Fatal(err)
		}
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM bulk_t").Scan(&n)
		if n != 1234 {
			t.Fatalf("%d rows", n)
		}
		boom := errors.New("boom")
		err := d.Bulk(ctx, func(ins db.Inserter) error {
			if err := ins("bulk_t", []string{"a", "b"}, rows(700)); err != nil {
				return err
			}
			return boom
		})
		d.Gorm.Raw("SELECT COUNT(*) FROM bulk_t").Scan(&n)
		if !errors.Is(err, boom) || n != 1234 {
			t.Fatalf("a failed bulk left %d rows (%v)", n, err)
		}
		err = d.Bulk(ctx, func(ins db.Inserter) error {
			return ins("bulk_t", []string{"a", "b"}, func(yield func([]any) bool) { yield([]any{int64(1)}) })
		})
		if err == nil {
			t.Fatal("a short row was accepted")
		}
	})
}
