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

// Near reports whether ctx has a deadline less than Margin away. The Lambda's deadline is wall
// time, so this reads the wall clock, not a task's injected clock.
func Near(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < Margin
}
