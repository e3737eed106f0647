package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the figures of a run, step by step.
type Report struct {
	Started     time.Time    `json:"started"`
	MaxInFlight int          `json:"max_in_flight"`
	TimeoutMS   float64      `json:"timeout_ms"`
	MaxWaitMS   float64      `json:"max_wait_ms"`
	Steps       []StepReport `json:"steps"`
}

// StepReport is one step: every endpoint that ran, and all of them together.
type StepReport struct {
	Step       int     `json:"step"` // from 1
	TargetRate float64 `json:"target_rate"`
	DurationS  float64 `json:"duration_s"`
	WarmupS    float64 `json:"warmup_s"`
	Endpoints  []Stats `json:"endpoints"`
	Total      Stats   `json:"total"`
}

// columns of the table and the Markdown: header and cell of one row.
var columns = []struct {
	head string
	cell func(Stats) string
}{
	{"target/s", func(s Stats) string { return num(s.TargetRate) }},
	{"sent", func(s Stats) string { return strconv.Itoa(s.Sent) }},
	{"ok", func(s Stats) string { return strconv.Itoa(s.OK) }},
	{"4xx", func(s Stats) string { return strconv.Itoa(s.HTTP4xx) }},
	{"5xx", func(s Stats) string { return strconv.Itoa(s.HTTP5xx) }},
	{"timeout", func(s Stats) string { return strconv.Itoa(s.Timeouts) }},
	{"other err", func(s Stats) string { return strconv.Itoa(s.HTTP3xx + s.NetErrors + s.CheckFails + s.NotBuilt) }},
	{"late", func(s Stats) string { return strconv.Itoa(s.Late) }},
	{"dropped", func(s Stats) string { return strconv.Itoa(s.Dropped) }},
	{"rate/s", func(s Stats) string { return num(s.Rate) }},
	{"ok/s", func(s Stats) string { return num(s.OKRate) }},
	{"p50 ms", func(s Stats) string { return msCell(s.Latency.P50, s.Latency.N) }},
	{"p95 ms", func(s Stats) string { return msCell(s.Latency.P95, s.Latency.N) }},
	{"p99 ms", func(s Stats) string { return msCell(s.Latency.P99, s.Latency.N) }},
	{"max ms", func(s Stats) string { return msCell(s.Latency.Max, s.Latency.N) }},
	{"svc p95 ms", func(s Stats) string { return msCell(s.Service.P95, s.Service.N) }},
}

// num formats a rate: whole numbers plainly, others with one decimal.
func num(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// msCell formats milliseconds with precision that suits their size.
func msCell(v float64, n int) string {
	switch {
	case n == 0:
		return "-"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 1000:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

// rows lists each step's endpoints and, when more than one ran, its total.
func (r Report) rows() [][]string {
	var out [][]string
	for _, s := range r.Steps {
		list := s.Endpoints
		if len(list) > 1 {
			list = append(list[:len(list):len(list)], s.Total)
		}
		for _, st := range list {
			row := []string{strconv.Itoa(s.Step), st.Endpoint}
			for _, c := range columns {
				row = append(row, c.cell(st))
			}
			out = append(out, row)
		}
	}
	return out
}

func headers() []string {
	h := []string{"step", "endpoint"}
	for _, c := range columns {
		h = append(h, c.head)
	}
	return h
}

// WriteTable writes the report as an aligned plain-text table.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(headers(), "\t")+"\t")
	for _, row := range r.rows() {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}

// WriteMarkdown writes the report as a Markdown table, with a line saying
// how it was run, ready for a page of docs.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Open-loop fixed-rate load from %s: at most %d requests in flight, %s timeout; latency from each request's scheduled start, percentiles over every request sent.\n\n",
		r.Started.Format(time.RFC3339), r.MaxInFlight, time.Duration(r.TimeoutMS*float64(time.Millisecond)))
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "- step %d: %s req/s for %s s (after %s s of warm-up)\n", s.Step, num(s.TargetRate), num(s.DurationS), num(s.WarmupS))
	}
	b.WriteString("\n| " + strings.Join(headers(), " | ") + " |\n|")
	for range headers() {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range r.rows() {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
