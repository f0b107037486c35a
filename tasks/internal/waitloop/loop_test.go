package waitloop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// The tests use the Publish stage's policy: looks every 2 s within a minute; waits of 5 s, then
// twice as long up to 30 s; 30 minutes in all.
var policy = workflow.Policies[workflow.TaskPublish]

// fake is a stage over items that each become a status at a virtual time.
type fake struct {
	now    time.Time
	sleeps []time.Duration
	steps  int
	// status of item i at time t
	status  func(i int, t time.Time) string
	n       int
	dropped []int
}

func (f *fake) clock() Clock {
	return Clock{
		Now: func() time.Time { return f.now },
		Sleep: func(_ context.Context, d time.Duration) error {
			f.sleeps = append(f.sleeps, d)
			f.now = f.now.Add(d)
			return nil
		},
	}
}

type stageErr struct{ ps []workflow.Problem }

func (e *stageErr) Error() string { return fmt.Sprintf("%d problems", len(e.ps)) }

func (f *fake) stage(drop bool) Stage {
	st := Stage{
		Name:     workflow.TaskPublish,
		Statuses: Statuses{Pending: []string{"CREATING"}, Target: []string{"ACTIVE"}, Failed: []string{"INACTIVE"}},
		Items:    func() int { return f.n },
		Step: func(_ context.Context, i int) (Step, error) {
			f.steps++
			s := f.status(i, f.now)
			st := Step{Status: s, What: fmt.Sprintf("t%d", i)}
			if s == "INACTIVE" {
				st.Problem = &workflow.Problem{Field: st.What, Problem: "inactive"}
			}
			return st, nil
		},
		Noun: "listing(s)",
		Fail: func(ps []workflow.Problem) error { return &stageErr{ps} },
	}
	if drop {
		st.Drop = func(i int, _ workflow.Problem) { f.dropped = append(f.dropped, i) }
	}
	return st
}

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		n          int
		status     func(i int, t time.Time) string
		drop       bool
		ctxLeft    time.Duration // 0: no deadline
		wantDone   bool
		wantWait   int // seconds, when not done
		wantSleeps int
		wantErr    string
		wantDrop   []int
	}{
		{
			name: "done at the first look", n: 3,
			status:   func(int, time.Time) string { return "ACTIVE" },
			wantDone: true,
		},
		{
			name: "done after looking again inside the invocation", n: 2,
			status: func(i int, t time.Time) string {
				if t.Before(at(time.Duration(10*(i+1)) * time.Second)) {
					return "CREATING"
				}
				return "ACTIVE"
			},
			wantDone: true, wantSleeps: 10, // 2 s apart until 20 s
		},
		{
			name: "not done within a minute: the first wait of the policy", n: 1,
			status:     func(int, time.Time) string { return "CREATING" },
			wantWait:   5,
			wantSleeps: 30,
		},
		{
			name: "an unknown status waits", n: 1,
			status:     func(int, time.Time) string { return "PUBLISHING_SOMEWHERE" },
			wantWait:   5,
			wantSleeps: 30,
		},
		{
			name: "a failure fails the stage", n: 2,
			status:  func(i int, _ time.Time) string { return map[int]string{0: "ACTIVE", 1: "INACTIVE"}[i] },
			wantErr: "1 problems",
		},
		{
			name: "a failure is dropped when others get there", n: 3, drop: true,
			status:   func(i int, _ time.Time) string { return map[int]string{0: "ACTIVE", 1: "INACTIVE", 2: "ACTIVE"}[i] },
			wantDone: true, wantDrop: []int{1},
		},
		{
			name: "every item failing is dropped, one by one", n: 2, drop: true,
			status:   func(int, time.Time) string { return "INACTIVE" },
			wantDone: true, wantDrop: []int{0, 1},
		},
		{
			name: "near the deadline: no look, back in a second", n: 2, ctxLeft: 10 * time.Second,
			status:   func(int, time.Time) string { return "ACTIVE" },
			wantWait: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{now: t0, n: tt.n, status: tt.status}
			ctx := context.Background()
			if tt.ctxLeft > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLeft)
				defer cancel()
			}
			var w workflow.Work
			err := Run(ctx, f.clock(), &w, f.stage(tt.drop))
			if tt.wantErr != "" {
				var se *stageErr
				if !errors.As(err, &se) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want the stage's error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Poll.Done != tt.wantDone || (!tt.wantDone && w.Poll.WaitSeconds != tt.wantWait) {
				t.Errorf("poll = %+v, want done %v wait %d", w.Poll, tt.wantDone, tt.wantWait)
			}
			if len(f.sleeps) != tt.wantSleeps {
				t.Errorf("slept %d times, want %d", len(f.sleeps), tt.wantSleeps)
			}
			if fmt.Sprint(f.dropped) != fmt.Sprint(tt.wantDrop) && !(len(f.dropped) == 0 && len(tt.wantDrop) == 0) {
				t.Errorf("dropped %v, want %v", f.dropped, tt.wantDrop)
			}
			if len(w.Timings) != 1 || w.Timings[0].Stage != workflow.TaskPublish || !w.Timings[0].StartedAt.Equal(t0) {
				t.Fatalf("timings = %+v", w.Timings)
			}
			if ended := !w.Timings[0].EndedAt.IsZero(); ended != tt.wantDone {
				t.Errorf("stage ended = %v, want %v", ended, tt.wantDone)
			}
		})
	}
}

// Later invocations keep the stage's start and the loop's first poll, wait longer each time, and
// give up with the stage's name and what is still not done once the policy's timeout would pass.
func TestRunWaitsLongerThenTimesOut(t *testing.T) {
	f := &fake{now: t0, n: 7, status: func(int, time.Time) string { return "CREATING" }}
	var w workflow.Work
	var waits []int
	var err error
	for k := 0; k < 100; k++ {
		if err = Run(context.Background(), f.clock(), &w, f.stage(false)); err != nil {
			break
		}
		waits = append(waits, w.Poll.WaitSeconds)
		f.now = f.now.Add(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	if got := fmt.Sprint(waits[:4]); got != "[5 10 20 30]" {
		t.Errorf("waits = %s, want [5 10 20 30 ...]", got)
	}
	var te *workflow.WaitTimeoutError
	if !errors.As(err, &te) || te.Stage != workflow.TaskPublish {
		t.Fatalf("err = %v, want a WaitTimeoutError of %s", err, workflow.TaskPublish)
	}
	for _, want := range []string{"7 listing(s) not done", "t0: CREATING", "and 2 more"} {
		if !strings.Contains(te.Still, want) {
			t.Errorf("still = %q, want it to say %q", te.Still, want)
		}
	}
	if te.Waited > policy.Timeout || te.Waited < policy.Timeout-2*policy.Max-policy.Within {
		t.Errorf("gave up after %s, want close to the %s timeout", te.Waited, policy.Timeout)
	}
	if len(w.Timings) != 1 || !w.Timings[0].StartedAt.Equal(t0) || !w.Poll.Since.Equal(t0) {
		t.Errorf("the loop's start moved: timings %+v poll %+v", w.Timings, w.Poll)
	}
}

// The timeout counts from the last progress: items that settle one every 20 minutes keep the loop
// going for an hour (past the 30-minute timeout), and the last, stuck one ends it 30 minutes after
// the one before it settled.
func TestRunTimesOutOnlyWithoutProgress(t *testing.T) {
	f := &fake{now: t0, n: 4, status: func(i int, now time.Time) string {
		if i < 3 && !now.Before(at(time.Duration(i+1)*20*time.Minute)) {
			return "ACTIVE"
		}
		return "CREATING"
	}}
	var w workflow.Work
	var err error
	for k := 0; k < 1000; k++ {
		if err = Run(context.Background(), f.clock(), &w, f.stage(false)); err != nil {
			break
		}
		f.now = f.now.Add(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	var te *workflow.WaitTimeoutError
	if !errors.As(err, &te) || !strings.Contains(te.Still, "1 listing(s) not done: t3: CREATING") {
		t.Fatalf("err = %v, want a WaitTimeoutError for t3 alone", err)
	}
	lastSettled := at(60 * time.Minute)
	if w.Poll.Progressed.Before(lastSettled) || w.Poll.Progressed.After(lastSettled.Add(policy.Max+policy.Within)) {
		t.Errorf("progressed at %s, want soon after t2 settled at %s", w.Poll.Progressed, lastSettled)
	}
	if gaveUp := f.now.Sub(t0); gaveUp < 60*time.Minute+policy.Timeout-2*policy.Max-policy.Within || gaveUp > 60*time.Minute+policy.Timeout+policy.Max {
		t.Errorf("gave up %s after the start, want about %s", gaveUp, 60*time.Minute+policy.Timeout)
	}
}

// An item that must not be looked at before a time makes the loop wait at least until then.
func TestRunNotBefore(t *testing.T) {
	f := &fake{now: t0, n: 1}
	st := f.stage(false)
	st.Step = func(_ context.Context, i int) (Step, error) {
		f.steps++
		return Step{Status: "CREATING", What: "t0", NotBefore: at(90 * time.Second)}, nil
	}
	var w workflow.Work
	if err := Run(context.Background(), f.clock(), &w, st); err != nil {
		t.Fatal(err)
	}
	if f.steps != 1 || len(f.sleeps) != 0 || w.Poll.WaitSeconds != 90 {
		t.Errorf("steps %d sleeps %v wait %d; want one look, no sleep, a 90 s wait", f.steps, f.sleeps, w.Poll.WaitSeconds)
	}
}

// A loop that still makes progress stops with a named error before the execution's own
// timeout, which no Catch could see.
func TestRunStopsBeforeTheExecutionTimeout(t *testing.T) {
	f := &fake{now: t0, n: 1000, status: func(i int, now time.Time) string {
		if now.After(at(time.Duration(i) * time.Minute)) { // one item settles a minute
			return "ACTIVE"
		}
		return "CREATING"
	}}
	w := workflow.Work{Plan: workflow.Plan{StartedAt: t0}}
	var err error
	for k := 0; k < 10000; k++ {
		if err = Run(context.Background(), f.clock(), &w, f.stage(false)); err != nil {
			break
		}
		f.now = f.now.Add(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	var te *workflow.WaitTimeoutError
	if !errors.As(err, &te) || !te.ExecutionLimit || !strings.Contains(te.Error(), "reaches its 6h0m0s limit") {
		t.Fatalf("err = %v, want a WaitTimeoutError at the execution limit", err)
	}
	if end := t0.Add(workflow.ExecutionTimeout); f.now.After(end) || f.now.Before(end.Add(-workflow.ExecutionReserve-2*policy.Max-policy.Within)) {
		t.Errorf("stopped at %s, want shortly before the execution's end %s", f.now, end)
	}
}
