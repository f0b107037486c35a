package progress

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dzonboard/dzonboard/internal/asl"
)

// StepKind is what happened to a state.
type StepKind int

// The kinds of step.
const (
	StepEntered StepKind = iota // the state began; Input is its input
	StepExited                  // the state ended well; Input and Output of the state
	StepFailed                  // an attempt of the state failed (or a Fail state failed the execution)
	StepRetried                 // a failed Task is tried again
)

// Step is one thing that happened to a state of an execution, from either source: the local
// engine's event log (run-local) or Step Functions' execution history (follow).
type Step struct {
	Time  time.Time
	Kind  StepKind
	State string
	// Type is the state's type (Task, Wait, Choice, ...), "" when the source does not say.
	Type          string
	Input, Output json.RawMessage
	Error, Cause  string
	// Attempt is the attempt a retry is about to run (2 for the first retry), 0 when unknown.
	Attempt int
}

// Translator turns the steps of one execution into progress events, the same for run-local and
// follow, and counts what Step Functions bills and keeps: state transitions (every state entered,
// every Task retry) and history events.
type Translator struct {
	def       *asl.Machine
	path      []string
	failed    map[string]bool
	lastError map[string]string
	attempts  map[string]int
	// transitions and taskAttempts count what Transitions and HistoryEvents report.
	transitions, taskAttempts int
}

// NewTranslator returns a translator for an execution of def (nil: Wait durations are not known).
func NewTranslator(def *asl.Machine) *Translator {
	return &Translator{def: def, failed: map[string]bool{}, lastError: map[string]string{}, attempts: map[string]int{}}
}

// Path is every state entered, in order.
func (t *Translator) Path() []string { return t.path }

// Transitions is the state transitions so far: every state entered and every retry of a Task.
func (t *Translator) Transitions() int { return t.transitions }

// HistoryEvents estimates the execution's history events so far (Step Functions keeps at most
// 25,000): its start and end, each state's entry and exit, and each Task attempt's scheduled,
// started and ended events.
func (t *Translator) HistoryEvents() int { return 2 + 2*len(t.path) + 3*t.taskAttempts }

// Translate maps one step to the progress events it shows. An entered Wait state also gives its
// duration, read from the definition and the state's input as Step Functions reads it, or (and no
// event) the error that fails the execution there with States.Runtime.
func (t *Translator) Translate(s Step) (events []Event, wait time.Duration, waitErr error) {
	one := func(typ, detail string) []Event {
		return []Event{{Time: s.Time, State: s.State, Type: typ, Detail: detail}}
	}
	switch s.Kind {
	case StepEntered:
		t.path = append(t.path, s.State)
		t.transitions++
		t.attempts[s.State] = 1
		delete(t.failed, s.State)
		switch s.Type {
		case "Task":
			t.taskAttempts++
			return one(Entered, ""), 0, nil
		case "Pass", "Map", "Parallel":
			return one(Entered, ""), 0, nil
		case "Wait":
			wait, waitErr = t.wait(s)
			if waitErr != nil {
				return nil, 0, waitErr // the caller says what becomes of the execution
			}
			return one(Waiting, WaitDetail(wait)), wait, nil
		}
	case StepExited:
		if t.failed[s.State] {
			delete(t.failed, s.State)
			return nil, 0, nil
		}
		switch s.Type {
		case "Task", "Pass", "Map", "Parallel":
			return one(Succeeded, Summarize(s.Input, s.Output)), 0, nil
		case "Succeed":
			return one(Succeeded, ""), 0, nil
		}
	case StepFailed:
		t.lastError[s.State] = s.Error
		t.failed[s.State] = true
		if s.Type == "Fail" {
			return one(Failed, s.Error), 0, nil
		}
		return one(Failed, FailureDetail(s.Error, s.Cause)), 0, nil
	case StepRetried:
		delete(t.failed, s.State)
		t.transitions++
		t.taskAttempts++
		t.attempts[s.State]++
		attempt := s.Attempt
		if attempt == 0 {
			attempt = t.attempts[s.State]
		}
		return one(Retry, RetryDetail(attempt, t.lastError[s.State])), 0, nil
	}
	return nil, 0, nil
}

// wait reads the duration of an entered Wait state.
func (t *Translator) wait(s Step) (time.Duration, error) {
	if t.def == nil {
		return 0, nil
	}
	var st *asl.State
	t.def.Walk(func(name string, x *asl.State) {
		if name == s.State && st == nil {
			st = x
		}
	})
	if st == nil {
		return 0, fmt.Errorf("An error occurred while executing the state '%s'. The state is not in the definition.", s.State)
	}
	d, err := st.WaitFor(s.Input, s.Time)
	if err != nil {
		return 0, fmt.Errorf("An error occurred while executing the state '%s'. %v", s.State, err)
	}
	return d, nil
}
