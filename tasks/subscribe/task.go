package subscribe

import (
	"context"
	"fmt"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// The Access.Status values this task moves through, and the failures it reports.
const (
	statusNew       = "" // nothing found or made yet
	statusRequested = "REQUESTED"
	statusApproved  = "APPROVED"
	statusGranted   = "GRANTED"
	statusRejected  = "REJECTED"
	statusFailed    = "GRANT_FAILED"
	// statusLeftOut is the status of the other accesses of a table left out of the onboarding
	// because one of its accesses failed: nothing more is done for them.
	statusLeftOut = "LEFT OUT"
)

var statuses = waitloop.Statuses{
	Pending: []string{statusNew, statusRequested, statusApproved},
	Target:  []string{statusGranted, statusLeftOut},
	Failed:  []string{statusRejected, statusFailed},
}

// Limiters pace the rate-limited DataZone calls of the task (see pace.Quotas): shared by every
// invocation a Lambda process serves.
type Limiters struct {
	Request, Accept, Grant *pace.Limiter
}

// Task is the Subscribe task.
type Task struct {
	dz    awsapi.SubscribeAPI
	clock waitloop.Clock
	pace  Limiters
}

// New returns the Subscribe task.
func New(dz awsapi.SubscribeAPI, clock waitloop.Clock, limiters Limiters) *Task {
	return &Task{dz: dz, clock: clock, pace: limiters}
}

// Handle moves every table's access for every target (producer first) as far as it goes now,
// and looks again every few seconds while that is worth it. It returns the Work with Poll.Done
// set once every access is GRANTED. A table whose request was rejected or whose grant failed is
// left out of the rest of the onboarding with its problem (the execution then ends with a
// *workflow.SubscriptionFailedError once the other tables are onboarded); when every access fails
// the stage fails at once with that error. A *workflow.WaitTimeoutError ends grants that take too
// long; other errors are classified AWS errors.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	w.Tables = workcopy.Tables(w.Tables)
	targets := w.Plan.Targets()
	tk := &tick{Task: t, w: &w, targets: map[string]*target{}}
	type item struct{ table, target int }
	var items []item
	err := waitloop.Run(ctx, t.clock, &w, waitloop.Stage{
		Name:     workflow.TaskSubscribe,
		Statuses: statuses,
		Noun:     "subscription(s)",
		Begin: func(context.Context) error {
			items = items[:0]
			for i := range w.Tables {
				tb := &w.Tables[i]
				if !tb.Onboarding() || tb.ListingID == "" {
					continue
				}
				ensureAccess(tb, targets)
				for j := range targets {
					items = append(items, item{i, j})
				}
			}
			return nil
		},
		Items: func() int { return len(items) },
		Look:  func(ctx context.Context) error { return tk.look(ctx, targets) },
		Step: func(ctx context.Context, k int) (waitloop.Step, error) {
			tb, tg := &w.Tables[items[k].table], targets[items[k].target]
			what := fmt.Sprintf("%s for %s", tb.Name, label(tg))
			if !tb.Onboarding() {
				return waitloop.Step{Status: statusLeftOut, What: what}, nil
			}
			a := &tb.Access[items[k].target]
			p, err := tk.advance(ctx, tb, tg, a)
			return waitloop.Step{Status: a.Status, What: what, Problem: p}, err
		},
		Fail: func(ps []workflow.Problem) error { return &workflow.SubscriptionFailedError{Problems: ps} },
		Drop: func(k int, p workflow.Problem) {
			w.FailTable(w.Tables[items[k].table].Name, workflow.TaskSubscribe, p)
		},
	})
	return w, err
}

// advance moves one access forward as far as it goes now. It returns the problem of a rejected
// request or a failed grant (a.Status is then statusRejected or statusFailed).
func (tk *tick) advance(ctx context.Context, tb *workflow.Table, tg workflow.Target, a *workflow.Access) (*workflow.Problem, error) {
	if a.Status == statusGranted {
		return nil, nil
	}
	if sub := tk.approved(tg, tb.ListingID); sub != "" && (a.Status == statusNew || a.Status == statusRequested) {
		a.SubscriptionID, a.Status = sub, statusApproved
	}
	switch a.Status {
	case statusNew:
		if err := tk.request(ctx, tb, tg, a); err != nil || a.Status != statusRequested {
			return nil, err
		}
		fallthrough
	case statusRequested:
		return tk.settleRequest(ctx, tb, tg, a)
	case statusApproved:
		if a.ApprovedAt.IsZero() {
			a.ApprovedAt = tk.clock.Now()
		}
		return tk.settleGrant(ctx, tb, tg, a)
	}
	return nil, nil
}

// tick is one invocation's view: the Work being updated, the subscription targets read so far,
// and what the last look listed for each target.
type tick struct {
	*Task
	w       *workflow.Work
	targets map[string]*target // subscription target by environment, read at most once a tick
	lists   map[string]*listing
}
