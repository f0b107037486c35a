package registry_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/tasks/registry"
	"github.com/dzonboard/dzonboard/workflow"
)

type aslState struct {
	Type     string
	Resource string
	Retry    []struct{ ErrorEquals []string }
	Catch    []struct{ ErrorEquals []string }
}

func states(t *testing.T) map[string]aslState {
	t.Helper()
	var def struct{ States map[string]aslState }
	if err := json.Unmarshal(dzonboard.StateMachineASL, &def); err != nil {
		t.Fatalf("statemachine.asl.json: %v", err)
	}
	return def.States
}

// Every Task state is answered by a handler and every handler answers a Task state.
func TestEveryTaskStateHasAHandlerAndBack(t *testing.T) {
	handlers := map[string]bool{}
	for _, e := range registry.Build(registry.Options{Config: aws.Config{Region: "us-east-1"}}) {
		handlers[workflow.Placeholder(e.Name)] = true
	}
	used := map[string]bool{}
	for name, s := range states(t) {
		if s.Type != "Task" {
			continue
		}
		ph := strings.TrimSuffix(strings.TrimPrefix(s.Resource, "${"), "}")
		if !handlers[ph] {
			t.Errorf("state %q: resource %s has no handler", name, s.Resource)
		}
		used[ph] = true
	}
	var unused []string
	for ph := range handlers {
		if !used[ph] {
			unused = append(unused, ph)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("handlers no Task state uses: %v", unused)
	}
	if len(handlers) != len(workflow.Tasks) {
		t.Errorf("Build gave %d handlers, workflow.Tasks has %d", len(handlers), len(workflow.Tasks))
	}
}

// Every error name the ASL matches is one the Go code can return, or a Step Functions name.
func TestEveryErrorNameInTheASLExists(t *testing.T) {
	known := map[string]bool{}
	for _, e := range workflow.Errors {
		known[workflow.ErrorName(e)] = true
	}
	for name, s := range states(t) {
		var names []string
		for _, r := range s.Retry {
			names = append(names, r.ErrorEquals...)
		}
		for _, c := range s.Catch {
			names = append(names, c.ErrorEquals...)
		}
		for _, n := range names {
			if !known[n] && !strings.HasPrefix(n, "States.") && !strings.HasPrefix(n, "Lambda.") {
				t.Errorf("state %q matches %q, which no Go error is named", name, n)
			}
		}
		if s.Type == "Task" && len(s.Retry) == 0 {
			t.Errorf("task state %q has no Retry", name)
		}
		if s.Type == "Task" && len(s.Catch) == 0 {
			t.Errorf("task state %q has no Catch", name)
		}
	}
}
