package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/internal/progress"
)

// Options describe one local execution.
type Options struct {
	// ASL is the state machine definition with ${<Task>FunctionArn} placeholders
	// (dzonboard.StateMachineASL).
	ASL []byte
	// Handlers answer the Task states, by task name (workflow.Tasks); every placeholder and Task
	// resource needs one.
	Handlers map[string]lambda.Handler
	// Input is the execution input JSON ("" means {}).
	Input []byte
	// Name is the execution name, $$.Execution.Name (default "local-<n>", n counting runs in
	// this process).
	Name string
	// Advance is called with every Wait state's duration, in order, before the next state runs:
	// the sandbox's virtual clock. Nil: waits take no time at all.
	Advance func(time.Duration)
	// Now is the clock of events and of $$.Execution.StartTime (default time.Now).
	Now func() time.Time
	// NodeModules is the node_modules directory holding aws-local-stepfunctions (default: the
	// one beside the nearest package.json above the working directory).
	NodeModules string
	// OnEvent, when set, receives every progress event as it happens.
	OnEvent func(progress.Event)
}

// Result is how a local execution ended.
type Result struct {
	// Status is SUCCEEDED or FAILED.
	Status string
	// Output is the execution output (on success).
	Output json.RawMessage
	// Error and Cause are the execution's error (on failure), as Step Functions reports them:
	// for a Lambda error, Error is the Go type name and Cause the Lambda error JSON.
	Error, Cause string
	// Path is every state entered, in order.
	Path []string
	// Events are the progress events, in order.
	Events []progress.Event
}

// Execution statuses of a Result.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
)

var runs atomic.Int64

// driverMessage is one line from the driver.
type driverMessage struct {
	Type string `json:"type"`
	// event
	Event engineEvent `json:"event"`
	Wait  *waitSpec   `json:"wait"`
	// invoke
	ID       int             `json:"id"`
	State    string          `json:"state"`
	Resource string          `json:"resource"`
	Input    json.RawMessage `json:"input"`
	// done
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
	// fatal
	Message string `json:"message"`
}

// startMessage is the driver's first input line.
type startMessage struct {
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Context    map[string]any  `json:"context"`
	StartTime  int64           `json:"startTime"`
}

// answerMessage answers one task invocation.
type answerMessage struct {
	ID     int             `json:"id"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  *string         `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

// Run executes the state machine once and returns how the execution ended. A failed execution
// is a Result with Status FAILED, not an error: Run returns an error only when the execution
// could not run (node or aws-local-stepfunctions missing, a definition the engine rejects, a
// placeholder or Task without a handler, input that is not JSON, ctx cancelled).
func Run(ctx context.Context, opt Options) (Result, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Name == "" {
		opt.Name = fmt.Sprintf("local-%d", runs.Add(1))
	}
	input := bytes.TrimSpace(opt.Input)
	if len(input) == 0 {
		input = []byte("{}")
	}
	if !json.Valid(input) {
		return Result{}, fmt.Errorf("run %s: the execution input is not JSON", opt.Name)
	}
	def, tasks, err := prepare(opt.ASL, opt.Handlers)
	if err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, err)
	}
	nodeModules, err := findNodeModules(opt.NodeModules)
	if err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, err)
	}
	d, err := startDriver(ctx, nodeModules)
	if err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, err)
	}
	defer d.close()

	start := startMessage{Definition: def, Input: input, Context: executionContext(opt.Name), StartTime: opt.Now().UnixMilli()}
	if err := d.send(start); err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
	}
	rec := newRecorder(opt)
	for {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("run %s: %w", opt.Name, err)
		}
		line, ok := d.next()
		if !ok {
			return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, nil))
		}
		var msg driverMessage
		if err := json.Unmarshal(line, &msg); err != nil {
			return Result{}, fmt.Errorf("run %s: read driver message %.200q: %w", opt.Name, line, err)
		}
		switch msg.Type {
		case "event":
			rec.handle(msg.Event, msg.Wait)
		case "invoke":
			st, ok := tasks[msg.State]
			if !ok {
				return Result{}, fmt.Errorf("run %s: task state %q has no handler", opt.Name, msg.State)
			}
			out := invoke(ctx, opt.Handlers[st.Task], st, fmt.Sprintf("%s-%d", opt.Name, msg.ID), msg.Input)
			answer := answerMessage{ID: msg.ID, Output: out.Output}
			if out.Error != "" {
				answer = answerMessage{ID: msg.ID, Error: &out.Error, Cause: out.Cause}
			}
			if err := d.send(answer); err != nil {
				return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
			}
		case "done":
			res := Result{Status: msg.Status, Error: msg.Error, Cause: msg.Cause, Path: rec.path, Events: rec.events}
			if msg.Status == StatusSucceeded {
				res.Output = msg.Output
			}
			return res, nil
		case "fatal":
			return Result{}, fmt.Errorf("run %s: %s", opt.Name, msg.Message)
		default:
			return Result{}, fmt.Errorf("run %s: unknown driver message type %q", opt.Name, msg.Type)
		}
	}
}

// failureOr explains why the driver stopped: ctx's error when it was cancelled, else node's exit
// status and stderr, after err (what the runner saw), when given.
func (d *driver) failureOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%v: %w", err, d.failure())
	}
	return d.failure()
}
