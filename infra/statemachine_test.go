package infra

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	dzonboard "github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestStateMachineIsTheEmbeddedASL(t *testing.T) {
	full, _ := stacks(t)
	ids := full.ofType("AWS::StepFunctions::StateMachine")
	if len(ids) != 1 {
		t.Fatalf("state machines %v, want one", ids)
	}
	sm := full.resources[ids[0]].Properties
	if sm["StateMachineType"] != "STANDARD" {
		t.Errorf("type %v, want STANDARD", sm["StateMachineType"])
	}
	def, _ := sm["DefinitionString"].(string)
	if def != string(dzonboard.StateMachineASL) {
		t.Fatalf("DefinitionString is not statemachine.asl.json byte for byte")
	}

	// Every placeholder is substituted with the ARN of the function of its task, and no other.
	subs, _ := sm["DefinitionSubstitutions"].(map[string]interface{})
	var wantKeys []string
	for _, task := range workflow.Tasks {
		wantKeys = append(wantKeys, workflow.Placeholder(task))
	}
	if got := asl.Placeholders(dzonboard.StateMachineASL); !slices.Equal(got, sortedSet(wantKeys)) {
		t.Errorf("the ASL's placeholders %v, want one per task %v", got, sortedSet(wantKeys))
	}
	if len(subs) != len(wantKeys) {
		t.Errorf("%d substitutions, want %d", len(subs), len(wantKeys))
	}
	resolved := def
	for _, task := range workflow.Tasks {
		key := workflow.Placeholder(task)
		fn := full.functionOf(t, task)
		if got := getAtt(subs[key], "Arn"); got != fn {
			t.Errorf("${%s} = %v, want the ARN of %s", key, subs[key], fn)
		}
		resolved = strings.ReplaceAll(resolved, "${"+key+"}", "arn:aws:lambda:us-east-1:123456789012:function:"+fn)
	}
	if strings.Contains(resolved, "${") {
		t.Errorf("a placeholder is left after substitution")
	}
	var doc struct {
		TimeoutSeconds int
		States         map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(resolved), &doc); err != nil {
		t.Fatalf("definition after substitution is not JSON: %v", err)
	}
	if doc.TimeoutSeconds <= 0 {
		t.Errorf("the definition has no execution timeout (TimeoutSeconds)")
	}
	limits, err := stateTimeouts([]byte(def))
	if err != nil || len(limits) != len(workflow.Tasks) {
		t.Errorf("Task states found for %d of %d tasks (%v)", len(limits), len(workflow.Tasks), err)
	}

	// Logging ALL with execution data to a log group of the stack, and tracing.
	logs := sm["LoggingConfiguration"]
	if path(logs, "Level") != "ALL" || path(logs, "IncludeExecutionData") != true {
		t.Errorf("logging %v, want level ALL with execution data", logs)
	}
	dest := list(path(logs, "Destinations"))
	if len(dest) != 1 || full.resources[getAtt(path(dest[0], "CloudWatchLogsLogGroup", "LogGroupArn"), "Arn")].Type != "AWS::Logs::LogGroup" {
		t.Errorf("log destination %v, want a log group of the stack", dest)
	}
	if path(sm, "TracingConfiguration", "Enabled") != true {
		t.Errorf("tracing %v, want enabled", sm["TracingConfiguration"])
	}
}

func TestStateMachineMayInvokeOnlyTheTaskFunctions(t *testing.T) {
	full, _ := stacks(t)
	sm := full.resources[full.ofType("AWS::StepFunctions::StateMachine")[0]].Properties
	roleID := getAtt(sm["RoleArn"], "Arn")
	var invoked []string
	for _, st := range full.statementsOf(t, roleID) {
		for _, a := range st.Actions {
			if strings.HasPrefix(a, "lambda:") && a != "lambda:InvokeFunction" {
				t.Errorf("state machine role may call %s", a)
			}
		}
		if !slices.Contains(st.Actions, "lambda:InvokeFunction") {
			continue
		}
		for _, r := range st.Resources {
			id := getAtt(r, "Arn")
			if id == "" {
				t.Errorf("lambda:InvokeFunction on %v, want only function ARNs (no versions or wildcards)", r)
			}
			invoked = append(invoked, id)
		}
	}
	var want []string
	for _, task := range workflow.Tasks {
		want = append(want, full.functionOf(t, task))
	}
	if !slices.Equal(sortedSet(invoked), sortedSet(want)) {
		t.Errorf("state machine may invoke %v, want exactly the task functions %v", invoked, want)
	}
}
