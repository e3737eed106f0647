package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
)

// events records what the fakes were asked to do, in order.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(format string, a ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, fmt.Sprintf(format, a...))
}

func (e *events) index(prefix string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, s := range e.list {
		if strings.HasPrefix(s, prefix) {
			return i
		}
	}
	return -1
}

// fakeServer finishes its requests in time, or (busy) only when the drain
// context ends, so it must be cut off.
type fakeServer struct {
	ev   *events
	busy bool
}

func (f fakeServer) Shutdown(ctx context.Context) error {
	d, _ := ctx.Deadline()
	f.ev.add("http.shutdown deadline=%s", d.Format(time.RFC3339Nano))
	if f.busy {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f fakeServer) Close() error { f.ev.add("http.close"); return nil }

type fakeJobs struct {
	ev      *events
	running []string
}

func (f fakeJobs) Stop(ctx context.Context) []string {
	d, _ := ctx.Deadline()
	f.ev.add("jobs.stop deadline=%s", d.Format(time.RFC3339Nano))
	if len(f.running) > 0 {
		<-ctx.Done()
	}
	return f.running
}

func (f fakeJobs) Wait(ctx context.Context) error {
	d, _ := ctx.Deadline()
	f.ev.add("jobs.wait deadline=%s", d.Format(time.RFC3339Nano))
	return nil
}

// The budget is passed down whole: requests and jobs drain together until
// the drain deadline, the cut-off work returns and the database closes by
// the end of the budget, in that order; "cut off" is said only of what was.
func TestShutdownSequence(t *testing.T) {
	cases := []struct {
		name         string
		budget       time.Duration
		busyHTTP     bool
		runningJobs  []string
		wantRequests bool
	}{
		{name: "idle", budget: 30 * time.Second},
		{name: "idle, short budget", budget: 2 * time.Second},
		{name: "a request outlasts the drain", budget: 300 * time.Millisecond, busyHTTP: true, wantRequests: true},
		{name: "a job outlasts the drain", budget: 300 * time.Millisecond, runningJobs: []string{"ranking-draft"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := &events{}
			var logs bytes.Buffer
			// The clock reads the real time once, so the deadlines are
			// exact and the contexts (which use the real time) agree.
			clock := daftar.NewManualClock(time.Now())
			start := clock.Now()
			sd := shutdown{budget: c.budget, clock: clock, log: slog.New(slog.NewTextHandler(&logs, nil)),
				servers: []httpStopper{fakeServer{ev: ev, busy: c.busyHTTP}}, jobs: fakeJobs{ev: ev, running: c.runningJobs},
				closeDB: func() error { ev.add("db.close"); return nil }}
			rep := sd.run()

			drain := start.Add(shutdownPlan(c.budget)).Format(time.RFC3339Nano)
			hard := start.Add(c.budget).Format(time.RFC3339Nano)
			for _, want := range []string{"http.shutdown deadline=" + drain, "jobs.stop deadline=" + drain, "jobs.wait deadline=" + hard, "db.close"} {
				if ev.index(want) < 0 {
					t.Fatalf("no %q in %v", want, ev.list)
				}
			}
			if shutdownPlan(c.budget) >= c.budget || shutdownPlan(c.budget) < c.budget*3/4 {
				t.Fatalf("drain %v of a %v budget", shutdownPlan(c.budget), c.budget)
			}
			order := []int{ev.index("http.shutdown"), ev.index("jobs.wait"), ev.index("db.close")}
			if ev.index("jobs.stop") > order[1] || order[0] > order[1] || order[1] > order[2] {
				t.Fatalf("out of order: %v", ev.list)
			}
			if (ev.index("http.close") >= 0) != c.wantRequests || rep.RequestsCutOff != c.wantRequests {
				t.Fatalf("requests cut off %v (closed: %v), want %v", rep.RequestsCutOff, ev.index("http.close") >= 0, c.wantRequests)
			}
			out := logs.String()
			if strings.Contains(out, "requests cut off") != c.wantRequests {
				t.Errorf("log says requests cut off: %v, want %v:\n%s", strings.Contains(out, "requests cut off"), c.wantRequests, out)
			}
			if strings.Contains(out, "jobs cut off") != (len(c.runningJobs) > 0) || (len(c.runningJobs) > 0 && !strings.Contains(out, c.runningJobs[0])) {
				t.Errorf("log about jobs, with %v running:\n%s", c.runningJobs, out)
			}
			if !strings.Contains(out, "msg=stopped") || strings.Index(out, "database closed") > strings.Index(out, "msg=stopped") {
				t.Errorf("the log does not end with the database closed, then stopped:\n%s", out)
			}
		})
	}
}

// A database that does not close within the budget does not hold the exit.
func TestShutdownDoesNotWaitPastBudget(t *testing.T) {
	var logs bytes.Buffer
	ev := &events{}
	stuck := make(chan struct{})
	defer close(stuck)
	sd := shutdown{budget: 100 * time.Millisecond, clock: daftar.SystemClock{}, log: slog.New(slog.NewTextHandler(&logs, nil)),
		servers: []httpStopper{fakeServer{ev: ev}}, jobs: fakeJobs{ev: ev},
		closeDB: func() error { <-stuck; return errors.New("never") }}
	rep := sd.run()
	if len(rep.Late) != 1 || rep.Late[0] != "database" || !strings.Contains(logs.String(), "budget spent") {
		t.Fatalf("report %+v, log:\n%s", rep, logs.String())
	}
}

// logLines returns the messages of the server's JSON log, in order; call
// it once run has returned (nothing writes the log then).
func logLines(t *testing.T, s *started) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if _, rest, ok := strings.Cut(line, `"msg":"`); ok {
			msg, _, _ := strings.Cut(rest, `"`)
			out = append(out, msg)
		}
	}
	return out
}

func indexOf(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

// Through run(): an idle SIGTERM stops with nothing cut off; one with an
// upload stalled in flight cuts the request off within the budget, says
// so (and says nothing of jobs, none ran), and closes the database last.
func TestShutdownThroughRun(t *testing.T) {
	env := func() map[string]string {
		return map[string]string{"DAFTAR_DATA_DIR": t.TempDir(), "DAFTAR_ADMIN_PASSWORD": "e2e-admin-password", "LOG_LEVEL": "info"}
	}
	t.Run("idle", func(t *testing.T) {
		d := startDaftar(t, env())
		waitHealthy(t, d.base)
		if code := d.stop(t); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		lines := logLines(t, d)
		for _, want := range []string{"shutting down", "database closed", "stopped"} {
			if indexOf(lines, want) < 0 {
				t.Fatalf("no %q in the log: %v", want, lines)
			}
		}
		if indexOf(lines, "shutdown: requests cut off") >= 0 || indexOf(lines, "shutdown: jobs cut off") >= 0 {
			t.Fatalf("an idle shutdown cut something off: %v", lines)
		}
	})
	t.Run("stalled upload", func(t *testing.T) {
		e := env()
		e["DAFTAR_SHUTDOWN_TIMEOUT"] = "1s"
		d := startDaftar(t, e)
		waitHealthy(t, d.base)
		code, _, body := call(t, "POST", d.base+"/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "e2e-admin-password"})
		if code != 200 {
			t.Fatalf("login %d %s", code, body)
		}
		var login struct{ Token string }
		json.Unmarshal(body, &login)
		// An upload that promises 100 kB and sends 1 kB, then stalls.
		conn, err := net.Dial("tcp", strings.TrimPrefix(d.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/exam-imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n", login.Token)
		fmt.Fprintf(conn, "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n%s", strings.Repeat("x", 1000))
		// The server has the request once it answers another one after it.
		waitHealthy(t, d.base)
		if code := d.stop(t); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		lines := logLines(t, d)
		order := []int{indexOf(lines, "shutting down"), indexOf(lines, "shutdown: requests cut off"), indexOf(lines, "database closed"), indexOf(lines, "stopped")}
		for i, at := range order {
			if at < 0 || (i > 0 && at < order[i-1]) {
				t.Fatalf("log out of order or missing (%v): %v", order, lines)
			}
		}
		if indexOf(lines, "shutdown: jobs cut off") >= 0 {
			t.Fatalf("jobs said to be cut off though none ran: %v", lines)
		}
		// The stalled client's connection was closed.
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(conn); err != nil {
			t.Fatalf("the stalled connection was not closed: %v", err)
		}
	})
}
