package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ANSI escape sequences, used only on a terminal.
const (
	clearLine = "\r\x1b[K"
	reset     = "\x1b[0m"
	bold      = "\x1b[1m"
	dim       = "\x1b[2m"
	red       = "\x1b[31m"
	green     = "\x1b[32m"
	yellow    = "\x1b[33m"
	cyan      = "\x1b[36m"
)

// Renderer writes events as lines. It is safe for concurrent use.
type Renderer struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
	// open is true while a transient line (no newline yet) is on a terminal.
	open bool
}

// NewRenderer returns a renderer writing to w. Times are shown relative to start. With tty set,
// the line of the state in progress (entered, waiting, retry) is redrawn in place and colours
// are used; otherwise every event is one plain line.
func NewRenderer(w io.Writer, tty bool, start time.Time) *Renderer {
	return &Renderer{w: w, tty: tty, start: start, last: start}
}

// Event writes one event.
func (r *Renderer) Event(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Time.After(r.last) {
		r.last = e.Time
	}
	fields := []string{r.elapsed(e.Time), e.State, e.Type}
	if !r.tty {
		r.plain(fields, e.Detail)
		return
	}
	fields[0] = dim + fields[0] + reset
	fields[1] = bold + e.State + reset
	fields[2] = colour(e.Type) + e.Type + reset
	line := clearLine + join(fields, e.Detail)
	if transient(e.Type) {
		fmt.Fprint(r.w, line)
		r.open = true
		return
	}
	fmt.Fprintln(r.w, line)
	r.open = false
}

// Done writes the end of the execution: its status and, when it failed, the error name and the
// cause as readable text (the errorMessage of a Lambda error's JSON cause), indented.
func (r *Renderer) Done(status, errName, cause string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.elapsed(r.last)
	fields := []string{at, status}
	if errName != "" {
		fields = append(fields, errName)
	}
	var b strings.Builder
	if r.tty {
		if r.open {
			b.WriteString(clearLine)
		}
		c := green
		if status != "SUCCEEDED" {
			c = red
		}
		fields[0] = dim + at + reset
		fields[1] = bold + c + status + reset
	}
	b.WriteString(join(fields, ""))
	b.WriteString("\n")
	if msg := CauseMessage(cause); msg != "" {
		for _, line := range strings.Split(msg, "\n") {
			b.WriteString("  ")
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	fmt.Fprint(r.w, b.String())
	r.open = false
}

func (r *Renderer) plain(fields []string, detail string) {
	fmt.Fprintln(r.w, join(fields, detail))
}

// elapsed formats t as +HH:MM:SS after the start (never negative).
func (r *Renderer) elapsed(t time.Time) string {
	d := t.Sub(r.start)
	if d < 0 || t.IsZero() {
		d = 0
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("+%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func join(fields []string, detail string) string {
	if detail != "" {
		fields = append(fields, detail)
	}
	return strings.Join(fields, "  ")
}

func transient(typ string) bool {
	return typ == Entered || typ == Waiting || typ == Retry
}

func colour(typ string) string {
	switch typ {
	case Succeeded:
		return green
	case Failed:
		return red
	case Retry:
		return yellow
	}
	return cyan
}

// Summary ends the progress with one line of counts: the state transitions, the (estimated)
// history events and the simulated time of the execution, e.g.
// "21 state transitions, 65 history events, simulated 00:03:02".
func (r *Renderer) Summary(transitions, historyEvents int, simulated time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := int(simulated.Round(time.Second) / time.Second)
	fmt.Fprintf(r.w, "%d state transitions, %d history events, simulated %02d:%02d:%02d\n",
		transitions, historyEvents, s/3600, s/60%60, s%60)
}
