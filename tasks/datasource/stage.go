package datasource

import (
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// Stage names of workflow.Work.Timings.
const (
	stageDataSource = "dataSource"
	stageRun        = "run"
)

// started reports whether the stage's wait loop has begun in this execution: its first invocation
// records the stage's start, so a Lambda retry of the first invocation (same Work) starts again.
func started(w *workflow.Work, stage string) bool {
	for _, t := range w.Timings {
		if t.Stage == stage {
			return true
		}
	}
	return false
}

// notDone returns the poll of a wait loop that is not done: the policy's first wait when the loop
// began in this invocation, else the next one (a *workflow.WaitTimeoutError once it is too long).
func notDone(p workflow.PollPolicy, cur workflow.Poll, first bool, now time.Time, still string) (workflow.Poll, error) {
	if first {
		return p.Begin(now), nil
	}
	return p.Next(cur, now, still)
}

// clock returns now, or time.Now when now is nil.
func clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
