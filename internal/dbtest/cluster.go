package dbtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/migrate"
)

// Cluster is a private PostgreSQL cluster for one test, started with
// scripts/pg-throwaway: tests that stop, restart or crash the database use
// it, never the shared server behind TEST_DATABASE_URL. It is removed when
// the test ends.
type Cluster struct {
	// URL reaches the cluster's postgres database.
	URL    string
	dir    string
	script string
}

// StartCluster starts a private cluster. It fails the test when it cannot
// (a missing initdb is a failure here, under CI and outside it: a test that
// needs one never passes without one).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	script, err := scriptPath()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("bash", script, "start")
	// Commits are durable (the shared test server's are not), so a crash
	// test can hold the server to every commit it acknowledged.
	cmd.Env = append(os.Environ(), "DAFTAR_PG_OPTIONS=-c synchronous_commit=on -c fsync=on")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("start a private PostgreSQL cluster: %v\n%s", err, errb.String())
	}
	c := &Cluster{script: script}
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "export TEST_DATABASE_URL="); ok {
			c.URL = strings.Trim(v, "'")
		}
		if v, ok := strings.CutPrefix(line, "export DAFTAR_PG_DIR="); ok {
			c.dir = strings.Trim(v, "'")
		}
	}
	if c.URL == "" || c.dir == "" {
		t.Fatalf("pg-throwaway said neither URL nor directory:\n%s\n%s", out.String(), errb.String())
	}
	t.Cleanup(func() { exec.Command("bash", script, "stop", c.dir).Run() })
	return c
}

// NewDatabase creates a migrated database in the cluster and returns its
// URL.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := "daftar_" + randomHex(4)
	a, err := db.Open(ctx, db.Config{URL: c.URL, MaxOpenConns: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	url := withDatabase(c.URL, name)
	d, err := db.Open(ctx, db.Config{URL: url, MaxOpenConns: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := migrate.Up(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	return url
}

// Halt stops the server, keeping its data: clients see their connections
// end (57P01 on a fast stop) and new ones refused. mode is "fast" or
// "immediate" (a crash: recovery runs at the next start).
func (c *Cluster) Halt(t testing.TB, mode string) {
	t.Helper()
	if out, err := exec.Command("bash", c.script, "halt", c.dir, mode).CombinedOutput(); err != nil {
		t.Fatalf("halt the cluster: %v\n%s", err, out)
	}
}

// Resume starts the halted server again on its port.
func (c *Cluster) Resume(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("bash", c.script, "resume", c.dir).CombinedOutput(); err != nil {
		t.Fatalf("resume the cluster: %v\n%s", err, out)
	}
}

// Clone restores a physical backup of the cluster: pg_basebackup, with its
// WAL, into a new private cluster that is started on its own port (removed
// when the test ends).
func (c *Cluster) Clone(t testing.TB) *Cluster {
	t.Helper()
	out, err := exec.Command("bash", c.script, "clone", c.dir).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("restore a base backup: %v\n%s", err, msg)
	}
	cl := &Cluster{script: c.script}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "export TEST_DATABASE_URL="); ok {
			cl.URL = strings.Trim(v, "'")
		}
		if v, ok := strings.CutPrefix(line, "export DAFTAR_PG_DIR="); ok {
			cl.dir = strings.Trim(v, "'")
		}
	}
	if cl.URL == "" || cl.dir == "" {
		t.Fatalf("pg-throwaway clone said neither URL nor directory: %s", out)
	}
	t.Cleanup(func() { exec.Command("bash", c.script, "stop", cl.dir).Run() })
	return cl
}

// Tool is the path of one of the cluster's PostgreSQL programs (pg_dump,
// pg_restore, psql), of the same version as its server.
func (c *Cluster) Tool(name string) string {
	b, err := os.ReadFile(filepath.Join(c.dir, "bin"))
	if err != nil {
		return name
	}
	return filepath.Join(strings.TrimSpace(string(b)), name)
}

// Database returns the URL of database name in the cluster.
func (c *Cluster) Database(name string) string { return withDatabase(c.URL, name) }

// scriptPath finds scripts/pg-throwaway from the test's directory up.
func scriptPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "scripts", "pg-throwaway")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("no scripts/pg-throwaway in %s", dir)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// WaitFor polls cond every few milliseconds until it holds, failing the
// test after limit: a bound on waiting, never an assertion about speed.
func WaitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
