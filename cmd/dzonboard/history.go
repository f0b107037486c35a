package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/dzonboard/dzonboard/internal/progress"
)

// history turns Step Functions execution history events into progress events, the same ones
// the local runner makes from the engine's event log.
type history struct {
	def *definition // for Wait durations; may be nil
	// current is the last Task state entered: Lambda and Task events belong to it.
	current   string
	inputs    map[string]json.RawMessage
	attempts  map[string]int
	lastError map[string]string
	// failed marks states whose last attempt failed: their exit (through a Catch) is no success.
	failed    map[string]bool
	failState string
}

func newHistory(def *definition) *history {
	return &history{
		def:       def,
		inputs:    map[string]json.RawMessage{},
		attempts:  map[string]int{},
		lastError: map[string]string{},
		failed:    map[string]bool{},
	}
}

// events maps one history event to zero or more progress events.
func (h *history) events(ev types.HistoryEvent) []progress.Event {
	at := aws.ToTime(ev.Timestamp)
	one := func(state, typ, detail string) []progress.Event {
		return []progress.Event{{Time: at, State: state, Type: typ, Detail: detail}}
	}
	switch ev.Type {
	case types.HistoryEventTypeTaskStateEntered, types.HistoryEventTypePassStateEntered,
		types.HistoryEventTypeMapStateEntered, types.HistoryEventTypeParallelStateEntered:
		name, input := entered(ev)
		h.current, h.inputs[name], h.attempts[name] = name, input, 0
		delete(h.failed, name)
		return one(name, progress.Entered, "")
	case types.HistoryEventTypeWaitStateEntered:
		name, input := entered(ev)
		return one(name, progress.Waiting, h.waitDetail(name, input, at))
	case types.HistoryEventTypeFailStateEntered:
		h.failState, _ = entered(ev)
	case types.HistoryEventTypeLambdaFunctionScheduled, types.HistoryEventTypeTaskScheduled,
		types.HistoryEventTypeActivityScheduled:
		name := h.current
		h.attempts[name]++
		if n := h.attempts[name]; n > 1 {
			delete(h.failed, name)
			return one(name, progress.Retry, progress.RetryDetail(n, h.lastError[name]))
		}
	case types.HistoryEventTypeTaskStateExited, types.HistoryEventTypePassStateExited,
		types.HistoryEventTypeMapStateExited, types.HistoryEventTypeParallelStateExited:
		d := ev.StateExitedEventDetails
		if d == nil {
			return nil
		}
		name := aws.ToString(d.Name)
		if h.failed[name] {
			delete(h.failed, name)
			return nil
		}
		return one(name, progress.Succeeded, progress.Summarize(h.inputs[name], []byte(aws.ToString(d.Output))))
	case types.HistoryEventTypeSucceedStateExited:
		if d := ev.StateExitedEventDetails; d != nil {
			return one(aws.ToString(d.Name), progress.Succeeded, "")
		}
	case types.HistoryEventTypeExecutionFailed:
		if h.failState != "" && ev.ExecutionFailedEventDetails != nil {
			return one(h.failState, progress.Failed, aws.ToString(ev.ExecutionFailedEventDetails.Error))
		}
	default:
		if errName, cause, ok := taskFailure(ev); ok {
			name := h.current
			h.lastError[name] = errName
			h.failed[name] = true
			return one(name, progress.Failed, progress.FailureDetail(errName, cause))
		}
	}
	return nil
}

// entered returns the state name and input of a *StateEntered event.
func entered(ev types.HistoryEvent) (string, json.RawMessage) {
	d := ev.StateEnteredEventDetails
	if d == nil {
		return "", nil
	}
	return aws.ToString(d.Name), json.RawMessage(aws.ToString(d.Input))
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

// waitDetail is how long a Wait state waits, read from its definition and input as Step
// Functions reads it ("" when it cannot tell).
func (h *history) waitDetail(name string, input json.RawMessage, at time.Time) string {
	if h.def == nil {
		return ""
	}
	s, ok := h.def.States[name]
	if !ok {
		return ""
	}
	var doc any
	_ = json.Unmarshal(input, &doc)
	if s.InputPath != nil {
		doc, _ = lookup(doc, *s.InputPath)
	}
	var ts string
	switch {
	case s.Seconds != nil:
		return progress.WaitDetail(time.Duration(*s.Seconds * float64(time.Second)))
	case s.SecondsPath != "":
		if v, ok := lookup(doc, s.SecondsPath); ok {
			if n, ok := v.(float64); ok && n >= 0 {
				return progress.WaitDetail(time.Duration(n * float64(time.Second)))
			}
		}
		return ""
	case s.Timestamp != "":
		ts = s.Timestamp
	case s.TimestampPath != "":
		v, _ := lookup(doc, s.TimestampPath)
		ts, _ = v.(string)
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return progress.WaitDetail(max(t.Sub(at), 0).Round(time.Second))
}

// lookup evaluates a simple JSONPath ($, .field, [index], ['field']) on a decoded document.
func lookup(doc any, path string) (any, bool) {
	if !strings.HasPrefix(path, "$") || strings.HasPrefix(path, "$$") {
		return nil, false
	}
	rest, cur := path[1:], doc
	for rest != "" {
		var key string
		index := -1
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			key, rest = rest[:end], rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if n, err := strconv.Atoi(inner); err == nil {
				index = n
			} else {
				key = strings.Trim(inner, `'"`)
			}
		default:
			return nil, false
		}
		if index >= 0 {
			list, ok := cur.([]any)
			if !ok || index >= len(list) {
				return nil, false
			}
			cur = list[index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}
