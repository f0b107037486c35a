package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/internal/progress"
	"github.com/dzonboard/dzonboard/workflow/local"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// TransientError and RejectedError are named errors as the task workers return them.
type TransientError struct{ Op string }

func (e *TransientError) Error() string { return e.Op + ": throttled" }

type RejectedError struct{ Reason string }

func (e *RejectedError) Error() string { return "rejected: " + e.Reason }

// testInput is the execution input of testdata/poll.asl.json.
type testInput struct {
	// Mode selects a failure: "flaky" (Start fails once), "down" (Start always fails),
	// "reject" (Start fails with RejectedError), "finish" (Finish fails, uncaught), "panic".
	Mode  string `json:"mode,omitempty"`
	Waits []int  `json:"waits"`
}

type startIn struct {
	Execution string    `json:"execution"`
	StartTime string    `json:"startTime"`
	Input     testInput `json:"input"`
}

type poll struct {
	Done        bool `json:"done"`
	WaitSeconds int  `json:"waitSeconds"`
}

type work struct {
	Execution string    `json:"execution"`
	StartTime string    `json:"startTime"`
	Input     testInput `json:"input"`
	Checks    []string  `json:"checks,omitempty"` // the virtual time of every check
	Poll      poll      `json:"poll"`
}

// fixture is a fake clock and fake handlers that record what they saw.
type fixture struct {
	now      time.Time
	advances []time.Duration
	calls    map[string]int
}

func newFixture() *fixture { return &fixture{now: t0, calls: map[string]int{}} }

func (f *fixture) Now() time.Time { return f.now }

func (f *fixture) Advance(d time.Duration) {
	f.advances = append(f.advances, d)
	f.now = f.now.Add(d)
}

func (f *fixture) handlers() map[string]lambda.Handler {
	return map[string]lambda.Handler{
		"Start": lambda.NewHandler(func(ctx context.Context, in startIn) (work, error) {
			f.calls["Start"]++
			switch {
			case in.Input.Mode == "flaky" && f.calls["Start"] == 1, in.Input.Mode == "down":
				return work{}, &TransientError{Op: "glue start crawler"}
			case in.Input.Mode == "reject":
				return work{}, &RejectedError{Reason: "bad input"}
			case in.Input.Mode == "panic":
				panic("boom")
			}
			return work{Execution: in.Execution, StartTime: in.StartTime, Input: in.Input, Poll: poll{WaitSeconds: in.Input.Waits[0]}}, nil
		}),
		"Check": lambda.NewHandler(func(ctx context.Context, w work) (work, error) {
			f.calls["Check"]++
			w.Checks = append(w.Checks, f.now.Format(time.RFC3339))
			if n := len(w.Checks); n < len(w.Input.Waits) {
				w.Poll = poll{WaitSeconds: w.Input.Waits[n]}
			} else {
				w.Poll = poll{Done: true}
			}
			return w, nil
		}),
		"Finish": lambda.NewHandler(func(ctx context.Context, w work) (map[string]any, error) {
			f.calls["Finish"]++
			if w.Input.Mode == "finish" {
				return nil, &RejectedError{Reason: "nothing to finish"}
			}
			return map[string]any{"execution": w.Execution, "startTime": w.StartTime, "checks": w.Checks}, nil
		}),
	}
}

func readASL(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/poll.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
}

func TestRun(t *testing.T) {
	needNode(t)
	asl := readASL(t)
	happyPath := []string{"Start", "Wait for check", "Check", "Done?", "Wait for check", "Check", "Done?", "Pause", "Finish", "Succeeded"}
	tests := []struct {
		name         string
		input        testInput
		wantStatus   string
		wantPath     []string
		wantAdvances []time.Duration
		wantCalls    map[string]int
		wantOutput   string
		wantError    string
		wantCause    string
		wantEvent    *progress.Event // one event that must be among the events
		// noSuccessOf is a state that must not show a succeeded event (it failed into a Catch).
		noSuccessOf string
	}{
		{
			name:         "waits advance the clock before the next task, in order",
			input:        testInput{Waits: []int{30, 45}},
			wantStatus:   local.StatusSucceeded,
			wantPath:     happyPath,
			wantAdvances: []time.Duration{30 * time.Second, 45 * time.Second, 7 * time.Second},
			wantCalls:    map[string]int{"Start": 1, "Check": 2, "Finish": 1},
			wantOutput: `{"execution":"test-run","startTime":"2026-01-05T09:00:00.000Z",
				"checks":["2026-01-05T09:00:30Z","2026-01-05T09:01:15Z"]}`,
			wantEvent: &progress.Event{Time: t0.Add(30 * time.Second), State: "Wait for check", Type: progress.Waiting, Detail: "45s"},
		},
		{
			name:         "a named error is retried",
			input:        testInput{Mode: "flaky", Waits: []int{10}},
			wantStatus:   local.StatusSucceeded,
			wantPath:     []string{"Start", "Wait for check", "Check", "Done?", "Pause", "Finish", "Succeeded"},
			wantAdvances: []time.Duration{10 * time.Second, 7 * time.Second},
			wantCalls:    map[string]int{"Start": 2, "Check": 1, "Finish": 1},
			wantOutput:   `{"execution":"test-run","startTime":"2026-01-05T09:00:00.000Z","checks":["2026-01-05T09:00:10Z"]}`,
			wantEvent:    &progress.Event{Time: t0, State: "Start", Type: progress.Retry, Detail: "attempt 2 after TransientError"},
		},
		{
			name:       "retries run out, then Catch leads to the Fail state",
			input:      testInput{Mode: "down", Waits: []int{10}},
			wantStatus: local.StatusFailed,
			wantPath:   []string{"Start", "Failed"},
			wantCalls:  map[string]int{"Start": 4},
			wantError:  "TransientError",
			wantCause:  `{"errorMessage":"glue start crawler: throttled","errorType":"TransientError"}`,
			wantEvent:  &progress.Event{Time: t0, State: "Start", Type: progress.Failed, Detail: "TransientError: glue start crawler: throttled"},
		},
		{
			name:        "a named error is caught and the Fail state reports its Error and Cause",
			input:       testInput{Mode: "reject", Waits: []int{10}},
			wantStatus:  local.StatusFailed,
			wantPath:    []string{"Start", "Failed"},
			wantCalls:   map[string]int{"Start": 1},
			wantError:   "RejectedError",
			wantCause:   `{"errorMessage":"rejected: bad input","errorType":"RejectedError"}`,
			wantEvent:   &progress.Event{Time: t0, State: "Failed", Type: progress.Failed, Detail: "RejectedError"},
			noSuccessOf: "Start",
		},
		{
			name:         "an uncaught error fails the execution",
			input:        testInput{Mode: "finish", Waits: []int{0}},
			wantStatus:   local.StatusFailed,
			wantPath:     []string{"Start", "Wait for check", "Check", "Done?", "Pause", "Finish"},
			wantAdvances: []time.Duration{0, 7 * time.Second},
			wantCalls:    map[string]int{"Start": 1, "Check": 1, "Finish": 1},
			wantError:    "RejectedError",
			wantCause:    `{"errorMessage":"rejected: nothing to finish","errorType":"RejectedError"}`,
		},
		{
			name:       "a panic is a Lambda error named after the panic value's type",
			input:      testInput{Mode: "panic", Waits: []int{1}},
			wantStatus: local.StatusFailed,
			wantPath:   []string{"Start", "Failed"},
			wantCalls:  map[string]int{"Start": 1},
			wantError:  "string",
			wantCause:  `{"errorMessage":"boom","errorType":"string"}`,
		},
		{
			name:       "a Wait whose SecondsPath does not resolve fails with States.Runtime",
			input:      testInput{Waits: []int{-5}},
			wantStatus: local.StatusFailed,
			wantPath:   []string{"Start", "Wait for check"},
			wantCalls:  map[string]int{"Start": 1},
			wantError:  "States.Runtime",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			in, _ := json.Marshal(tt.input)
			var live []progress.Event
			res, err := local.Run(context.Background(), local.Options{
				ASL: asl, Handlers: f.handlers(), Input: in, Name: "test-run",
				Advance: f.Advance, Now: f.Now, OnEvent: func(e progress.Event) { live = append(live, e) },
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Status != tt.wantStatus {
				t.Errorf("Status = %s (%s %s), want %s", res.Status, res.Error, res.Cause, tt.wantStatus)
			}
			if !reflect.DeepEqual(res.Path, tt.wantPath) {
				t.Errorf("Path = %q\nwant %q", res.Path, tt.wantPath)
			}
			if !reflect.DeepEqual(f.advances, tt.wantAdvances) {
				t.Errorf("Advance calls = %v, want %v", f.advances, tt.wantAdvances)
			}
			if !reflect.DeepEqual(f.calls, tt.wantCalls) {
				t.Errorf("handler calls = %v, want %v", f.calls, tt.wantCalls)
			}
			if tt.wantOutput != "" {
				assertJSONEqual(t, res.Output, tt.wantOutput)
			} else if res.Output != nil {
				t.Errorf("Output = %s, want none", res.Output)
			}
			if res.Error != tt.wantError {
				t.Errorf("Error = %q, want %q", res.Error, tt.wantError)
			}
			if tt.wantCause != "" && res.Cause != tt.wantCause {
				t.Errorf("Cause = %s\nwant    %s", res.Cause, tt.wantCause)
			}
			if tt.wantError == "States.Runtime" && !strings.Contains(res.Cause, "SecondsPath") {
				t.Errorf("Cause = %q, want it to name the SecondsPath", res.Cause)
			}
			if !reflect.DeepEqual(live, res.Events) {
				t.Errorf("OnEvent saw %d events, Result has %d", len(live), len(res.Events))
			}
			if tt.noSuccessOf != "" && containsEvent(res.Events, progress.Event{Time: t0, State: tt.noSuccessOf, Type: progress.Succeeded}) {
				t.Errorf("%s failed into a Catch but shows as succeeded:\n%s", tt.noSuccessOf, render(res.Events))
			}
			if tt.wantEvent != nil && !containsEvent(res.Events, *tt.wantEvent) {
				t.Errorf("events lack %+v; got:\n%s", *tt.wantEvent, render(res.Events))
			}
		})
	}
}

func TestRunEvents(t *testing.T) {
	needNode(t)
	f := newFixture()
	res, err := local.Run(context.Background(), local.Options{
		ASL: readASL(t), Handlers: f.handlers(), Input: []byte(`{"waits":[30]}`), Advance: f.Advance, Now: f.Now,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := "+00:00:00  Start  entered\n" +
		"+00:00:00  Start  succeeded  not done yet\n" +
		"+00:00:00  Wait for check  waiting  30s\n" +
		"+00:00:30  Check  entered\n" +
		"+00:00:30  Check  succeeded\n" +
		"+00:00:30  Pause  waiting  7s\n" +
		"+00:00:37  Finish  entered\n" +
		"+00:00:37  Finish  succeeded\n" +
		"+00:00:37  Succeeded  succeeded\n"
	if got := render(res.Events); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if !strings.HasPrefix(res.Path[0], "Start") || !strings.HasPrefix(string(res.Output), "{") {
		t.Errorf("Path %q, Output %s", res.Path, res.Output)
	}
}

func TestRunNames(t *testing.T) {
	needNode(t)
	var names []string
	h := map[string]lambda.Handler{
		"Start": lambda.NewHandler(func(ctx context.Context, in startIn) (work, error) {
			names = append(names, in.Execution)
			return work{}, &RejectedError{Reason: "stop"}
		}),
	}
	asl := readASL(t)
	// Only Start is reached; the other placeholders still need handlers.
	h["Check"], h["Finish"] = h["Start"], h["Start"]
	for range 2 {
		if _, err := local.Run(context.Background(), local.Options{ASL: asl, Handlers: h}); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	if len(names) != 2 || names[0] == names[1] || !strings.HasPrefix(names[0], "local-") {
		t.Errorf("default execution names = %q, want two different local-<n>", names)
	}
}

func TestRunCannotRun(t *testing.T) {
	needNode(t)
	asl := readASL(t)
	f := newFixture()
	without := f.handlers()
	delete(without, "Check")
	// An engine that dies on load: its stderr must reach the error.
	crashing := filepath.Join(t.TempDir(), "node_modules")
	engine := filepath.Join(crashing, "aws-local-stepfunctions")
	for name, content := range map[string]string{
		"package.json": `{"name":"aws-local-stepfunctions","main":"index.js"}`,
		"index.js":     `process.stderr.write("engine exploded\n"); process.exit(3);`,
	} {
		if err := os.MkdirAll(engine, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(engine, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		opt     local.Options
		wantErr string
	}{
		{
			name:    "a placeholder without a handler",
			opt:     local.Options{ASL: asl, Handlers: without},
			wantErr: "no task handler for placeholder ${CheckFunctionArn}",
		},
		{
			name:    "a Task resource that is no task",
			opt:     local.Options{ASL: []byte(`{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:other","End":true}}}`), Handlers: f.handlers()},
			wantErr: `task state "X": no task handler for resource`,
		},
		{
			name:    "input that is not JSON",
			opt:     local.Options{ASL: asl, Handlers: f.handlers(), Input: []byte("{not json")},
			wantErr: "the execution input is not JSON",
		},
		{
			name:    "a definition the engine rejects",
			opt:     local.Options{ASL: []byte(`{"StartAt":"X","States":{"X":{"Type":"Bogus","End":true}}}`), Handlers: f.handlers()},
			wantErr: "State machine definition is invalid",
		},
		{
			name:    "node stops early: its exit and stderr are in the error",
			opt:     local.Options{ASL: asl, Handlers: f.handlers(), NodeModules: crashing},
			wantErr: "node stopped before the execution ended (exit status 3): engine exploded",
		},
		{
			name:    "node_modules without the engine",
			opt:     local.Options{ASL: asl, Handlers: f.handlers(), NodeModules: t.TempDir()},
			wantErr: "aws-local-stepfunctions is not installed in",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := local.Run(context.Background(), tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	needNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	h := newFixture().handlers()
	h["Start"] = lambda.NewHandler(func(context.Context, startIn) (work, error) {
		cancel()
		return work{}, nil
	})
	_, err := local.Run(ctx, local.Options{ASL: readASL(t), Handlers: h, Input: []byte(`{"waits":[1]}`)})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v, want context.Canceled", err)
	}
}

func TestFunctionARN(t *testing.T) {
	if got, want := local.FunctionARN("Preflight"), "arn:aws:lambda:us-east-1:123456789012:function:dzonboard-Preflight"; got != want {
		t.Errorf("FunctionARN = %s, want %s", got, want)
	}
}

func containsEvent(events []progress.Event, want progress.Event) bool {
	for _, e := range events {
		if e == want {
			return true
		}
	}
	return false
}

func render(events []progress.Event) string {
	var b strings.Builder
	r := progress.NewRenderer(&b, false, t0)
	for _, e := range events {
		r.Event(e)
	}
	return b.String()
}

func assertJSONEqual(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("output = %s\nwant     %s", got, want)
	}
}
