package registry

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/crawl"
	"github.com/dzonboard/dzonboard/tasks/datasource"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/tasks/lfsetup"
	"github.com/dzonboard/dzonboard/tasks/preflight"
	"github.com/dzonboard/dzonboard/tasks/publish"
	"github.com/dzonboard/dzonboard/tasks/report"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/tasks/verify"
	"github.com/dzonboard/dzonboard/workflow"
)

// Options configure the handlers.
type Options struct {
	// Config is the AWS configuration of the task's role (BaseEndpoint set for the sandbox).
	Config aws.Config
	// TaskConfigs are configurations for particular tasks, by task name: a task listed here
	// calls AWS with its own configuration instead of Config, as each task's function does with
	// its own role when the stack is deployed. The Lambda main leaves it empty (a function runs
	// one task); `dzonboard run-local --template` sets it.
	TaskConfigs map[string]aws.Config
	// Now is the clock; nil means time.Now. The local runner passes the sandbox's virtual clock.
	Now func() time.Time
	// Sleep waits for the tasks (looking again inside a wait loop, pacing rate-limited calls);
	// nil means a real, context-aware sleep. The local runner passes one that lets the sandbox's
	// virtual time pass.
	Sleep func(ctx context.Context, d time.Duration) error
	// LakeFormationRoleARN is the role the LakeFormation task runs as ("" = the caller), which
	// Preflight checks is a data lake administrator.
	LakeFormationRoleARN string
	// StateBucket is the bucket of the table lists and full reports (workflow.EnvStateBucket).
	StateBucket string
}

// Entry is one task: its name and its handler in both forms.
type Entry struct {
	Name string
	// Handler is the byte-level seam (JSON in, JSON out) the local runner invokes.
	Handler lambda.Handler
	// Start runs the handler under the Lambda runtime; it does not return.
	Start func()
}

// Build returns every task of workflow.Tasks, in that order.
func Build(opt Options) []Entry {
	clock := waitloop.Clock{Now: opt.Now, Sleep: opt.Sleep}
	if clock.Now == nil {
		clock.Now = time.Now
	}
	if clock.Sleep == nil {
		clock.Sleep = pace.Sleep
	}
	limiter := func(op string) *pace.Limiter { return pace.For(op, clock.Sleep).WithClock(clock.Now) }
	shared := awsapi.NewClients(opt.Config)
	c := func(task string) *awsapi.Clients {
		if cfg, ok := opt.TaskConfigs[task]; ok {
			return awsapi.NewClients(cfg)
		}
		return shared
	}
	// stored is a task of the Work whose tables live in the state bucket, read and written with
	// the task's own clients.
	stored := func(task string, h func(context.Context, workflow.Work) (workflow.Work, error)) Entry {
		return entry(task, newTableStore(c(task).S3, opt.StateBucket).stage(task, h))
	}
	pf, tables, verifyClients := c(workflow.TaskPreflight), c(workflow.TaskTables), c(workflow.TaskVerify)
	reports := newTableStore(c(workflow.TaskReport).S3, opt.StateBucket)
	athenaAs := func(creds aws.Credentials) awsapi.VerifyAthena { return verifyClients.AthenaAs(creds) }
	return []Entry{
		entry(workflow.TaskPreflight, preflight.New(preflight.Deps{
			STS: pf.STS, DataZone: pf.DataZone, Glue: pf.Glue, LakeFormation: pf.LakeFormation,
			LakeFormationRoleARN: opt.LakeFormationRoleARN, Now: clock.Now,
		}).Handle),
		stored(workflow.TaskLakeFormation, lfsetup.NewPrepare(c(workflow.TaskLakeFormation).LakeFormation, clock.Now).Handle),
		stored(workflow.TaskCrawl, crawl.New(c(workflow.TaskCrawl).Glue, clock).Handle),
		stored(workflow.TaskTables, lfsetup.NewTables(tables.Glue, tables.LakeFormation, clock).Handle),
		stored(workflow.TaskDataSource, datasource.NewEnsure(c(workflow.TaskDataSource).DataZone, clock).Handle),
		stored(workflow.TaskRun, datasource.NewRun(c(workflow.TaskRun).DataZone, clock).Handle),
		stored(workflow.TaskPublish, publish.New(c(workflow.TaskPublish).DataZone, clock).Handle),
		stored(workflow.TaskSubscribe, subscribe.New(c(workflow.TaskSubscribe).DataZone, clock, subscribe.Limiters{
			Request: limiter("datazone:CreateSubscriptionRequest"),
			Accept:  limiter("datazone:AcceptSubscriptionRequest"),
			Grant:   limiter("datazone:CreateSubscriptionGrant"),
		}).Handle),
		stored(workflow.TaskVerify, verify.New(verify.Deps{
			DataZone: verifyClients.DataZone, Glue: verifyClients.Glue, Athena: athenaAs, Clock: clock,
			Starts: limiter("athena:StartQueryExecution"),
		}).Handle),
		entry(workflow.TaskReport, loaded(reports, report.New(clock.Now, reports).Handle)),
	}
}

// Handlers returns Build's handlers by task name, as the local runner wants them.
func Handlers(opt Options) map[string]lambda.Handler {
	m := map[string]lambda.Handler{}
	for _, e := range Build(opt) {
		m[e.Name] = e.Handler
	}
	return m
}

// entry types a handler once for both seams. Task inputs belong to our ASL, so unknown fields
// are errors: a mismatch between the ASL and the Go types fails loudly.
func entry[In, Out any](name string, h func(context.Context, In) (Out, error)) Entry {
	opts := []lambda.Option{lambda.WithDisallowUnknownFields(true)}
	return Entry{
		Name:    name,
		Handler: lambda.NewHandlerWithOptions(h, opts...),
		Start:   func() { lambda.StartHandlerFunc(h, opts...) },
	}
}
