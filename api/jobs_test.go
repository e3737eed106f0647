package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/internal/jobs"
)

// testJobs are the harness's scheduled jobs: a cluster job that counts its
// runs, a local refresh, and a cluster job that runs until released.
type testJobs struct {
	rollups atomic.Int32
	release chan struct{}
	once    sync.Once
}

func (j *testJobs) unblock() { j.once.Do(func() { close(j.release) }) }

func (h *harness) newJobs(d *db.DB, log *slog.Logger) *jobs.Scheduler {
	tj := &testJobs{release: make(chan struct{})}
	h.jobs = tj
	s := jobs.New(d, log, h.clock, "replica-a")
	for _, j := range []jobs.Job{
		{Name: "rollups", Spec: "40 2 * * *", Kind: jobs.Cluster, Run: func(context.Context) error { tj.rollups.Add(1); return nil }},
		{Name: "profiles", Spec: "7 * * * *", Kind: jobs.Local, Run: func(context.Context) error { return nil }},
		{Name: "slow", Spec: "30 1 * * *", Kind: jobs.Cluster, Run: func(ctx context.Context) error {
			select {
			case <-tj.release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
	} {
		if err := s.Register(j); err != nil {
			h.t.Fatal(err)
		}
	}
	h.t.Cleanup(func() {
		tj.unblock()
		s.Stop(context.Background())
	})
	return s
}

type jobRun struct {
	ID          int64
	Job         string
	Instance    string
	RequestedBy string `json:"requested_by"`
	Status      string
	Firing      *string
	Detail      string
}

type jobItem struct {
	Name     string
	Kind     string
	Schedule string
	NextAt   time.Time `json:"next_at"`
	Runs     []jobRun
}

// The jobs list says each job's kind, schedule and next firing; a run on
// demand answers 202 at once and its outcome shows in the list; a job
// running already answers 409; an unknown job 404; bad input 400.
func TestJobsRoutes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		admin := h.tokens[daftar.RoleAdmin]
		list := decode[struct {
			Items []jobItem
			Total int
		}](t, h.do("GET", "/api/v1/jobs", admin, nil))
		kinds := map[string]string{}
		for _, j := range list.Items {
			kinds[j.Name] = j.Kind
			if j.NextAt.Before(h.clock.Now()) || j.Schedule == "" || j.Runs == nil {
				t.Errorf("job %+v", j)
			}
		}
		if list.Total != 3 || kinds["rollups"] != "cluster" || kinds["profiles"] != "local" {
			t.Fatalf("jobs: %+v", list)
		}

		res := h.do("POST", "/api/v1/jobs/rollups/run", admin, nil)
		if res.Code != http.StatusAccepted {
			t.Fatalf("run rollups: %d %s", res.Code, res.Body)
		}
		run := decode[jobRun](t, res)
		if run.Status != "running" || run.RequestedBy != "admin-user" || run.Instance != "replica-a" || run.Firing == nil {
			t.Fatalf("claimed run: %+v", run)
		}
		dbtest.WaitFor(t, 10*time.Second, "the run's outcome in the list", func() bool {
			l := decode[struct{ Items []jobItem }](t, h.do("GET", "/api/v1/jobs?runs=1", admin, nil))
			for _, j := range l.Items {
				if j.Name == "rollups" && len(j.Runs) == 1 && j.Runs[0].ID == run.ID && j.Runs[0].Status == "ok" {
					return true
				}
			}
			return false
		})
		if h.jobs.rollups.Load() != 1 {
			t.Fatalf("rollups ran %d times", h.jobs.rollups.Load())
		}

		if res := h.do("POST", "/api/v1/jobs/slow/run", admin, nil); res.Code != http.StatusAccepted {
			t.Fatalf("run slow: %d %s", res.Code, res.Body)
		}
		res = h.do("POST", "/api/v1/jobs/slow/run", admin, nil)
		if p := problemOf(t, res); res.Code != http.StatusConflict || p.Code != "job_running" {
			t.Fatalf("slow again while it runs: %d %+v", res.Code, p)
		}
		h.jobs.unblock()

		res = h.do("POST", "/api/v1/jobs/no-such-job/run", admin, nil)
		if p := problemOf(t, res); res.Code != http.StatusNotFound || p.Code != "job_not_found" {
			t.Fatalf("unknown job: %d %+v", res.Code, p)
		}
		res = h.do("GET", "/api/v1/jobs?runs=99", admin, nil)
		if p := problemOf(t, res); res.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "runs" {
			t.Fatalf("runs=99: %d %+v", res.Code, p)
		}
		if res := h.do("POST", "/api/v1/jobs/rollups/run", h.tokens[daftar.RoleMinistry], nil); res.Code != http.StatusForbidden {
			t.Fatalf("ministry runs a job: %d", res.Code)
		}
	})
}
