package datasource

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/internal/workcopy"
	"github.com/dzonboard/dzonboard/workflow"
)

// Run origins recorded in workflow.DataSourceState.RunOrigin.
const (
	originStarted = "started"
	originAdopted = "adopted"
	originReused  = "reused"
)

// runNotVisible is the status of a run this execution started that reads do not find yet.
const runNotVisible = "STARTED (not readable yet)"

var runStatuses = waitloop.Statuses{
	Pending: []string{string(dztypes.DataSourceRunStatusRequested), string(dztypes.DataSourceRunStatusRunning), runNotVisible},
	Target:  []string{string(dztypes.DataSourceRunStatusSuccess), string(dztypes.DataSourceRunStatusPartiallySucceeded)},
	Failed:  []string{string(dztypes.DataSourceRunStatusFailed)},
}

// Run is the Run task: it chooses the data source run whose outcome counts (the active one, a
// successful one newer than every table change, or a new one), waits for it to end, and records
// every onboarded table's asset ID from the run's activities.
type Run struct {
	dz    awsapi.RunAPI
	clock waitloop.Clock
}

// NewRun returns the Run task.
func NewRun(dz awsapi.RunAPI, clock waitloop.Clock) *Run {
	return &Run{dz: dz, clock: clock}
}

// Handle chooses the run on the first look, then reads it: REQUESTED or RUNNING waits, FAILED is
// a *workflow.DataSourceFailedError, and SUCCESS or PARTIALLY_SUCCEEDED is done once every table
// has an asset. A table the run did not import is left out of the rest of the onboarding, with
// its problem and fix (the execution then ends with a *workflow.TableImportError once the other
// tables are onboarded); when no table was imported the stage fails at once with that error.
func (r *Run) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	if w.DataSource == nil || w.DataSource.ID == "" {
		return w, &workflow.ServiceError{Op: "run data source", Err: errors.New(
			"the work document has no data source: DataSource must run before Run")}
	}
	ds := *w.DataSource
	w.DataSource = &ds
	w.Tables = workcopy.Tables(w.Tables)
	var failure error
	err := waitloop.Run(ctx, r.clock, &w, waitloop.Stage{
		Name:     workflow.TaskRun,
		Statuses: runStatuses,
		Items:    func() int { return 1 },
		Noun:     "data source run",
		Step: func(ctx context.Context, _ int) (waitloop.Step, error) {
			status, f, err := r.look(ctx, &w)
			failure = f
			return waitloop.Step{Status: status, What: "data source run " + w.DataSource.RunID}, err
		},
		Fail: func([]workflow.Problem) error { return failure },
	})
	return w, err
}

// look chooses the run when the Work has none, then reads it once; an ended run's activities
// give each table its asset.
// It returns the run's status, and for a failed run the stage's named error (failure); err is an
// AWS error the run's status could not be read for.
func (r *Run) look(ctx context.Context, w *workflow.Work) (status string, failure, err error) {
	ds := w.DataSource
	if ds.RunID == "" {
		c, err := r.choose(ctx, *w)
		if err != nil {
			return "", nil, err
		}
		ds.RunID, ds.RunOrigin = c.runID, c.origin
		if c.origin == originStarted {
			ds.RunStartedAt = r.clock.Now()
		}
		slog.InfoContext(ctx, "data source run", "dataSource", ds.ID, "run", c.runID, "origin", c.origin)
		if c.origin == originReused {
			applyAssets(w, c.assets)
			ds.RunStatus = string(dztypes.DataSourceRunStatusSuccess)
			return ds.RunStatus, nil, nil
		}
	}
	if ds.RunOrigin == originReused {
		return ds.RunStatus, nil, nil
	}
	out, rerr := r.dz.GetDataSourceRun(ctx, &datazone.GetDataSourceRunInput{
		DomainIdentifier: aws.String(w.Plan.DomainID), Identifier: aws.String(ds.RunID),
	})
	if awsapi.NotYetVisible(rerr, ds.RunStartedAt, r.clock.Now()) {
		return runNotVisible, nil, nil
	}
	if rerr != nil {
		return "", nil, awsapi.Classify("get data source run "+ds.RunID, rerr)
	}
	ds.RunStatus = string(out.Status)
	switch outcome, _ := runStatuses.Of(ds.RunStatus); outcome {
	case waitloop.Failed:
		return ds.RunStatus, runFailed(ds.ID, ds.RunID, out.ErrorMessage), nil
	case waitloop.Pending:
		return ds.RunStatus, nil, nil
	}
	acts, err := r.activities(ctx, w.Plan.DomainID, ds.RunID)
	if err != nil {
		return "", nil, err
	}
	assets, missing := check(*w, acts)
	applyAssets(w, assets)
	if len(assets) == 0 && len(missing) > 0 {
		return string(dztypes.DataSourceRunStatusFailed), &workflow.TableImportError{RunID: ds.RunID, Problems: problems.Compact(ctx, sorted(missing))}, nil
	}
	for name, p := range missing {
		slog.WarnContext(ctx, "table not imported: left out of the onboarding", "table", name, "problem", p.Problem, "fix", p.Fix)
		w.FailTable(name, workflow.TaskRun, p)
	}
	return ds.RunStatus, nil, nil
}

// activities returns every activity of a run.
func (r *Run) activities(ctx context.Context, domainID, runID string) ([]dztypes.DataSourceRunActivity, error) {
	var acts []dztypes.DataSourceRunActivity
	pages := datazone.NewListDataSourceRunActivitiesPaginator(r.dz, &datazone.ListDataSourceRunActivitiesInput{
		DomainIdentifier: aws.String(domainID), Identifier: aws.String(runID),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify("list activities of data source run "+runID, err)
		}
		acts = append(acts, out.Items...)
	}
	return acts, nil
}

// applyAssets records each table's asset ID.
func applyAssets(w *workflow.Work, assets map[string]string) {
	for i := range w.Tables {
		if id, ok := assets[w.Tables[i].Name]; ok {
			w.Tables[i].AssetID = id
		}
	}
}

// sorted returns the problems of a map by table name, in name order.
func sorted(byTable map[string]workflow.Problem) []workflow.Problem {
	out := make([]workflow.Problem, 0, len(byTable))
	for _, name := range slices.Sorted(maps.Keys(byTable)) {
		out = append(out, byTable[name])
	}
	return out
}
