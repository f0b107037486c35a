package waitloop

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

var (
	t0     = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	policy = workflow.PollPolicy{Stage: "the things", Initial: 10 * time.Second, Max: time.Minute, Factor: 2, Timeout: 5 * time.Minute}
	loop   = Loop{Stage: "things", Policy: policy}
)

func TestBegin(t *testing.T) {
	earlier := workflow.StageTiming{Stage: "crawl", StartedAt: t0.Add(-time.Hour), EndedAt: t0.Add(-time.Minute)}
	begun := workflow.StageTiming{Stage: "things", StartedAt: t0.Add(-time.Minute)}
	midLoop := workflow.Poll{Attempt: 3, WaitSeconds: 40, Since: t0.Add(-time.Minute)}
	tests := []struct {
		name        string
		in          workflow.Work
		wantFirst   bool
		wantTimings []workflow.StageTiming
		wantPoll    workflow.Poll
	}{
		{
			name:        "first invocation records the start and the first poll",
			in:          workflow.Work{Timings: []workflow.StageTiming{earlier}, Poll: workflow.Poll{Done: true, Attempt: 2, Since: t0.Add(-time.Hour)}},
			wantFirst:   true,
			wantTimings: []workflow.StageTiming{earlier, {Stage: "things", StartedAt: t0}},
			wantPoll:    workflow.Poll{WaitSeconds: 10, Since: t0},
		},
		{
			name:        "a later invocation keeps the start and the poll",
			in:          workflow.Work{Timings: []workflow.StageTiming{earlier, begun}, Poll: midLoop},
			wantTimings: []workflow.StageTiming{earlier, begun},
			wantPoll:    midLoop,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.in
			if first := loop.Begin(&w, t0); first != tt.wantFirst {
				t.Errorf("Begin = %v, want %v", first, tt.wantFirst)
			}
			if !reflect.DeepEqual(w.Timings, tt.wantTimings) || w.Poll != tt.wantPoll {
				t.Errorf("timings %+v poll %+v, want %+v %+v", w.Timings, w.Poll, tt.wantTimings, tt.wantPoll)
			}
		})
	}
}

func TestDone(t *testing.T) {
	w := workflow.Work{
		Timings: []workflow.StageTiming{{Stage: "things", StartedAt: t0.Add(-time.Minute)}},
		Poll:    workflow.Poll{Attempt: 3, WaitSeconds: 40, Since: t0.Add(-time.Minute)},
	}
	loop.Done(&w, t0)
	if want := (workflow.Poll{Done: true, Attempt: 3, Since: t0.Add(-time.Minute)}); w.Poll != want {
		t.Errorf("poll %+v, want %+v", w.Poll, want)
	}
	if len(w.Timings) != 1 || !w.Timings[0].EndedAt.Equal(t0) {
		t.Errorf("timings %+v, want the stage ended at %v", w.Timings, t0)
	}
}

func TestWait(t *testing.T) {
	since := t0.Add(-time.Minute)
	tests := []struct {
		name     string
		first    bool
		cur      workflow.Poll
		wantPoll workflow.Poll
		wantErr  bool
	}{
		{name: "the first invocation waits the first wait", first: true, cur: workflow.Poll{WaitSeconds: 10, Since: t0},
			wantPoll: workflow.Poll{WaitSeconds: 10, Since: t0}},
		{name: "a later invocation waits longer", cur: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since},
			wantPoll: workflow.Poll{Attempt: 2, WaitSeconds: 40, Since: since}},
		{name: "past the timeout it fails and keeps the poll", cur: workflow.Poll{Attempt: 9, WaitSeconds: 60, Since: t0.Add(-5 * time.Minute)},
			wantPoll: workflow.Poll{Attempt: 9, WaitSeconds: 60, Since: t0.Add(-5 * time.Minute)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow.Work{Poll: tt.cur}
			err := loop.Wait(&w, tt.first, t0, "thing 1 is busy")
			var timeout *workflow.WaitTimeoutError
			if tt.wantErr != errors.As(err, &timeout) || (err != nil && !tt.wantErr) {
				t.Fatalf("Wait = %v, want a timeout %v", err, tt.wantErr)
			}
			if tt.wantErr && (timeout.Stage != "the things" || timeout.Still != "thing 1 is busy") {
				t.Errorf("timeout %+v, want the policy's stage and what is still busy", timeout)
			}
			if w.Poll != tt.wantPoll {
				t.Errorf("poll %+v, want %+v", w.Poll, tt.wantPoll)
			}
		})
	}
}

func TestSettle(t *testing.T) {
	since := t0.Add(-time.Minute)
	begun := []workflow.StageTiming{{Stage: "things", StartedAt: since}}
	tests := []struct {
		name      string
		cur       workflow.Poll
		waiting   []string
		hurried   bool
		wantPoll  workflow.Poll
		wantEnded bool
		wantStill string // the timeout's Still; "" for no error
	}{
		{name: "nothing waiting ends the loop and the stage", cur: workflow.Poll{Attempt: 2, WaitSeconds: 40, Since: since},
			wantPoll: workflow.Poll{Done: true, Attempt: 2, Since: since}, wantEnded: true},
		{name: "the first invocation counts as an attempt", cur: workflow.Poll{WaitSeconds: 10, Since: since}, waiting: []string{"a"},
			wantPoll: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since}},
		{name: "an invocation that stopped early comes back soon", cur: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since},
			waiting: []string{"a"}, hurried: true, wantPoll: workflow.Poll{Attempt: 2, WaitSeconds: 1, Since: since}},
		{name: "past the timeout it fails, listing the first five", cur: workflow.Poll{Attempt: 9, WaitSeconds: 60, Since: t0.Add(-5 * time.Minute)},
			waiting:   []string{"a", "b", "c", "d", "e", "f", "g"},
			wantPoll:  workflow.Poll{Attempt: 9, WaitSeconds: 60, Since: t0.Add(-5 * time.Minute)},
			wantStill: "7 thing(s) not done: a; b; c; d; e; and 2 more"},
		{name: "stopping early does not put off the timeout", cur: workflow.Poll{Attempt: 9, WaitSeconds: 1, Since: t0.Add(-5 * time.Minute)},
			waiting: []string{"a", "b"}, hurried: true,
			wantPoll:  workflow.Poll{Attempt: 9, WaitSeconds: 1, Since: t0.Add(-5 * time.Minute)},
			wantStill: "2 thing(s) not done: a; b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow.Work{Timings: append([]workflow.StageTiming(nil), begun...), Poll: tt.cur}
			err := loop.Settle(&w, t0, tt.waiting, "thing(s) not done", tt.hurried)
			var timeout *workflow.WaitTimeoutError
			switch {
			case tt.wantStill == "" && err != nil:
				t.Fatalf("Settle = %v, want no error", err)
			case tt.wantStill != "" && (!errors.As(err, &timeout) || timeout.Still != tt.wantStill):
				t.Fatalf("Settle = %#v, want a timeout saying %q", err, tt.wantStill)
			}
			if w.Poll != tt.wantPoll {
				t.Errorf("poll %+v, want %+v", w.Poll, tt.wantPoll)
			}
			if ended := !w.Timings[0].EndedAt.IsZero(); ended != tt.wantEnded {
				t.Errorf("stage ended %v, want %v", ended, tt.wantEnded)
			}
		})
	}
}

func TestSettleAtLeast(t *testing.T) {
	since := t0.Add(-time.Minute)
	tests := []struct {
		name      string
		cur       workflow.Poll
		waiting   []string
		hurried   bool
		atLeast   time.Duration
		wantPoll  workflow.Poll
		wantStill string // the timeout's Still; "" for no error
	}{
		{name: "a shorter policy wait is raised", cur: workflow.Poll{WaitSeconds: 10, Since: since}, waiting: []string{"a"},
			atLeast: 30 * time.Second, wantPoll: workflow.Poll{Attempt: 1, WaitSeconds: 30, Since: since}},
		{name: "a longer policy wait is kept", cur: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since}, waiting: []string{"a"},
			atLeast: 30 * time.Second, wantPoll: workflow.Poll{Attempt: 2, WaitSeconds: 40, Since: since}},
		{name: "stopping early does not shorten it", cur: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since}, waiting: []string{"a"},
			hurried: true, atLeast: 30 * time.Second, wantPoll: workflow.Poll{Attempt: 2, WaitSeconds: 30, Since: since}},
		{name: "part of a second counts as one", cur: workflow.Poll{WaitSeconds: 10, Since: since}, waiting: []string{"a"},
			atLeast: 29500 * time.Millisecond, wantPoll: workflow.Poll{Attempt: 1, WaitSeconds: 30, Since: since}},
		{name: "zero is Settle", cur: workflow.Poll{WaitSeconds: 10, Since: since}, waiting: []string{"a"},
			wantPoll: workflow.Poll{Attempt: 1, WaitSeconds: 20, Since: since}},
		{name: "nothing waiting ends the loop", cur: workflow.Poll{Attempt: 2, WaitSeconds: 40, Since: since},
			atLeast: 30 * time.Second, wantPoll: workflow.Poll{Done: true, Attempt: 2, Since: since}},
		{name: "the longer wait passing the timeout fails", cur: workflow.Poll{WaitSeconds: 10, Since: t0.Add(-275 * time.Second)},
			waiting: []string{"a"}, atLeast: 30 * time.Second,
			wantPoll:  workflow.Poll{WaitSeconds: 10, Since: t0.Add(-275 * time.Second)},
			wantStill: "1 thing(s) not done: a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow.Work{Timings: []workflow.StageTiming{{Stage: "things", StartedAt: since}}, Poll: tt.cur}
			err := loop.SettleAtLeast(&w, t0, tt.waiting, "thing(s) not done", tt.hurried, tt.atLeast)
			var timeout *workflow.WaitTimeoutError
			switch {
			case tt.wantStill == "" && err != nil:
				t.Fatalf("SettleAtLeast = %v, want no error", err)
			case tt.wantStill != "" && (!errors.As(err, &timeout) || timeout.Still != tt.wantStill || timeout.Stage != "the things"):
				t.Fatalf("SettleAtLeast = %#v, want a timeout of the things saying %q", err, tt.wantStill)
			}
			if w.Poll != tt.wantPoll {
				t.Errorf("poll %+v, want %+v", w.Poll, tt.wantPoll)
			}
		})
	}
}
