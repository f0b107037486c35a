package subscribe_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/internal/pace"
	"github.com/dzonboard/dzonboard/tasks/internal/tasktest"
	"github.com/dzonboard/dzonboard/tasks/subscribe"
	"github.com/dzonboard/dzonboard/workflow"
)

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

// reject rejects, as the administrator (an owner of the producer project, which approves), the
// request of the access j of the orders table.
func reject(t *testing.T, h *harness, w workflow.Work, j int, comment string) {
	t.Helper()
	in := &datazone.RejectSubscriptionRequestInput{
		DomainIdentifier: aws.String(tasktest.DomainID), Identifier: aws.String(w.Tables[0].Access[j].RequestID),
	}
	if comment != "" {
		in.DecisionComment = aws.String(comment)
	}
	if _, err := h.C.DataZone.RejectSubscriptionRequest(context.Background(), in); err != nil {
		t.Fatalf("reject request %q: %v", w.Tables[0].Access[j].RequestID, err)
	}
}

// grantOf returns the ID of the grant the journal entry at seq (1-based) created, "" if there is
// no such entry.
func grantOf(h *harness, seq int) string {
	j := h.SB.Journal()
	if seq < 1 || seq > len(j) {
		return ""
	}
	return j[seq-1].Keys["subscriptionGrantId"]
}

// step is one invocation of the task, after what happens outside it first.
type step struct {
	before func(t *testing.T, h *harness, w workflow.Work)
	ops    []string // the mutating calls of before and the invocation
	check  func(t *testing.T, h *harness, w workflow.Work, mark int)
}

// TestHandleDecisions covers what the default world never does by itself: a reviewer rejecting a
// request, and an environment whose subscription target is MANUAL.
func TestHandleDecisions(t *testing.T) {
	const comment = "orders holds card numbers; ask data-governance@acme.example"
	tests := []struct {
		name      string
		edit      func(*sandbox.World)
		consumers bool
		before    func(t *testing.T, h *harness)
		steps     []step
		// For a failure: its texts, texts it must not have, and the mutating calls of a second
		// execution started once the reviewer changed their mind.
		wantText, wantNot []string
		wantAgain         []string
		wantTables        []string // SubscribedTable per target once granted
	}{
		{
			name: "producer's request rejected between polls: the comment and the fix",
			steps: []step{
				{ops: []string{"CreateSubscriptionRequest"}},
				{before: func(t *testing.T, h *harness, w workflow.Work) { reject(t, h, w, 0, comment) },
					ops: []string{"RejectSubscriptionRequest"}}, // the task accepts nothing
			},
			wantText: []string{
				"orders for environment sales_env (c8m2v7k4q1x9tn)",
				"of project b3n7k2q9x1m4zd was rejected (the reviewer wrote \"" + comment + "\").",
				"Fix: settle the reviewer's objection with the owners of project b3n7k2q9x1m4zd, then start again: a new request is made and accepted.",
			},
			wantNot:    []string{"consumers"},
			wantAgain:  []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantTables: []string{"orders"},
		},
		{
			name: "consumer's request rejected without a comment; the producer goes on", consumers: true,
			steps: []step{
				{ops: []string{"CreateSubscriptionRequest", "CreateSubscriptionRequest"}},
				{before: func(t *testing.T, h *harness, w workflow.Work) { reject(t, h, w, 1, "") },
					ops: []string{"RejectSubscriptionRequest", "AcceptSubscriptionRequest"}},
			},
			wantText: []string{
				"subscription failed: orders for environment marketing_env (f2t6y9k3m8q1vb): subscription request ",
				"of project e4p8s2k7w1n5qa was rejected (no comment was given).",
				`or remove project e4p8s2k7w1n5qa from "consumers" in the input.`,
			},
			wantNot:    []string{"sales_env", "problems"},
			wantAgain:  []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"}, // the consumer's only
			wantTables: []string{"orders", "orders"},
		},
		{
			name: "consumer's request rejected while the task waits to accept it", consumers: true,
			steps: []step{
				{ops: []string{"CreateSubscriptionRequest", "CreateSubscriptionRequest"}},
				{
					before: func(t *testing.T, h *harness, w workflow.Work) {
						// The reviewer acts during the pause before the consumer's accept (the
						// producer's goes first, unpaced), once.
						done := false
						h.task = subscribe.New(h.C.DataZone, h.SB.Now, pace.New(time.Hour, func(context.Context, time.Duration) error {
							if !done {
								done = true
								reject(t, h, w, 1, comment)
							}
							return nil
						}))
					},
					ops: []string{"AcceptSubscriptionRequest", "RejectSubscriptionRequest", "AcceptSubscriptionRequest!ValidationException"},
				},
			},
			wantText: []string{
				"of project e4p8s2k7w1n5qa was rejected (the reviewer wrote \"" + comment + "\").",
				`or remove project e4p8s2k7w1n5qa from "consumers" in the input.`,
			},
			wantAgain:  []string{"CreateSubscriptionRequest", "AcceptSubscriptionRequest"},
			wantTables: []string{"orders", "orders"},
		},
		{
			name: "MANUAL producer target: the task grants on the first APPROVED poll, DataZone the consumer's",
			edit: manualProducer, consumers: true,
			steps: []step{
				{ops: []string{"CreateSubscriptionRequest", "CreateSubscriptionRequest"}},
				{
					ops: []string{"AcceptSubscriptionRequest", "CreateSubscriptionGrant", "AcceptSubscriptionRequest"},
					check: func(t *testing.T, h *harness, w workflow.Work, mark int) {
						p, c := w.Tables[0].Access[0], w.Tables[0].Access[1]
						if p.Status != "APPROVED" || p.GrantID == "" || p.GrantID != grantOf(h, mark+2) {
							t.Errorf("producer access %+v, want APPROVED with the grant the task created (%s)", p, grantOf(h, mark+2))
						}
						if c.Status != "APPROVED" || c.GrantID == "" || c.GrantID == p.GrantID {
							t.Errorf("consumer access %+v, want APPROVED with DataZone's own grant", c)
						}
					},
				},
			},
			wantTables: []string{"orders", "orders"},
		},
		{
			name: "MANUAL producer target, subscription approved by hand: the grant at once",
			edit: manualProducer,
			before: func(t *testing.T, h *harness) {
				approve(t, h, tasktest.Producer.ProjectID, true)
				out, err := h.C.DataZone.ListSubscriptionGrants(context.Background(), &datazone.ListSubscriptionGrantsInput{
					DomainIdentifier: aws.String(tasktest.DomainID), EnvironmentId: aws.String(tasktest.Producer.EnvironmentID),
				})
				if err != nil || len(out.Items) != 0 {
					t.Fatalf("setup: grants into the MANUAL target after accepting: %+v (%v)", out, err)
				}
			},
			steps: []step{{
				ops: []string{"CreateSubscriptionGrant"},
				check: func(t *testing.T, h *harness, w workflow.Work, mark int) {
					if a := w.Tables[0].Access[0]; a.Status != "APPROVED" || a.GrantID == "" || a.GrantID != grantOf(h, mark+1) {
						t.Errorf("access %+v, want APPROVED with grant %s", a, grantOf(h, mark+1))
					}
				},
			}},
			wantTables: []string{"orders"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "", tc.edit, sandbox.Options{}, true)
			if tc.consumers {
				h.w.Plan.Consumers = []workflow.Target{tasktest.Consumer}
			}
			if tc.before != nil {
				tc.before(t, h)
			}
			start := len(h.SB.Journal())
			w, err := h.w, error(nil)
			for i, st := range tc.steps {
				mark := len(h.SB.Journal())
				if st.before != nil {
					st.before(t, h, w)
				}
				if w, err = h.task.Handle(context.Background(), w); err != nil && i < len(tc.steps)-1 {
					t.Fatalf("invocation %d: %v", i+1, err)
				}
				tasktest.WantOps(t, h.SB, mark, st.ops...)
				if st.check != nil && err == nil {
					st.check(t, h, w, mark)
				}
				h.SB.Advance(time.Duration(w.Poll.WaitSeconds) * time.Second)
			}

			if tc.wantText != nil {
				tasktest.WantErrorName(t, err, "SubscriptionFailedError", tc.wantText...)
				for _, s := range tc.wantNot {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error %q says %q", err, s)
					}
				}
				// The fix: once the reviewer agrees, starting again subscribes with a new request.
				mark := len(h.SB.Journal())
				again := h.w
				again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
				got, _, err := tasktest.Drive(t, h.SB, h.task.Handle, again, 20)
				if err != nil {
					t.Fatalf("second execution: %v", err)
				}
				tasktest.WantOps(t, h.SB, mark, tc.wantAgain...)
				checkGranted(t, h, got, tc.wantTables)
				return
			}

			if err != nil {
				t.Fatalf("invocation %d: %v", len(tc.steps), err)
			}
			if !w.Poll.Done {
				if w, _, err = tasktest.Drive(t, h.SB, h.task.Handle, w, 20); err != nil {
					t.Fatalf("loop: %v", err)
				}
			}
			// Only the steps made mutating calls: the grants complete by themselves.
			var all []string
			for _, st := range tc.steps {
				all = append(all, st.ops...)
			}
			tasktest.WantOps(t, h.SB, start, all...)
			checkGranted(t, h, w, tc.wantTables)

			again := h.w
			again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
			second := tasktest.Idempotent(t, h.SB, h.task.Handle, again)
			if !second.Poll.Done {
				t.Errorf("second execution not done at once: %+v", second.Tables)
			}
			for j, a := range w.Tables[0].Access {
				if b := second.Tables[0].Access[j]; b.GrantID != a.GrantID || b.SubscribedTable != a.SubscribedTable {
					t.Errorf("second execution found %+v, first made %+v", b, a)
				}
			}
		})
	}
}
