package datasource

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// Run origins recorded in workflow.DataSourceState.RunOrigin.
const (
	originStarted = "started"
	originAdopted = "adopted"
	originReused  = "reused"
)

// runLoop is RunDataSource's wait loop: the run stage, waiting by RunPolicy.
var runLoop = waitloop.Loop{Stage: "run", Policy: workflow.RunPolicy}

// Run is the RunDataSource task: it chooses the data source run whose outcome counts (the active
// one, a successful one newer than every table change, or a new one), waits for it to end, and
// records every onboarded table's asset ID from the run's activities.
type Run struct {
	dz  awsapi.RunAPI
	now func() time.Time
}

// NewRun returns the RunDataSource task. now is the clock (time.Now when nil).
func NewRun(dz awsapi.RunAPI, now func() time.Time) *Run {
	return &Run{dz: dz, now: clock(now)}
}

// Handle chooses the run on the loop's first invocation, then reads it: REQUESTED or RUNNING
// waits (RunPolicy), FAILED is a *workflow.DataSourceFailedError, and SUCCESS or
// PARTIALLY_SUCCEEDED is done when every table of w.Tables has an asset, else one
// *workflow.TableImportError lists every table that has none, with its fix.
func (r *Run) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	now := r.now()
	if w.DataSource == nil || w.DataSource.ID == "" {
		return w, &workflow.ServiceError{Op: "run data source", Err: errors.New(
			"the work document has no data source: EnsureDataSource must run before RunDataSource")}
	}
	ds := w.DataSource
	first := runLoop.Begin(&w, now)
	if ds.RunID == "" {
		c, err := r.choose(ctx, w)
		if err != nil {
			return w, err
		}
		ds.RunID, ds.RunOrigin = c.runID, c.origin
		slog.InfoContext(ctx, "data source run", "dataSource", ds.ID, "run", c.runID, "origin", c.origin)
		if c.origin == originReused {
			applyAssets(&w, c.assets)
			return r.done(w, now, string(dztypes.DataSourceRunStatusSuccess)), nil
		}
	}
	out, err := r.dz.GetDataSourceRun(ctx, &datazone.GetDataSourceRunInput{
		DomainIdentifier: aws.String(w.Plan.DomainID), Identifier: aws.String(ds.RunID),
	})
	if err != nil {
		return w, awsapi.Classify("get data source run "+ds.RunID, err)
	}
	ds.RunStatus = string(out.Status)
	switch out.Status {
	case dztypes.DataSourceRunStatusSuccess, dztypes.DataSourceRunStatusPartiallySucceeded:
		acts, err := r.activities(ctx, w.Plan.DomainID, ds.RunID)
		if err != nil {
			return w, err
		}
		assets, missing := check(w, acts)
		if len(missing) > 0 {
			return w, &workflow.TableImportError{RunID: ds.RunID, Problems: problems.Compact(ctx, missing)}
		}
		applyAssets(&w, assets)
		return r.done(w, now, string(out.Status)), nil
	case dztypes.DataSourceRunStatusFailed:
		return w, runFailed(ds.ID, ds.RunID, out.ErrorMessage)
	case dztypes.DataSourceRunStatusRequested, dztypes.DataSourceRunStatusRunning:
	default:
		slog.InfoContext(ctx, "data source run in an unknown status; waiting", "run", ds.RunID, "unconfirmed", string(out.Status))
	}
	err = runLoop.Wait(&w, first, now, "data source run "+ds.RunID+" is "+string(out.Status))
	return w, err
}

// done ends the stage with the run's status.
func (r *Run) done(w workflow.Work, now time.Time, status string) workflow.Work {
	w.DataSource.RunStatus = status
	runLoop.Done(&w, now)
	return w
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
