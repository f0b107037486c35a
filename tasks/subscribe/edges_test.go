package subscribe_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/internal/tasktest"
	"github.com/dzonboard/dzonboard/workflow"
)

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
				_, _, err := tasktest.Drive(t, h.SB, h.task.Handle, h.w, 20)
				tasktest.WantErrorName(t, err, "SubscriptionFailedError") // the first execution
				tasktest.Register(t, h.C.LakeFormation, tasktest.LocationARN)
				mark := len(h.SB.Journal())
				again := h.w
				again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.SB.Now()
				got, _, err := tasktest.Drive(t, h.SB, h.task.Handle, again, 20)
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
				got := tasktest.NearDeadline(t, h.SB, h.task.Handle, h.w)
				if got.Tables[0].Access[0].Status != "" {
					t.Errorf("moved the access to %q", got.Tables[0].Access[0].Status)
				}
			},
		},
		{
			name: "grants that take too long time out",
			run: func(t *testing.T, h *harness) {
				w := h.w
				now := h.SB.Now()
				w.Timings = append(w.Timings, workflow.StageTiming{Stage: "subscribe", StartedAt: now.Add(-2 * time.Hour)})
				w.Poll = workflow.Poll{Attempt: 40, WaitSeconds: 60, Since: now.Add(-2 * time.Hour)}
				_, err := h.task.Handle(context.Background(), w)
				tasktest.WantErrorName(t, err, "WaitTimeoutError", "orders for environment sales_env") // naming the access
			},
		},
		{
			name: "the request's unconfirmed fields are logged",
			run: func(t *testing.T, h *harness) {
				var buf bytes.Buffer
				old := slog.Default()
				slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
				defer slog.SetDefault(old)
				if _, err := h.task.Handle(context.Background(), h.w); err != nil {
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
