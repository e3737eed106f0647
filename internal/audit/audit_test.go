package audit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"gorm.io/gorm"
)

func record(t *testing.T, d *db.DB, l *audit.Log, n int) {
	t.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.Actor{UserID: 0, Username: "tester", Role: daftar.RoleAdmin})
	for i := 0; i < n; i++ {
		err := d.Tx(ctx, func(tx *gorm.DB) error {
			return l.Record(ctx, db.Wrap(tx), audit.Change{Action: "thing.update", Entity: "thing", EntityID: i,
				Before: map[string]int{"v": i}, After: map[string]int{"v": i + 1}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifiesAndNamesFirstBrokenEvent(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := audit.New(d, daftar.NewManualClock(time.Date(2026, 11, 1, 8, 0, 0, 123456000, time.UTC)))
		record(t, d, l, 5)
		n, err := audit.Verify(ctx, d)
		if err != nil || n != 5 {
			t.Fatalf("verify: %d, %v", n, err)
		}
		var ids []int64
		d.Gorm.Raw("SELECT id FROM audit_events ORDER BY id").Scan(&ids)

		// Editing an event's content breaks it.
		d.Gorm.Exec("UPDATE audit_events SET after_json = ? WHERE id = ?", `{"v":99}`, ids[2])
		_, err = audit.Verify(ctx, d)
		b, ok := audit.IsBroken(err)
		if !ok || b.EventID != ids[2] {
			t.Fatalf("edited: want broken at %d, got %v", ids[2], err)
		}
	})
}

func TestDeletedEventIsNamed(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d, daftar.SystemClock{})
		record(t, d, l, 4)
		var ids []int64
		d.Gorm.Raw("SELECT id FROM audit_events ORDER BY id").Scan(&ids)
		d.Gorm.Exec("DELETE FROM audit_events WHERE id = ?", ids[1])
		_, err := audit.Verify(context.Background(), d)
		b, ok := audit.IsBroken(err)
		if !ok || b.EventID != ids[2] {
			t.Fatalf("deleted: want broken at %d, got %v", ids[2], err)
		}
	})
}

// Concurrent appends must not fork the chain.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d, daftar.SystemClock{})
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					errs <- d.InTx(context.Background(), func(tx *db.Tx) error {
						return l.Record(context.Background(), tx, audit.Change{Action: "x", Entity: "x", EntityID: i})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(context.Background(), d)
		if err != nil || n != 40 {
			t.Fatalf("verify after concurrent appends: %d, %v", n, err)
		}
	})
}
