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

// recorder turns engine events into progress events (through the one translator run-local and
// follow share), advances the virtual clock by each Wait, and watches the payload quota.
type recorder struct {
	now     func() time.Time
	advance func(time.Duration)
	onEvent func(progress.Event)
	tr      *progress.Translator
	events  []progress.Event
	// current is the last state entered; largest the largest state input or output, in bytes.
	current string
	largest int
}

func newRecorder(opt Options, def *definition) *recorder {
	return &recorder{now: opt.Now, advance: opt.Advance, onEvent: opt.OnEvent, tr: progress.NewTranslator(def.machine)}
}

func (r *recorder) emit(state, typ, detail string) {
	e := progress.Event{Time: r.now(), State: state, Type: typ, Detail: detail}
	r.record(e)
}

func (r *recorder) record(e progress.Event) {
	r.events = append(r.events, e)
	if r.onEvent != nil {
		r.onEvent(e)
	}
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

// kinds maps the engine's event types to the translator's steps.
var kinds = map[string]progress.StepKind{
	"StateEntered": progress.StepEntered,
	"StateExited":  progress.StepExited,
	"StateFailed":  progress.StepFailed,
	"StateRetried": progress.StepRetried,
}

// handle records one event. An entered Wait state advances the clock by its duration. It
// returns the error and cause that must fail the execution there (a Wait that cannot be read, a
// payload over DataLimit), or "".
func (r *recorder) handle(ev engineEvent) (errName, cause string) {
	kind, ok := kinds[ev.Type]
	if ev.State == nil || !ok {
		return "", ""
	}
	name := ev.State.Name
	switch kind {
	case progress.StepEntered:
		r.current = name
		if errName, cause := r.payload(name, "received an input", ev.State.Input); errName != "" {
			return errName, cause
		}
	case progress.StepExited:
		if errName, cause := r.payload(name, "returned a result", ev.State.Output); errName != "" {
			return errName, cause
		}
	}
	step := progress.Step{Time: r.now(), Kind: kind, State: name, Type: ev.State.Type,
		Input: ev.State.Input, Output: ev.State.Output, Error: ev.Error, Cause: causeString(ev.Cause)}
	if ev.Retry != nil {
		step.Attempt = ev.Retry.Attempt + 1
	}
	events, wait, err := r.tr.Translate(step)
	for _, e := range events {
		r.record(e)
	}
	if err != nil {
		return "States.Runtime", err.Error()
	}
	if kind == progress.StepEntered && ev.State.Type == "Wait" && r.advance != nil {
		r.advance(wait)
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
