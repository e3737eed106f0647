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

func TestBulkWithoutIndexesRestoresThem(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		d.Gorm.Exec("CREATE TABLE bulk_i (a BIGINT NOT NULL, b TEXT, UNIQUE (a))")
		d.Gorm.Exec("CREATE INDEX bulk_i_b ON bulk_i (b)")
		count := func() int {
			var n int64
			if d.Dialect == db.SQLite {
				d.Gorm.Raw("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bulk_i'").Scan(&n)
			} else {
				d.Gorm.Raw("SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'bulk_i'").Scan(&n)
			}
			return int(n)
		}
		before := count()
		err := d.BulkWithoutIndexes(ctx, []string{"bulk_i"}, func(ins db.Inserter) error {
			return ins("bulk_i", []string{"a", "b"}, func(yield func([]any) bool) {
				for i := 0; i < 100; i++ {
					if !yield([]any{int64(i), "x"}) {
						return
					}
				}
			})
		})
		if err != nil || count() != before || before != 2 {
			t.Fatalf("indexes %d → %d (%v)", before, count(), err)
		}
	})
}
