package snapshots_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/snapshots"
)

type figures struct {
	Key   string
	Input int64
	Big   []float64
}

// fake is a model whose input is a number the test changes.
type fake struct {
	input    atomic.Int64
	computes atomic.Int64
	gate     chan struct{} // when set, computing waits on it
	fail     atomic.Bool
}

func (f *fake) spec() snapshots.Spec[figures] {
	return snapshots.Spec[figures]{
		Kind: "test",
		Version: func(ctx context.Context, key string) (string, error) {
			return key + ":" + time.Unix(f.input.Load(), 0).UTC().Format(time.RFC3339), nil
		},
		Compute: func(ctx context.Context, key string) (figures, error) {
			f.computes.Add(1)
			if f.gate != nil {
				<-f.gate
			}
			if f.fail.Load() {
				return figures{}, errors.New("boom")
			}
			return figures{Key: key, Input: f.input.Load(), Big: make([]float64, 1000)}, nil
		},
	}
}

// TestModel: the first requests compute once together and store it; later
// ones read the stored model without computing, also from a second
// process; a refresh recomputes only when the inputs changed, and drops
// keys nobody reads.
func TestModel(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
		store, err := snapshots.NewStore(d, clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := &fake{gate: make(chan struct{})}
		f.input.Store(1)
		m, err := snapshots.NewModel(store, f.spec())
		if err != nil {
			t.Fatal(err)
		}
		// Ten first requests at once: one computation.
		var wg sync.WaitGroup
		errs := make([]error, 10)
		got := make([]figures, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], _, errs[i] = m.Get(ctx, "a")
			}()
		}
		time.Sleep(50 * time.Millisecond)
		close(f.gate)
		wg.Wait()
		for i := range 10 {
			if errs[i] != nil || got[i].Key != "a" || got[i].Input != 1 {
				t.Fatalf("request %d: %+v %v", i, got[i].Key, errs[i])
			}
		}
		if n := f.computes.Load(); n != 1 {
			t.Fatalf("%d computations for ten first requests", n)
		}
		// Read again, here and by another process: nothing computed.
		other, _ := snapshots.NewModel(store, f.spec())
		v, st, err := other.Get(ctx, "a")
		if err != nil || v.Input != 1 || st.InputsVersion != "a:1970-01-01T00:00:01Z" || st.ComputedAt.IsZero() {
			t.Fatalf("another process: %+v %+v %v", v.Input, st, err)
		}
		f.input.Store(2)
		clock.Advance(time.Hour)
		if v, _, _ := m.Get(ctx, "a"); v.Input != 1 || f.computes.Load() != 1 {
			t.Fatalf("a request computed (input %d, %d computations)", v.Input, f.computes.Load())
		}
		// A refresh sees the change, recomputes, and every process serves it.
		rep, err := m.Refresh(ctx, []string{"a", "b"}, 24*time.Hour)
		if err != nil || rep.Checked != 2 || rep.Computed != 2 {
			t.Fatalf("refresh: %+v %v", rep, err)
		}
		clock.Advance(2 * time.Second)
		if v, st2, _ := other.Get(ctx, "a"); v.Input != 2 || !st2.ComputedAt.After(st.ComputedAt) {
			t.Fatalf("after the refresh another process serves input %d computed %v", v.Input, st2.ComputedAt)
		}
		rep, err = m.Refresh(ctx, []string{"a"}, 24*time.Hour)
		if err != nil || rep.Computed != 0 {
			t.Fatalf("a refresh with nothing changed: %+v %v", rep, err)
		}
		// b, not wanted any more and unread for two days, is dropped.
		clock.Advance(48 * time.Hour)
		m.Get(ctx, "a")
		rep, err = m.Refresh(ctx, []string{"a"}, 24*time.Hour)
		if err != nil || rep.Dropped != 1 {
			t.Fatalf("idle key: %+v %v", rep, err)
		}
		// A failed computation is an error, and nothing is stored.
		f.fail.Store(true)
		if _, _, err := m.Get(ctx, "c"); err == nil {
			t.Fatal("a failed first computation answered")
		}
		f.fail.Store(false)
		if v, _, err := m.Get(ctx, "c"); err != nil || v.Key != "c" {
			t.Fatalf("after a failure: %+v %v", v, err)
		}
	})
}

// TestFirstRequestGivingUp: a first request that gives up does not fail
// the computation the others wait for.
func TestFirstRequestGivingUp(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		clock := daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
		store, _ := snapshots.NewStore(d, clock, nil)
		f := &fake{gate: make(chan struct{})}
		m, _ := snapshots.NewModel(store, f.spec())
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() { _, _, err := m.Get(ctx, "a"); first <- err }()
		time.Sleep(20 * time.Millisecond)
		second := make(chan error, 1)
		go func() { _, _, err := m.Get(context.Background(), "a"); second <- err }()
		time.Sleep(20 * time.Millisecond)
		cancel()
		close(f.gate)
		<-first
		if err := <-second; err != nil {
			t.Fatalf("the request waiting with the first failed: %v", err)
		}
		if f.computes.Load() != 1 {
			t.Fatalf("%d computations", f.computes.Load())
		}
	})
}

// TestRefreshKeepsMaxKeys: beyond MaxKeys, the least recently read keys
// are dropped; the defaults are kept.
func TestRefreshKeepsMaxKeys(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
		store, _ := snapshots.NewStore(d, clock, nil)
		f := &fake{}
		m, _ := snapshots.NewModel(store, f.spec())
		if _, _, err := m.Get(ctx, "default"); err != nil {
			t.Fatal(err)
		}
		for i := range snapshots.MaxKeys + 3 {
			clock.Advance(time.Minute)
			if _, _, err := m.Get(ctx, fmt.Sprintf("k%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := m.Refresh(ctx, []string{"default"}, 24*time.Hour)
		if err != nil || rep.Dropped != 3 || rep.Checked != snapshots.MaxKeys+1 {
			t.Fatalf("%+v %v", rep, err)
		}
		// The oldest three went.
		before := f.computes.Load()
		for _, k := range []string{"default", "k03", "k34"} {
			m2, _ := snapshots.NewModel(store, f.spec())
			if _, _, err := m2.Get(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if f.computes.Load() != before {
			t.Fatal("a kept key was computed again")
		}
		m3, _ := snapshots.NewModel(store, f.spec())
		m3.Get(ctx, "k00")
		if f.computes.Load() != before+1 {
			t.Fatal("a dropped key was still stored")
		}
	})
}
