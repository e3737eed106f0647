// Package progress draws a one-line progress bar on a terminal for the
// command line's long jobs (imports, exports). On anything but a terminal it
// draws nothing, so logs and pipes stay clean.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar reports progress of a job of known or unknown size.
type Bar struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	total   int64 // 0: unknown
	done    int64
	unit    string
	started time.Time
	last    time.Time
	active  bool
}

// New returns a bar drawing on w when w is a terminal; total may be 0 when
// unknown (then it counts up).
func New(w io.Writer, label string, total int64, unit string) *Bar {
	b := &Bar{w: w, label: label, total: total, unit: unit, started: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b.active = true
	}
	return b
}

// Set records progress (the amount done so far).
func (b *Bar) Set(done int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = done
	if !b.active || time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	b.draw()
}

// Add records more progress.
func (b *Bar) Add(n int64) {
	b.mu.Lock()
	d := b.done + n
	b.mu.Unlock()
	b.Set(d)
}

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.active {
		return
	}
	if b.total > 0 {
		b.done = b.total
	}
	b.draw()
	fmt.Fprintln(b.w)
}

func (b *Bar) draw() {
	elapsed := time.Since(b.started).Truncate(time.Second)
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%s %d %s  %s ", b.label, b.done, b.unit, elapsed)
		return
	}
	const width = 30
	frac := float64(b.done) / float64(b.total)
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	fmt.Fprintf(b.w, "\r%s [%s%s] %3.0f%%  %d/%d %s  %s ", b.label, strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), frac*100, b.done, b.total, b.unit, elapsed)
}
