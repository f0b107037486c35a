package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestHandleEdges(t *testing.T) {
	tests := []struct {
		name   string
		faults []sandbox.FaultRule
		run    func(t *testing.T, h *harness)
	}{
		{
			name: "at most 20 queries run at once",
			run: func(t *testing.T, h *harness) {
				w := h.w
				for len(w.Tables) < 30 { // 60 checks: the copies share the one real table
					tb := h.w.Tables[0]
					tb.Access = append([]workflow.Access(nil), tb.Access...)
					w.Tables = append(w.Tables, tb)
				}
				mark := len(h.SB.Journal())
				ctx, cancel := context.WithTimeout(context.Background(), 31*time.Second) // one look
				defer cancel()
				first, err := h.task.Handle(ctx, w)
				if err != nil {
					t.Fatal(err)
				}
				if callers, _ := queries(h.SB, mark); len(callers) != 20 || first.Poll.Done {
					t.Fatalf("the first look started %d queries (done %v), want 20", len(callers), first.Poll.Done)
				}
				h.SB.Advance(time.Duration(first.Poll.WaitSeconds) * time.Second)
				got, _, err := tasktest.Drive(t, h.SB, h.task.Handle, first, 30)
				if err != nil {
					t.Fatal(err)
				}
				if callers, _ := queries(h.SB, mark); len(callers) != 60 {
					t.Errorf("started %d queries in all, want 60", len(callers))
				}
				checkVerified(t, got)
			},
		},
		{
			name: "less than 30 s left: no call, come back soon",
			run: func(t *testing.T, h *harness) {
				tasktest.NearDeadline(t, h.SB, h.task.Handle, h.w)
				if len(h.creds) != 0 {
					t.Errorf("%d credential reads near the deadline, want none", len(h.creds))
				}
			},
		},
		{
			name:   "throttled query start is transient",
			faults: []sandbox.FaultRule{{Service: "athena", Op: "StartQueryExecution", Kind: "throttle", Rate: 1}},
			run: func(t *testing.T, h *harness) {
				_, err := h.task.Handle(context.Background(), h.w)
				tasktest.WantErrorName(t, err, "TransientError")
				noSecrets(t, h, h.w, err, "")
			},
		},
		{
			name: "queries that take too long time out",
			run: func(t *testing.T, h *harness) {
				w := h.w
				now := h.SB.Now()
				w.Timings = append(w.Timings, workflow.StageTiming{Stage: workflow.TaskVerify, StartedAt: now.Add(-time.Hour)})
				w.Poll = workflow.Poll{Attempt: 90, WaitSeconds: 15, Since: now.Add(-time.Hour), Remaining: 1, Progressed: now.Add(-time.Hour)}
				_, err := h.task.Handle(context.Background(), w)
				tasktest.WantErrorName(t, err, "WaitTimeoutError")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newHarness(t, nil, sandbox.Options{Faults: tc.faults}, false))
		})
	}
}
