package local

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dzonboard/dzonboard/internal/progress"
)

// engineEvent is one event of aws-local-stepfunctions' event log.
type engineEvent struct {
	Type  string `json:"type"`
	State *struct {
		Name   string          `json:"name"`
		Type   string          `json:"type"`
		Input  json.RawMessage `json:"input"`
		Output json.RawMessage `json:"output"`
	} `json:"state"`
	Error string          `json:"Error"`
	Cause json.RawMessage `json:"Cause"`
	Retry *struct {
		Attempt int `json:"attempt"`
	} `json:"retry"`
}

// recorder turns engine events into the state path, the virtual clock's advances, progress
// events and the execution's counts.
type recorder struct {
	now       func() time.Time
	advance   func(time.Duration)
	onEvent   func(progress.Event)
	def       *definition
	path      []string
	events    []progress.Event
	lastError map[string]string
	// failed marks states whose last attempt failed: their exit (through a Catch) is no success.
	failed map[string]bool
	// current is the last state entered.
	current string
	// transitions counts states entered and Task retries; attempts counts Task attempts (the
	// first and each retry); largest is the largest state input or output, in bytes.
	transitions, attempts, largest int
}

func newRecorder(opt Options, def *definition) *recorder {
	return &recorder{now: opt.Now, advance: opt.Advance, onEvent: opt.OnEvent, def: def,
		lastError: map[string]string{}, failed: map[string]bool{}}
}

func (r *recorder) emit(state, typ, detail string) {
	e := progress.Event{Time: r.now(), State: state, Type: typ, Detail: detail}
	r.events = append(r.events, e)
	if r.onEvent != nil {
		r.onEvent(e)
	}
}

// historyEvents estimates the execution's history events (see Result.HistoryEvents).
func (r *recorder) historyEvents() int {
	return 2 + 2*len(r.path) + 3*r.attempts
}

// payload notes the size of a state's input or output, and returns the failure of one over
// DataLimit.
func (r *recorder) payload(state, what string, b json.RawMessage) (errName, cause string) {
	n := len(b)
	r.largest = max(r.largest, n)
	if n > DataLimit {
		return dataLimitExceeded, tooLarge(state, what, n)
	}
	return "", ""
}

// handle records one event. An entered Wait state advances the clock by its duration. It
// returns the error and cause that must fail the execution there (a Wait that cannot be read, a
// payload over DataLimit), or "".
func (r *recorder) handle(ev engineEvent) (errName, cause string) {
	if ev.State == nil {
		return "", ""
	}
	name, typ := ev.State.Name, ev.State.Type
	switch ev.Type {
	case "StateEntered":
		r.path = append(r.path, name)
		r.current = name
		r.transitions++
		delete(r.failed, name)
		if errName, cause := r.payload(name, "received an input", ev.State.Input); errName != "" {
			return errName, cause
		}
		switch typ {
		case "Task":
			r.attempts++
			r.emit(name, progress.Entered, "")
		case "Pass", "Map", "Parallel":
			r.emit(name, progress.Entered, "")
		case "Wait":
			return r.wait(name, ev.State.Input)
		}
	case "StateExited":
		if errName, cause := r.payload(name, "returned a result", ev.State.Output); errName != "" {
			return errName, cause
		}
		if r.failed[name] {
			delete(r.failed, name)
			return "", ""
		}
		switch typ {
		case "Task", "Pass", "Map", "Parallel":
			r.emit(name, progress.Succeeded, progress.Summarize(ev.State.Input, ev.State.Output))
		case "Succeed":
			r.emit(name, progress.Succeeded, "")
		}
	case "StateFailed":
		r.lastError[name] = ev.Error
		r.failed[name] = true
		if typ == "Fail" {
			r.emit(name, progress.Failed, ev.Error)
			return "", ""
		}
		r.emit(name, progress.Failed, progress.FailureDetail(ev.Error, causeString(ev.Cause)))
	case "StateRetried":
		delete(r.failed, name)
		r.transitions++
		r.attempts++
		attempt := 2
		if ev.Retry != nil {
			attempt = ev.Retry.Attempt + 1
		}
		r.emit(name, progress.Retry, progress.RetryDetail(attempt, r.lastError[name]))
	}
	return "", ""
}

// wait reports a Wait state and advances the clock by its duration, read from the definition as
// Step Functions reads it. A wait that cannot be read fails the execution there with
// States.Runtime, as in Step Functions; nothing advances.
func (r *recorder) wait(name string, input json.RawMessage) (errName, cause string) {
	s := r.def.state(name)
	if s == nil {
		return "States.Runtime", fmt.Sprintf("An error occurred while executing the state '%s'. The state is not in the definition.", name)
	}
	d, err := s.WaitFor(input, r.now())
	if err != nil {
		return "States.Runtime", fmt.Sprintf("An error occurred while executing the state '%s'. %v", name, err)
	}
	r.emit(name, progress.Waiting, progress.WaitDetail(d))
	if r.advance != nil {
		r.advance(d)
	}
	return "", ""
}

// causeString is an event's Cause as text (the engine gives a string; anything else is kept as
// JSON).
func causeString(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	return string(raw)
}
