package verify

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// maxRunning is how many of its queries the task lets run at once: Athena queues what is over
// the account's DML concurrency quota (its default is 150 or more in most regions; a fraction of
// it leaves room for the people using the account).
const maxRunning = 20

// granted is the Access.Status of a subscription whose grant completed.
const granted = "GRANTED"

// The statuses of one check (an access's two queries, or a user query).
const (
	statusChecked = "CHECKED"
	statusToStart = "NOT STARTED"
	statusRunning = "RUNNING"
	statusRetry   = "DENIED (the grant may not be in effect yet: will try again)"
	statusFailed  = "FAILED"
	statusLeftOut = "LEFT OUT"
)

var statuses = waitloop.Statuses{
	Pending: []string{statusToStart, statusRunning, statusRetry},
	Target:  []string{statusChecked, statusLeftOut},
	Failed:  []string{statusFailed},
}

// Deps are what the task calls. Athena returns an Athena client acting with the given
// credentials (awsapi.Clients.AthenaAs).
type Deps struct {
	DataZone awsapi.VerifyDataZone
	Glue     awsapi.VerifyGlue
	Athena   func(aws.Credentials) awsapi.VerifyAthena
	Clock    waitloop.Clock
	// Starts paces StartQueryExecution (pace.Quotas); nil does not pace.
	Starts *pace.Limiter
}

// Task is the Verify task.
type Task struct{ d Deps }

// New returns the Verify task.
func New(d Deps) *Task { return &Task{d: d} }

// check is one item of the loop: the checks of one table's access (table >= 0), or a user query.
type check struct {
	target, table, query int
}

// Handle starts and looks at the queries of every GRANTED access (a row count and a sample per
// table and environment) and the input's own queries, at most maxRunning at once. Checks denied
// access the way a grant not yet in effect denies it are tried again, 3 attempts in all, 30 s or
// more apart. It returns the Work with Poll.Done set once all passed. A table whose checks fail is
// left out with its problem, and a user query that fails is recorded (the execution then ends
// with a *workflow.VerificationFailedError once the rest is done); when everything fails, the
// stage fails at once with that error.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	w.Tables, w.Timings = workcopy.Tables(w.Tables), slices.Clone(w.Timings)
	syncQueries(&w)
	tk := &tick{Task: t, w: &w, clients: map[string]awsapi.VerifyAthena{}, schemas: map[string][]string{}}
	var items []check
	targets := w.Plan.Targets()
	err := waitloop.Run(ctx, t.d.Clock, &w, waitloop.Stage{
		Name:     workflow.TaskVerify,
		Statuses: statuses,
		Noun:     "check(s)",
		Begin: func(context.Context) error {
			items = items[:0]
			for j := range targets {
				for i, tb := range w.Tables {
					if tb.Onboarding() && j < len(tb.Access) && tb.Access[j].Status == granted {
						items = append(items, check{target: j, table: i})
					}
				}
			}
			for k := range w.Queries {
				items = append(items, check{table: -1, query: k})
			}
			return nil
		},
		Items: func() int { return len(items) },
		Look:  func(context.Context) error { tk.running = 0; return nil },
		Step: func(ctx context.Context, n int) (waitloop.Step, error) {
			c := items[n]
			if c.table < 0 {
				return tk.userQuery(ctx, c.query, &w.Queries[c.query])
			}
			tb := &w.Tables[c.table]
			if !tb.Onboarding() {
				return waitloop.Step{Status: statusLeftOut, What: tb.Name}, nil
			}
			return tk.verifyAccess(ctx, tb, targets[c.target], &tb.Access[c.target])
		},
		Fail: func(ps []workflow.Problem) error { return &workflow.VerificationFailedError{Problems: ps} },
		Drop: func(n int, p workflow.Problem) {
			if c := items[n]; c.table >= 0 {
				w.FailTable(w.Tables[c.table].Name, workflow.TaskVerify, p)
			} else {
				w.Queries[c.query].Failed = &p
			}
		},
	})
	return w, err
}

// tick is one invocation's view: the Work being updated, the Athena client of each environment
// (holding its credentials), the Glue schemas read, and how many queries the current look found
// running.
type tick struct {
	*Task
	w       *workflow.Work
	clients map[string]awsapi.VerifyAthena
	schemas map[string][]string
	running int
}

// merge makes one problem of the problems of one check: its field, and the problems and fixes
// joined.
func merge(ps []workflow.Problem) *workflow.Problem {
	if len(ps) == 0 {
		return nil
	}
	p := ps[0]
	for _, q := range ps[1:] {
		p.Problem += " " + q.Problem
		if q.Fix != "" && !strings.Contains(p.Fix, q.Fix) {
			p.Fix += " " + q.Fix
		}
	}
	return &p
}

// now is the task's time.
func (tk *tick) now() time.Time { return tk.d.Clock.Now() }
