package mix

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
)

// visitItem is one visit of a batch, with the fixed wire names of the
// visits API.
type visitItem struct {
	Ticket     string `json:"ticket"`
	Service    string `json:"service"`
	ArrivedAt  string `json:"arrived_at"`
	CalledAt   string `json:"called_at,omitempty"`
	FinishedAt string `json:"finished_at,omitempty"`
	Outcome    string `json:"outcome"`
	Counter    string `json:"counter,omitempty"`
	Channel    string `json:"channel"`
	Mobile     string `json:"mobile,omitempty"`
}

type visitBatch struct {
	Visits []visitItem `json:"visits"`
}

// visitBatch builds a batch of visits of office o, all within the last day
// and finished at least half an hour ago (the server refuses times in the
// future). Tickets carry the run's id and the request's sequence number, so
// every visit of a run is new to the server.
func (m *Mix) visitBatch(o Office, seq int64, r *rand.Rand) ([]byte, error) {
	now := m.opt.Now()
	b := visitBatch{Visits: make([]visitItem, m.opt.Batch)}
	tehran := daftar.Tehran()
	for k := range b.Visits {
		// Arrived 2 to 23 hours ago; waited up to 45 minutes; served in 5
		// to 25: finished by 50 minutes ago at the latest.
		arrived := now.Add(-2*time.Hour - time.Duration(r.Int64N(int64(21*time.Hour)))).Truncate(time.Second)
		called := arrived.Add(time.Duration(r.Int64N(int64(45 * time.Minute))))
		finished := called.Add(5*time.Minute + time.Duration(r.Int64N(int64(20*time.Minute))))
		v := visitItem{
			Ticket:    "lt-" + m.opt.RunID + "-" + strconv.FormatInt(seq, 10) + "-" + strconv.Itoa(k),
			Service:   o.Services[r.IntN(len(o.Services))],
			ArrivedAt: arrived.In(tehran).Format(time.RFC3339),
			Channel:   "walk_in",
		}
		if r.IntN(5) == 0 {
			v.Channel = "appointment"
		}
		switch p := r.IntN(100); {
		case p < 6:
			v.Outcome = "no_show"
		case p < 8:
			v.Outcome = "cancelled"
		case p < 10:
			v.Outcome = "referred"
		default:
			v.Outcome = "served"
		}
		if v.Outcome == "served" || v.Outcome == "referred" {
			v.CalledAt = called.In(tehran).Format(time.RFC3339)
			v.FinishedAt = finished.In(tehran).Format(time.RFC3339)
			v.Counter = strconv.Itoa(1 + r.IntN(o.Counters))
		}
		if r.Float64() < m.opt.MobileShare {
			v.Mobile = fmt.Sprintf("09%09d", r.IntN(1_000_000_000))
		}
		b.Visits[k] = v
	}
	return json.Marshal(b)
}

// visitsAnswer is the part of the batch answer the check reads.
type visitsAnswer struct {
	Accepted   *int `json:"accepted"`
	Duplicates int  `json:"duplicates"`
	Refused    int  `json:"refused"`
	Results    []struct {
		Status string  `json:"status"`
		Reason *string `json:"reason"`
	} `json:"results"`
}

// checkVisits fails a batch unless every visit was accepted: a 200 with
// refused visits is a broken load, not a fast server.
func (m *Mix) checkVisits(body []byte) error {
	var a visitsAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Accepted == nil {
		m.notes.Add("visits: the answer is not a batch result")
		return fmt.Errorf("not a batch result")
	}
	if *a.Accepted == m.opt.Batch {
		return nil
	}
	reason := ""
	for _, r := range a.Results {
		if r.Status != "accepted" && r.Reason != nil {
			reason = ": " + *r.Reason
			break
		}
	}
	msg := fmt.Sprintf("visits: %d of %d accepted, %d duplicates, %d refused%s", *a.Accepted, m.opt.Batch, a.Duplicates, a.Refused, reason)
	m.notes.Add(msg)
	return fmt.Errorf("%s", msg)
}

// Notes keeps the first few distinct problems seen during a run, to print
// at the end (a count alone does not say why).
type Notes struct {
	mu   sync.Mutex
	seen map[string]int
	list []string
}

const maxNotes = 5

func (n *Notes) Add(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]int{}
	}
	if _, ok := n.seen[msg]; !ok && len(n.list) < maxNotes {
		n.list = append(n.list, msg)
	}
	n.seen[msg]++
}

// List returns the notes with how often each was seen.
func (n *Notes) List() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, len(n.list))
	for i, m := range n.list {
		out[i] = fmt.Sprintf("%s (%d times)", m, n.seen[m])
	}
	return out
}
