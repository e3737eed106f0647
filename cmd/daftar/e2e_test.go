package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// started is a daftar process run in-process by run(), on port 0.
type started struct {
	base   string
	cancel context.CancelFunc
	done   chan int
	stderr *bytes.Buffer
}

func startDaftar(t *testing.T, env map[string]string, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{cancel: cancel, done: make(chan int, 1), stderr: &bytes.Buffer{}}
	getenv := func(k string) string { return env[k] }
	go func() {
		code := run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), getenv, strings.NewReader(""), pw, lockedWriter{&sync.Mutex{}, s.stderr})
		pw.Close()
		s.done <- code
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(90 * time.Second)
	for s.base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("daftar exited before listening: %s", s.stderr)
			}
			if rest, found := strings.CutPrefix(l, "daftar: listening on "); found {
				s.base = rest
			}
		case <-deadline:
			t.Fatalf("daftar did not start: %s", s.stderr)
		}
	}
	go func() {
		for range lines {
		}
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// lockedWriter collects the server's log for failure messages.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (s *started) stop(t *testing.T) int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(60 * time.Second):
		t.Fatal("daftar did not stop")
	}
	return -1
}

func call(t *testing.T, method, url, token string, body any, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// TestEndToEnd starts the whole program on port 0 with a temporary database
// on each engine, waits for /healthz, signs in, and creates, reads, updates
// (with a fresh and a stale version) and lists an office.
func TestEndToEnd(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			env := map[string]string{
				"DAFTAR_DATA_DIR":       t.TempDir(),
				"DAFTAR_ADMIN_PASSWORD": "e2e-admin-password",
				"LOG_LEVEL":             "warn",
			}
			if engine == db.Postgres {
				env["DATABASE_URL"] = dbtest.NewPostgresDatabase(t)
			}
			d := startDaftar(t, env)
			waitHealthy(t, d.base)
			if code, _, _ := call(t, "GET", d.base+"/readyz", "", nil); code != 200 {
				t.Fatalf("readyz %d", code)
			}
			code, _, body := call(t, "POST", d.base+"/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "e2e-admin-password"})
			if code != 200 {
				t.Fatalf("login %d %s", code, body)
			}
			var login struct{ Token string }
			json.Unmarshal(body, &login)

			code, _, body = call(t, "POST", d.base+"/api/v1/offices", login.Token, map[string]any{
				"name": "دفتر آزمون", "city": "shiraz", "latitude": 29.61, "longitude": 52.53, "counters": 3,
				"services": []string{"criminal_record"}})
			if code != 201 {
				t.Fatalf("create %d %s", code, body)
			}
			var office struct {
				ID      int64
				Version int64
			}
			json.Unmarshal(body, &office)
			url := fmt.Sprintf("%s/api/v1/offices/%d", d.base, office.ID)
			code, hdr, _ := call(t, "GET", url, login.Token, nil)
			if code != 200 || hdr.Get("ETag") != `"1"` {
				t.Fatalf("get %d etag %q", code, hdr.Get("ETag"))
			}
			if code, _, body = call(t, "PATCH", url, login.Token, map[string]any{"counters": 4}, "If-Match", `"1"`); code != 200 {
				t.Fatalf("update %d %s", code, body)
			}
			if code, _, body = call(t, "PATCH", url, login.Token, map[string]any{"counters": 5}, "If-Match", `"1"`); code != 409 {
				t.Fatalf("stale update %d %s", code, body)
			}
			code, _, body = call(t, "GET", d.base+"/api/v1/offices?city=shiraz", login.Token, nil)
			var list struct {
				Total int
				Items []struct{ Counters int }
			}
			json.Unmarshal(body, &list)
			if code != 200 || list.Total != 1 || list.Items[0].Counters != 4 {
				t.Fatalf("list %d %s", code, body)
			}
			if code := d.stop(t); code != 0 {
				t.Fatalf("exit code %d", code)
			}
		})
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("healthz never answered 200")
}

// TestGracefulShutdownFinishesRequestsInFlight: a request in flight when the
// process is told to stop still gets its answer.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	env := map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "warn"}
	d := startDaftar(t, env)
	waitHealthy(t, d.base)
	// A login takes a while (argon2id), long enough to be in flight.
	type result struct {
		code int
		err  error
	}
	results := make(chan result, 1)
	go func() {
		res, err := http.Post(d.base+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"username":"admin","password":"e2e-admin-password"}`))
		if err != nil {
			results <- result{0, err}
			return
		}
		res.Body.Close()
		results <- result{res.StatusCode, nil}
	}()
	time.Sleep(20 * time.Millisecond)
	code := d.stop(t)
	r := <-results
	if r.err != nil || r.code != 200 {
		t.Fatalf("in-flight request: %d %v", r.code, r.err)
	}
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestCommands runs the one-shot commands against a fresh SQLite file.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DAFTAR_DATA_DIR": dir, "LOG_LEVEL": "error"}
	runCmd := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, _ := runCmd("", "version"); code != 0 || !strings.HasPrefix(out, "daftar ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, errs := runCmd("", "migrate"); code != 0 || !strings.Contains(out, "schema at version") {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	if code, _, _ := runCmd("", "migrate"); code != 0 {
		t.Fatal("second migrate failed")
	}
	if _, err := os.Stat(filepath.Join(dir, "daftar.db")); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd("a-strong-password\n", "user", "create", "reza", "--role", "ministry", "--name", "رضا"); code != 0 || !strings.Contains(out, "created user reza") {
		t.Fatalf("user create: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd("short\n", "user", "create", "sara", "--role", "ministry"); code == 0 || !strings.Contains(errs, "password") {
		t.Fatalf("weak password accepted: %d %q", code, errs)
	}
	if code, _, errs := runCmd("a-strong-password\n", "user", "create", "ali", "--role", "king"); code == 0 || !strings.Contains(errs, "role") {
		t.Fatalf("bad role accepted: %d %q", code, errs)
	}
	if code, out, _ := runCmd("another-password-9\n", "user", "passwd", "reza"); code != 0 || !strings.Contains(out, "changed") {
		t.Fatalf("passwd: %d %q", code, out)
	}
	if code, out, _ := runCmd("", "user", "disable", "reza"); code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %d %q", code, out)
	}
	if code, _, _ := runCmd("", "user", "disable", "nobody"); code == 0 {
		t.Fatal("disabling an unknown user succeeded")
	}
	if code, out, _ := runCmd("", "audit", "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %q", code, out)
	}
	// Tamper with the second event: verify names it and fails.
	d, err := db.Open(context.Background(), db.Config{SQLitePath: filepath.Join(dir, "daftar.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	d.Gorm.Raw("SELECT id FROM audit_events ORDER BY id").Scan(&ids)
	d.Gorm.Exec("UPDATE audit_events SET actor_name = 'someone else' WHERE id = ?", ids[1])
	d.Close()
	if code, out, _ := runCmd("", "audit", "verify"); code == 0 || !strings.Contains(out, fmt.Sprintf("BROKEN at event %d", ids[1])) {
		t.Fatalf("tampered audit verify: %d %q", code, out)
	}
	if code, _, _ := runCmd("", "no-such-command"); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
	if code, _, _ := runCmd("", "serve", "--listen"); code == 0 {
		t.Fatal("flag without value accepted")
	}
	env["DAFTAR_SESSION_TTL"] = "forever"
	if code, _, errs := runCmd("", "migrate"); code == 0 || !strings.Contains(errs, "DAFTAR_SESSION_TTL") {
		t.Fatalf("bad env accepted: %d %q", code, errs)
	}
}
