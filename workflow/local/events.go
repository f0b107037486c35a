package local

import (
	"encoding/json"
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

// waitSpec is what an entered Wait state waits for, as the driver read it from the state's
// definition and input.
type waitSpec struct {
	Seconds   *float64 `json:"seconds"`
	Timestamp string   `json:"timestamp"`
	Error     string   `json:"error"`
}

// recorder turns engine events into the state path, the virtual clock's advances and progress
// events.
type recorder struct {
	now       func() time.Time
	advance   func(time.Duration)
	onEvent   func(progress.Event)
	path      []string
	events    []progress.Event
	lastError map[string]string
	// failed marks states whose last attempt failed: their exit (through a Catch) is no success.
	failed map[string]bool
}

func newRecorder(opt Options) *recorder {
	return &recorder{now: opt.Now, advance: opt.Advance, onEvent: opt.OnEvent, lastError: map[string]string{}, failed: map[string]bool{}}
}

func (r *recorder) emit(state, typ, detail string) {
	e := progress.Event{Time: r.now(), State: state, Type: typ, Detail: detail}
	r.events = append(r.events, e)
	if r.onEvent != nil {
		r.onEvent(e)
	}
}

// handle records one event. An entered Wait state advances the clock by its duration.
func (r *recorder) handle(ev engineEvent, wait *waitSpec) {
	if ev.State == nil {
		return
	}
	name, typ := ev.State.Name, ev.State.Type
	switch ev.Type {
	case "StateEntered":
		r.path = append(r.path, name)
		delete(r.failed, name)
		switch typ {
		case "Task", "Pass", "Map", "Parallel":
			r.emit(name, progress.Entered, "")
		case "Wait":
			r.wait(name, wait)
		}
	case "StateExited":
		if r.failed[name] {
			delete(r.failed, name)
			return
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
			return
		}
		r.emit(name, progress.Failed, progress.FailureDetail(ev.Error, causeString(ev.Cause)))
	case "StateRetried":
		delete(r.failed, name)
		attempt := 2
		if ev.Retry != nil {
			attempt = ev.Retry.Attempt + 1
		}
		r.emit(name, progress.Retry, progress.RetryDetail(attempt, r.lastError[name]))
	}
}

// wait reports a Wait state and advances the clock by its duration (a timestamp in the past
// waits zero). A wait the driver could not read fails the execution there; nothing advances.
func (r *recorder) wait(name string, w *waitSpec) {
	if w == nil || w.Error != "" {
		msg := "the wait could not be read"
		if w != nil {
			msg = w.Error
		}
		r.emit(name, progress.Failed, progress.FailureDetail("States.Runtime", msg))
		return
	}
	var d time.Duration
	switch {
	case w.Seconds != nil:
		d = time.Duration(*w.Seconds * float64(time.Second))
	case w.Timestamp != "":
		if ts, err := time.Parse(time.RFC3339Nano, w.Timestamp); err == nil {
			d = ts.Sub(r.now())
		}
	}
	d = max(d, 0)
	r.emit(name, progress.Waiting, progress.WaitDetail(d))
	if r.advance != nil {
		r.advance(d)
	}
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
