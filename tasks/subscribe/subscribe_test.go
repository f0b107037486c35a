package subscribe_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/sandbox/sandboxtest"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/workflow"
)

// harness is one sandbox with the orders table published, and the task under test.
type harness struct {
	sb     *sandbox.Sandbox
	c      *awsapi.Clients
	w      workflow.Work
	sleeps []time.Duration
	task   *subscribe.Task
}

func newHarness(t *testing.T, world string, edit func(*sandbox.World), opt sandbox.Options, register bool) *harness {
	t.Helper()
	w := sandboxtest.World(t, world)
	if edit != nil {
		edit(w)
	}
	sb, cfg := sandboxtest.Start(t, w, opt)
	h := &harness{sb: sb, c: awsapi.NewClients(cfg)}
	h.w = publish(t, sb, h.c, register)
	// An interval of an hour makes every paced call but the first sleep, so the test can count them.
	h.task = subscribe.New(h.c.DataZone, sb.Now, pace.New(time.Hour, func(_ context.Context, d time.Duration) error {
		h.sleeps = append(h.sleeps, d)
		return nil
	}))
	return h
}

// loop runs the task as the state machine does (task, Wait, task, ...) until it is done, fails,
// or has run max times.
func (h *harness) loop(t *testing.T, w workflow.Work, max int) (workflow.Work, error) {
	t.Helper()
	for range max {
		out, err := h.task.Handle(context.Background(), w)
		if err != nil {
			return out, err
		}
		w = out
		if w.Poll.Done {
			return w, nil
		}
		if w.Poll.WaitSeconds <= 0 {
			t.Fatalf("not done, but the next wait is %d s", w.Poll.WaitSeconds)
		}
		h.sb.Advance(time.Duration(w.Poll.WaitSeconds) * time.Second)
	}
	t.Fatalf("not done after %d invocations: %+v", max, w.Tables)
	return w, nil
}

// ops returns the mutating calls journalled after the first n entries, as Op or Op!ErrorCode.
func ops(sb *sandbox.Sandbox, n int) []string {
	var out []string
	for _, e := range sb.Journal()[n:] {
		s := e.Op
		if e.Error != "" {
			s += "!" + e.Error
		}
		out = append(out, s)
	}
	return out
}

// approve subscribes a project to the orders listing as the admin, outside the task.
func approve(t *testing.T, h *harness, project string, accept bool) string {
	t.Helper()
	ctx := context.Background()
	req, err := h.c.DataZone.CreateSubscriptionRequest(ctx, &datazone.CreateSubscriptionRequestInput{
		DomainIdentifier:   aws.String(domainID),
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
		if _, err := h.c.DataZone.AcceptSubscriptionRequest(ctx, &datazone.AcceptSubscriptionRequestInput{
			DomainIdentifier: aws.String(domainID), Identifier: req.Id,
		}); err != nil {
			t.Fatalf("accept subscription request: %v", err)
		}
		h.sb.Advance(2 * time.Minute)
	}
	return aws.ToString(req.Id)
}

// subDBTable puts a table named orders into the producer's subscription database, so that the
// grant has to pick another name for its resource link.
func subDBTable(w *sandbox.World) {
	w.Glue.Databases = append(w.Glue.Databases, sandbox.GlueDatabase{
		Name: producer.SubscriptionDatabase,
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
			before:    func(t *testing.T, h *harness) { approve(t, h, producer.ProjectID, false) },
			wantFirst: []string{"AcceptSubscriptionRequest"}, wantOps: []string{"AcceptSubscriptionRequest"},
			wantTables: []string{"orders"},
		},
		{
			name:       "approved subscription is reused: no mutating call",
			before:     func(t *testing.T, h *harness) { approve(t, h, producer.ProjectID, true) },
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
			wantText: []string{"necessary Lake Formation permissions", "grant the manage-access role " + manageRole + " DESCRIBE and SELECT with grant option"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			world := tc.world
			if world == "" {
				world = "default"
			}
			h := newHarness(t, world, tc.edit, sandbox.Options{}, !tc.unregister)
			if tc.consumers {
				h.w.Plan.Consumers = []workflow.Target{consumer}
			}
			if tc.before != nil {
				tc.before(t, h)
			}
			mark := len(h.sb.Journal())

			first, err := h.task.Handle(context.Background(), h.w)
			if err != nil {
				t.Fatalf("first invocation: %v", err)
			}
			if tc.wantFirst != nil && !slices.Equal(ops(h.sb, mark), tc.wantFirst) {
				t.Errorf("first invocation made %v, want %v", ops(h.sb, mark), tc.wantFirst)
			}
			if first.Poll.Attempt > 1 || first.Poll.Since.Before(h.w.Plan.StartedAt) {
				t.Errorf("the loop did not begin afresh: poll %+v", first.Poll)
			}
			h.sb.Advance(time.Duration(first.Poll.WaitSeconds) * time.Second)
			got, err := first, error(nil)
			if !first.Poll.Done {
				got, err = h.loop(t, first, 20)
			}

			if h.w.Tables[0].Access != nil || len(h.w.Timings) != 1 {
				t.Errorf("Handle changed its argument: %+v %+v", h.w.Tables[0].Access, h.w.Timings)
			}
			if !slices.Equal(ops(h.sb, mark), tc.wantOps) {
				t.Errorf("mutating calls %v, want %v", ops(h.sb, mark), tc.wantOps)
			}
			if len(h.sleeps) != tc.wantSleeps {
				t.Errorf("paced calls that waited: %d, want %d", len(h.sleeps), tc.wantSleeps)
			}
			if tc.wantErr != "" {
				if err == nil || workflow.ErrorName(err) != tc.wantErr {
					t.Fatalf("error %v (%s), want %s", err, workflow.ErrorName(err), tc.wantErr)
				}
				for _, s := range tc.wantText {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error text lacks %q:\n%s", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("loop: %v", err)
			}
			checkGranted(t, h, got, tc.wantTables)

			// A second execution finds everything and changes nothing.
			mark = len(h.sb.Journal())
			again := h.w
			again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.sb.Now()
			again.Plan.Consumers = got.Plan.Consumers
			second, err := h.task.Handle(context.Background(), again)
			if err != nil {
				t.Fatalf("second execution: %v", err)
			}
			if !second.Poll.Done {
				t.Errorf("second execution not done at once: %+v", second.Tables)
			}
			if calls := ops(h.sb, mark); len(calls) != 0 {
				t.Errorf("second execution made mutating calls %v", calls)
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
	if !hasEnded(w, "subscribe") {
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
		g, err := h.c.DataZone.GetSubscriptionGrant(context.Background(), &datazone.GetSubscriptionGrantInput{
			DomainIdentifier: aws.String(domainID), Identifier: aws.String(a.GrantID),
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
	_, err := h.c.LakeFormation.RevokePermissions(context.Background(), &lakeformation.RevokePermissionsInput{
		Principal:                  &lftypes.DataLakePrincipal{DataLakePrincipalIdentifier: aws.String(manageRole)},
		Resource:                   &lftypes.Resource{Table: &lftypes.TableResource{DatabaseName: aws.String(glueDatabase), TableWildcard: &lftypes.TableWildcard{}}},
		Permissions:                perms,
		PermissionsWithGrantOption: perms,
	})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
}

func hasEnded(w workflow.Work, stage string) bool {
	return slices.ContainsFunc(w.Timings, func(s workflow.StageTiming) bool { return s.Stage == stage && !s.EndedAt.IsZero() })
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
			sb, work, task := h.sb, h.w, h.task
			var err error
			for range 5 {
				if work, err = task.Handle(context.Background(), work); err != nil {
					break
				}
				sb.Advance(time.Duration(work.Poll.WaitSeconds) * time.Second)
			}
			if workflow.ErrorName(err) != tc.want {
				t.Fatalf("error %v (%s), want %s", err, workflow.ErrorName(err), tc.want)
			}
			var te *workflow.TransientError
			if !errors.As(err, &te) || awsapi.Code(te.Err) == "" {
				t.Errorf("the transient error does not carry the AWS error: %#v", err)
			}
		})
	}
}
