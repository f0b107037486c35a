package preflight

import (
	"context"
	"log/slog"
	"time"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// Deps are what Preflight reads the account with.
type Deps struct {
	STS           awsapi.PreflightSTS
	DataZone      awsapi.PreflightDataZone
	Glue          awsapi.PreflightGlue
	LakeFormation awsapi.PreflightLakeFormation
	// LakeFormationRoleARN is the role PrepareLakeFormation runs as, which must be a data lake
	// administrator; "" means the role Preflight runs as.
	LakeFormationRoleARN string
	Now                  func() time.Time
}

// Task is the Preflight task.
type Task struct {
	d Deps
}

// New returns the Preflight task.
func New(d Deps) *Task {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Task{d: d}
}

// Handle validates req.Input (an *workflow.InvalidInputError, before any AWS call, when it is
// wrong) and checks the account. Every problem found is reported at once in a
// *workflow.PreflightError; an AWS error that may go away by itself is returned as a
// *workflow.TransientError so that the state machine retries. Otherwise it returns a Work holding
// the complete Plan, defaults applied, with the preflight stage begun and ended.
func (t *Task) Handle(ctx context.Context, req workflow.PreflightRequest) (workflow.Work, error) {
	in, err := workflow.ParseInput(req.Input)
	if err != nil {
		return workflow.Work{}, err
	}
	begun := t.d.Now()
	c := &check{d: t.d, in: in, notMember: map[string]bool{}}
	for _, step := range []func(context.Context) error{c.identity, c.lakeFormation, c.dataZone, c.glue} {
		if err := step(ctx); err != nil {
			return workflow.Work{}, err
		}
	}
	if len(c.problems) > 0 {
		slog.InfoContext(ctx, "preflight found problems", "problems", len(c.problems))
		return workflow.Work{}, &workflow.PreflightError{Problems: c.problems}
	}

	w := workflow.Work{Plan: c.buildPlan(req, begun)}
	w.BeginStage(workflow.TaskPreflight, begun)
	w.EndStage(workflow.TaskPreflight, t.d.Now())
	slog.InfoContext(ctx, "preflight passed", "database", w.Plan.GlueDatabase, "s3Location", w.Plan.S3Location,
		"subscriptionDatabase", w.Plan.Producer.SubscriptionDatabase, "workgroup", w.Plan.Producer.Workgroup)
	return w, nil
}

// buildPlan is the Plan of a passed check, with every default applied.
func (c *check) buildPlan(req workflow.PreflightRequest, now time.Time) workflow.Plan {
	in := c.in
	started, err := time.Parse(time.RFC3339, req.StartTime)
	if err != nil {
		started = now
	}
	tables := in.Tables
	if len(tables) == 0 {
		tables = []string{"*"}
	}
	dsName := in.DataSourceName
	if dsName == "" {
		dsName = workflow.DefaultDataSourceName(c.database)
	}
	verify := workflow.VerifySpec{MinRows: workflow.DefaultMinRows, SampleRows: workflow.DefaultSampleRows}
	if v := in.Verify; v != nil {
		if v.MinRows != nil {
			verify.MinRows = *v.MinRows
		}
		if v.SampleRows != nil {
			verify.SampleRows = *v.SampleRows
		}
		verify.Queries = v.Queries
	}
	return workflow.Plan{
		Execution:           req.Execution,
		StartedAt:           started.UTC(),
		Partition:           c.partition(),
		AccountID:           c.account,
		Region:              c.region,
		DomainID:            in.DomainID,
		CrawlerName:         in.CrawlerName,
		CrawlerRoleARN:      c.crawlerRole,
		GlueDatabase:        c.database,
		S3Location:          c.s3Location,
		LocationARN:         workflow.LocationARN(c.partition(), c.s3Location),
		TableFilters:        tables,
		DataSourceName:      dsName,
		SkipCrawl:           in.SkipCrawl,
		MakeManaged:         in.MakeManaged,
		ManageAccessRoleARN: c.manageAccessRole,
		Producer:            c.producer,
		Consumers:           c.consumers,
		Verify:              verify,
	}
}
