package progress

import "time"

// Event types.
const (
	// Entered: a state began (Task, Pass, Map, Parallel).
	Entered = "entered"
	// Succeeded: a state ended well; Detail summarizes what it did.
	Succeeded = "succeeded"
	// Failed: a task attempt or a Fail state failed; Detail is the error.
	Failed = "failed"
	// Retry: a failed task is tried again; Detail says which attempt and why.
	Retry = "retry"
	// Waiting: a Wait state began; Detail is how long it waits.
	Waiting = "waiting"
)

// Event is one step of an execution as the user sees it.
type Event struct {
	// Time is when it happened: simulated time in run-local, the history's timestamp in follow.
	Time time.Time
	// State is the state's name.
	State string
	// Type is Entered, Succeeded, Failed, Retry or Waiting.
	Type string
	// Detail is a short human summary; it may be empty.
	Detail string
}
