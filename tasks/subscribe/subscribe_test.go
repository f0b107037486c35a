package subscribe_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/workflow"
)

// harness is one sandbox with the orders table published, and the task under test.
type harness struct {
	tasktest.Env
	w      workflow.Work
	sleeps int // paced calls that had to wait
}

func newHarness(t *testing.T, world string, edit func(*sandbox.World), opt sandbox.Options, register bool) *harness {
	t.Helper()
	h := &harness{Env: tasktest.Start(t, world, edit, opt)}
	h.w = tasktest.Published(t, h.Env, register)
	return h
}

// task is the task under test over api (the real client when nil), pacing every rate-limited call
// at a third of a second in the sandbox's time and counting the calls that had to wait.
func (h *harness) task(api awsapi.SubscribeAPI) *subscribe.Task {
	if api == nil {
		api = h.C.DataZone
	}
	sleep := func(ctx context.Context, d time.Duration) error {
		h.sleeps++
		return tasktest.Clock(h.SB).Sleep(ctx, d)
	}
	limiter := func() *pace.Limiter { return pace.New(350*time.Millisecond, sleep).WithClock(h.SB.Now) }
	return subscribe.New(api, tasktest.Clock(h.SB), subscribe.Limiters{Request: limiter(), Accept: limiter(), Grant: limiter()})
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

// manualProducer makes the subscription target of the producer's environment MANUAL: DataZone
// makes the subscription on acceptance but no grant.
func manualProducer(w *sandbox.World) {
	for i := range w.DataZone.Projects {
		for j := range w.DataZone.Projects[i].Environments {
			if e := &w.DataZone.Projects[i].Environments[j]; e.ID == tasktest.Producer.EnvironmentID {
				e.SubscriptionGrantCreationMode = "MANUAL"
			}
		}
	}
}

// rejectFirstAccept is the real client whose first AcceptSubscriptionRequest of the access of
// environment env finds the request rejected by a reviewer a moment before.
type rejectFirstAccept struct {
	awsapi.SubscribeAPI
	h       *harness
	t       *testing.T
	comment string
	env     string
	done    bool
}

func (r *rejectFirstAccept) AcceptSubscriptionRequest(ctx context.Context, in *datazone.AcceptSubscriptionRequestInput, opts ...func(*datazone.Options)) (*datazone.AcceptSubscriptionRequestOutput, error) {
	if !r.done && r.forEnv(ctx, aws.ToString(in.Identifier)) {
		r.done = true
		rin := &datazone.RejectSubscriptionRequestInput{DomainIdentifier: in.DomainIdentifier, Identifier: in.Identifier}
		if r.comment != "" {
			rin.DecisionComment = aws.String(r.comment)
		}
		if _, err := r.h.C.DataZone.RejectSubscriptionRequest(ctx, rin); err != nil {
			r.t.Fatalf("reject: %v", err)
		}
	}
	return r.SubscribeAPI.AcceptSubscriptionRequest(ctx, in, opts...)
}

// forEnv reports whether a request subscribes the project of environment r.env.
func (r *rejectFirstAccept) forEnv(ctx context.Context, id string) bool {
	out, err := r.h.C.DataZone.GetSubscriptionRequestDetails(ctx, &datazone.GetSubscriptionRequestDetailsInput{
		DomainIdentifier: aws.String(tasktest.DomainID), Identifier: aws.String(id)})
	if err != nil || len(out.SubscribedPrincipals) != 1 {
		return false
	}
	p, ok := out.SubscribedPrincipals[0].(*dztypes.SubscribedPrincipalMemberProject)
	project := tasktest.Producer.ProjectID
	if r.env == tasktest.Consumer.EnvironmentID {
		project = tasktest.Consumer.ProjectID
	}
	return ok && aws.ToString(p.Value.Id) == project
}

const comment = "orders holds card numbers; ask data-governance@acme.example"

func TestHandle(t *testing.T) {
	tests := []struct {
		name       string
		world      string
		edit       func(*sandbox.World)
		unregister bool
		consumers  bool
		before     func(t *testing.T, h *harness) // state made outside the task
		api        func(t *testing.T, h *harness) awsapi.SubscribeAPI
		wantOps    []string // the mutating calls of the whole loop
		wantCalls  int      // invocations until done
		wantTables []string // SubscribedTable per target
		wantSleeps int      // paced calls that had to wait
		wantFailed []string // per target: "" or the text of the table's failure
		wantErr    string   // error name, for a failed stage
		wantText   []string // in the error text
		wantNot    []string // not in the error text
	}{
		{
			name: "producer: request, accept at once, the grant names the table", edit: subDBTable,
			wantOps:    []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantCalls:  1,
			wantTables: []string{"orders_1"},
		},
		{
			name: "auto-approving domain: accepted while still PENDING", world: "auto-approve",
			wantOps: []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"}, wantCalls: 1, wantTables: []string{"orders"},
		},
		{
			name:      "a pending request is reused and accepted at once",
			before:    func(t *testing.T, h *harness) { approve(t, h, tasktest.Producer.ProjectID, false) },
			wantOps:   []string{"AcceptSubscriptionRequest"},
			wantCalls: 1, wantTables: []string{"orders"},
		},
		{
			name:       "an approved subscription is reused: no mutating call",
			before:     func(t *testing.T, h *harness) { approve(t, h, tasktest.Producer.ProjectID, true) },
			wantCalls:  1,
			wantTables: []string{"orders"},
		},
		{
			name: "consumer project too, requests and accepts paced", consumers: true,
			wantOps: []string{
				"CreateSubscriptionRequest", "AcceptSubscriptionRequest",
				"CreateSubscriptionRequest", "AcceptSubscriptionRequest",
			},
			wantCalls: 1, wantTables: []string{"orders", "orders"}, wantSleeps: 1, // the second request; the accepts are far enough apart
		},
		{
			name: "MANUAL producer target: the task grants once approved, DataZone the consumer's",
			edit: manualProducer, consumers: true,
			wantOps: []string{
				"CreateSubscriptionRequest", "AcceptSubscriptionRequest",
				"CreateSubscriptionRequest", "AcceptSubscriptionRequest", "CreateSubscriptionGrant",
			},
			wantCalls: 1, wantTables: []string{"orders", "orders"}, wantSleeps: 1,
		},
		{
			name: "MANUAL producer target, subscription approved by hand: the grant at once", edit: manualProducer,
			before:    func(t *testing.T, h *harness) { approve(t, h, tasktest.Producer.ProjectID, true) },
			wantOps:   []string{"CreateSubscriptionGrant"},
			wantCalls: 1, wantTables: []string{"orders"},
		},
		{
			name: "the grant fails: location not registered", unregister: true,
			wantOps: []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantErr: "SubscriptionFailedError",
			wantText: []string{"Asset is not managed by Lake Formation", "register s3://acme-sales-data/sales/ with Lake Formation",
				`"makeManaged": true`, "orders for environment sales_env"},
		},
		{
			name:     "the grant fails: the manage-access role cannot grant",
			before:   revokeGrantable,
			wantOps:  []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantErr:  "SubscriptionFailedError",
			wantText: []string{"necessary Lake Formation permissions", "grant the manage-access role " + tasktest.ManageAccessRole + " DESCRIBE and SELECT with grant option"},
		},
		{
			name: "the producer's request rejected before the accept: the comment and the fix",
			api: func(t *testing.T, h *harness) awsapi.SubscribeAPI {
				return &rejectFirstAccept{SubscribeAPI: h.C.DataZone, h: h, t: t, comment: comment, env: tasktest.Producer.EnvironmentID}
			},
			wantOps: []string{"CreateSubscriptionRequest", "RejectSubscriptionRequest", "AcceptSubscriptionRequest!ValidationException"},
			wantErr: "SubscriptionFailedError",
			wantText: []string{
				"orders for environment sales_env (c8m2v7k4q1x9tn)",
				"of project b3n7k2q9x1m4zd was rejected (the reviewer wrote \"" + comment + "\").",
				"Fix: settle the reviewer's objection with the owners of project b3n7k2q9x1m4zd, then start again: a new request is made and accepted.",
			},
			wantNot: []string{"consumers"},
		},
		{
			name: "the consumer's request rejected without a comment: the table is left out", consumers: true,
			api: func(t *testing.T, h *harness) awsapi.SubscribeAPI {
				return &rejectFirstAccept{SubscribeAPI: h.C.DataZone, h: h, t: t, env: tasktest.Consumer.EnvironmentID}
			},
			wantOps: []string{
				"CreateSubscriptionRequest", "AcceptSubscriptionRequest",
				"CreateSubscriptionRequest", "RejectSubscriptionRequest", "AcceptSubscriptionRequest!ValidationException",
			},
			wantCalls: 1, wantSleeps: 1,
			wantFailed: []string{"", `of project e4p8s2k7w1n5qa was rejected (no comment was given). Fix: settle the reviewer's objection with the owners of project b3n7k2q9x1m4zd and start again (a new request is made and accepted), or remove project e4p8s2k7w1n5qa from "consumers" in the input.`},
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
			var api awsapi.SubscribeAPI
			if tc.api != nil {
				api = tc.api(t, h)
			}
			task := h.task(api)
			h.sleeps = 0
			mark := len(h.SB.Journal())
			got, calls, err := tasktest.Drive(t, h.SB, task.Handle, h.w, 20)
			if err == nil && tc.wantErr != "" {
				err = tasktest.Failure(got) // the stage left the table out; the execution ends with this
			}
			if h.w.Tables[0].Access != nil || len(h.w.Timings) != 1 {
				t.Errorf("Handle changed its argument: %+v %+v", h.w.Tables[0].Access, h.w.Timings)
			}
			tasktest.WantOps(t, h.SB, mark, tc.wantOps...)
			if h.sleeps != tc.wantSleeps {
				t.Errorf("paced calls that waited: %d, want %d", h.sleeps, tc.wantSleeps)
			}
			if tc.wantErr != "" {
				tasktest.WantErrorName(t, err, tc.wantErr, tc.wantText...)
				for _, s := range tc.wantNot {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error %q says %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("loop: %v", err)
			}
			if calls != tc.wantCalls {
				t.Errorf("done after %d invocations, want %d", calls, tc.wantCalls)
			}
			if tc.wantFailed != nil {
				checkFailed(t, got, tc.wantFailed)
				return
			}
			checkGranted(t, h, got, tc.wantTables)

			// A second execution finds everything and changes nothing.
			again := h.w
			again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
			second := tasktest.Idempotent(t, h.SB, h.task(nil).Handle, again)
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
	if !tasktest.StageEnded(w, workflow.TaskSubscribe) {
		t.Errorf("stage Subscribe not ended: %+v", w.Timings)
	}
	tb := w.Tables[0]
	if len(tb.Access) != len(wantTables) || !tb.Onboarding() {
		t.Fatalf("%d accesses, want %d: %+v", len(tb.Access), len(wantTables), tb)
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

// checkFailed asserts the orders table was left out by Subscribe because of the access whose
// want is not "": nothing more is done for its other accesses.
func checkFailed(t *testing.T, w workflow.Work, want []string) {
	t.Helper()
	tb := w.Tables[0]
	if tb.Onboarding() || tb.Failed.Stage != workflow.TaskSubscribe {
		t.Fatalf("orders = %+v, want left out by Subscribe", tb)
	}
	for j, text := range want {
		a := tb.Access[j]
		switch {
		case text == "" && a.Status == "REJECTED":
			t.Errorf("access %d = %+v, want it not rejected", j, a)
		case text != "" && (a.Status != "REJECTED" || !strings.Contains(tb.Failed.Problem.String(), text)):
			t.Errorf("access %d = %+v, problem %q; want REJECTED saying %q", j, a, tb.Failed.Problem, text)
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

func TestHandleTransient(t *testing.T) {
	tests := []struct {
		name   string
		faults []sandbox.FaultRule
	}{
		{name: "a throttled accept", faults: []sandbox.FaultRule{{Service: "datazone", Op: "AcceptSubscriptionRequest", Kind: "throttle", Rate: 1}}},
		{name: "a 5xx on the grants list", faults: []sandbox.FaultRule{{Service: "datazone", Op: "ListSubscriptionGrants", Kind: "5xx", Rate: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The set-up calls neither faulty operation.
			h := newHarness(t, "default", nil, sandbox.Options{Faults: tc.faults}, true)
			_, _, err := tasktest.Drive(t, h.SB, h.task(nil).Handle, h.w, 5)
			tasktest.WantErrorName(t, err, "TransientError")
			var te *workflow.TransientError
			if !errors.As(err, &te) || awsapi.Code(te.Err) == "" {
				t.Errorf("the transient error does not carry the AWS error: %#v", err)
			}
		})
	}
}

func TestHandleEdges(t *testing.T) {
	tests := []struct {
		name       string
		unregister bool
		run        func(t *testing.T, h *harness)
	}{
		{
			name:       "a grant that failed in an earlier execution is made again once fixed",
			unregister: true,
			run: func(t *testing.T, h *harness) {
				first, _, err := tasktest.Drive(t, h.SB, h.task(nil).Handle, h.w, 20)
				if err != nil {
					t.Fatal(err)
				}
				tasktest.WantErrorName(t, tasktest.Failure(first), "SubscriptionFailedError") // the first execution
				tasktest.Register(t, h.C.LakeFormation, tasktest.LocationARN)
				mark := len(h.SB.Journal())
				again := h.w
				again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
				got, _, err := tasktest.Drive(t, h.SB, h.task(nil).Handle, again, 20)
				if err != nil {
					t.Fatalf("second execution: %v", err)
				}
				tasktest.WantOps(t, h.SB, mark, "CreateSubscriptionGrant") // the second execution's one grant
				checkGranted(t, h, got, []string{"orders"})
			},
		},
		{
			name: "less than 30 s left: no call, come back soon",
			run: func(t *testing.T, h *harness) {
				got := tasktest.NearDeadline(t, h.SB, h.task(nil).Handle, h.w)
				if got.Tables[0].Access[0].Status != "" {
					t.Errorf("moved the access to %q", got.Tables[0].Access[0].Status)
				}
			},
		},
		{
			name: "grants that take too long time out, naming the access",
			run: func(t *testing.T, h *harness) {
				w := h.w
				now := h.SB.Now()
				w.Timings = append(w.Timings, workflow.StageTiming{Stage: workflow.TaskSubscribe, StartedAt: now.Add(-2 * time.Hour)})
				w.Poll = workflow.Poll{Attempt: 40, WaitSeconds: 60, Since: now.Add(-2 * time.Hour), Remaining: 1, Progressed: now.Add(-2 * time.Hour)}
				_, err := h.task(nil).Handle(context.Background(), w)
				tasktest.WantErrorName(t, err, "WaitTimeoutError", "orders for environment sales_env")
			},
		},
		{
			name: "the request's unconfirmed fields are logged",
			run: func(t *testing.T, h *harness) {
				var buf bytes.Buffer
				old := slog.Default()
				slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
				defer slog.SetDefault(old)
				if _, err := h.task(nil).Handle(context.Background(), h.w); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(buf.String(), `"unconfirmed":"CreateSubscriptionRequest returned status PENDING and existingSubscriptionId \"\""`) {
					t.Errorf("log lacks the unconfirmed fields:\n%s", buf.String())
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "default", nil, sandbox.Options{}, !tc.unregister)
			tc.run(t, h)
		})
	}
}
