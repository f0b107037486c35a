package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// loop is this task's wait loop: the verify stage, waiting by QueryPolicy.
var loop = waitloop.Loop{Stage: "verify", Policy: workflow.QueryPolicy}

// maxStarts is how many queries one invocation starts at most; the rest wait for the next.
const maxStarts = 20

// granted is the Access.Status of a subscription whose grant completed.
const granted = "GRANTED"

// Deps are what the task calls. Athena returns an Athena client acting with the given
// credentials (awsapi.Clients.AthenaAs).
type Deps struct {
	DataZone awsapi.VerifyDataZone
	Glue     awsapi.VerifyGlue
	Athena   func(aws.Credentials) awsapi.VerifyAthena
	Now      func() time.Time
}

// Task is the VerifyQueries task.
type Task struct{ d Deps }

// New returns the VerifyQueries task.
func New(d Deps) *Task { return &Task{d: d} }

// Handle starts and checks the queries of every GRANTED access (a row count and a sample per
// table and environment) and the input's own queries. Checks denied access the way a grant not
// yet in effect denies it are tried again, 3 attempts in all, 30 s or more apart. It returns the
// Work with Poll.Done set once all passed, a *workflow.VerificationFailedError listing every
// failed check, a *workflow.WaitTimeoutError once the queries have taken too long, or a
// classified AWS error.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	w.Tables, w.Timings = workcopy.Tables(w.Tables), slices.Clone(w.Timings)
	loop.Begin(&w, t.d.Now())
	syncQueries(&w)

	tk := &tick{Task: t, w: &w, budget: maxStarts, clients: map[string]awsapi.VerifyAthena{}, schemas: map[string][]string{}}
	var failures []workflow.Problem
	var waiting []string
	hurried := false
	for j, tg := range w.Plan.Targets() {
		for i := range w.Tables {
			tb := &w.Tables[i]
			if j >= len(tb.Access) || tb.Access[j].Status != granted || verified(tb.Access[j]) {
				continue
			}
			hurried = hurried || deadline.Near(ctx)
			if !hurried {
				ps, err := tk.verifyAccess(ctx, tb, tg, &tb.Access[j])
				if err != nil {
					return w, err
				}
				if len(ps) > 0 {
					failures = append(failures, ps...)
					continue
				}
			}
			if !verified(tb.Access[j]) {
				waiting = append(waiting, fmt.Sprintf("%s in %s", tb.Name, tg.SubscriptionDatabase))
			}
		}
	}
	for k := range w.Queries {
		q := &w.Queries[k]
		if queryDone(*q) {
			continue
		}
		hurried = hurried || deadline.Near(ctx)
		if !hurried {
			p, err := tk.userQuery(ctx, k, q)
			if err != nil {
				return w, err
			}
			if p != nil {
				failures = append(failures, *p)
				continue
			}
		}
		if !queryDone(*q) {
			waiting = append(waiting, fmt.Sprintf("query %d", k+1))
		}
	}

	if len(failures) > 0 {
		return w, &workflow.VerificationFailedError{Problems: problems.Compact(ctx, failures)}
	}
	var atLeast time.Duration
	if tk.retrying {
		atLeast = retryWait
	}
	err := loop.SettleAtLeast(&w, t.d.Now(), waiting, "check(s) not finished", hurried, atLeast)
	return w, err
}

// tick is one invocation's view: the Work being updated, how many queries it may still start,
// the Athena client of each environment (holding its credentials), the Glue schemas read, and
// whether it put off checks to try them again (the next invocation then waits retryWait).
type tick struct {
	*Task
	w        *workflow.Work
	budget   int
	clients  map[string]awsapi.VerifyAthena
	schemas  map[string][]string
	retrying bool
}
