package datasource

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// choice is the run whose outcome counts, where it came from and, for a reused run, the asset of
// every table.
type choice struct {
	runID, origin string
	assets        map[string]string
}

// choose picks the run: (a) the active run, adopted; (b) the newest run, reused when it succeeded
// after every table change with the data source's current configuration and imported every
// table (a repeated onboarding then makes no call that changes anything); (c) a new run.
func (r *Run) choose(ctx context.Context, w workflow.Work) (choice, error) {
	ds := w.DataSource
	if id, err := r.active(ctx, w.Plan.DomainID, ds.ID); err != nil || id != "" {
		return choice{runID: id, origin: originAdopted}, err
	}
	c, ok, err := r.reusable(ctx, w)
	if err != nil || ok {
		return c, err
	}
	return r.start(ctx, w)
}

// active returns the data source's RUNNING run, else its REQUESTED one, else "".
func (r *Run) active(ctx context.Context, domainID, dsID string) (string, error) {
	for _, st := range []dztypes.DataSourceRunStatus{dztypes.DataSourceRunStatusRunning, dztypes.DataSourceRunStatusRequested} {
		pages := datazone.NewListDataSourceRunsPaginator(r.dz, &datazone.ListDataSourceRunsInput{
			DomainIdentifier: aws.String(domainID), DataSourceIdentifier: aws.String(dsID), Status: st,
		})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return "", awsapi.Classify("list "+string(st)+" runs of data source "+dsID, err)
			}
			for _, run := range out.Items {
				if run.Status == st {
					return aws.ToString(run.Id), nil
				}
			}
		}
	}
	return "", nil
}

// reusable returns the newest run when it can stand for a new one: it ended SUCCESS at or after
// the newest table change, the data source was not created by this execution and has not been
// updated since the run began (so neither by this execution), and the run's activities give every
// table an asset.
func (r *Run) reusable(ctx context.Context, w workflow.Work) (choice, bool, error) {
	ds := w.DataSource
	if ds.Created || w.TablesUpdatedAt.IsZero() {
		return choice{}, false, nil
	}
	newest, err := r.newest(ctx, w.Plan.DomainID, ds.ID)
	if err != nil || newest == nil {
		return choice{}, false, err
	}
	id := aws.ToString(newest.Id)
	if newest.Status != dztypes.DataSourceRunStatusSuccess || newest.StoppedAt == nil || newest.StoppedAt.Before(w.TablesUpdatedAt) {
		slog.InfoContext(ctx, "newest run is not reusable", "run", id, "status", string(newest.Status),
			"stoppedAt", aws.ToTime(newest.StoppedAt), "tablesUpdatedAt", w.TablesUpdatedAt)
		return choice{}, false, nil
	}
	got, err := r.dz.GetDataSource(ctx, &datazone.GetDataSourceInput{
		DomainIdentifier: aws.String(w.Plan.DomainID), Identifier: aws.String(ds.ID),
	})
	if err != nil {
		return choice{}, false, awsapi.Classify("get data source "+ds.ID, err)
	}
	// An update by this execution (EnsureDataSource) or anyone else after the run began means the
	// run imported with another configuration. (Plan.StartedAt is not compared: the execution's
	// clock and the account's need not agree.)
	if upd := aws.ToTime(got.UpdatedAt); upd.After(aws.ToTime(newest.CreatedAt)) {
		slog.InfoContext(ctx, "data source changed since its newest run; starting a new one", "run", id,
			"dataSourceUpdatedAt", upd, "runCreatedAt", aws.ToTime(newest.CreatedAt))
		return choice{}, false, nil
	}
	acts, err := r.activities(ctx, w.Plan.DomainID, id)
	if err != nil {
		return choice{}, false, err
	}
	assets, problems := check(w, acts)
	if len(problems) > 0 {
		slog.InfoContext(ctx, "newest run did not import every table; starting a new one", "run", id, "problems", len(problems))
		return choice{}, false, nil
	}
	return choice{runID: id, origin: originReused, assets: assets}, true, nil
}

// newest returns the data source's most recently created run, or nil.
func (r *Run) newest(ctx context.Context, domainID, dsID string) (*dztypes.DataSourceRunSummary, error) {
	var newest *dztypes.DataSourceRunSummary
	pages := datazone.NewListDataSourceRunsPaginator(r.dz, &datazone.ListDataSourceRunsInput{
		DomainIdentifier: aws.String(domainID), DataSourceIdentifier: aws.String(dsID),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Classify("list runs of data source "+dsID, err)
		}
		for i := range out.Items {
			run := &out.Items[i]
			if newest == nil || aws.ToTime(run.CreatedAt).After(aws.ToTime(newest.CreatedAt)) {
				newest = run
			}
		}
	}
	return newest, nil
}

// start starts a run with a client token derived from the execution and the data source. A
// ConflictException means another run got there first: that run is adopted when it can be found.
func (r *Run) start(ctx context.Context, w workflow.Work) (choice, error) {
	ds := w.DataSource
	out, err := r.dz.StartDataSourceRun(ctx, &datazone.StartDataSourceRunInput{
		DomainIdentifier:     aws.String(w.Plan.DomainID),
		DataSourceIdentifier: aws.String(ds.ID),
		ClientToken:          aws.String(workflow.ClientToken(w.Plan.Execution, workflow.TaskRun, ds.ID)),
	})
	if err == nil {
		return choice{runID: aws.ToString(out.Id), origin: originStarted}, nil
	}
	op := "start a run of data source " + ds.ID
	var ce *dztypes.ConflictException
	if !errors.As(err, &ce) {
		return choice{}, awsapi.Classify(op, err)
	}
	slog.InfoContext(ctx, "run start conflicted; looking for the active run", "dataSource", ds.ID,
		"unconfirmed", awsapi.Code(err)+": "+awsapi.Message(err))
	id, aerr := r.active(ctx, w.Plan.DomainID, ds.ID)
	if aerr != nil {
		return choice{}, aerr
	}
	if id == "" {
		return choice{}, &workflow.TransientError{Op: op, Err: err}
	}
	return choice{runID: id, origin: originAdopted}, nil
}
