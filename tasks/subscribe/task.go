package subscribe

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// loop is this task's wait loop: the subscribe stage, waiting by GrantPolicy.
var loop = waitloop.Loop{Stage: "subscribe", Policy: workflow.GrantPolicy}

// The Access.Status values this task moves through.
const (
	statusRequested = "REQUESTED"
	statusApproved  = "APPROVED"
	statusGranted   = "GRANTED"
)

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
	w.Tables, w.Timings = workcopy.Tables(w.Tables), slices.Clone(w.Timings)
	loop.Begin(&w, now)

	tk := &tick{Task: t, w: &w, targets: map[string]*target{}}
	targets := w.Plan.Targets()
	var failures []workflow.Problem
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
			if !hurried && deadline.Near(ctx) {
				hurried = true
			}
			if !hurried {
				p, err := tk.advance(ctx, tb, tg, a)
				if err != nil {
					return w, err
				}
				if p != nil {
					failures = append(failures, *p)
					continue
				}
			}
			if a.Status != statusGranted {
				waiting = append(waiting, fmt.Sprintf("%s for %s: %s", tb.Name, label(tg), orUnknown(a.Status)))
			}
		}
	}
	if len(failures) > 0 {
		return w, &workflow.SubscriptionFailedError{Problems: problems.Compact(ctx, failures)}
	}
	err := loop.Settle(&w, t.now(), waiting, "subscription(s) not granted yet", hurried)
	return w, err
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
