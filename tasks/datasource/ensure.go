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
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// ensureLoop is EnsureDataSource's wait loop: the dataSource stage, waiting by DataSourcePolicy.
var ensureLoop = waitloop.Loop{Stage: "dataSource", Policy: workflow.DataSourcePolicy}

// Ensure is the EnsureDataSource task: it finds the producer project's GLUE data source by the
// plan's name (or creates it), brings its configuration in line with the plan, and is done when
// the data source is READY, or RUNNING its first run (RunDataSource adopts that run).
type Ensure struct {
	dz  awsapi.DataSourceAPI
	now func() time.Time
}

// NewEnsure returns the EnsureDataSource task. now is the clock (time.Now when nil).
func NewEnsure(dz awsapi.DataSourceAPI, now func() time.Time) *Ensure {
	return &Ensure{dz: dz, now: clock(now)}
}

// Handle finds or creates the data source on the loop's first invocation, then reads its status:
// READY or RUNNING is done, CREATING or UPDATING waits (DataSourcePolicy), and a failed or
// deleted data source is a *workflow.DataSourceFailedError. An adopted data source whose database
// or filters differ from the plan's is updated once it is READY.
func (e *Ensure) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	now := e.now()
	p := w.Plan
	first := ensureLoop.Begin(&w, now)
	if w.DataSource == nil || w.DataSource.ID == "" {
		id, created, err := e.findOrCreate(ctx, p)
		if err != nil {
			return w, err
		}
		w.DataSource = &workflow.DataSourceState{ID: id, Created: created}
		slog.InfoContext(ctx, "data source", "id", id, "name", p.DataSourceName, "created", created)
	}
	ds := w.DataSource
	out, err := e.dz.GetDataSource(ctx, &datazone.GetDataSourceInput{
		DomainIdentifier: aws.String(p.DomainID), Identifier: aws.String(ds.ID),
	})
	if err != nil {
		return w, awsapi.Classify("get data source "+ds.ID, err)
	}
	logSelfGrant(ctx, ds.ID, out.SelfGrantStatus)
	status, still, err := e.conform(ctx, p, ds.ID, out)
	if err != nil {
		return w, err
	}
	ds.Status = string(status)
	switch status {
	case dztypes.DataSourceStatusReady, dztypes.DataSourceStatusRunning:
		if still != "" {
			break
		}
		ensureLoop.Done(&w, now)
		return w, nil
	case dztypes.DataSourceStatusFailedCreation, dztypes.DataSourceStatusFailedUpdate,
		dztypes.DataSourceStatusDeleting, dztypes.DataSourceStatusFailedDeletion:
		return w, failed(ds.ID, status, out.ErrorMessage)
	case dztypes.DataSourceStatusCreating, dztypes.DataSourceStatusUpdating:
	default:
		slog.InfoContext(ctx, "data source in an unknown status; waiting", "id", ds.ID, "unconfirmed", string(status))
	}
	if still == "" {
		still = "data source " + ds.ID + " is " + string(status)
	}
	err = ensureLoop.Wait(&w, first, now, still)
	return w, err
}

// conform updates a READY data source whose database or filters differ from the plan's. It
// returns the status to act on and, when the data source must still be updated before it counts
// as ready (it is RUNNING with the old configuration, or DataZone refused the update for now),
// what is pending.
func (e *Ensure) conform(ctx context.Context, p workflow.Plan, id string, out *datazone.GetDataSourceOutput) (dztypes.DataSourceStatus, string, error) {
	status := out.Status
	if status != dztypes.DataSourceStatusReady && status != dztypes.DataSourceStatusRunning {
		return status, "", nil
	}
	diff := configDiff(p, out.Configuration)
	if diff == "" {
		return status, "", nil
	}
	next, updated, err := e.update(ctx, p, id, status, out.Configuration, diff)
	if err != nil || updated {
		return next, "", err
	}
	return next, "data source " + id + " is " + string(next) + " and must be updated (" + diff + ")", nil
}

// findOrCreate returns the data source of the plan, creating it when there is none.
func (e *Ensure) findOrCreate(ctx context.Context, p workflow.Plan) (id string, created bool, err error) {
	id, err = find(ctx, e.dz, p, p.Producer.EnvironmentID)
	if err != nil || id != "" {
		return id, false, err
	}
	return create(ctx, e.dz, p)
}

// update gives an adopted data source the plan's database and filters, and reports whether it
// did. A data source busy with a run is left alone until it is READY (its run imports with the
// old filters), and so is one DataZone reports busy. status is the status to act on next.
func (e *Ensure) update(ctx context.Context, p workflow.Plan, id string, status dztypes.DataSourceStatus,
	cur dztypes.DataSourceConfigurationOutput, diff string) (next dztypes.DataSourceStatus, updated bool, err error) {
	if status != dztypes.DataSourceStatusReady {
		slog.InfoContext(ctx, "data source configuration differs; waiting until it is READY to update it",
			"id", id, "status", string(status), "diff", diff)
		return status, false, nil
	}
	var role, catalog *string
	if g := glueOutput(cur); g != nil {
		role, catalog = g.DataAccessRole, g.CatalogName
	}
	slog.InfoContext(ctx, "updating the data source's configuration to the plan's", "id", id, "diff", diff)
	out, err := e.dz.UpdateDataSource(ctx, &datazone.UpdateDataSourceInput{
		DomainIdentifier: aws.String(p.DomainID),
		Identifier:       aws.String(id),
		Configuration:    glueConfig(p, role, catalog),
	})
	var ce *dztypes.ConflictException
	if errors.As(err, &ce) {
		slog.InfoContext(ctx, "data source busy; will update it on the next check", "id", id,
			"unconfirmed", awsapi.Code(err)+": "+awsapi.Message(err))
		return status, false, nil
	}
	if err != nil {
		return status, false, awsapi.Classify("update data source "+id, err)
	}
	if out.Status == "" {
		return dztypes.DataSourceStatusUpdating, true, nil
	}
	return out.Status, true, nil
}

// logSelfGrant logs the data source's self-grant status, which V1 domains are expected to leave
// empty (aws-reference §4.2).
func logSelfGrant(ctx context.Context, id string, s dztypes.SelfGrantStatusOutput) {
	if s == nil {
		return
	}
	if g, ok := s.(*dztypes.SelfGrantStatusOutputMemberGlueSelfGrantStatus); ok {
		for _, d := range g.Value.SelfGrantStatusDetails {
			slog.InfoContext(ctx, "data source self-grant status", "id", id, "database", aws.ToString(d.DatabaseName),
				"unconfirmed", string(d.Status)+" "+aws.ToString(d.FailureCause))
		}
		return
	}
	slog.InfoContext(ctx, "data source self-grant status of another kind", "id", id, "unconfirmed", "present")
}
