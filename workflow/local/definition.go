package local

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/workflow"
)

// The account, region and names a local execution pretends to run in.
const (
	localAccount      = "123456789012"
	localRegion       = "us-east-1"
	localStateMachine = "dzonboard-local"
)

// FunctionARN is the Lambda ARN that stands for a task's ${<Task>FunctionArn} placeholder in a
// local run.
func FunctionARN(task string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:dzonboard-%s", localRegion, localAccount, task)
}

// taskState is a Task state of the definition and the task that answers it.
type taskState struct {
	Task     string
	Resource string
	Timeout  time.Duration
}

// definition is a definition prepared for a local run: the JSON the engine runs (placeholders
// substituted), the parsed machine (for Wait states), and the task of every Task state.
type definition struct {
	json    json.RawMessage
	machine *asl.Machine
	tasks   map[string]taskState
}

// prepare substitutes every ${<Task>FunctionArn} placeholder with the task's local function ARN
// and maps every Task state (nested ones included) to the task that answers it. A placeholder or
// a Task resource without a handler is an error.
func prepare(def []byte, handlers map[string]lambda.Handler) (*definition, error) {
	byPlaceholder := map[string]string{}
	byARN := map[string]string{}
	for task := range handlers {
		byPlaceholder[workflow.Placeholder(task)] = task
		byARN[FunctionARN(task)] = task
	}
	out, unknown := asl.Substitute(def, func(name string) (string, bool) {
		task, ok := byPlaceholder[name]
		return FunctionARN(task), ok
	})
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no task handler for placeholder %s (handlers: %s)", strings.Join(unknown, ", "), strings.Join(sortedKeys(handlers), ", "))
	}
	m, err := asl.Parse(out)
	if err != nil {
		return nil, err
	}
	d := &definition{json: out, machine: m, tasks: map[string]taskState{}}
	for _, ts := range m.Tasks() {
		task, ok := byARN[ts.State.Resource]
		if !ok {
			return nil, fmt.Errorf("task state %q: no task handler for resource %q", ts.Name, ts.State.Resource)
		}
		d.tasks[ts.Name] = taskState{Task: task, Resource: ts.State.Resource, Timeout: ts.State.Timeout()}
	}
	return d, nil
}

// state returns the state called name, nested ones included.
func (d *definition) state(name string) *asl.State {
	var found *asl.State
	d.machine.Walk(func(n string, s *asl.State) {
		if n == name && found == nil {
			found = s
		}
	})
	return found
}

// executionContext is the context object ($$) of a local execution; the engine adds
// Execution.Input, and the driver makes Execution.StartTime the runner's start time.
func executionContext(name string) map[string]any {
	sm := fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", localRegion, localAccount, localStateMachine)
	return map[string]any{
		"Execution": map[string]any{
			"Id":           fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", localRegion, localAccount, localStateMachine, name),
			"Name":         name,
			"RoleArn":      fmt.Sprintf("arn:aws:iam::%s:role/%s", localAccount, localStateMachine),
			"RedriveCount": 0,
		},
		"StateMachine": map[string]any{"Id": sm, "Name": localStateMachine},
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
