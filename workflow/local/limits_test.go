package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/workflow/local"
)

// bigASL runs one task whose every error, but the uncatchable ones, is caught.
const bigASL = `{
  "StartAt": "Big",
  "States": {
    "Big": {"Type": "Task", "Resource": "${BigFunctionArn}",
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
    "Caught": {"Type": "Pass", "End": true}
  }
}`

// A state whose output is over 256 KiB fails the execution with States.DataLimitExceeded, which
// its Catch of States.ALL does not catch; one just under passes. An execution input over the
// limit fails at once.
func TestRunDataLimit(t *testing.T) {
	tests := []struct {
		name      string
		out, in   int // bytes of the task's output string, of the execution input's padding
		wantError string
	}{
		{name: "under the limit", out: local.DataLimit - 1024},
		{name: "a task result over the limit", out: local.DataLimit + 1, wantError: "States.DataLimitExceeded"},
		{name: "an execution input over the limit", in: local.DataLimit, wantError: "States.DataLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lambda.NewHandler(func(context.Context, json.RawMessage) (string, error) {
				return strings.Repeat("x", tt.out), nil
			})
			input, _ := json.Marshal(map[string]string{"pad": strings.Repeat("y", tt.in)})
			res, err := local.Run(context.Background(), local.Options{
				ASL: []byte(bigASL), Handlers: map[string]lambda.Handler{"Big": h}, Input: input,
				Now: func() time.Time { return t0 },
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantError == "" {
				if res.Status != local.StatusSucceeded || res.LargestPayload < tt.out {
					t.Fatalf("status %s (%s), largest payload %d; want SUCCEEDED with at least %d", res.Status, res.Error, res.LargestPayload, tt.out)
				}
				return
			}
			if res.Status != local.StatusFailed || res.Error != tt.wantError || !strings.Contains(res.Cause, "262144") {
				t.Fatalf("status %s error %s cause %q; want FAILED %s naming the quota", res.Status, res.Error, res.Cause, tt.wantError)
			}
			for _, s := range res.Path {
				if s == "Caught" {
					t.Errorf("path %v: the Catch caught States.DataLimitExceeded", res.Path)
				}
			}
		})
	}
}

// crashASL retries a task that crashed (Lambda.Unknown) once.
const crashASL = `{
  "StartAt": "Calls",
  "States": {
    "Calls": {"Type": "Task", "Resource": "${CallsFunctionArn}",
      "Retry": [{"ErrorEquals": ["Lambda.Unknown"], "IntervalSeconds": 1, "MaxAttempts": 1}], "End": true}
  }
}`

// A planned crash ends the first invocation right after its Nth call returns (the calls up to it
// reached the server); the retry runs the task again to the end.
func TestRunCrash(t *testing.T) {
	for _, after := range []int{1, 2, 3} {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
		client := local.CrashClient(srv.Client())
		h := lambda.NewHandler(func(ctx context.Context, _ json.RawMessage) (int, error) {
			for range 3 {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				resp, err := client.Do(req)
				if err != nil {
					return 0, err
				}
				resp.Body.Close()
			}
			return 3, nil
		})
		res, err := local.Run(context.Background(), local.Options{
			ASL: []byte(crashASL), Handlers: map[string]lambda.Handler{"Calls": h},
			Now: func() time.Time { return t0 }, Crash: &local.Crash{State: "Calls", After: after},
		})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != local.StatusSucceeded || string(res.Output) != "3" {
			t.Errorf("after %d: status %s %s %s output %s; want SUCCEEDED after a retry", after, res.Status, res.Error, res.Cause, res.Output)
		}
		if got := hits.Load(); got != int32(after+3) {
			t.Errorf("after %d: the server saw %d calls, want %d (the crashed invocation's, then the retry's 3)", after, got, after+3)
		}
		if res.Transitions != 2 || res.HistoryEvents != 2+2+3*2 {
			t.Errorf("after %d: %d transitions, %d history events; want 2 and 10", after, res.Transitions, res.HistoryEvents)
		}
	}
}
