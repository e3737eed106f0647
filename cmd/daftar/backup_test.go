package main

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// tableCounts counts the rows of the tables a restore must bring back.
func tableCounts(t *testing.T, dbURL string) map[string]int64 {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: dbURL}, nil)
	must(t, err)
	defer d.Close()
	out := map[string]int64{}
	for _, table := range []string{"schema_migrations", "regions", "offices", "office_services", "users", "audit_events", "job_runs"} {
		var n int64
		must(t, d.SQL.QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
		out[table] = n
	}
	return out
}

// The backup and restore that docs/operations.md describes, done: a
// logical dump (pg_dump -Fc, pg_restore into a new database) and a physical
// base backup (pg_basebackup, started as a new server) each bring back
// every row, and daftar accepts the restored database: its migrations are
// known and unedited, and the audit chain verifies.
func TestBackupAndRestore(t *testing.T) {
	postgresOnly(t, func(t *testing.T) {
		cluster := dbtest.StartCluster(t)
		source := cluster.NewDatabase(t)
		env := map[string]string{"DATABASE_URL": source, "DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_SECRET": strings.Repeat("s", 40),
			"DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "warn"}
		d := startDaftar(t, env)
		waitHealthy(t, d.base)
		token := loginToken(t, d.base, "admin", "e2e-admin-password")
		for i, code := range []string{"BKP-1", "BKP-2", "BKP-3"} {
			if c, _, body := call(t, "POST", d.base+"/api/v1/offices", token, map[string]any{"code": code, "name": "دفتر " + code,
				"city": "shiraz", "latitude": 29.60 + float64(i)*0.01, "longitude": 52.53, "counters": 2, "services": []string{"criminal_record"}}); c != 201 {
				t.Fatalf("create %s: %d %s", code, c, body)
			}
		}
		d.stop(t)
		want := tableCounts(t, source)
		if want["offices"] != 3 || want["audit_events"] < 4 {
			t.Fatalf("source: %v", want)
		}

		daftarAccepts := func(t *testing.T, dbURL string) {
			t.Helper()
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			e["DATABASE_URL"] = dbURL
			for _, args := range [][]string{{"migrate"}, {"audit", "verify"}} {
				var out, errb bytes.Buffer
				if code := run(context.Background(), args, func(k string) string { return e[k] }, strings.NewReader(""), &out, &errb); code != 0 {
					t.Fatalf("daftar %v on the restored database: exit %d\n%s%s", args, code, out.String(), errb.String())
				}
				if args[0] == "audit" && !strings.Contains(out.String(), "intact") {
					t.Fatalf("audit verify: %s", out.String())
				}
			}
			if got := tableCounts(t, dbURL); !equalCounts(got, want) {
				t.Fatalf("restored %v, want %v", got, want)
			}
		}

		t.Run("pg_dump and pg_restore", func(t *testing.T) {
			dump := filepath.Join(t.TempDir(), "daftar.dump")
			if out, err := exec.Command(cluster.Tool("pg_dump"), "--format=custom", "--no-owner", "--file", dump, source).CombinedOutput(); err != nil {
				t.Fatalf("pg_dump: %v\n%s", err, out)
			}
			restored := cluster.Database("daftar_restored")
			if out, err := exec.Command(cluster.Tool("psql"), cluster.URL, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE daftar_restored").CombinedOutput(); err != nil {
				t.Fatalf("create database: %v\n%s", err, out)
			}
			if out, err := exec.Command(cluster.Tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored, dump).CombinedOutput(); err != nil {
				t.Fatalf("pg_restore: %v\n%s", err, out)
			}
			daftarAccepts(t, restored)
		})
		t.Run("pg_basebackup", func(t *testing.T) {
			clone := cluster.Clone(t)
			u, err := url.Parse(source)
			must(t, err)
			daftarAccepts(t, clone.Database(strings.TrimPrefix(u.Path, "/")))
		})
	})
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
