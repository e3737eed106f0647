package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestReadReplicas runs against a real streaming replica: read-only work
// reads from it (raw pgx and gorm), everything else, writes and
// transactions included, from the primary; a replica whose replay stops
// falls behind, is left out of reads (they go to the primary) and comes
// back once it catches up.
func TestReadReplicas(t *testing.T) {
	if len(dbtest.Engines(t)) < 2 {
		t.Log("PostgreSQL not available (DAFTAR_TEST_SQLITE_ONLY=1): read replicas are PostgreSQL's")
		return
	}
	primaryURL, replicaURL := dbtest.ReplicaPair(t)
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: primaryURL, ReplicaURLs: []string{replicaURL}, MaxReplicaLag: time.Second,
		ReplicaCheck: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	direct, err := db.Open(ctx, db.Config{URL: replicaURL, MaxOpenConns: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	t.Cleanup(func() { direct.Exec(context.Background(), "SELECT pg_wal_replay_resume()") })

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; replicas %+v", what, d.Replicas())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	inUse := func() bool { rs := d.Replicas(); return len(rs) == 1 && rs[0].InUse }
	waitFor("the replica in use", inUse)
	if st := d.Replicas()[0]; strings.Contains(st.Name, "password") || st.Error != "" {
		t.Fatalf("%+v", st)
	}

	ro := db.ReadOnly(ctx)
	onReplica := func(ctx context.Context) (raw, viaGorm bool) {
		t.Helper()
		if err := d.Query(ctx, "SELECT pg_is_in_recovery()", nil, func(scan func(...any) error) error { return scan(&raw) }); err != nil {
			t.Fatal(err)
		}
		if err := d.WithContext(ctx).Raw("SELECT pg_is_in_recovery()").Scan(&viaGorm).Error; err != nil {
			t.Fatal(err)
		}
		return raw, viaGorm
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"read-only work", ro, true},
		{"anything else", ctx, false},
		{"read-your-own-writes", db.Primary(ro), false},
	} {
		if raw, g := onReplica(c.ctx); raw != c.want || g != c.want {
			t.Errorf("%s: on the replica: raw %v, gorm %v; want %v", c.name, raw, g, c.want)
		}
	}
	// Writes and transactions of read-only work go to the primary.
	if _, err := d.Exec(ro, "CREATE TABLE replicated (n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := d.WithContext(ro).Exec("INSERT INTO replicated (n) VALUES (1)").Error; err != nil {
		t.Fatalf("a write of read-only work: %v", err)
	}
	err = d.InTx(ro, func(tx *db.Tx) error {
		var standby bool
		return tx.Query(ro, "SELECT pg_is_in_recovery()", nil, func(scan func(...any) error) error {
			if err := scan(&standby); err != nil || standby {
				t.Errorf("a transaction read on the replica (%v)", err)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(ctx context.Context) int64 {
		var n int64
		if err := d.Query(ctx, "SELECT COUNT(*) FROM replicated", nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
			return -1
		}
		return n
	}
	waitFor("the row on the replica", func() bool { return count(ro) == 1 })

	// Replay stops: the replica falls behind and is dropped from reads.
	if _, err := direct.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for inUse() && time.Now().Before(deadline) {
		if _, err := d.Exec(ctx, "INSERT INTO replicated (n) VALUES (2)"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	st := d.Replicas()[0]
	if st.InUse || st.LagSeconds <= 1 || st.LagBytes <= 0 || !strings.Contains(st.Error, "lags") {
		t.Fatalf("a replica that stopped replaying: %+v", st)
	}
	if raw, g := onReplica(ro); raw || g {
		t.Fatalf("read-only work read from a lagging replica (raw %v, gorm %v)", raw, g)
	}
	if n := count(ro); n < 2 {
		t.Fatalf("read-only work saw %d rows: not the primary's", n)
	}
	// Replay resumes: it catches up and is read again.
	if _, err := direct.Exec(ctx, "SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	waitFor("the replica back in use", inUse)
	if raw, g := onReplica(ro); !raw || !g {
		t.Fatalf("the replica that caught up is not read (raw %v, gorm %v)", raw, g)
	}
}

// TestReplicaUnreachable: a replica that does not answer is reported and
// never read; the database still opens and serves from the primary.
func TestReplicaUnreachable(t *testing.T) {
	if len(dbtest.Engines(t)) < 2 {
		t.Log("PostgreSQL not available (DAFTAR_TEST_SQLITE_ONLY=1): read replicas are PostgreSQL's")
		return
	}
	primaryURL := dbtest.NewPostgresDatabase(t)
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: primaryURL, ReplicaURLs: []string{"postgres://postgres:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"},
		ReplicaCheck: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := d.Replicas()
	if len(st) != 1 || st[0].InUse || !strings.Contains(st[0].Error, "unreachable") || strings.Contains(st[0].Name, "secret") {
		t.Fatalf("%+v", st)
	}
	var standby bool
	if err := d.Query(db.ReadOnly(ctx), "SELECT pg_is_in_recovery()", nil, func(scan func(...any) error) error { return scan(&standby) }); err != nil || standby {
		t.Fatalf("read-only work without a replica: %v %v", standby, err)
	}
	if _, err := db.Open(ctx, db.Config{SQLitePath: t.TempDir() + "/x.db", ReplicaURLs: []string{primaryURL}}, nil); err == nil {
		t.Fatal("SQLite with replicas opened")
	}
}
