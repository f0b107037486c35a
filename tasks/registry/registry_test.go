package registry_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

// These tests are the contract between statemachine.asl.json and the Go side: README "Adding a
// stage" lists the steps, and each missed step fails one of them.

func machine(t *testing.T) *asl.Machine {
	t.Helper()
	m, err := asl.Parse(dzonboard.StateMachineASL)
	if err != nil {
		t.Fatalf("statemachine.asl.json: %v", err)
	}
	return m
}

// Every stage is one Task state of its own name, in workflow.Tasks order, answered by its
// handler; every handler answers a Task state.
func TestEveryStageIsATaskStateWithAHandler(t *testing.T) {
	handlers := map[string]bool{}
	for _, e := range registry.Build(registry.Options{Config: aws.Config{Region: "us-east-1"}}) {
		handlers[e.Name] = true
	}
	var order []string
	for _, ts := range machine(t).Tasks() {
		order = append(order, ts.Name)
		if want := workflow.Placeholder(ts.Name); ts.Placeholder != want {
			t.Errorf("Task state %q: resource %s, want ${%s}", ts.Name, ts.State.Resource, want)
		}
		if !handlers[ts.Name] {
			t.Errorf("Task state %q has no handler in registry.Build", ts.Name)
		}
	}
	if !slices.Equal(order, workflow.Tasks) {
		t.Errorf("Task states in file order %v, want workflow.Tasks %v", order, workflow.Tasks)
	}
	if len(handlers) != len(workflow.Tasks) {
		t.Errorf("registry.Build gave %d handlers, workflow.Tasks has %d", len(handlers), len(workflow.Tasks))
	}
}

// A stage with a polling policy may return not done, so its Task state must loop through
// "<stage> done?" and "<stage> wait"; a stage without one must not loop.
func TestEveryPollingStageLoops(t *testing.T) {
	m := machine(t)
	for _, task := range workflow.Tasks {
		_, polls := workflow.Policies[task]
		done, wait := m.States[workflow.DoneState(task)], m.States[workflow.WaitState(task)]
		if !polls {
			if done != nil || wait != nil {
				t.Errorf("%s has no workflow.Policies entry but loops in the ASL", task)
			}
			continue
		}
		if got := m.States[task].Next; got != workflow.DoneState(task) {
			t.Errorf("%s: Next %q, want %q (it has a polling policy)", task, got, workflow.DoneState(task))
			continue
		}
		if done == nil || done.Type != "Choice" || done.Default != workflow.WaitState(task) || len(done.Choices) != 1 {
			t.Errorf("%q: want a Choice on $.poll.done with Default %q", workflow.DoneState(task), workflow.WaitState(task))
			continue
		}
		var variable string
		var equals bool
		_ = json.Unmarshal(done.Choices[0]["Variable"], &variable)
		_ = json.Unmarshal(done.Choices[0]["BooleanEquals"], &equals)
		if variable != "$.poll.done" || !equals {
			t.Errorf("%q: rule %s, want $.poll.done BooleanEquals true", workflow.DoneState(task), done.Choices[0])
		}
		if wait == nil || wait.Type != "Wait" || wait.SecondsPath != "$.poll.waitSeconds" || wait.Next != task {
			t.Errorf("%q: want a Wait on $.poll.waitSeconds back to %s", workflow.WaitState(task), task)
		}
	}
}

// Every error name the ASL matches is one the Go code can return, or a Step Functions name.
func TestEveryErrorNameInTheASLExists(t *testing.T) {
	known := map[string]bool{}
	for _, e := range workflow.Errors {
		known[workflow.ErrorName(e)] = true
	}
	for _, ts := range machine(t).Tasks() {
		var names []string
		for _, r := range ts.State.Retry {
			names = append(names, r.ErrorEquals...)
		}
		for _, c := range ts.State.Catch {
			names = append(names, c.ErrorEquals...)
		}
		for _, n := range names {
			if !known[n] && !strings.HasPrefix(n, "States.") && !strings.HasPrefix(n, "Lambda.") {
				t.Errorf("state %q matches %q, which no Go error is named", ts.Name, n)
			}
		}
		if len(ts.State.Retry) == 0 {
			t.Errorf("task state %q has no Retry", ts.Name)
		}
		if len(ts.State.Catch) == 0 {
			t.Errorf("task state %q has no Catch", ts.Name)
		}
	}
}

// The wait loops stop before the execution's timeout: workflow.ExecutionTimeout is the state
// machine's TimeoutSeconds.
func TestExecutionTimeoutIsTheMachines(t *testing.T) {
	if got := time.Duration(machine(t).TimeoutSeconds) * time.Second; got != workflow.ExecutionTimeout {
		t.Errorf("statemachine.asl.json TimeoutSeconds %s, workflow.ExecutionTimeout %s: keep them equal", got, workflow.ExecutionTimeout)
	}
}
