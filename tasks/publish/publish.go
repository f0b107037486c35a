package publish

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// loop is this task's wait loop: the publish stage, waiting by ListingPolicy.
var loop = waitloop.Loop{Stage: "publish", Policy: workflow.ListingPolicy}

// Task is the PublishAssets task.
type Task struct {
	dz  awsapi.PublishAPI
	now func() time.Time
}

// New returns the PublishAssets task. now is the clock (time.Now when nil).
func New(dz awsapi.PublishAPI, now func() time.Time) *Task {
	if now == nil {
		now = time.Now
	}
	return &Task{dz: dz, now: now}
}

// Handle publishes, for every table of w.Tables, the asset's current revision unless its listing
// already shows it, and records each listing's ID, revision and status. It is done when every
// listing is ACTIVE; an INACTIVE listing is a *workflow.PublishFailedError that lists every such
// table. Tables found ACTIVE by an earlier invocation of this loop are not read again.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	now := t.now()
	first := loop.Begin(&w, now)
	var pending []string
	var failures []workflow.Problem
	stopped := false
	for i := range w.Tables {
		tb := &w.Tables[i]
		if tb.ListingStatus == statusActive && tb.ListingID != "" {
			continue
		}
		if deadline.Near(ctx) {
			stopped = true
			pending = append(pending, tb.Name+" (not checked yet)")
			continue
		}
		st, p, err := t.table(ctx, w.Plan, tb)
		if err != nil {
			return w, err
		}
		switch st {
		case stateProblem:
			failures = append(failures, p)
		case stateWaiting:
			pending = append(pending, fmt.Sprintf("%s (%s)", tb.Name, orUnknown(tb.ListingStatus)))
		}
	}
	if len(failures) > 0 {
		return w, &workflow.PublishFailedError{Problems: problems.Compact(ctx, failures)}
	}
	if len(pending) == 0 {
		loop.Done(&w, now)
		return w, nil
	}
	still := fmt.Sprintf("%d of %d listings are not ACTIVE yet: %s", len(pending), len(w.Tables), summary(pending))
	if stopped {
		slog.InfoContext(ctx, "stopping early: the invocation's deadline is near", "pending", len(pending))
		w.Poll = workflow.Poll{Attempt: w.Poll.Attempt, WaitSeconds: deadline.WaitSeconds, Since: w.Poll.Since}
		return w, nil
	}
	err := loop.Wait(&w, first, now, still)
	return w, err
}

// summary lists the first few entries of a long list.
func summary(items []string) string {
	const show = 5
	if len(items) <= show {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:show], ", ") + fmt.Sprintf(" and %d more", len(items)-show)
}

func orUnknown(s string) string {
	if s == "" {
		return "not published"
	}
	return s
}
