package local

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dzonboard/dzonboard/workflow"
)

// The account, region and names a local execution pretends to run in.
const (
	localAccount      = "123456789012"
	localRegion       = "us-east-1"
	localStateMachine = "dzonboard-local"
	// defaultTaskTimeout is Step Functions' and the engine's default Task timeout.
	defaultTaskTimeout = 60 * time.Second
)

// FunctionARN is the Lambda ARN that stands for a task's ${<Task>FunctionArn} placeholder in a
// local run.
func FunctionARN(task string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:dzonboard-%s", localRegion, localAccount, task)
}

var placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// taskState is a Task state of the definition and the task that answers it.
type taskState struct {
	Task     string
	Resource string
	Timeout  time.Duration
}

// aslMachine and aslState are the parts of an ASL definition the runner reads.
type aslMachine struct {
	States map[string]aslState `json:"States"`
}

type aslState struct {
	Type           string       `json:"Type"`
	Resource       string       `json:"Resource"`
	TimeoutSeconds int          `json:"TimeoutSeconds"`
	Branches       []aslMachine `json:"Branches"`
	Iterator       *aslMachine  `json:"Iterator"`
	ItemProcessor  *aslMachine  `json:"ItemProcessor"`
}

// prepare substitutes every ${<Task>FunctionArn} placeholder with the task's local function ARN
// and maps every Task state (nested ones included) to the task that answers it. A placeholder or
// a Task resource without a handler is an error.
func prepare(asl []byte, handlers map[string]lambda.Handler) (json.RawMessage, map[string]taskState, error) {
	byPlaceholder := map[string]string{}
	byARN := map[string]string{}
	for task := range handlers {
		byPlaceholder[workflow.Placeholder(task)] = task
		byARN[FunctionARN(task)] = task
	}
	var unknown []string
	def := placeholderRE.ReplaceAllFunc(asl, func(m []byte) []byte {
		task, ok := byPlaceholder[string(m[2:len(m)-1])]
		if !ok {
			unknown = append(unknown, string(m))
			return m
		}
		return []byte(FunctionARN(task))
	})
	if len(unknown) > 0 {
		return nil, nil, fmt.Errorf("no task handler for placeholder %s (handlers: %s)", strings.Join(unknown, ", "), strings.Join(sortedKeys(handlers), ", "))
	}
	var m aslMachine
	if err := json.Unmarshal(def, &m); err != nil {
		return nil, nil, fmt.Errorf("parse state machine definition: %w", err)
	}
	tasks := map[string]taskState{}
	if err := collectTasks(m, byARN, tasks); err != nil {
		return nil, nil, err
	}
	return def, tasks, nil
}

func collectTasks(m aslMachine, byARN map[string]string, into map[string]taskState) error {
	for _, name := range sortedKeys(m.States) {
		s := m.States[name]
		if s.Type == "Task" {
			task, ok := byARN[s.Resource]
			if !ok {
				return fmt.Errorf("task state %q: no task handler for resource %q", name, s.Resource)
			}
			timeout := defaultTaskTimeout
			if s.TimeoutSeconds > 0 {
				timeout = time.Duration(s.TimeoutSeconds) * time.Second
			}
			into[name] = taskState{Task: task, Resource: s.Resource, Timeout: timeout}
		}
		nested := s.Branches
		for _, sub := range []*aslMachine{s.Iterator, s.ItemProcessor} {
			if sub != nil {
				nested = append(nested, *sub)
			}
		}
		for _, sub := range nested {
			if err := collectTasks(sub, byARN, into); err != nil {
				return err
			}
		}
	}
	return nil
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
