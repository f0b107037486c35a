package publish

import (
	"context"

	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// The listing statuses this task reports: DataZone's, and its own for a table without an asset and
// for a listing it published that reads do not find yet.
const (
	noAsset    = "NO ASSET"
	notVisible = "PUBLISHED (not readable yet)"
)

var statuses = waitloop.Statuses{
	Pending: []string{string(dztypes.ListingStatusCreating), notVisible},
	Target:  []string{string(dztypes.ListingStatusActive)},
	Failed:  []string{string(dztypes.ListingStatusInactive), noAsset},
}

// Task is the Publish task.
type Task struct {
	dz    awsapi.PublishAPI
	clock waitloop.Clock
}

// New returns the Publish task.
func New(dz awsapi.PublishAPI, clock waitloop.Clock) *Task {
	return &Task{dz: dz, clock: clock}
}

// Handle publishes, for every table still onboarding, the asset's current revision unless its
// listing already shows it, and records each listing's ID, revision and status. It is done when
// every listing is ACTIVE. A table whose listing is INACTIVE is left out of the rest of the
// onboarding with its problem (the execution then ends with a *workflow.PublishFailedError once
// the others are onboarded); when every table fails, the stage fails at once with that error.
// Tables found ACTIVE earlier are not read again.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	w.Tables = workcopy.Tables(w.Tables)
	var items []int // indexes of the tables still onboarding
	err := waitloop.Run(ctx, t.clock, &w, waitloop.Stage{
		Name:     workflow.TaskPublish,
		Statuses: statuses,
		Noun:     "listing(s)",
		Begin: func(context.Context) error {
			items = onboarding(w.Tables)
			return nil
		},
		Items: func() int { return len(items) },
		Step: func(ctx context.Context, i int) (waitloop.Step, error) {
			tb := &w.Tables[items[i]]
			p, err := t.table(ctx, w.Plan, tb)
			return waitloop.Step{Status: orUnknown(tb.ListingStatus), What: tb.Name, Problem: p}, err
		},
		Fail: func(ps []workflow.Problem) error { return &workflow.PublishFailedError{Problems: ps} },
		Drop: func(i int, p workflow.Problem) { w.FailTable(w.Tables[items[i]].Name, workflow.TaskPublish, p) },
	})
	return w, err
}

// onboarding returns the indexes of the tables no stage has failed.
func onboarding(ts []workflow.Table) []int {
	var out []int
	for i, tb := range ts {
		if tb.Onboarding() {
			out = append(out, i)
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "not published"
	}
	return s
}
