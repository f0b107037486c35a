package main

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/internal/progress"
)

// history turns Step Functions execution history events into the translator's steps, so that
// follow shows the same progress events as run-local.
type history struct {
	tr *progress.Translator
	// current is the last Task state entered: Lambda and Task events belong to it.
	current   string
	inputs    map[string]json.RawMessage
	scheduled map[string]int
	failState string
}

func newHistory(def *asl.Machine) *history {
	return &history{tr: progress.NewTranslator(def), inputs: map[string]json.RawMessage{}, scheduled: map[string]int{}}
}

// enteredTypes are the history events of a state's entry, by the state's type.
var enteredTypes = map[types.HistoryEventType]string{
	types.HistoryEventTypeTaskStateEntered:     "Task",
	types.HistoryEventTypePassStateEntered:     "Pass",
	types.HistoryEventTypeMapStateEntered:      "Map",
	types.HistoryEventTypeParallelStateEntered: "Parallel",
	types.HistoryEventTypeWaitStateEntered:     "Wait",
	types.HistoryEventTypeChoiceStateEntered:   "Choice",
	types.HistoryEventTypeSucceedStateEntered:  "Succeed",
	types.HistoryEventTypeFailStateEntered:     "Fail",
}

// exitedTypes are the history events of a state's exit, by the state's type.
var exitedTypes = map[types.HistoryEventType]string{
	types.HistoryEventTypeTaskStateExited:     "Task",
	types.HistoryEventTypePassStateExited:     "Pass",
	types.HistoryEventTypeMapStateExited:      "Map",
	types.HistoryEventTypeParallelStateExited: "Parallel",
	types.HistoryEventTypeSucceedStateExited:  "Succeed",
}

// events maps one history event to zero or more progress events.
func (h *history) events(ev types.HistoryEvent) []progress.Event {
	at := aws.ToTime(ev.Timestamp)
	step := progress.Step{Time: at}
	if typ, ok := enteredTypes[ev.Type]; ok {
		d := ev.StateEnteredEventDetails
		if d == nil {
			return nil
		}
		step.Kind, step.State, step.Type, step.Input = progress.StepEntered, aws.ToString(d.Name), typ, json.RawMessage(aws.ToString(d.Input))
		switch typ {
		case "Task":
			h.current, h.inputs[step.State], h.scheduled[step.State] = step.State, step.Input, 0
		case "Fail":
			h.failState = step.State
		}
		return h.translate(step)
	}
	if typ, ok := exitedTypes[ev.Type]; ok {
		d := ev.StateExitedEventDetails
		if d == nil {
			return nil
		}
		step.Kind, step.State, step.Type = progress.StepExited, aws.ToString(d.Name), typ
		step.Input, step.Output = h.inputs[step.State], json.RawMessage(aws.ToString(d.Output))
		return h.translate(step)
	}
	switch ev.Type {
	case types.HistoryEventTypeLambdaFunctionScheduled, types.HistoryEventTypeTaskScheduled,
		types.HistoryEventTypeActivityScheduled:
		h.scheduled[h.current]++
		if n := h.scheduled[h.current]; n > 1 {
			return h.translate(progress.Step{Time: at, Kind: progress.StepRetried, State: h.current, Attempt: n})
		}
	case types.HistoryEventTypeExecutionFailed:
		if h.failState != "" && ev.ExecutionFailedEventDetails != nil {
			return h.translate(progress.Step{Time: at, Kind: progress.StepFailed, State: h.failState, Type: "Fail",
				Error: aws.ToString(ev.ExecutionFailedEventDetails.Error)})
		}
	default:
		if errName, cause, ok := taskFailure(ev); ok {
			return h.translate(progress.Step{Time: at, Kind: progress.StepFailed, State: h.current, Type: "Task", Error: errName, Cause: cause})
		}
	}
	return nil
}

// translate runs a step through the translator. A Wait whose duration cannot be read shows as
// waiting without one: Step Functions itself fails the execution, and its history says so.
func (h *history) translate(s progress.Step) []progress.Event {
	events, _, err := h.tr.Translate(s)
	if err != nil {
		return []progress.Event{{Time: s.Time, State: s.State, Type: progress.Waiting}}
	}
	return events
}

// taskFailure returns the error and cause of an event that ends a task attempt badly.
func taskFailure(ev types.HistoryEvent) (errName, cause string, ok bool) {
	pick := func(e, c *string, def string) (string, string, bool) {
		name := aws.ToString(e)
		if name == "" {
			name = def
		}
		return name, aws.ToString(c), true
	}
	switch {
	case ev.LambdaFunctionFailedEventDetails != nil:
		d := ev.LambdaFunctionFailedEventDetails
		return pick(d.Error, d.Cause, "Lambda.Unknown")
	case ev.LambdaFunctionTimedOutEventDetails != nil:
		d := ev.LambdaFunctionTimedOutEventDetails
		return pick(d.Error, d.Cause, "States.Timeout")
	case ev.LambdaFunctionStartFailedEventDetails != nil:
		d := ev.LambdaFunctionStartFailedEventDetails
		return pick(d.Error, d.Cause, "Lambda.Unknown")
	case ev.LambdaFunctionScheduleFailedEventDetails != nil:
		d := ev.LambdaFunctionScheduleFailedEventDetails
		return pick(d.Error, d.Cause, "Lambda.Unknown")
	case ev.TaskFailedEventDetails != nil:
		d := ev.TaskFailedEventDetails
		return pick(d.Error, d.Cause, "States.TaskFailed")
	case ev.TaskTimedOutEventDetails != nil:
		d := ev.TaskTimedOutEventDetails
		return pick(d.Error, d.Cause, "States.Timeout")
	case ev.TaskStartFailedEventDetails != nil:
		d := ev.TaskStartFailedEventDetails
		return pick(d.Error, d.Cause, "States.TaskFailed")
	case ev.TaskSubmitFailedEventDetails != nil:
		d := ev.TaskSubmitFailedEventDetails
		return pick(d.Error, d.Cause, "States.TaskFailed")
	case ev.ActivityFailedEventDetails != nil:
		d := ev.ActivityFailedEventDetails
		return pick(d.Error, d.Cause, "States.TaskFailed")
	case ev.ActivityTimedOutEventDetails != nil:
		d := ev.ActivityTimedOutEventDetails
		return pick(d.Error, d.Cause, "States.Timeout")
	}
	return "", "", false
}
