package ranking_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
)

// counts is a complaints and corrective-actions source whose figures a
// test changes between runs (cases decided late).
type counts struct {
	mu      sync.Mutex
	upheld  map[int64]int
	overdue map[int64]int
}

func (c *counts) UpheldByOffice(context.Context, time.Time, time.Time) (map[int64]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int64]int{}
	for k, v := range c.upheld {
		out[k] = v
	}
	return out, nil
}

func (c *counts) OverdueByOffice(context.Context, time.Time) (map[int64]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int64]int{}
	for k, v := range c.overdue {
		out[k] = v
	}
	return out, nil
}

func (c *counts) set(office int64, upheld, overdue int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.upheld[office], c.overdue[office] = upheld, overdue
}

// Directive v2's compliance reads upheld complaints per 1,000 visits and
// overdue corrective actions through the sources the ranking declares; the
// run stores what it read, so a complaint decided upheld after publishing
// leaves the run reproducing and its results untouched, and shows as
// drift. Under version 1, and without the sources, nothing is read.
func TestComplaintsFeedCompliance(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		src := &counts{upheld: map[int64]int{}, overdue: map[int64]int{}}
		e := newLiveEnv(t, d, 6, func(s *ranking.Sources) { s.Complaints, s.Actions = src, src })
		for _, m := range []string{"1405-07", "1405-08"} {
			e.fill(t, m)
		}
		src.set(e.offices[0], 2, 0)
		src.set(e.offices[1], 0, 1)
		mehr := e.publish(t, "1405-07") // version 1: compliance reads neither
		aban := e.publish(t, "1405-08")
		if mehr.DirectiveVersion != 1 || aban.DirectiveVersion != 2 {
			t.Fatalf("directives %d, %d", mehr.DirectiveVersion, aban.DirectiveVersion)
		}
		compliance := func(runID, office int64) ranking.Component {
			rs, _, err := e.svc.Results(e.ctx, runID, ranking.ResultFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.OfficeID == office {
					for _, c := range r.Components {
						if c.Criterion == ranking.CritCompliance {
							return c
						}
					}
				}
			}
			t.Fatalf("no compliance for office %d", office)
			return ranking.Component{}
		}
		// 24 visits a month (fill), counted as at least 100: 2 upheld are
		// 20 per 1,000 visits, 10 points each, so 200 points off: raw 0.
		// One overdue action: 10 points off.
		for _, c := range []struct {
			run, office int64
			raw         float64
			note        string
		}{
			{mehr.ID, e.offices[0], 100, ""}, {mehr.ID, e.offices[1], 100, ""},
			{aban.ID, e.offices[0], 0, "upheld complaint"}, {aban.ID, e.offices[1], 90, "corrective action"}, {aban.ID, e.offices[2], 100, ""},
		} {
			got := compliance(c.run, c.office)
			if got.Raw == nil || math.Abs(*got.Raw-c.raw) > 1e-9 || (c.note != "" && !strings.Contains(got.Note, c.note)) ||
				strings.Contains(got.Note, "not available") {
				t.Errorf("run %d office %d: compliance %+v (raw %v), want raw %v noting %q", c.run, c.office, got, got.Raw, c.raw, c.note)
			}
		}
		// A complaint against office 2 decided upheld after publishing.
		src.set(e.offices[2], 1, 0)
		before := resultsJSON(t, e, aban.ID)
		v, err := e.svc.Verify(e.ctx, aban.ID)
		if err != nil || !v.Reproduced {
			t.Fatalf("verify after a late decision: %+v %v", v.Reproduce, err)
		}
		if !v.Drift.Changed || v.Drift.Totals.Complaints != 1 || len(v.Drift.Offices) == 0 {
			t.Fatalf("drift %+v", v.Drift.Totals)
		}
		found := false
		for _, o := range v.Drift.Offices {
			if o.OfficeID == e.offices[2] {
				found = len(o.Causes) == 1 && o.Causes[0] == ranking.CauseComplaints && o.Inputs[0].Input == "upheld_complaints"
			}
		}
		if !found {
			t.Errorf("office 2 not drifting by its complaint: %+v", v.Drift.Offices)
		}
		if after := resultsJSON(t, e, aban.ID); after != before {
			t.Error("a late decision changed the published results")
		}
		if mv, _ := e.svc.Verify(e.ctx, mehr.ID); !mv.Reproduced || mv.Drift.Changed {
			t.Errorf("version 1's run drifted on complaints it never reads: %+v", mv.Drift.Totals)
		}
	})
}

// Without the sources, version 2's compliance reads complaints and actions
// as zero and says so.
func TestComplaintsMissing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLiveEnv(t, d, 4)
		e.fill(t, "1405-08")
		run := e.publish(t, "1405-08")
		rs, _, _ := e.svc.Results(e.ctx, run.ID, ranking.ResultFilter{Limit: 10})
		for _, c := range rs[0].Components {
			if c.Criterion == ranking.CritCompliance && !strings.Contains(c.Note, "upheld complaints not available") {
				t.Errorf("compliance note %q", c.Note)
			}
		}
	})
}
