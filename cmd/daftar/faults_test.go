package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// postgresOnly runs fn when PostgreSQL is among this run's engines.
func postgresOnly(t *testing.T, fn func(t *testing.T)) {
	for _, e := range dbtest.Engines(t) {
		if e == db.Postgres {
			t.Run("postgres", fn)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func loginToken(t *testing.T, base, user, password string) string {
	t.Helper()
	code, _, body := call(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"username": user, "password": password})
	if code != 200 {
		t.Fatalf("login %d %s", code, body)
	}
	var login struct{ Token string }
	json.Unmarshal(body, &login)
	return login.Token
}

// load keeps writing (creating offices) and reading (listing them) until
// stopped, and remembers every status and every acknowledged office.
type load struct {
	mu       sync.Mutex
	statuses map[int]int
	acked    map[int64]bool
	lastOK   atomic.Int64 // unix nanos of the last 2xx answer
	stop     chan struct{}
	wg       sync.WaitGroup
	seq      atomic.Int64
}

func startLoad(t *testing.T, base, token string, workers int) *load {
	l := &load{statuses: map[int]int{}, acked: map[int64]bool{}, stop: make(chan struct{})}
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				var req *http.Request
				if i%2 == 0 {
					n := l.seq.Add(1)
					body := fmt.Sprintf(`{"code":"LOAD-%d","name":"دفتر بار %d","city":"shiraz","latitude":%f,"longitude":52.53,"counters":2,"services":["criminal_record"]}`,
						n, n, 29.55+float64(n%1000)*0.0001)
					req, _ = http.NewRequest("POST", base+"/api/v1/offices", strings.NewReader(body))
				} else {
					req, _ = http.NewRequest("GET", base+"/api/v1/offices?city=shiraz&page_size=5", nil)
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					t.Errorf("%s %s: %v (daftar itself must always answer)", req.Method, req.URL.Path, err)
					return
				}
				var out struct{ ID int64 }
				json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				l.mu.Lock()
				l.statuses[res.StatusCode]++
				if res.StatusCode == http.StatusCreated {
					l.acked[out.ID] = true
				}
				l.mu.Unlock()
				if res.StatusCode < 300 {
					l.lastOK.Store(time.Now().UnixNano())
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	return l
}

func (l *load) end() {
	close(l.stop)
	l.wg.Wait()
}

func (l *load) count(status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[status]
}

// PostgreSQL stopped (a fast stop, then a crash) under a load of reads and
// writes: every answer is a 2xx or a 503, never a 500; /healthz stays 200
// and /readyz is 503 while it is down; service comes back once it is up;
// every acknowledged write is there afterwards, each with its audit event.
func TestDatabaseStoppedUnderLoad(t *testing.T) {
	postgresOnly(t, func(t *testing.T) {
		cluster := dbtest.StartCluster(t)
		url := cluster.NewDatabase(t)
		d := startDaftar(t, map[string]string{"DATABASE_URL": url, "DAFTAR_DATA_DIR": t.TempDir(),
			"DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "warn", "DAFTAR_REQUEST_TIMEOUT": "3s",
			// The load opens offices 11 m apart; siting is not what this test is about.
			"DAFTAR_MIN_OFFICE_DISTANCE": "1"})
		waitHealthy(t, d.base)
		token := loginToken(t, d.base, "admin", "e2e-admin-password")
		l := startLoad(t, d.base, token, 4)

		for _, mode := range []string{"fast", "immediate"} {
			before503 := l.count(503)
			dbtest.WaitFor(t, 20*time.Second, "writes before the stop", func() bool { return l.count(201) > 3 })
			cluster.Halt(t, mode)
			dbtest.WaitFor(t, 20*time.Second, "a 503 while the database is down", func() bool { return l.count(503) > before503+3 })
			if code, _, body := call(t, "GET", d.base+"/healthz", token, nil); code != 200 {
				t.Fatalf("%s stop: /healthz %d %s", mode, code, body)
			}
			if code, hdr, body := call(t, "GET", d.base+"/readyz", "", nil); code != 503 || hdr.Get("Retry-After") == "" {
				t.Fatalf("%s stop: /readyz %d %s", mode, code, body)
			}
			code, hdr, body := call(t, "POST", d.base+"/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "e2e-admin-password"})
			if code != 503 || hdr.Get("Content-Type") != "application/problem+json" || hdr.Get("Retry-After") == "" {
				t.Fatalf("%s stop: login %d %v %s", mode, code, hdr, body)
			}
			cluster.Resume(t)
			up := time.Now()
			dbtest.WaitFor(t, 30*time.Second, "service back after the database", func() bool { return l.lastOK.Load() > up.UnixNano() })
			t.Logf("%s stop: first 2xx %v after the database was back", mode, time.Duration(l.lastOK.Load()-up.UnixNano()).Round(time.Millisecond))
		}
		l.end()
		for status, n := range l.statuses {
			if status != 200 && status != 201 && status != 503 {
				t.Errorf("%d answers with status %d", n, status)
			}
		}
		t.Logf("answers: %v", l.statuses)

		check, err := db.Open(context.Background(), db.Config{URL: url}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer check.Close()
		var offices, audited int
		must(t, check.SQL.QueryRow("SELECT COUNT(*) FROM offices").Scan(&offices))
		must(t, check.SQL.QueryRow("SELECT COUNT(*) FROM audit_events WHERE action = 'office.create'").Scan(&audited))
		for id := range l.acked {
			var n int
			check.SQL.QueryRow("SELECT COUNT(*) FROM offices WHERE id = $1", id).Scan(&n)
			if n != 1 {
				t.Errorf("acknowledged office %d is missing", id)
			}
		}
		if offices < len(l.acked) || audited != offices {
			t.Errorf("%d offices acknowledged, %d stored, %d create events in the audit log", len(l.acked), offices, audited)
		}
	})
}

// A database that stops answering (a paused proxy in front of it, as a
// frozen server): requests end at their deadline with 503, /healthz stays
// 200, service comes back when it answers again, and a shutdown while it is
// frozen still ends.
func TestDatabaseFrozen(t *testing.T) {
	postgresOnly(t, func(t *testing.T) {
		proxy, url := dbtest.ProxyURL(t, dbtest.NewPostgresDatabase(t))
		d := startDaftar(t, map[string]string{"DATABASE_URL": url, "DAFTAR_DATA_DIR": t.TempDir(),
			"DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "warn",
			"DAFTAR_REQUEST_TIMEOUT": "1s", "DAFTAR_SHUTDOWN_TIMEOUT": "2s", "DAFTAR_SESSION_CACHE": "0s"})
		waitHealthy(t, d.base)
		token := loginToken(t, d.base, "admin", "e2e-admin-password")
		proxy.Pause()
		type answer struct {
			what    string
			code    int
			ctype   string
			elapsed time.Duration
		}
		answers := make(chan answer, 8)
		requests := []struct {
			what, method, path, tok string
			body                    any
		}{
			{"list offices", "GET", "/api/v1/offices", token, nil},
			{"create office", "POST", "/api/v1/offices", token, map[string]any{"name": "دفتر", "city": "shiraz", "latitude": 29.61, "longitude": 52.53, "counters": 2, "services": []string{"criminal_record"}}},
			{"sign in", "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "e2e-admin-password"}},
			{"staff page", "GET", "/admin", token, nil},
			{"readiness", "GET", "/readyz", "", nil},
		}
		for _, r := range requests {
			go func() {
				start := time.Now()
				var body io.Reader
				if r.body != nil {
					b, _ := json.Marshal(r.body)
					body = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(r.method, d.base+r.path, body)
				req.Header.Set("Content-Type", "application/json")
				if r.tok != "" {
					req.Header.Set("Authorization", "Bearer "+r.tok)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					answers <- answer{what: r.what + ": " + err.Error(), elapsed: time.Since(start)}
					return
				}
				res.Body.Close()
				answers <- answer{r.what, res.StatusCode, res.Header.Get("Content-Type"), time.Since(start)}
			}()
		}
		for range requests {
			a := <-answers
			if a.code != 503 {
				t.Errorf("%s with the database frozen: %d, want 503", a.what, a.code)
			}
			t.Logf("%s: %d %s after %v", a.what, a.code, a.ctype, a.elapsed.Round(time.Millisecond))
		}
		if code, _, _ := call(t, "GET", d.base+"/healthz", token, nil); code != 200 {
			t.Fatalf("/healthz with the database frozen: %d", code)
		}
		proxy.Resume()
		back := time.Now()
		dbtest.WaitFor(t, 30*time.Second, "service back", func() bool {
			code, _, _ := call(t, "GET", d.base+"/api/v1/offices", token, nil)
			return code == 200
		})
		t.Logf("service back %v after the database answered again", time.Since(back).Round(time.Millisecond))

		proxy.Pause()
		go func() { // in flight at the stop
			req, _ := http.NewRequest("GET", d.base+"/api/v1/offices", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}()
		time.Sleep(100 * time.Millisecond)
		stopAt := time.Now()
		if code := d.stop(t); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		t.Logf("stopped %v after SIGTERM with the database frozen (budget 2s)", time.Since(stopAt).Round(time.Millisecond))
		proxy.Resume()
	})
}
