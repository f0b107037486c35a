package verify_test

import (
	"context"
	"testing"
	"time"

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
			name: "at most 20 queries start per invocation",
			run: func(t *testing.T, h *harness) {
				w := h.w
				for len(w.Tables) < 12 { // 24 checks: the copies share the one real table
					tb := h.w.Tables[0]
					tb.Access = append([]workflow.Access(nil), tb.Access...)
					w.Tables = append(w.Tables, tb)
				}
				mark := len(h.sb.Journal())
				first, err := h.task.Handle(context.Background(), w)
				if err != nil {
					t.Fatal(err)
				}
				if callers, _ := queries(h.sb, mark); len(callers) != 20 || first.Poll.Done {
					t.Fatalf("first invocation started %d queries (done %v), want 20", len(callers), first.Poll.Done)
				}
				h.sb.Advance(time.Duration(first.Poll.WaitSeconds) * time.Second)
				got, err := h.loop(t, first, 30)
				if err != nil {
					t.Fatal(err)
				}
				if callers, _ := queries(h.sb, mark); len(callers) != 24 {
					t.Errorf("started %d queries in all, want 24", len(callers))
				}
				checkVerified(t, got)
			},
		},
		{
			name: "less than 30 s left: no call, come back soon",
			run: func(t *testing.T, h *harness) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				mark := len(h.sb.Journal())
				got, err := h.task.Handle(ctx, h.w)
				if err != nil {
					t.Fatal(err)
				}
				if got.Poll.Done || got.Poll.WaitSeconds != 1 || len(h.creds) != 0 || len(h.sb.Journal()) != mark {
					t.Errorf("poll %+v after %d credential reads and %d calls, want a 1 s wait and nothing done",
						got.Poll, len(h.creds), len(h.sb.Journal())-mark)
				}
			},
		},
		{
			name:   "throttled query start is transient",
			faults: []sandbox.FaultRule{{Service: "athena", Op: "StartQueryExecution", Kind: "throttle", Rate: 1}},
			run: func(t *testing.T, h *harness) {
				_, err := h.task.Handle(context.Background(), h.w)
				if workflow.ErrorName(err) != "TransientError" {
					t.Fatalf("error %v (%s), want TransientError", err, workflow.ErrorName(err))
				}
				noSecrets(t, h, h.w, err, "")
			},
		},
		{
			name: "queries that take too long time out",
			run: func(t *testing.T, h *harness) {
				w := h.w
				now := h.sb.Now()
				w.Timings = append(w.Timings, workflow.StageTiming{Stage: "verify", StartedAt: now.Add(-time.Hour)})
				w.Poll = workflow.Poll{Attempt: 90, WaitSeconds: 15, Since: now.Add(-time.Hour)}
				if _, err := h.task.Handle(context.Background(), w); workflow.ErrorName(err) != "WaitTimeoutError" {
					t.Fatalf("error %v, want WaitTimeoutError", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newHarness(t, nil, sandbox.Options{Faults: tc.faults}, false))
		})
	}
}
