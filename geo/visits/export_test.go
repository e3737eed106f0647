package visits

// What the package's external tests (which simulate visits with
// cmd/daftar/demo, itself built on this package) share with its own.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/db"
)

// Env is the tests' environment; NewEnv makes one; VNow is their present.
type Env = vEnv

var (
	NewEnv = newVEnv
	VNow   = vNow
	RelErr = relErr
)

// WholeMonths reports whether a range is read partly from the month
// rollups, and from how many runs of edge days.
func WholeMonths(r CrowdingRange) (bool, int) {
	p := planRange(r)
	return p.monthTo > p.monthFrom, len(p.edges)
}

// VisitCols and VisitRow are the columns and values of a stored visit.
var VisitCols = visitCols

func VisitRow(v Visit) []any { return v.values() }

// VisitInputs turns simulated visits into batch items.
func VisitInputs(vs []Visit) []Input {
	out := make([]Input, len(vs))
	f := func(u int64) string {
		if u == 0 {
			return ""
		}
		return time.Unix(u, 0).UTC().Format(time.RFC3339)
	}
	for i, v := range vs {
		out[i] = Input{Ticket: v.Ticket, Service: v.Service, ArrivedAt: f(v.Arrived), CalledAt: f(v.Called),
			FinishedAt: f(v.Finished), Outcome: v.Outcome, Channel: v.Channel}
		if v.Counter > 0 {
			out[i].Counter = strconv.Itoa(v.Counter)
		}
	}
	return out
}

// VisitsCSV writes visits as an import file.
func VisitsCSV(code string, vs []Visit) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"office", "ticket", "service", "arrived_at", "called_at", "finished_at", "outcome", "counter", "channel"})
	for _, in := range VisitInputs(vs) {
		w.Write([]string{code, in.Ticket, in.Service, in.ArrivedAt, in.CalledAt, in.FinishedAt, in.Outcome, in.Counter, in.Channel})
	}
	w.Flush()
	return b.Bytes()
}

// Exact holds the raw values of one group.
type Exact struct {
	Arrivals, served, noShows, cancelled, referred int64
	waits, services                                []int64
}

func (x *Exact) Add(v Visit) {
	x.Arrivals++
	switch v.Outcome {
	case OutcomeServed:
		x.served++
	case OutcomeNoShow:
		x.noShows++
	case OutcomeCancelled:
		x.cancelled++
	case OutcomeReferred:
		x.referred++
	}
	if (v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred) && v.Called > 0 {
		x.waits = append(x.waits, v.Called-v.Arrived)
		if v.Finished > 0 {
			x.services = append(x.services, v.Finished-v.Called)
		}
	}
}

// Check compares figures read from the rollups with the exact values.
func (x *Exact) Check(t *testing.T, what string, f Figures, target int64) {
	t.Helper()
	if f.Arrivals != x.Arrivals || f.Served != x.served || f.NoShows != x.noShows || f.Cancelled != x.cancelled || f.Referred != x.referred {
		t.Fatalf("%s: counts %d/%d/%d/%d/%d, exact %d/%d/%d/%d/%d", what, f.Arrivals, f.Served, f.NoShows, f.Cancelled, f.Referred,
			x.Arrivals, x.served, x.noShows, x.cancelled, x.referred)
	}
	if len(x.waits) == 0 {
		if f.WaitP90 != nil {
			t.Fatalf("%s: a p90 without waits", what)
		}
		return
	}
	w := slices.Clone(x.waits)
	slices.Sort(w)
	for _, c := range []struct {
		name string
		got  *float64
		q    float64
	}{{"p50", f.WaitP50, 0.5}, {"p90", f.WaitP90, 0.9}, {"p95", f.WaitP95, 0.95}} {
		want := exactPercentile(w, c.q) / 60
		if c.got == nil || relErr(*c.got, want) > SketchRelativeError+1e-12 {
			t.Fatalf("%s: wait %s %v, exact %v", what, c.name, deref(c.got), want)
		}
	}
	if *f.WaitMax != float64(w[len(w)-1])/60 {
		t.Fatalf("%s: wait max %v, exact %v", what, *f.WaitMax, float64(w[len(w)-1])/60)
	}
	var sum int64
	over, near := 0, 0
	for _, v := range w {
		sum += v
		if v > target {
			over++
		}
		if sketchBin(v) == sketchBin(target) {
			near++
		}
	}
	if math.Abs(*f.WaitMean-float64(sum)/float64(len(w))/60) > 1e-9 {
		t.Fatalf("%s: wait mean %v", what, *f.WaitMean)
	}
	if math.Abs(*f.OverTargetShare*float64(len(w))-float64(over)) > float64(near)+1e-9 {
		t.Fatalf("%s: over target %v of %d, exact %d", what, *f.OverTargetShare, len(w), over)
	}
	if len(x.services) > 0 {
		s := slices.Clone(x.services)
		slices.Sort(s)
		if want := exactPercentile(s, 0.9) / 60; relErr(*f.ServiceP90, want) > SketchRelativeError+1e-12 {
			t.Fatalf("%s: service p90 %v, exact %v", what, *f.ServiceP90, want)
		}
	}
}

// Get is m[k], made on first use.
func Get[K comparable](m map[K]*Exact, k K) *Exact {
	x := m[k]
	if x == nil {
		x = &Exact{}
		m[k] = x
	}
	return x
}

// RollupSnapshot renders every rollup row, for comparison.
func RollupSnapshot(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT office_id, day_at, weekday, " + statsSelect + " FROM crowding_days ORDER BY office_id, day_at",
		"SELECT office_id, month_at, -1, " + statsSelect + " FROM crowding_months ORDER BY office_id, month_at",
	} {
		err := d.Query(t.Context(), q, nil, func(scan func(...any) error) error {
			var r rollupRow
			if err := scan(append([]any{&r.OfficeID, &r.At, &r.Weekday}, r.scanTargets()...)...); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%+v", r))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
