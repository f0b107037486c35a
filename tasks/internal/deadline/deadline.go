package deadline

import (
	"context"
	"time"
)

// Margin is how much of the invocation's time a task keeps back: with less left, it returns what
// it has done and asks to be called again.
const Margin = 30 * time.Second

// WaitSeconds is the wait, in the state machine's Wait state, before the next invocation of a wait
// loop whose invocation stopped early.
const WaitSeconds = 1

// Budget is what is left of one invocation's time. The time the invocation was given is read from
// ctx's deadline (Lambda's) when it starts; the time spent is measured with the task's clock, so
// that a task whose clock is virtual (the local runner's) spends its budget in virtual time as it
// would spend it in Lambda.
type Budget struct {
	now   func() time.Time
	start time.Time
	total time.Duration
	bound bool
}

// Start begins the budget of an invocation at now(); without a deadline on ctx it never runs
// out.
func Start(ctx context.Context, now func() time.Time) Budget {
	b := Budget{now: now, start: now()}
	if d, ok := ctx.Deadline(); ok {
		b.total, b.bound = time.Until(d), true
	}
	return b
}

// Spent is how long the invocation has run.
func (b Budget) Spent() time.Duration { return b.now().Sub(b.start) }

// Left is how long the invocation may still run before it keeps Margin back (negative once it
// should stop); a budget without a deadline always has an hour left.
func (b Budget) Left() time.Duration {
	if !b.bound {
		return time.Hour
	}
	return b.total - Margin - b.Spent()
}

// Near reports whether less than Margin is left: the task must stop before its next AWS call.
func (b Budget) Near() bool { return b.Left() <= 0 }
