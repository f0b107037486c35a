// Package deadline is the rule every task that handles many items in one invocation follows near
// the end of its Lambda's time: with less than Margin left it stops early, before the next AWS call,
// and leaves the rest to an invocation that starts again WaitSeconds later (a wait loop) or to the
// state machine's retry (a task without one). Time spent is measured with the task's own clock.
package deadline
