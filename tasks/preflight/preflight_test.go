package preflight_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/preflight"
	"github.com/dzonboard/dzonboard/workflow"
)

// The default world's names (examples/sandbox-world.json) besides tasktest's.
var (
	salesProject, salesEnv = tasktest.Producer.ProjectID, tasktest.Producer.EnvironmentID
	mktProject, mktEnv     = tasktest.Consumer.ProjectID, tasktest.Consumer.EnvironmentID
)

// workflowRole is the not-member world's default identity.
const workflowRole = "arn:aws:iam::123456789012:role/dzonboard-workflow"

// want is what one case expects.
type want struct {
	plan     *workflow.Plan // the whole Plan, compared exactly
	errType  error          // the named error type (a pointer to a zero value)
	fields   []string       // fields that must each carry a problem
	texts    []string       // texts some problem must contain
	problems int            // exact problem count, when > 0
	check    func(t *testing.T, w workflow.Work)
}

type testCase struct {
	name   string
	world  string
	mutate func(w *sandbox.World)
	faults []sandbox.FaultRule
	setup  func(t testing.TB, sb *sandbox.Sandbox, c *awsapi.Clients)
	input  func(in *workflow.Input)
	raw    string // the raw input, instead of input
	start  string // PreflightRequest.StartTime
	lfRole string
	noAWS  bool // build the task with no clients: any AWS call panics
	want   want
}

func TestPreflight(t *testing.T) {
	started := time.Date(2026, 1, 5, 8, 59, 58, 123e6, time.UTC)
	fullPlan := workflow.Plan{
		Execution: "exec-1", StartedAt: started, Partition: "aws", AccountID: tasktest.AccountID, Region: "us-east-1", DomainID: tasktest.DomainID,
		CrawlerName: tasktest.CrawlerName, CrawlerRoleARN: tasktest.CrawlerRole, GlueDatabase: "acme_sales",
		S3Location: "s3://acme-sales-data/sales/", LocationARN: "arn:aws:s3:::acme-sales-data/sales",
		TableFilters: []string{"*"}, DataSourceName: "dzonboard-acme_sales", ManageAccessRoleARN: tasktest.ManageAccessRole,
		Producer: tasktest.Producer, Verify: workflow.VerifySpec{MinRows: 1, SampleRows: 5},
	}
	withConsumer := fullPlan
	withConsumer.TableFilters = []string{"orders*"}
	withConsumer.DataSourceName = "orders-source"
	withConsumer.MakeManaged = true
	withConsumer.Consumers = []workflow.Target{tasktest.Consumer}
	withConsumer.Verify = workflow.VerifySpec{MinRows: 1000, SampleRows: 3, Queries: []string{"SELECT 1"}}
	otherKey := fullPlan
	otherKey.Producer.Workgroup = "sales_env-wg"

	cases := []testCase{
		{
			name:  "default world: every plan field, defaults applied",
			world: "default", start: "2026-01-05T08:59:58.123Z",
			want: want{plan: &fullPlan, check: func(t *testing.T, w workflow.Work) {
				if len(w.Timings) != 1 || w.Timings[0].Stage != workflow.TaskPreflight || w.Timings[0].EndedAt.IsZero() {
					t.Errorf("timings = %+v, want the preflight stage begun and ended", w.Timings)
				}
				if w.Poll.Done || w.Crawl != nil || w.LakeFormation != nil || len(w.Tables) > 0 {
					t.Errorf("work = %+v, want only the plan and timings", w)
				}
			}},
		},
		{
			name:  "consumer, filters, name, makeManaged and verify given",
			world: "default", start: "2026-01-05T08:59:58.123Z",
			input: func(in *workflow.Input) {
				in.Tables = []string{"orders*"}
				in.DataSourceName = "orders-source"
				in.MakeManaged = true
				in.S3Location = "s3://acme-sales-data/sales/"
				in.GlueDatabase = "acme_sales"
				in.Consumers = []workflow.Consumer{{ProjectID: mktProject, EnvironmentID: mktEnv}}
				in.Verify = &workflow.Verify{MinRows: aws.Int64(1000), SampleRows: aws.Int(3), Queries: []string{"SELECT 1"}}
			},
			want: want{plan: &withConsumer},
		},
		{
			name:  "no start time: the plan starts now",
			world: "default",
			want: want{check: func(t *testing.T, w workflow.Work) {
				if !w.Plan.StartedAt.Equal(sandbox.DefaultStart) {
					t.Errorf("StartedAt = %v, want the sandbox's now %v", w.Plan.StartedAt, sandbox.DefaultStart)
				}
			}},
		},
		{
			name:  "workgroup reported under athenaWorkGroupName",
			world: "other-workgroup-key", start: "2026-01-05T08:59:58.123Z",
			want: want{plan: &otherKey},
		},
		{
			name:  "s3Location under the crawler's target",
			world: "default",
			input: func(in *workflow.Input) { in.S3Location = "s3://acme-sales-data/sales/orders/" },
			want: want{check: func(t *testing.T, w workflow.Work) {
				if w.Plan.S3Location != "s3://acme-sales-data/sales/orders/" || w.Plan.LocationARN != "arn:aws:s3:::acme-sales-data/sales/orders" {
					t.Errorf("location = %s %s, want the given prefix", w.Plan.S3Location, w.Plan.LocationARN)
				}
			}},
		},
		{
			name:  "not a project member: names the role and the project",
			world: "not-member",
			input: func(in *workflow.Input) {
				in.Consumers = []workflow.Consumer{{ProjectID: mktProject, EnvironmentID: mktEnv}}
			},
			want: want{
				errType: &workflow.PreflightError{},
				fields:  []string{"projectId", "consumers[0].projectId"},
				texts: []string{
					"role " + workflowRole + " is not a member of DataZone project " + salesProject,
					"role " + workflowRole + " is not a member of DataZone project " + mktProject,
					"--project-identifier " + salesProject + " --designation PROJECT_CONTRIBUTOR --member userIdentifier=" + workflowRole,
					"is not a Lake Formation data lake administrator",
					"role " + workflowRole + " is neither a Lake Formation data lake administrator nor a read-only administrator",
					"add " + workflowRole + " to the read-only administrators",
				},
			},
		},
		{
			name:   "lake formation role is not an admin",
			world:  "default",
			lfRole: "arn:aws:iam::123456789012:role/dzonboard-lakeformation",
			want: want{errType: &workflow.PreflightError{}, problems: 1,
				texts: []string{"arn:aws:iam::123456789012:role/dzonboard-lakeformation is not a Lake Formation data lake administrator"}},
		},
		{
			name:   "lake formation role matched by account and name, ignoring the path",
			world:  "default",
			lfRole: "arn:aws:sts::123456789012:assumed-role/Admin/session-1",
			want:   want{check: func(t *testing.T, w workflow.Work) {}},
		},
		{
			name:  "iam-allowed database without makeManaged",
			world: "iam-allowed",
			want: want{errType: &workflow.PreflightError{}, problems: 1, fields: []string{"makeManaged"},
				texts: []string{"Glue database acme_sales gives IAMAllowedPrincipals to new tables", `"makeManaged": true`}},
		},
		{
			name:  "iam-allowed database with makeManaged",
			world: "iam-allowed",
			input: func(in *workflow.Input) { in.MakeManaged = true },
			want: want{check: func(t *testing.T, w workflow.Work) {
				if !w.Plan.MakeManaged {
					t.Error("MakeManaged = false, want true")
				}
			}},
		},
		{
			name:  "iam-allowed tables already crawled, without makeManaged",
			world: "iam-allowed",
			setup: tasktest.Crawl,
			want: want{errType: &workflow.PreflightError{}, problems: 2, fields: []string{"makeManaged"},
				texts: []string{"tables orders of database acme_sales still grant IAMAllowedPrincipals", "revoke ALL from IAM_ALLOWED_PRINCIPALS"}},
		},
		{
			name:  "iam-allowed tables already crawled, with makeManaged",
			world: "iam-allowed",
			setup: tasktest.Crawl,
			input: func(in *workflow.Input) { in.MakeManaged = true },
			want:  want{check: func(t *testing.T, w workflow.Work) {}},
		},
		{
			name:  "input with several mistakes: no AWS call",
			noAWS: true,
			raw:   `{"domainId":"acme","projectId":"","environmentId":"c8m2v7k4q1x9tn","crawlerName":" x","s3Location":"s3://acme-sales-data/sales","tabels":["*"],"verify":{"sampleRows":0}}`,
			want: want{errType: &workflow.InvalidInputError{}, problems: 6,
				fields: []string{"domainId", "projectId", "crawlerName", "s3Location", "tabels", "verify.sampleRows"}},
		},
		{
			name:  "crawler missing",
			world: "default",
			input: func(in *workflow.Input) { in.CrawlerName = "no-such-crawler" },
			want: want{errType: &workflow.PreflightError{}, problems: 1, fields: []string{"crawlerName"},
				texts: []string{"Glue crawler no-such-crawler does not exist"}},
		},
		{
			name:  "several account problems reported at once",
			world: "default",
			input: func(in *workflow.Input) {
				in.GlueDatabase = "other_db"
				in.S3Location = "s3://acme-sales-data/finance/"
				in.Consumers = []workflow.Consumer{{ProjectID: mktProject, EnvironmentID: "nosuchenv"}}
			},
			want: want{errType: &workflow.PreflightError{}, problems: 4,
				fields: []string{"glueDatabase", "s3Location", "consumers[0].environmentId"},
				texts:  []string{"crawler acme-sales-orders writes its tables to database acme_sales", "Glue database other_db does not exist", "nosuchenv does not exist"}},
		},
		{
			name:  "producer environment of another project",
			world: "default",
			input: func(in *workflow.Input) { in.ProjectID = mktProject },
			want: want{errType: &workflow.PreflightError{}, problems: 1, fields: []string{"environmentId"},
				texts: []string{"environment " + salesEnv + " belongs to project " + salesProject + ", not to projectId " + mktProject}},
		},
		{
			name:   "environment not active",
			world:  "default",
			mutate: func(w *sandbox.World) { w.DataZone.Projects[0].Environments[0].Status = "CREATE_FAILED" },
			want: want{errType: &workflow.PreflightError{}, fields: []string{"environmentId"},
				texts: []string{"environment " + salesEnv + " is CREATE_FAILED: its last deployment failed", "redeploy"}},
		},
		{
			name:  "crawler with several targets and no s3Location",
			world: "default",
			mutate: func(w *sandbox.World) {
				w.Glue.Crawlers[0].S3Targets = append(w.Glue.Crawlers[0].S3Targets, "s3://acme-sales-data/returns")
			},
			want: want{errType: &workflow.PreflightError{}, problems: 1, fields: []string{"s3Location"},
				texts: []string{"is required: crawler acme-sales-orders has 2 S3 targets (s3://acme-sales-data/sales/, s3://acme-sales-data/returns/)"}},
		},
		{
			name:   "V2 domain",
			world:  "default",
			mutate: func(w *sandbox.World) { w.DataZone.Domain.Version = "V2" },
			want: want{errType: &workflow.PreflightError{}, problems: 1, fields: []string{"domainId"},
				texts: []string{"is a V2 domain (Amazon SageMaker Unified Studio)"}},
		},
		{
			name:   "throttled DataZone: transient, not a problem",
			world:  "default",
			faults: []sandbox.FaultRule{{Service: "datazone", Op: "GetEnvironment", Kind: "throttle", Rate: 1}},
			want:   want{errType: &workflow.TransientError{}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := run(t, tc)
			checkResult(t, tc.want, w, err)
		})
	}
}

// run runs one case's Preflight and returns its result. It fails the test if Preflight made any
// mutating call.
func run(t *testing.T, tc testCase) (workflow.Work, error) {
	t.Helper()
	ctx := context.Background()
	raw := []byte(tc.raw)
	if tc.raw == "" {
		in := tasktest.Input()
		if tc.input != nil {
			tc.input(&in)
		}
		var err error
		if raw, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	req := workflow.PreflightRequest{Execution: "exec-1", StartTime: tc.start, Input: raw}
	if tc.noAWS {
		task := preflight.New(preflight.Deps{Now: func() time.Time { return sandbox.DefaultStart }})
		return task.Handle(ctx, req)
	}
	e := tasktest.Start(t, tc.world, tc.mutate, sandbox.Options{Faults: tc.faults})
	sb, c := e.SB, e.C
	if tc.setup != nil {
		tc.setup(t, sb, c)
	}
	before := len(sb.Journal())
	task := preflight.New(preflight.Deps{
		STS: c.STS, DataZone: c.DataZone, Glue: c.Glue, LakeFormation: c.LakeFormation,
		LakeFormationRoleARN: tc.lfRole, Now: sb.Now,
	})
	w, err := task.Handle(ctx, req)
	tasktest.WantOps(t, sb, before) // Preflight changes nothing
	return w, err
}

// checkResult compares a result with what the case wants.
func checkResult(t *testing.T, wt want, w workflow.Work, err error) {
	t.Helper()
	if wt.errType == nil {
		if err != nil {
			t.Fatalf("Handle: %v", err)
		}
		if wt.plan != nil && !reflect.DeepEqual(w.Plan, *wt.plan) {
			got, _ := json.MarshalIndent(w.Plan, "", "  ")
			exp, _ := json.MarshalIndent(*wt.plan, "", "  ")
			t.Errorf("plan =\n%s\nwant\n%s", got, exp)
		}
		if wt.check != nil {
			wt.check(t, w)
		}
		return
	}
	tasktest.WantError(t, err, wt.errType)
	var problems []workflow.Problem
	var pe *workflow.PreflightError
	var ie *workflow.InvalidInputError
	switch {
	case errors.As(err, &pe):
		problems = pe.Problems
	case errors.As(err, &ie):
		problems = ie.Problems
	}
	if wt.problems > 0 && len(problems) != wt.problems {
		t.Errorf("%d problems, want %d:\n%v", len(problems), wt.problems, err)
	}
	for _, f := range wt.fields {
		found := false
		for _, p := range problems {
			found = found || p.Field == f
		}
		if !found {
			t.Errorf("no problem on field %q:\n%v", f, err)
		}
	}
	for _, p := range problems {
		if p.Fix == "" {
			t.Errorf("problem %q has no fix", p.Problem)
		}
	}
	for _, s := range wt.texts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not say %q:\n%v", s, err)
		}
	}
}
