package api

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/gin-gonic/gin"
)

// Read replicas. Read-only work that may be a little behind the primary
// reads from a replica when there is one (internal/db routes it): the
// reports, the stored models (crowding of the regions, the demand model
// and its what-if), an office's crowding figures, the survey summaries, and
// every list. A person who has just changed something reads from the
// primary for a while (readYourWrites), so a list shows the office they
// just registered. Everything else, and every write, uses the primary.

// replicaRoutes are the GET routes besides the lists whose reads may come
// from a replica.
var replicaRoutes = map[string]bool{
	"/api/v1/reports/:file":               true,
	"/api/v1/crowding/regions":            true,
	"/api/v1/demand":                      true,
	"/api/v1/demand/:code/what-if":        true,
	"/api/v1/offices/:id/crowding":        true,
	"/api/v1/surveys/summary":             true,
	"/api/v1/offices/:id/surveys/summary": true,
}

// readsFromReplica reports whether a route's reads may come from a replica.
func readsFromReplica(r route) bool {
	if r.Method != http.MethodGet || r.Page {
		return false
	}
	if replicaRoutes[r.Path] {
		return true
	}
	if r.Doc.Response == nil {
		return false
	}
	return strings.HasPrefix(reflect.TypeOf(r.Doc.Response).Name(), "ListResponse[")
}

// recentWrites remembers who changed something lately, for
// read-your-own-writes (in this process; behind a load balancer, keep a
// person's requests on one replica or accept the lag).
type recentWrites struct {
	mu     sync.Mutex
	window time.Duration
	at     map[string]time.Time
}

func newRecentWrites(window time.Duration) *recentWrites {
	return &recentWrites{window: window, at: map[string]time.Time{}}
}

func actorKey(c *gin.Context) string {
	a, ok := daftar.ActorFrom(c.Request.Context())
	if !ok || a.UserID == 0 {
		return ""
	}
	return a.Username
}

func (w *recentWrites) note(key string, now time.Time) {
	if key == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.at[key] = now
	if len(w.at) > 10_000 {
		for k, t := range w.at {
			if now.Sub(t) > w.window {
				delete(w.at, k)
			}
		}
	}
}

func (w *recentWrites) recent(key string, now time.Time) bool {
	if key == "" {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.at[key]
	return ok && now.Sub(t) <= w.window
}

// routeReads marks the request's reads as read-only work when the route
// allows it and the caller has not just written, and notes a caller's
// successful writes.
func (s *Server) routeReads(r route) gin.HandlerFunc {
	replica := readsFromReplica(r)
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	return func(c *gin.Context) {
		if !s.DB.HasReplicas() {
			c.Next()
			return
		}
		key := actorKey(c)
		if replica && !s.writes.recent(key, time.Now()) {
			c.Request = c.Request.WithContext(db.ReadOnly(c.Request.Context()))
		}
		c.Next()
		if write && c.Writer.Status() < 400 {
			s.writes.note(key, time.Now())
		}
	}
}

// replicaStatus is one read replica as /readyz shows it.
type replicaStatus struct {
	Name       string    `json:"name" doc:"the replica's address, without a password"`
	InUse      bool      `json:"in_use" doc:"reads go to it; false when it lags more than allowed, is unreachable or is no standby"`
	LagSeconds float64   `json:"lag_seconds" doc:"how far its data is behind the primary's"`
	LagBytes   int64     `json:"lag_bytes" doc:"WAL it had yet to replay"`
	Error      string    `json:"error,omitempty" doc:"why it is out of use"`
	CheckedAt  time.Time `json:"checked_at"`
}

func replicaStatuses(states []db.ReplicaState) []replicaStatus {
	if len(states) == 0 {
		return nil
	}
	out := make([]replicaStatus, len(states))
	for i, st := range states {
		out[i] = replicaStatus{Name: st.Name, InUse: st.InUse, LagSeconds: st.LagSeconds, LagBytes: st.LagBytes, Error: st.Error, CheckedAt: st.CheckedAt}
	}
	return out
}
