package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/jobs"
)

// jobRunLines are the "job run" log lines of one instance: job, firing,
// status.
func jobRunLines(t *testing.T, s *started) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(s.stderr.String(), "\n") {
		if !strings.Contains(l, `"msg":"job run"`) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// Two whole instances (run) on one PostgreSQL, a cluster job and a local
// refresh firing every second: both serve, a session from one works on the
// other, every cluster firing runs once across both (by the claims in
// job_runs, and by the two logs), the local refresh runs on both; once one
// instance is gone the other keeps serving and takes every firing.
func TestTwoReplicas(t *testing.T) {
	postgresOnly(t, func(t *testing.T) {
		url := dbtest.NewPostgresDatabase(t)
		env := func(instance string) map[string]string {
			return map[string]string{"DATABASE_URL": url, "DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_SECRET": strings.Repeat("k", 40),
				"DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "info", "DAFTAR_INSTANCE": instance,
				"DAFTAR_SHUTDOWN_TIMEOUT": "5s",
				"DAFTAR_JOB_SCHEDULES":    "purge-sessions=* * * * * *;finder-profiles=* * * * * *"}
		}
		a := startDaftar(t, env("a"))
		b := startDaftar(t, env("b"))
		waitHealthy(t, a.base)
		waitHealthy(t, b.base)

		token := loginToken(t, a.base, "admin", "e2e-admin-password")
		if code, _, body := call(t, "GET", b.base+"/api/v1/auth/me", token, nil); code != 200 {
			t.Fatalf("a's session on b: %d %s", code, body)
		}
		code, _, body := call(t, "POST", b.base+"/api/v1/offices", token, map[string]any{"code": "REP-1", "name": "دفتر",
			"city": "shiraz", "latitude": 29.61, "longitude": 52.53, "counters": 2, "services": []string{"criminal_record"}})
		if code != 201 {
			t.Fatalf("create on b: %d %s", code, body)
		}
		var office struct{ ID int64 }
		json.Unmarshal(body, &office)
		if code, _, _ := call(t, "GET", a.base+"/api/v1/offices/"+itoa64(office.ID), token, nil); code != 200 {
			t.Fatalf("b's office read on a: %d", code)
		}

		check, err := db.Open(context.Background(), db.Config{URL: url}, nil)
		must(t, err)
		defer check.Close()
		dbtest.WaitFor(t, 30*time.Second, "four firings of each job", func() bool {
			runs, _ := jobs.Recent(context.Background(), check, "purge-sessions", 100)
			return len(runs) >= 4
		})
		if code := a.stop(t); code != 0 {
			t.Fatalf("a's exit code %d", code)
		}
		aGone := time.Now().UTC()
		// b goes on serving, with the session a issued, and running jobs.
		if code, _, _ := call(t, "GET", b.base+"/api/v1/offices/"+itoa64(office.ID), token, nil); code != 200 {
			t.Fatalf("b after a stopped: %d", code)
		}
		dbtest.WaitFor(t, 30*time.Second, "three firings after a stopped", func() bool {
			runs, _ := jobs.Recent(context.Background(), check, "purge-sessions", 100)
			n := 0
			for _, r := range runs {
				if r.ScheduledAt.After(aGone.Add(time.Second)) {
					n++
				}
			}
			return n >= 3
		})
		if code := b.stop(t); code != 0 {
			t.Fatalf("b's exit code %d", code)
		}

		runs, err := jobs.Recent(context.Background(), check, "purge-sessions", 1000)
		must(t, err)
		byFiring := map[string]jobs.Run{}
		var first, last time.Time
		ranOn := map[string]int{}
		for _, r := range runs {
			if r.ScheduledAt == nil {
				continue // a run on demand (none here)
			}
			byFiring[*r.Firing] = r
			if first.IsZero() || r.ScheduledAt.Before(first) {
				first = *r.ScheduledAt
			}
			if r.ScheduledAt.After(last) {
				last = *r.ScheduledAt
			}
			if r.Status != jobs.StatusOK {
				t.Errorf("firing %s: %s %s", *r.Firing, r.Status, r.Detail)
			}
			ranOn[r.Instance]++
			if r.ScheduledAt.After(aGone.Add(time.Second)) && r.Instance != "b" {
				t.Errorf("firing %s after a stopped ran on %s", *r.Firing, r.Instance)
			}
		}
		for at := first; !at.After(last); at = at.Add(time.Second) {
			if _, ok := byFiring[at.Format(time.RFC3339)]; !ok {
				t.Errorf("firing %s: no run", at.Format(time.RFC3339))
			}
		}
		// The logs, independently of the claims: each firing ran once.
		logged := map[string]int{}
		for _, s := range []*started{a, b} {
			for _, l := range jobRunLines(t, s) {
				if l["job"] == "purge-sessions" && l["status"] == "ok" {
					logged[l["firing"].(string)]++
				}
			}
		}
		for firing, n := range logged {
			if n != 1 {
				t.Errorf("firing %s ran %d times by the logs", firing, n)
			}
		}
		if len(logged) != len(byFiring) {
			t.Errorf("%d firings logged as run, %d recorded", len(logged), len(byFiring))
		}
		local, err := jobs.Recent(context.Background(), check, "finder-profiles", 1000)
		must(t, err)
		localOn := map[string]int{}
		for _, r := range local {
			localOn[r.Instance]++
		}
		if localOn["a"] < 3 || localOn["b"] < 6 {
			t.Errorf("the local refresh ran %v times per instance", localOn)
		}
		t.Logf("%d firings of purge-sessions from %s to %s: %v; finder-profiles %v", len(byFiring),
			first.Format("15:04:05"), last.Format("15:04:05"), ranOn, localOn)
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
