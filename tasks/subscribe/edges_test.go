package subscribe_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"

	"github.com/dzonboard/dzonboard/sandbox"
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
				if _, err := h.loop(t, h.w, 20); workflow.ErrorName(err) != "SubscriptionFailedError" {
					t.Fatalf("first execution: %v, want SubscriptionFailedError", err)
				}
				if _, err := h.c.LakeFormation.RegisterResource(context.Background(), &lakeformation.RegisterResourceInput{
					ResourceArn: aws.String(workflow.LocationARN(s3Location)), UseServiceLinkedRole: aws.Bool(true),
				}); err != nil {
					t.Fatalf("register: %v", err)
				}
				mark := len(h.sb.Journal())
				again := h.w
				again.Plan.Execution, again.Plan.StartedAt = "exec-2", h.sb.Now()
				got, err := h.loop(t, again, 20)
				if err != nil {
					t.Fatalf("second execution: %v", err)
				}
				if calls := ops(h.sb, mark); !slices.Equal(calls, []string{"CreateSubscriptionGrant"}) {
					t.Errorf("second execution made %v, want one CreateSubscriptionGrant", calls)
				}
				checkGranted(t, h, got, []string{"orders"})
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
				if got.Poll.Done || got.Poll.WaitSeconds != 1 {
					t.Errorf("poll %+v, want not done with a 1 s wait", got.Poll)
				}
				if calls := ops(h.sb, mark); len(calls) != 0 || got.Tables[0].Access[0].Status != "" {
					t.Errorf("made %v and moved the access to %q", calls, got.Tables[0].Access[0].Status)
				}
			},
		},
		{
			name: "grants that take too long time out",
			run: func(t *testing.T, h *harness) {
				w := h.w
				now := h.sb.Now()
				w.Timings = append(w.Timings, workflow.StageTiming{Stage: "subscribe", StartedAt: now.Add(-2 * time.Hour)})
				w.Poll = workflow.Poll{Attempt: 40, WaitSeconds: 60, Since: now.Add(-2 * time.Hour)}
				_, err := h.task.Handle(context.Background(), w)
				if workflow.ErrorName(err) != "WaitTimeoutError" || !strings.Contains(err.Error(), "orders for environment sales_env") {
					t.Fatalf("error %v, want a WaitTimeoutError naming the access", err)
				}
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
