package datasource

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// The data source statuses this task reports: DataZone's, and two of its own for a data source it
// must still bring in line with the plan and for one it created that reads do not find yet.
const (
	mustUpdate = "UPDATE PENDING"
	notVisible = "CREATED (not readable yet)"
)

var ensureStatuses = waitloop.Statuses{
	Pending: []string{string(dztypes.DataSourceStatusCreating), string(dztypes.DataSourceStatusUpdating), mustUpdate, notVisible},
	Target:  []string{string(dztypes.DataSourceStatusReady), string(dztypes.DataSourceStatusRunning)},
	Failed: []string{string(dztypes.DataSourceStatusFailedCreation), string(dztypes.DataSourceStatusFailedUpdate),
		string(dztypes.DataSourceStatusDeleting), string(dztypes.DataSourceStatusFailedDeletion)},
}

// Ensure is the DataSource task: it finds the producer project's GLUE data source by the plan's
// name (or creates it), brings its configuration in line with the plan, and is done when the data
// source is READY, or RUNNING its first run (Run adopts that run).
type Ensure struct {
	dz    awsapi.DataSourceAPI
	clock waitloop.Clock
}

// NewEnsure returns the DataSource task.
func NewEnsure(dz awsapi.DataSourceAPI, clock waitloop.Clock) *Ensure {
	return &Ensure{dz: dz, clock: clock}
}

// Handle finds or creates the data source on the first look, then looks at its status: READY or
// RUNNING is done, CREATING or UPDATING waits, and a failed or deleted data source is a
// *workflow.DataSourceFailedError. An adopted data source whose database or filters differ from
// the plan's is updated once it is READY.
func (e *Ensure) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	if w.DataSource != nil {
		ds := *w.DataSource
		w.DataSource = &ds
	}
	var failure *workflow.DataSourceFailedError
	err := waitloop.Run(ctx, e.clock, &w, waitloop.Stage{
		Name:     workflow.TaskDataSource,
		Statuses: ensureStatuses,
		Items:    func() int { return 1 },
		Noun:     "data source",
		Step: func(ctx context.Context, _ int) (waitloop.Step, error) {
			status, f, err := e.look(ctx, &w)
			failure = f
			return waitloop.Step{Status: status, What: "data source " + w.Plan.DataSourceName}, err
		},
		Fail: func([]workflow.Problem) error { return failure },
	})
	return w, err
}

// look finds or creates the data source when the Work has none, then reads it once.
func (e *Ensure) look(ctx context.Context, w *workflow.Work) (string, *workflow.DataSourceFailedError, error) {
	p := w.Plan
	if w.DataSource == nil || w.DataSource.ID == "" {
		id, created, err := e.findOrCreate(ctx, p)
		if err != nil {
			return "", nil, err
		}
		w.DataSource = &workflow.DataSourceState{ID: id, Created: created}
		if created {
			w.DataSource.CreatedAt = e.clock.Now()
		}
		slog.InfoContext(ctx, "data source", "id", id, "name", p.DataSourceName, "created", created)
	}
	ds := w.DataSource
	out, err := e.dz.GetDataSource(ctx, &datazone.GetDataSourceInput{
		DomainIdentifier: aws.String(p.DomainID), Identifier: aws.String(ds.ID),
	})
	if awsapi.NotYetVisible(err, ds.CreatedAt, e.clock.Now()) {
		return notVisible, nil, nil
	}
	if err != nil {
		return "", nil, awsapi.Classify("get data source "+ds.ID, err)
	}
	logSelfGrant(ctx, ds.ID, out.SelfGrantStatus)
	status, err := e.conform(ctx, p, ds.ID, out)
	if err != nil {
		return "", nil, err
	}
	ds.Status = status
	if outcome, _ := ensureStatuses.Of(status); outcome == waitloop.Failed {
		return status, failed(ds.ID, dztypes.DataSourceStatus(status), out.ErrorMessage), nil
	}
	return status, nil, nil
}

// conform updates a READY data source whose database or filters differ from the plan's. It
// returns the status to report: mustUpdate while it cannot update yet (the data source is RUNNING
// with the old configuration, or DataZone refused the update for now).
func (e *Ensure) conform(ctx context.Context, p workflow.Plan, id string, out *datazone.GetDataSourceOutput) (string, error) {
	status := out.Status
	if status != dztypes.DataSourceStatusReady && status != dztypes.DataSourceStatusRunning {
		return string(status), nil
	}
	diff := configDiff(p, out.Configuration)
	if diff == "" {
		return string(status), nil
	}
	if status != dztypes.DataSourceStatusReady {
		slog.InfoContext(ctx, "data source configuration differs; waiting until it is READY to update it",
			"id", id, "status", string(status), "diff", diff)
		return mustUpdate, nil
	}
	var role, catalog *string
	if g := glueOutput(out.Configuration); g != nil {
		role, catalog = g.DataAccessRole, g.CatalogName
	}
	slog.InfoContext(ctx, "updating the data source's configuration to the plan's", "id", id, "diff", diff)
	up, err := e.dz.UpdateDataSource(ctx, &datazone.UpdateDataSourceInput{
		DomainIdentifier: aws.String(p.DomainID),
		Identifier:       aws.String(id),
		Configuration:    glueConfig(p, role, catalog),
	})
	var ce *dztypes.ConflictException
	if errors.As(err, &ce) {
		slog.InfoContext(ctx, "data source busy; will update it on the next look", "id", id,
			"unconfirmed", awsapi.Code(err)+": "+awsapi.Message(err))
		return mustUpdate, nil
	}
	if err != nil {
		return "", awsapi.Classify("update data source "+id, err)
	}
	if up.Status == "" || up.Status == dztypes.DataSourceStatusReady {
		// The update is under way: READY again once it is applied (the next look reads it).
		return string(dztypes.DataSourceStatusUpdating), nil
	}
	return string(up.Status), nil
}

// findOrCreate returns the data source of the plan, creating it when there is none.
func (e *Ensure) findOrCreate(ctx context.Context, p workflow.Plan) (id string, created bool, err error) {
	id, err = find(ctx, e.dz, p, p.Producer.EnvironmentID)
	if err != nil || id != "" {
		return id, false, err
	}
	return create(ctx, e.dz, p)
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
