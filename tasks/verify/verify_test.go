package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/report"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/tasks/verify"
	"github.com/dzonboard/dzonboard/workflow"
)

// The columns of examples/data/acme-sales-data/sales/orders/orders.csv.
var orderColumns = []string{"order_id", "customer_id", "order_date", "product", "quantity", "unit_price", "region"}

// userQuery is the query of examples/sandbox.json.
const userQuery = "SELECT region, COUNT(*) AS orders, SUM(quantity * unit_price) AS revenue FROM orders GROUP BY region ORDER BY region"

// harness is one sandbox where every target is subscribed to the orders table, and the task
// under test, whose Athena clients are recorded with the credentials they were given.
type harness struct {
	tasktest.Env
	w     workflow.Work
	creds []aws.Credentials
	task  *verify.Task
}

func newHarness(t *testing.T, edit func(*sandbox.World), opt sandbox.Options, consumers bool) *harness {
	t.Helper()
	h := &harness{Env: tasktest.Start(t, "default", edit, opt)}
	w := tasktest.Published(t, h.Env, true)
	if consumers {
		w.Plan.Consumers = []workflow.Target{tasktest.Consumer}
	}
	w, _, err := tasktest.Drive(t, h.SB, subscribe.New(h.C.DataZone, tasktest.Clock(h.SB), subscribe.Limiters{}).Handle, w, 20)
	if err != nil {
		t.Fatalf("setup: subscribe: %v", err)
	}
	h.w = w
	h.task = verify.New(verify.Deps{
		DataZone: h.C.DataZone, Glue: h.C.Glue, Clock: tasktest.Clock(h.SB),
		Athena: func(cr aws.Credentials) awsapi.VerifyAthena {
			h.creds = append(h.creds, cr)
			return h.C.AthenaAs(cr)
		},
	})
	return h
}

// queries returns the callers of the StartQueryExecution calls journalled after the first n
// entries, and every other mutating call.
func queries(sb *sandbox.Sandbox, n int) (callers, others []string) {
	for _, e := range sb.Journal()[n:] {
		if e.Op == "StartQueryExecution" && e.Error == "" {
			callers = append(callers, e.Caller)
			continue
		}
		others = append(others, e.Op+"!"+e.Error)
	}
	return callers, others
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*sandbox.World)
		consumers bool
		change    func(t *testing.T, h *harness, w *workflow.Work) // after subscribing, before verifying
		// wantCallers are the roles the queries ran as, in order.
		wantCallers []string
		wantErr     string
		wantText    []string
		wantQuery   []string // the first user query failed, saying this
	}{
		{
			name: "row count, sample and user query in the producer environment",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				w.Plan.Verify = workflow.VerifySpec{MinRows: 1000, SampleRows: 5, Queries: []string{userQuery}}
			},
			wantCallers: []string{tasktest.Producer.UserRoleARN, tasktest.Producer.UserRoleARN, tasktest.Producer.UserRoleARN},
		},
		{
			name: "a consumer queries with its own role", consumers: true,
			wantCallers: []string{tasktest.Producer.UserRoleARN, tasktest.Producer.UserRoleARN, tasktest.Consumer.UserRoleARN, tasktest.Consumer.UserRoleARN},
		},
		{
			name:     "fewer rows than minRows",
			change:   func(t *testing.T, h *harness, w *workflow.Work) { w.Plan.Verify.MinRows = 1001 },
			wantErr:  "VerificationFailedError",
			wantText: []string{"sales_env_sub_db.orders has 1000 rows; at least 1001 were expected", "lower verify.minRows"},
		},
		{
			name: "columns differ from the Glue table",
			edit: func(w *sandbox.World) {
				w.Glue.Databases = append(w.Glue.Databases, sandbox.GlueDatabase{Name: "acme_sales_v1", Tables: []sandbox.GlueTable{{
					Name: "orders", Location: "s3://acme-sales-data/sales/orders/",
					Columns: []sandbox.GlueColumn{{Name: "order_id", Type: "string"}, {Name: "amount", Type: "double"}},
				}}})
			},
			change:  func(t *testing.T, h *harness, w *workflow.Work) { w.Plan.GlueDatabase = "acme_sales_v1" },
			wantErr: "VerificationFailedError",
			wantText: []string{"has columns [" + strings.Join(orderColumns, ", ") + "]",
				"Glue table acme_sales_v1.orders has [order_id, amount]"},
		},
		{
			name: "location no longer registered: the boundary blocks S3",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				if _, err := h.C.LakeFormation.DeregisterResource(context.Background(), &lakeformation.DeregisterResourceInput{
					ResourceArn: aws.String(tasktest.LocationARN),
				}); err != nil {
					t.Fatalf("deregister: %v", err)
				}
			},
			wantErr: "VerificationFailedError",
			wantText: []string{"s3:ListBucket", "the S3 location s3://acme-sales-data/sales/ is not registered with Lake Formation",
				"Never edit or remove the permissions boundary", "It was tried 3 times over"},
		},
		{
			name: "grant revoked: insufficient Lake Formation permission",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				if _, err := h.C.LakeFormation.RevokePermissions(context.Background(), &lakeformation.RevokePermissionsInput{
					Principal:   &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(tasktest.Producer.UserRoleARN)},
					Resource:    &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(tasktest.Database), Name: aws.String("orders")}},
					Permissions: []lftypes.Permission{lftypes.PermissionSelect},
				}); err != nil {
					t.Fatalf("revoke: %v", err)
				}
			},
			wantErr:  "VerificationFailedError",
			wantText: []string{"Insufficient Lake Formation permission", "the subscription grant is missing or was revoked", "It was tried 3 times over"},
		},
		{
			name: "a user query that fails is recorded; the table checks pass",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				w.Plan.Verify.Queries = []string{"SELECT * FROM no_such_table"}
			},
			wantCallers: []string{tasktest.Producer.UserRoleARN, tasktest.Producer.UserRoleARN, tasktest.Producer.UserRoleARN},
			wantQuery:   []string{"verify.queries[0]: query ", "ended FAILED", "workgroup sales_env-wg"},
		},
		{
			name: "only a user query that fails is a VerificationFailedError",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				w.Plan.Verify.Queries = []string{"SELECT * FROM no_such_table"}
				w.Tables[0].Failed = &workflow.TableFailure{Stage: workflow.TaskVerify, Problem: workflow.Problem{Field: "orders", Problem: "left out."}}
			},
			wantErr:  "VerificationFailedError",
			wantText: []string{"verify.queries[0]: query ", "ended FAILED"},
		},
		{
			name: "a subscribed table name unfit for SQL is never queried",
			change: func(t *testing.T, h *harness, w *workflow.Work) {
				w.Tables[0].Access[0].SubscribedTable = `orders"; DROP TABLE x; --`
			},
			wantErr:  "VerificationFailedError",
			wantText: []string{`"orders\"; DROP TABLE x; --" is not a name dzonboard puts into SQL`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.edit, sandbox.Options{}, tc.consumers)
			w := h.w
			if tc.change != nil {
				tc.change(t, h, &w)
			}
			var logs bytes.Buffer
			old := slog.Default()
			slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
			defer slog.SetDefault(old)
			mark := len(h.SB.Journal())

			got, _, err := tasktest.Drive(t, h.SB, h.task.Handle, w, 30)
			if err == nil && tc.wantErr != "" {
				err = tasktest.Failure(got) // the stage left the table out; the execution ends with this
			}

			noSecrets(t, h, got, err, logs.String())
			callers, others := queries(h.SB, mark)
			if len(others) != 0 {
				t.Errorf("mutating calls besides queries: %v", others)
			}
			if tc.wantErr != "" {
				tasktest.WantErrorName(t, err, tc.wantErr, tc.wantText...)
				return
			}
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if !slices.Equal(callers, tc.wantCallers) {
				t.Errorf("queries ran as %v, want %v", callers, tc.wantCallers)
			}
			if tc.wantQuery != nil {
				q := got.Queries[0]
				for _, text := range tc.wantQuery {
					if q.Failed == nil || !strings.Contains(q.Failed.String(), text) {
						t.Errorf("query %+v, want it failed saying %q", q, text)
					}
				}
				return
			}
			checkVerified(t, got)

			// The report reads what Verify recorded.
			out, err := report.New(h.SB.Now, discard{}).Handle(context.Background(), got)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Tables) != 1 || out.Tables[0].RowCount != 1000 || out.Tables[0].SubscribedTable != "orders" ||
				!slices.Equal(out.Tables[0].Columns, orderColumns) || len(out.Consumers) != len(got.Plan.Consumers) {
				t.Errorf("report %+v does not show the verified table", out)
			}
		})
	}
}

// checkVerified asserts what the default data gives for every access and user query.
func checkVerified(t *testing.T, w workflow.Work) {
	t.Helper()
	if !w.Poll.Done || !tasktest.StageEnded(w, workflow.TaskVerify) {
		t.Errorf("not done, or stage Verify not ended: %+v %+v", w.Poll, w.Timings)
	}
	for j, a := range w.Tables[0].Access {
		if a.RowCount == nil || *a.RowCount != 1000 {
			t.Errorf("access %d row count %v, want 1000", j, a.RowCount)
		}
		if !slices.Equal(a.Columns, orderColumns) {
			t.Errorf("access %d columns %v, want %v", j, a.Columns, orderColumns)
		}
		if len(a.QueryIDs) != 2 || a.QueryIDs[0] == a.QueryIDs[1] || a.QueryIDs[0] == "" {
			t.Errorf("access %d query IDs %v, want two", j, a.QueryIDs)
		}
	}
	if len(w.Queries) != len(w.Plan.Verify.Queries) {
		t.Fatalf("queries %+v, want one per plan query", w.Queries)
	}
	for _, q := range w.Queries {
		if q.State != "SUCCEEDED" || q.QueryID == "" || q.Rows == nil || *q.Rows != 5 {
			t.Errorf("query %+v, want SUCCEEDED with 5 rows (one per region)", q)
		}
	}
}

// noSecrets asserts that no part of the environment credentials the task received reaches the
// Work, the error or the log.
func noSecrets(t *testing.T, h *harness, w workflow.Work, err error, logs string) {
	t.Helper()
	if len(h.creds) == 0 {
		return
	}
	doc, merr := json.Marshal(w)
	if merr != nil {
		t.Fatal(merr)
	}
	out := string(doc) + logs
	if err != nil {
		out += err.Error()
	}
	for _, cr := range h.creds {
		for _, secret := range []string{cr.SecretAccessKey, cr.SessionToken, cr.AccessKeyID} {
			if secret == "" {
				t.Fatalf("credentials with an empty part: %+v", cr.AccessKeyID)
			}
			if strings.Contains(out, secret) {
				t.Errorf("a credential (%.4s...) appears in the Work, error or log", secret)
			}
		}
	}
}

// discard drops the full report.
type discard struct{}

func (discard) SaveReport(context.Context, string, *workflow.Output) error { return nil }
