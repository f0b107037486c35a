package tasktest

import (
	"context"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/clock"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

// Handler is a task's Handle method.
type Handler func(context.Context, workflow.Work) (workflow.Work, error)

// Clock is the sandbox's virtual clock as a task's clock: its sleeps let virtual time pass.
func Clock(sb *sandbox.Sandbox) clock.Clock {
	return clock.Clock{
		Now:   sb.Now,
		Sleep: func(_ context.Context, d time.Duration) error { sb.Advance(d); return nil },
	}
}

// Drive runs a wait loop as the state machine does: call h, then let the wait it returns pass in
// sb's virtual time, until h is done or fails, at most max calls. It returns the last Work h
// returned, the number of calls and h's error. A Work that is not done and asks for no wait, or
// no end after max calls, fails the test.
func Drive(t testing.TB, sb *sandbox.Sandbox, h Handler, w workflow.Work, max int) (workflow.Work, int, error) {
	t.Helper()
	for calls := 1; calls <= max; calls++ {
		var err error
		w, err = h(context.Background(), w)
		if err != nil || w.Poll.Done {
			return w, calls, err
		}
		if w.Poll.WaitSeconds <= 0 {
			t.Fatalf("call %d: not done and no wait: %+v", calls, w.Poll)
		}
		sb.Advance(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	t.Fatalf("wait loop not done after %d calls: poll %+v, tables %+v", max, w.Poll, w.Tables)
	return w, max, nil
}

// NearDeadline calls h with w and 10 s left before the invocation's deadline, and checks that h
// stops at once (less than 30 s left): it makes no mutating call and returns a Work that is not
// done and asks to be called again in 1 s. It returns that Work.
func NearDeadline(t testing.TB, sb *sandbox.Sandbox, h Handler, w workflow.Work) workflow.Work {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before := len(sb.Journal())
	got, err := h(ctx, w)
	if err != nil {
		t.Fatalf("near the deadline: %v", err)
	}
	if got.Poll.Done || got.Poll.WaitSeconds != 1 {
		t.Errorf("near the deadline: poll %+v, want not done with a 1 s wait", got.Poll)
	}
	WantOps(t, sb, before)
	return got
}
