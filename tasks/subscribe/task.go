package subscribe

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/workflow"
)

// stage is the name of this task's stage in Work.Timings.
const stage = "subscribe"

// The Access.Status values this task moves through.
const (
	statusRequested = "REQUESTED"
	statusApproved  = "APPROVED"
	statusGranted   = "GRANTED"
)

// deadlineMargin is how much of the invocation's time is kept back: with less left, the task
// returns what it has and asks to be called again soon.
const deadlineMargin = 30 * time.Second

// hurryWait is the wait before the next invocation when this one stopped early.
const hurryWait = 1

// Task is the SubscribeProjects task.
type Task struct {
	dz   awsapi.SubscribeAPI
	now  func() time.Time
	pace *pace.Limiter
}

// New returns the SubscribeProjects task. pace spaces AcceptSubscriptionRequest calls (DataZone
// allows 3 a second); nil does not space them.
func New(dz awsapi.SubscribeAPI, now func() time.Time, pace *pace.Limiter) *Task {
	return &Task{dz: dz, now: now, pace: pace}
}

// Handle moves every table's access for every target (producer first) as far as it goes now.
// It returns the Work with Poll.Done set once every access is GRANTED, a
// *workflow.SubscriptionFailedError listing every rejected request or failed grant, a
// *workflow.WaitTimeoutError once the grants have taken too long, or a classified AWS error.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	now := t.now()
	if !hasStage(w, stage) {
		w.Poll = workflow.GrantPolicy.Begin(now)
	}
	w.Tables, w.Timings = cloneTables(w.Tables), slices.Clone(w.Timings)
	w.BeginStage(stage, now)

	tk := &tick{Task: t, w: &w, targets: map[string]*target{}}
	targets := w.Plan.Targets()
	var problems []workflow.Problem
	var waiting []string
	hurried := false
	for i := range w.Tables {
		tb := &w.Tables[i]
		if tb.ListingID == "" {
			continue
		}
		ensureAccess(tb, targets)
		for j, tg := range targets {
			a := &tb.Access[j]
			if a.Status == statusGranted {
				continue
			}
			if !hurried && nearDeadline(ctx) {
				hurried = true
			}
			if !hurried {
				p, err := tk.advance(ctx, tb, tg, a)
				if err != nil {
					return w, err
				}
				if p != nil {
					problems = append(problems, *p)
					continue
				}
			}
			if a.Status != statusGranted {
				waiting = append(waiting, fmt.Sprintf("%s for %s: %s", tb.Name, label(tg), orUnknown(a.Status)))
			}
		}
	}
	if len(problems) > 0 {
		return w, &workflow.SubscriptionFailedError{Problems: problems}
	}
	now = t.now()
	if len(waiting) == 0 {
		w.Poll = workflow.GrantPolicy.Done(w.Poll)
		w.EndStage(stage, now)
		return w, nil
	}
	next, err := workflow.GrantPolicy.Next(w.Poll, now, still(waiting))
	if err != nil {
		return w, err
	}
	if hurried {
		next.WaitSeconds = hurryWait
	}
	w.Poll = next
	return w, nil
}

// advance moves one access forward as far as it goes now. It returns a problem when the request
// was rejected or the grant failed.
func (tk *tick) advance(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (*workflow.Problem, error) {
	if a.Status == "" {
		created, err := tk.findOrRequest(ctx, tb, tg, a)
		if err != nil || created {
			// A new request gets one poll before it is accepted: DataZone may approve it by itself.
			return nil, err
		}
	}
	if a.Status == statusRequested {
		if p, err := tk.settleRequest(ctx, tb, tg, a); p != nil || err != nil {
			return p, err
		}
	}
	if a.Status == statusApproved {
		return tk.settleGrant(ctx, tb, tg, a)
	}
	return nil, nil
}

// tick is one invocation's view: the Work being updated and what it has read so far.
type tick struct {
	*Task
	w       *workflow.Work
	targets map[string]*target // subscription target by environment, read at most once a tick
}
