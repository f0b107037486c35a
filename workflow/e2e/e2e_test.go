package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/testkit/sandboxtest"
	"github.com/dzonboard/dzonboard/internal/testkit/stacktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
	"github.com/dzonboard/dzonboard/workflow/local"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

const (
	producerEnv   = "c8m2v7k4q1x9tn"
	consumerProj  = "e4p8s2k7w1n5qa"
	consumerEnv   = "f2t6y9k3m8q1vb"
	sampleRows    = 1000 // rows in examples/data/.../orders.csv
	workflowRole  = "arn:aws:iam::123456789012:role/dzonboard-workflow"
	salesProject  = "b3n7k2q9x1m4zd"
	exampleInputF = "../../examples/sandbox.json"
)

// onboarding is one sandbox account and the executions run in it.
type onboarding struct {
	t   *testing.T
	sb  *sandbox.Sandbox
	cfg aws.Config
	h   map[string]lambda.Handler
	n   int
}

func newOnboarding(t *testing.T, world string, opt sandbox.Options) *onboarding {
	t.Helper()
	if opt.Seed == 0 {
		opt.Seed = 7
	}
	sb, cfg := sandboxtest.Start(t, sandboxtest.World(t, world), opt)
	hs := registry.Handlers(registry.Options{
		Config: cfg, Now: sb.Now, Sleep: sb.Sleep, StateBucket: sb.World().StateBucketName(),
	})
	return &onboarding{t: t, sb: sb, cfg: cfg, h: hs}
}

// startedSQL returns the SQL of every Athena query started so far, once per query, in order.
func (o *onboarding) startedSQL() []string {
	o.t.Helper()
	c := athena.NewFromConfig(o.cfg)
	seen := map[string]bool{}
	var out []string
	for _, e := range o.sb.Journal() {
		id := e.Keys["QueryExecutionId"]
		if e.Service != "athena" || e.Op != "StartQueryExecution" || e.Error != "" || seen[id] {
			continue
		}
		seen[id] = true
		q, err := c.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			o.t.Fatalf("get query %s: %v", id, err)
		}
		out = append(out, aws.ToString(q.QueryExecution.Query))
	}
	return out
}

func (o *onboarding) run(input []byte) local.Result {
	o.t.Helper()
	o.n++
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := local.Run(ctx, local.Options{
		ASL:      dzonboard.StateMachineASL,
		Handlers: o.h,
		Input:    input,
		Name:     fmt.Sprintf("e2e-%d", o.n),
		Advance:  o.sb.Advance,
		Now:      o.sb.Now,
	})
	if err != nil {
		o.t.Fatalf("local.Run: %v", err)
	}
	return res
}

func exampleInput(t testing.TB, edit func(map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile(exampleInputF)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(m)
	}
	out, _ := json.Marshal(m)
	return out
}

func output(t *testing.T, res local.Result) workflow.Output {
	t.Helper()
	if res.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s\n%s\npath: %v", res.Status, res.Error, res.Cause, res.Path)
	}
	var out workflow.Output
	dec := json.NewDecoder(bytes.NewReader(res.Output))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("output: %v\n%s", err, res.Output)
	}
	return out
}

// mutations are the successful mutating calls of entries that change the account: the
// workflow's own documents in the state bucket do not count.
func mutations(sb *sandbox.Sandbox, entries []sandbox.JournalEntry) []string {
	var ops []string
	for _, e := range entries {
		if e.Service == "s3" && e.Keys["Bucket"] == sb.World().StateBucketName() {
			continue
		}
		if e.Error == "" {
			ops = append(ops, e.Service+":"+e.Op)
		}
	}
	return ops
}

// The happy path: the state path and the whole output match the golden file, and the orders
// table is queryable from the producer's sub_db with every row.
func TestOnboardingHappyPath(t *testing.T) {
	o := newOnboarding(t, "default", sandbox.Options{})
	res := o.run(exampleInput(t, nil))
	out := output(t, res)

	if len(out.Tables) != 1 {
		t.Fatalf("tables = %+v, want orders only", out.Tables)
	}
	tb := out.Tables[0]
	if tb.GlueTable != "orders" || tb.AssetID == "" || tb.ListingID == "" || tb.SubscribedTable == "" {
		t.Errorf("orders report incomplete: %+v", tb)
	}
	if tb.RowCount != sampleRows {
		t.Errorf("rowCount = %d, want %d", tb.RowCount, sampleRows)
	}
	wantCols := []string{"order_id", "customer_id", "order_date", "product", "quantity", "unit_price", "region"}
	if !slices.Equal(tb.Columns, wantCols) {
		t.Errorf("columns = %v, want %v", tb.Columns, wantCols)
	}
	if out.SubscriptionDatabase != "sales_env_sub_db" || len(tb.QueryIDs) != 2 {
		t.Errorf("subscriptionDatabase %q, queryIds %v", out.SubscriptionDatabase, tb.QueryIDs)
	}
	if len(out.Queries) != 1 || out.Queries[0].State != "SUCCEEDED" || out.Queries[0].Rows == nil || *out.Queries[0].Rows == 0 {
		t.Errorf("user query = %+v", out.Queries)
	}
	ops := mutations(o.sb, o.sb.Journal())
	for _, want := range []string{"lakeformation:RegisterResource", "lakeformation:GrantPermissions", "glue:StartCrawler",
		"datazone:CreateDataSource", "datazone:CreateListingChangeSet", "datazone:CreateSubscriptionRequest",
		"datazone:AcceptSubscriptionRequest", "athena:StartQueryExecution"} {
		if !slices.Contains(ops, want) {
			t.Errorf("journal lacks %s: %v", want, ops)
		}
	}
	golden(t, "happy", map[string]any{"path": res.Path, "output": json.RawMessage(res.Output)})
}

// An immediate second run makes no mutating call besides the crawl start and the queries, and
// reports the same IDs.
func TestSecondRunIsQuietAndStable(t *testing.T) {
	o := newOnboarding(t, "default", sandbox.Options{})
	input := exampleInput(t, nil)
	first := output(t, o.run(input))
	before := len(o.sb.Journal())
	second := output(t, o.run(input))

	for _, op := range mutations(o.sb, o.sb.Journal()[before:]) {
		if op != "glue:StartCrawler" && op != "athena:StartQueryExecution" {
			t.Errorf("second run made mutating call %s", op)
		}
	}
	a, b := first.Tables[0], second.Tables[0]
	if a.AssetID != b.AssetID || a.ListingID != b.ListingID || a.SubscribedTable != b.SubscribedTable ||
		a.SubscriptionID != b.SubscriptionID || first.DataSourceID != second.DataSourceID {
		t.Errorf("IDs changed:\nfirst  %+v\nsecond %+v", a, b)
	}
	if slices.Equal(a.QueryIDs, b.QueryIDs) {
		t.Errorf("the second run must prove queryability again with new queries, got the same %v", a.QueryIDs)
	}
}

// Failures: each ends in the Fail state with the named error and a Cause that says what to fix.
func TestOnboardingFailures(t *testing.T) {
	tests := []struct {
		name        string
		world       string
		input       []byte
		wantError   string
		causeHas    []string
		noMutations bool
	}{
		{
			name:        "workflow role is not a project member",
			world:       "not-member",
			input:       exampleInput(t, nil),
			wantError:   "PreflightError",
			causeHas:    []string{workflowRole, salesProject, "create-project-membership", "data lake administrator"},
			noMutations: true,
		},
		{
			name:  "five mistakes in the input",
			world: "default",
			input: []byte(`{"domainId":"sales","projectId":"b3n7k2q9x1m4zd","environmentId":"c8m2v7k4q1x9tn",
				"crawlerNmae":"acme-sales-orders","s3Location":"s3://acme-sales-data/sales","verify":{"sampleRows":0}}`),
			wantError:   "InvalidInputError",
			causeHas:    []string{"domainId", "crawlerNmae", "crawlerName", "s3Location", "verify.sampleRows"},
			noMutations: true,
		},
		{
			name:      "the crawler fails",
			world:     "crawler-fails",
			input:     exampleInput(t, nil),
			wantError: "CrawlFailedError",
			causeHas:  []string{"acme-sales-orders", "FAILED"},
		},
		{
			name:        "tables would not be Lake Formation-managed",
			world:       "iam-allowed",
			input:       exampleInput(t, nil),
			wantError:   "PreflightError",
			causeHas:    []string{"IAMAllowedPrincipals", "makeManaged"},
			noMutations: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOnboarding(t, tt.world, sandbox.Options{})
			res := o.run(tt.input)
			if res.Status != "FAILED" || res.Error != tt.wantError {
				t.Fatalf("status %s error %q, want FAILED %s\ncause: %s", res.Status, res.Error, tt.wantError, res.Cause)
			}
			if res.Path[len(res.Path)-1] != "Onboarding failed" {
				t.Errorf("path ends %v, want the Fail state", res.Path)
			}
			var cause struct{ ErrorMessage, ErrorType string }
			if err := json.Unmarshal([]byte(res.Cause), &cause); err != nil || cause.ErrorType != tt.wantError {
				t.Fatalf("Cause is not Lambda's error JSON: %v %q", err, res.Cause)
			}
			for _, s := range tt.causeHas {
				if !strings.Contains(cause.ErrorMessage, s) {
					t.Errorf("cause lacks %q:\n%s", s, cause.ErrorMessage)
				}
			}
			if ops := mutations(o.sb, o.sb.Journal()); tt.noMutations && len(ops) > 0 {
				t.Errorf("mutating calls were made: %v", ops)
			}
		})
	}
}

// Variants that must still succeed.
func TestOnboardingVariants(t *testing.T) {
	tests := []struct {
		name  string
		world string
		opt   sandbox.Options
		edit  func(map[string]any)
		check func(t *testing.T, out workflow.Output, ops []string)
		// queries, when set, checks the SQL of every query started.
		queries func(t *testing.T, sqls []string)
	}{
		{
			name:  "makeManaged revokes IAMAllowedPrincipals",
			world: "iam-allowed",
			edit:  func(m map[string]any) { m["makeManaged"] = true },
			check: func(t *testing.T, out workflow.Output, ops []string) {
				if !slices.Equal(out.MadeManaged, []string{"orders"}) || !slices.Contains(ops, "lakeformation:BatchRevokePermissions") {
					t.Errorf("madeManaged %v, ops %v", out.MadeManaged, ops)
				}
			},
		},
		{
			name:  "a consumer project is subscribed and verified too",
			world: "default",
			edit: func(m map[string]any) {
				m["consumers"] = []map[string]string{{"projectId": consumerProj, "environmentId": consumerEnv}}
			},
			check: func(t *testing.T, out workflow.Output, _ []string) {
				if len(out.Consumers) != 1 || out.Consumers[0].SubscriptionDatabase != "marketing_env_sub_db" ||
					len(out.Consumers[0].Tables) != 1 || out.Consumers[0].Tables[0].RowCount != sampleRows {
					t.Errorf("consumers = %+v", out.Consumers)
				}
			},
		},
		{
			name:  "DataZone approves subscriptions by itself: the task accepts once, while the request is PENDING",
			world: "auto-approve",
			check: func(t *testing.T, _ workflow.Output, ops []string) {
				n := 0
				for _, op := range ops {
					if op == "datazone:AcceptSubscriptionRequest" {
						n++
					}
				}
				if n > 1 {
					t.Errorf("accepted %d times: %v", n, ops)
				}
			},
		},
		{
			name:  "workgroup under another provisioned-resource name",
			world: "other-workgroup-key",
			check: func(t *testing.T, out workflow.Output, _ []string) {
				if out.Workgroup == "" || out.Tables[0].RowCount != sampleRows {
					t.Errorf("workgroup %q rows %d", out.Workgroup, out.Tables[0].RowCount)
				}
			},
		},
		{
			name:  "location already registered and granted",
			world: "registered",
			check: func(t *testing.T, _ workflow.Output, ops []string) {
				if slices.Contains(ops, "lakeformation:RegisterResource") || slices.Contains(ops, "lakeformation:GrantPermissions") {
					t.Errorf("re-registered or re-granted: %v", ops)
				}
			},
		},
		{
			name:  "queries denied until the grant takes effect are tried again",
			world: "slow-grants",
			check: func(t *testing.T, out workflow.Output, _ []string) {
				if out.Tables[0].RowCount != sampleRows || len(out.Queries) != 1 || out.Queries[0].State != "SUCCEEDED" {
					t.Errorf("rows %d, user queries %+v", out.Tables[0].RowCount, out.Queries)
				}
			},
			queries: func(t *testing.T, sqls []string) {
				n := 0
				for _, q := range sqls {
					if strings.Contains(q, `"sales_env_sub_db"."orders"`) {
						n++
					}
				}
				if n <= 2 {
					t.Errorf("%d queries of the producer's orders table, want more than the 2 checks of one attempt: %q", n, sqls)
				}
			},
		},
		{
			name:  "throttling and 5xx are retried",
			world: "default",
			opt: sandbox.Options{Seed: 3, Faults: []sandbox.FaultRule{
				{Service: "datazone", Op: "*", Kind: "throttle", Rate: 0.2},
				{Service: "lakeformation", Op: "*", Kind: "throttle", Rate: 0.2},
				{Service: "glue", Op: "*", Kind: "5xx", Rate: 0.1},
			}},
			check: func(t *testing.T, out workflow.Output, _ []string) {
				if out.Tables[0].RowCount != sampleRows {
					t.Errorf("rows %d", out.Tables[0].RowCount)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOnboarding(t, tt.world, tt.opt)
			out := output(t, o.run(exampleInput(t, tt.edit)))
			tt.check(t, out, mutations(o.sb, o.sb.Journal()))
			if tt.queries != nil {
				tt.queries(t, o.startedSQL())
			}
		})
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./workflow/e2e -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./workflow/e2e -update rewrites it):\n%s", path, got)
	}
}

// The task handlers log through slog's default logger; the tests read results, not logs. The
// stack's template is synthesized by the jsii kernel, which stops after the tests.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	code := m.Run()
	stacktest.Close()
	os.Exit(code)
}
