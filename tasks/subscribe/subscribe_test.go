package subscribe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/tasktest"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/workflow"
)

// harness is one sandbox with the orders table published, and the task under test.
type harness struct {
	tasktest.Env
	w      workflow.Work
	sleeps []time.Duration
	task   *subscribe.Task
}

func newHarness(t *testing.T, world string, edit func(*sandbox.World), opt sandbox.Options, register bool) *harness {
	t.Helper()
	h := &harness{Env: tasktest.Start(t, world, edit, opt)}
	h.w = tasktest.Published(t, h.Env, register)
	// An interval of an hour makes every paced call but the first sleep, so the test can count them.
	h.task = subscribe.New(h.C.DataZone, h.SB.Now, pace.New(time.Hour, func(_ context.Context, d time.Duration) error {
		h.sleeps = append(h.sleeps, d)
		return nil
	}))
	return h
}

// approve subscribes a project to the orders listing as the admin, outside the task.
func approve(t *testing.T, h *harness, project string, accept bool) string {
	t.Helper()
	ctx := context.Background()
	req, err := h.C.DataZone.CreateSubscriptionRequest(ctx, &datazone.CreateSubscriptionRequestInput{
		DomainIdentifier:   aws.String(tasktest.DomainID),
		RequestReason:      aws.String("someone subscribed by hand"),
		SubscribedListings: []dztypes.SubscribedListingInput{{Identifier: aws.String(h.w.Tables[0].ListingID)}},
		SubscribedPrincipals: []dztypes.SubscribedPrincipalInput{
			&dztypes.SubscribedPrincipalInputMemberProject{Value: dztypes.SubscribedProjectInput{Identifier: aws.String(project)}},
		},
	})
	if err != nil {
		t.Fatalf("create subscription request: %v", err)
	}
	if accept {
		if _, err := h.C.DataZone.AcceptSubscriptionRequest(ctx, &datazone.AcceptSubscriptionRequestInput{
			DomainIdentifier: aws.String(tasktest.DomainID), Identifier: req.Id,
		}); err != nil {
			t.Fatalf("accept subscription request: %v", err)
		}
		h.SB.Advance(2 * time.Minute)
	}
	return aws.ToString(req.Id)
}

// subDBTable puts a table named orders into the producer's subscription database, so that the
// grant has to pick another name for its resource link.
func subDBTable(w *sandbox.World) {
	w.Glue.Databases = append(w.Glue.Databases, sandbox.GlueDatabase{
		Name: tasktest.Producer.SubscriptionDatabase,
		Tables: []sandbox.GlueTable{{
			Name: "orders", Location: "s3://acme-sales-data/sales/orders/",
			Columns: []sandbox.GlueColumn{{Name: "order_id", Type: "string"}},
		}},
	})
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name       string
		world      string
		edit       func(*sandbox.World)
		unregister bool
		consumers  bool
		before     func(t *testing.T, h *harness) // state made outside the task
		// wantOps are the mutating calls of the whole loop; wantFirst those of its first invocation.
		wantOps    []string
		wantFirst  []string
		wantTables []string // SubscribedTable per target
		wantSleeps int      // paced calls that had to wait
		wantErr    string   // error name, for failures
		wantText   []string // in the error text
	}{
		{
			name: "producer: request, accept one poll later, grant names the table",
			edit: subDBTable, wantFirst: []string{"CreateSubscriptionRequest"},
			wantOps:    []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantTables: []string{"orders_1"},
		},
		{
			name: "auto-approving domain: no accept", world: "auto-approve",
			wantOps: []string{"CreateSubscriptionRequest"}, wantTables: []string{"orders"},
		},
		{
			name:      "pending request is reused and accepted at once",
			before:    func(t *testing.T, h *harness) { approve(t, h, tasktest.Producer.ProjectID, false) },
			wantFirst: []string{"AcceptSubscriptionRequest"}, wantOps: []string{"AcceptSubscriptionRequest"},
			wantTables: []string{"orders"},
		},
		{
			name:       "approved subscription is reused: no mutating call",
			before:     func(t *testing.T, h *harness) { approve(t, h, tasktest.Producer.ProjectID, true) },
			wantOps:    nil,
			wantTables: []string{"orders"},
		},
		{
			name: "consumer project too, accepts paced", consumers: true,
			wantOps: []string{
				"CreateSubscriptionRequest", "CreateSubscriptionRequest",
				"AcceptSubscriptionRequest", "AcceptSubscriptionRequest",
			},
			wantTables: []string{"orders", "orders"}, wantSleeps: 1,
		},
		{
			name: "grant fails: location not registered", unregister: true,
			wantOps: []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantErr: "SubscriptionFailedError",
			wantText: []string{"Asset is not managed by Lake Formation", "register s3://acme-sales-data/sales/ with Lake Formation",
				`"makeManaged": true`, "orders for environment sales_env"},
		},
		{
			name: "grant fails: manage-access role cannot grant",
			before: func(t *testing.T, h *harness) {
				revokeGrantable(t, h)
			},
			wantOps:  []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantErr:  "SubscriptionFailedError",
			wantText: []string{"necessary Lake Formation permissions", "grant the manage-access role " + tasktest.ManageAccessRole + " DESCRIBE and SELECT with grant option"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.world, tc.edit, sandbox.Options{}, !tc.unregister)
			if tc.consumers {
				h.w.Plan.Consumers = []workflow.Target{tasktest.Consumer}
			}
			if tc.before != nil {
				tc.before(t, h)
			}
			mark := len(h.SB.Journal())

			first, err := h.task.Handle(context.Background(), h.w)
			if err != nil {
				t.Fatalf("first invocation: %v", err)
			}
			if tc.wantFirst != nil {
				tasktest.WantOps(t, h.SB, mark, tc.wantFirst...)
			}
			if first.Poll.Attempt > 1 || first.Poll.Since.Before(h.w.Plan.StartedAt) {
				t.Errorf("the loop did not begin afresh: poll %+v", first.Poll)
			}
			h.SB.Advance(time.Duration(first.Poll.WaitSeconds) * time.Second)
			got, err := first, error(nil)
			if !first.Poll.Done {
				got, _, err = tasktest.Drive(t, h.SB, h.task.Handle, first, 20)
			}

			if h.w.Tables[0].Access != nil || len(h.w.Timings) != 1 {
				t.Errorf("Handle changed its argument: %+v %+v", h.w.Tables[0].Access, h.w.Timings)
			}
			tasktest.WantOps(t, h.SB, mark, tc.wantOps...)
			if len(h.sleeps) != tc.wantSleeps {
				t.Errorf("paced calls that waited: %d, want %d", len(h.sleeps), tc.wantSleeps)
			}
			if tc.wantErr != "" {
				tasktest.WantErrorName(t, err, tc.wantErr, tc.wantText...)
				return
			}
			if err != nil {
				t.Fatalf("loop: %v", err)
			}
			checkGranted(t, h, got, tc.wantTables)

			// A second execution finds everything and changes nothing.
			again := h.w
			again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
			again.Plan.Consumers = got.Plan.Consumers
			second := tasktest.Idempotent(t, h.SB, h.task.Handle, again)
			if !second.Poll.Done {
				t.Errorf("second execution not done at once: %+v", second.Tables)
			}
			for j := range got.Tables[0].Access {
				a, b := got.Tables[0].Access[j], second.Tables[0].Access[j]
				if a.SubscriptionID != b.SubscriptionID || a.GrantID != b.GrantID || a.SubscribedTable != b.SubscribedTable {
					t.Errorf("second execution found %+v, first made %+v", b, a)
				}
			}
		})
	}
}

// checkGranted asserts every access is GRANTED with the grant's own target name.
func checkGranted(t *testing.T, h *harness, w workflow.Work, wantTables []string) {
	t.Helper()
	if !w.Poll.Done {
		t.Fatalf("not done: %+v", w.Poll)
	}
	if !tasktest.StageEnded(w, "subscribe") {
		t.Errorf("stage subscribe not ended: %+v", w.Timings)
	}
	tb := w.Tables[0]
	if len(tb.Access) != len(wantTables) {
		t.Fatalf("%d accesses, want %d: %+v", len(tb.Access), len(wantTables), tb.Access)
	}
	for j, a := range tb.Access {
		tg := w.Plan.Targets()[j]
		if a.EnvironmentID != tg.EnvironmentID || a.Status != "GRANTED" || a.SubscriptionID == "" || a.GrantID == "" {
			t.Errorf("access %d = %+v, want GRANTED in %s with IDs", j, a, tg.EnvironmentID)
		}
		if a.SubscribedTable != wantTables[j] {
			t.Errorf("access %d subscribed table %q, want %q", j, a.SubscribedTable, wantTables[j])
		}
		g, err := h.C.DataZone.GetSubscriptionGrant(context.Background(), &datazone.GetSubscriptionGrantInput{
			DomainIdentifier: aws.String(tasktest.DomainID), Identifier: aws.String(a.GrantID),
		})
		if err != nil {
			t.Fatalf("get grant %s: %v", a.GrantID, err)
		}
		if len(g.Assets) != 1 || aws.ToString(g.Assets[0].TargetName) != a.SubscribedTable || aws.ToString(g.EnvironmentId) != tg.EnvironmentID {
			t.Errorf("grant %s has assets %+v in %s; the access says %q", a.GrantID, g.Assets, aws.ToString(g.EnvironmentId), a.SubscribedTable)
		}
	}
}

// revokeGrantable takes the grant option on the tables away from the manage-access role.
func revokeGrantable(t *testing.T, h *harness) {
	t.Helper()
	perms := []lftypes.Permission{lftypes.PermissionDescribe, lftypes.PermissionSelect}
	_, err := h.C.LakeFormation.RevokePermissions(context.Background(), &lakeformation.RevokePermissionsInput{
		Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(tasktest.ManageAccessRole)},
		Resource:                   tasktest.OnAllTables(),
		Permissions:                perms,
		PermissionsWithGrantOption: perms,
	})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
}

func TestHandleThrottledAccept(t *testing.T) {
	tests := []struct {
		name   string
		faults []sandbox.FaultRule
		want   string
	}{
		{
			name:   "throttled accept is transient",
			faults: []sandbox.FaultRule{{Service: "datazone", Op: "AcceptSubscriptionRequest", Kind: "throttle", Rate: 1}},
			want:   "TransientError",
		},
		{
			name:   "a 5xx on the grants list is transient",
			faults: []sandbox.FaultRule{{Service: "datazone", Op: "ListSubscriptionGrants", Kind: "5xx", Rate: 1}},
			want:   "TransientError",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The set-up calls neither faulty operation.
			h := newHarness(t, "default", nil, sandbox.Options{Faults: tc.faults}, true)
			_, _, err := tasktest.Drive(t, h.SB, h.task.Handle, h.w, 5)
			tasktest.WantErrorName(t, err, tc.want)
			var te *workflow.TransientError
			if !errors.As(err, &te) || awsapi.Code(te.Err) == "" {
				t.Errorf("the transient error does not carry the AWS error: %#v", err)
			}
		})
	}
}
