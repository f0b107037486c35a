package publish

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// stage is the stage name of workflow.Work.Timings.
const stage = "publish"

// deadlineMargin is how much of the Lambda's time an invocation keeps in hand: with less left it
// stops and asks to be called again soon.
const deadlineMargin = 30 * time.Second

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
	first := true
	for _, s := range w.Timings {
		first = first && s.Stage != stage
	}
	if first {
		w.BeginStage(stage, now)
		w.Poll = workflow.ListingPolicy.Begin(now)
	}
	var pending []string
	var problems []workflow.Problem
	stopped := false
	for i := range w.Tables {
		tb := &w.Tables[i]
		if tb.ListingStatus == statusActive && tb.ListingID != "" {
			continue
		}
		if nearDeadline(ctx) {
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
			problems = append(problems, p)
		case stateWaiting:
			pending = append(pending, fmt.Sprintf("%s (%s)", tb.Name, orUnknown(tb.ListingStatus)))
		}
	}
	if len(problems) > 0 {
		return w, &workflow.PublishFailedError{Problems: compact(ctx, problems)}
	}
	if len(pending) == 0 {
		w.Poll = workflow.ListingPolicy.Done(w.Poll)
		w.EndStage(stage, now)
		return w, nil
	}
	still := fmt.Sprintf("%d of %d listings are not ACTIVE yet: %s", len(pending), len(w.Tables), summary(pending))
	if stopped {
		slog.InfoContext(ctx, "stopping early: the invocation's deadline is near", "pending", len(pending))
		w.Poll = workflow.Poll{Attempt: w.Poll.Attempt, WaitSeconds: 1, Since: w.Poll.Since}
		return w, nil
	}
	var err error
	if first {
		w.Poll = workflow.ListingPolicy.Begin(now)
	} else {
		w.Poll, err = workflow.ListingPolicy.Next(w.Poll, now, still)
	}
	return w, err
}

// nearDeadline reports whether ctx ends within deadlineMargin (the Lambda's deadline is wall time).
func nearDeadline(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < deadlineMargin
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
