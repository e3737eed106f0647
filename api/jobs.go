package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/jobs"
	"github.com/gin-gonic/gin"
)

type jobResponse struct {
	Name           string           `json:"name"`
	Kind           string           `json:"kind" doc:"cluster: once per firing across all replicas; local: a refresh of each replica's memory, on every replica"`
	Schedule       string           `json:"schedule" doc:"cron schedule in Tehran time (a sixth, first field is seconds)"`
	TimeoutSeconds int              `json:"timeout_seconds"`
	NextAt         time.Time        `json:"next_at" doc:"the next scheduled firing"`
	NextAtJalali   string           `json:"next_at_jalali"`
	Runs           []jobRunResponse `json:"runs" doc:"the latest runs, newest first"`
}

type jobRunResponse struct {
	ID                int64      `json:"id"`
	Job               string     `json:"job"`
	Kind              string     `json:"kind"`
	Firing            *string    `json:"firing" doc:"what a cluster run claimed: its scheduled time, or manual:... for a run on demand; null for a local refresh"`
	ScheduledAt       *time.Time `json:"scheduled_at" doc:"null for a run on demand"`
	ScheduledAtJalali *string    `json:"scheduled_at_jalali"`
	Instance          string     `json:"instance" doc:"the replica that ran it"`
	RequestedBy       string     `json:"requested_by" doc:"who asked for a run on demand; empty for a scheduled one"`
	StartedAt         time.Time  `json:"started_at"`
	StartedAtJalali   string     `json:"started_at_jalali"`
	FinishedAt        *time.Time `json:"finished_at"`
	FinishedAtJalali  *string    `json:"finished_at_jalali"`
	Status            string     `json:"status" doc:"running, ok, failed or skipped"`
	Detail            string     `json:"detail" doc:"why it was skipped, or the first line of its error"`
}

var jobsQuery = []param{{Name: "runs", Type: "integer", Description: "latest runs shown per job, 0 to 50 (default 5)"}}

func jobRunResponseOf(r jobs.Run) jobRunResponse {
	detail, _, _ := strings.Cut(r.Detail, "\n") // a panic's stack stays in the log
	return jobRunResponse{ID: r.ID, Job: r.Job, Kind: string(r.Kind), Firing: r.Firing, ScheduledAt: utcPtr(r.ScheduledAt),
		ScheduledAtJalali: jalaliPtr(r.ScheduledAt), Instance: r.Instance, RequestedBy: r.RequestedBy,
		StartedAt: utc(r.StartedAt), StartedAtJalali: jalali(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt),
		FinishedAtJalali: jalaliPtr(r.FinishedAt), Status: r.Status, Detail: detail}
}

func (s *Server) listJobs(c *gin.Context) (any, error) {
	q := s.query(c).strictly()
	runs := int(q.intOr("runs", 5, 0, 50))
	if err := q.err(); err != nil {
		return nil, err
	}
	list := s.Jobs.Jobs()
	out := make([]jobResponse, len(list))
	for i, j := range list {
		out[i] = jobResponse{Name: j.Name, Kind: string(j.Kind), Schedule: j.Spec, TimeoutSeconds: int(j.Timeout.Seconds()),
			NextAt: utc(j.Next), NextAtJalali: jalali(j.Next), Runs: []jobRunResponse{}}
		if runs == 0 {
			continue
		}
		recent, err := s.Jobs.Recent(c.Request.Context(), j.Name, runs)
		if err != nil {
			return nil, err
		}
		for _, r := range recent {
			out[i].Runs = append(out[i].Runs, jobRunResponseOf(r))
		}
	}
	return listOf(out, Page{Page: 1, PageSize: max(len(out), 1)}, int64(len(out))), nil
}

// runJob starts a run on demand and answers at once: 202 with the claimed
// run (its outcome is in GET /api/v1/jobs later), or 409 while the job is
// running somewhere. A local refresh runs on the replica that took the
// request only.
func (s *Server) runJob(c *gin.Context) (any, error) {
	name := c.Param("name")
	if !s.Jobs.Has(name) {
		return nil, daftar.NotFound("job_not_found", "no such job")
	}
	r, err := s.Jobs.Trigger(c.Request.Context(), name)
	if err != nil {
		return nil, err
	}
	if r.Status == jobs.StatusSkipped {
		return nil, daftar.Conflict("job_running", fmt.Sprintf("%s was not started: %s", name, r.Detail)).With("run", jobRunResponseOf(r))
	}
	return reply{Status: http.StatusAccepted, Body: jobRunResponseOf(r)}, nil
}
