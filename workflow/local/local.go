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
	// Crash, when set, makes one task invocation crash the way a Lambda function that crashed or
	// timed out fails in Step Functions (see Crash).
	Crash *Crash
}

// DataLimit is Step Functions' payload quota: 262,144 bytes of UTF-8 for the execution input, each
// state's input and output, and the execution output. Going over it fails the execution with
// States.DataLimitExceeded, which no Catch of States.ALL catches (Step Functions developer guide,
// "Handling errors": States.DataLimitExceeded; "Step Functions service quotas": 256 KiB).
const DataLimit = 256 * 1024

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
	// Transitions counts the state transitions Step Functions would bill: every state entered and
	// every retry of a Task.
	Transitions int
	// HistoryEvents estimates the execution's history events (Step Functions allows 25,000): the
	// execution's start and end, each state's entry and exit, and each Task attempt's scheduled,
	// started and ended events.
	HistoryEvents int
	// LargestPayload is the size in bytes of the largest state input or output (DataLimit bounds
	// it).
	LargestPayload int
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

// abortMessage fails the execution where it is with an error no Catch handles (States.Runtime,
// States.DataLimitExceeded), as Step Functions does.
type abortMessage struct {
	Type  string `json:"type"` // "abort"
	Error string `json:"error"`
	Cause string `json:"cause"`
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
	def, err := prepare(opt.ASL, opt.Handlers)
	if err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, err)
	}
	if len(input) > DataLimit {
		return Result{Status: StatusFailed, Error: dataLimitExceeded,
			Cause: fmt.Sprintf("The execution input has %d bytes, over the quota of %d bytes.", len(input), DataLimit)}, nil
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

	start := startMessage{Definition: def.json, Input: input, Context: executionContext(opt.Name), StartTime: opt.Now().UnixMilli()}
	if err := d.send(start); err != nil {
		return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
	}
	rec := newRecorder(opt, def)
	crash := newCrashes(opt.Crash)
	aborted := false
	abort := func(errName, cause string) error {
		aborted = true
		rec.emit(rec.current, progress.Failed, progress.FailureDetail(errName, cause))
		return d.send(abortMessage{Type: "abort", Error: errName, Cause: cause})
	}
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
			if aborted {
				continue
			}
			if errName, cause := rec.handle(msg.Event); errName != "" {
				if err := abort(errName, cause); err != nil {
					return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
				}
			}
		case "invoke":
			if aborted {
				continue // the execution has failed: nobody answers
			}
			st, ok := def.tasks[msg.State]
			if !ok {
				return Result{}, fmt.Errorf("run %s: task state %q has no handler", opt.Name, msg.State)
			}
			out := invoke(ctx, opt.Handlers[st.Task], st, fmt.Sprintf("%s-%d", opt.Name, msg.ID), msg.Input, crash.next(msg.State))
			if len(out.Output) > DataLimit {
				if err := abort(dataLimitExceeded, tooLarge(msg.State, "returned a result", len(out.Output))); err != nil {
					return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
				}
				continue
			}
			answer := answerMessage{ID: msg.ID, Output: out.Output}
			if out.Error != "" {
				answer = answerMessage{ID: msg.ID, Error: &out.Error, Cause: out.Cause}
			}
			if err := d.send(answer); err != nil {
				return Result{}, fmt.Errorf("run %s: %w", opt.Name, d.failureOr(ctx, err))
			}
		case "done":
			res := Result{Status: msg.Status, Error: msg.Error, Cause: msg.Cause, Path: rec.tr.Path(), Events: rec.events}
			if msg.Status == StatusSucceeded {
				res.Output = msg.Output
				if len(msg.Output) > DataLimit {
					res = Result{Status: StatusFailed, Error: dataLimitExceeded, Path: rec.tr.Path(), Events: rec.events,
						Cause: fmt.Sprintf("The execution output has %d bytes, over the quota of %d bytes.", len(msg.Output), DataLimit)}
				}
			}
			res.Transitions, res.HistoryEvents, res.LargestPayload = rec.tr.Transitions(), rec.tr.HistoryEvents(), rec.largest
			return res, nil
		case "fatal":
			return Result{}, fmt.Errorf("run %s: %s", opt.Name, msg.Message)
		default:
			return Result{}, fmt.Errorf("run %s: unknown driver message type %q", opt.Name, msg.Type)
		}
	}
}

// dataLimitExceeded is Step Functions' error for a payload over DataLimit.
const dataLimitExceeded = "States.DataLimitExceeded"

// tooLarge is the cause of a States.DataLimitExceeded of a state.
func tooLarge(state, what string, n int) string {
	return fmt.Sprintf("The state/task '%s' %s with a size exceeding the maximum number of bytes service limit: %d bytes, over the quota of %d bytes.", state, what, n, DataLimit)
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
