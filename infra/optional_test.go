package infra

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/lfadmins"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestScheduleOnlyWithContext(t *testing.T) {
	full, bare := stacks(t)
	if got := bare.ofType("AWS::Scheduler::Schedule"); len(got) != 0 {
		t.Errorf("without context: schedules %v, want none", got)
	}
	ids := full.ofType("AWS::Scheduler::Schedule")
	if len(ids) != 1 {
		t.Fatalf("with context: schedules %v, want one", ids)
	}
	sch := full.resources[ids[0]].Properties
	sm := full.ofType("AWS::StepFunctions::StateMachine")[0]
	raw, err := os.ReadFile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	var input bytes.Buffer
	if err := json.Compact(&input, raw); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want interface{}
	}{
		{"expression", sch["ScheduleExpression"], testSchedule},
		{"time zone", sch["ScheduleExpressionTimezone"], testTimezone},
		{"state", sch["State"], "ENABLED"},
		{"target", ref(path(sch, "Target", "Arn")), sm},
		{"input", path(sch, "Target", "Input"), input.String()},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("schedule %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	dlq := getAtt(path(sch, "Target", "DeadLetterConfig", "Arn"), "Arn")
	if q, ok := full.resources[dlq]; !ok || q.Type != "AWS::SQS::Queue" {
		t.Fatalf("schedule dead-letter queue %v, want a queue of the stack", path(sch, "Target", "DeadLetterConfig"))
	}
	groups := full.ofType("AWS::Scheduler::ScheduleGroup")
	if len(groups) != 1 || !equalJSON(full.resources[groups[0]].Properties["Name"], sch["GroupName"]) {
		t.Fatalf("schedule group %v, want the stack's own group %v", sch["GroupName"], groups)
	}
	if deps := full.resources[ids[0]].DependsOn; !slices.Contains(deps, groups[0]) {
		t.Errorf("schedule depends on %v, want its group %s (it names the group by a plain string)", deps, groups[0])
	}
	role := getAtt(path(sch, "Target", "RoleArn"), "Arn")
	sts := full.statementsOf(t, role)
	if got := actionsOf(sts); !slices.Equal(got, []string{"sqs:SendMessage", "states:StartExecution"}) {
		t.Errorf("schedule role allows %v, want only states:StartExecution and sqs:SendMessage", got)
	}
	for _, st := range sts {
		want := map[string]string{"states:StartExecution": sm, "sqs:SendMessage": dlq}[st.Actions[0]]
		for _, r := range st.Resources {
			if got := ref(r) + getAtt(r, "Arn"); len(st.Actions) != 1 || got != want {
				t.Errorf("schedule role may %v on %v, want each action on its one resource", st.Actions, r)
			}
		}
	}
	if principal := path(full.resources[role].Properties, "AssumeRolePolicyDocument", "Statement"); !bytes.Contains(mustJSON(principal), []byte("scheduler.amazonaws.com")) {
		t.Errorf("schedule role trusts %s, want scheduler.amazonaws.com", mustJSON(principal))
	}
}

func TestAlarmOnFailedAndTimedOutExecutions(t *testing.T) {
	full, bare := stacks(t)
	tests := []struct {
		name       string
		syn        *synthesis
		wantAlarms []string // by name, without the stack name
		wantEmail  []string
	}{
		{name: "with alarmEmail and a schedule", syn: full, wantEmail: []string{testEmail},
			wantAlarms: []string{"executions-failed", "schedule-dead-letters", "schedule-lost"}},
		{name: "without context", syn: bare, wantAlarms: []string{"executions-failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.syn
			topics := s.ofType("AWS::SNS::Topic")
			if len(topics) != 1 {
				t.Fatalf("topics %v, want one", topics)
			}
			var names []string
			var executions map[string]interface{}
			for _, id := range s.ofType("AWS::CloudWatch::Alarm") {
				alarm := s.resources[id].Properties
				name := strings.TrimPrefix(nagFlatten(alarm["AlarmName"]), *s.stack.StackName()+"-")
				names = append(names, name)
				if name == "executions-failed" {
					executions = alarm
				}
				if got := list(alarm["AlarmActions"]); len(got) != 1 || ref(got[0]) != topics[0] {
					t.Errorf("alarm %s actions %v, want the topic %s", name, got, topics[0])
				}
			}
			if !slices.Equal(sortedSet(names), tt.wantAlarms) {
				t.Fatalf("alarms %v, want %v", names, tt.wantAlarms)
			}
			var metrics []string
			for _, m := range list(executions["Metrics"]) {
				if name, ok := path(m, "MetricStat", "Metric", "MetricName").(string); ok {
					metrics = append(metrics, name)
					if path(m, "MetricStat", "Metric", "Namespace") != "AWS/States" {
						t.Errorf("metric %s is not a Step Functions metric", name)
					}
				}
			}
			if !slices.Equal(sortedSet(metrics), []string{"ExecutionsFailed", "ExecutionsTimedOut"}) {
				t.Errorf("alarm metrics %v, want ExecutionsFailed and ExecutionsTimedOut", metrics)
			}
			topic := s.resources[topics[0]].Properties
			if getAtt(topic["KmsMasterKeyId"], "Arn") == "" {
				t.Errorf("topic key %v, want the stack's key", topic["KmsMasterKeyId"])
			}
			var emails []string
			for _, id := range s.ofType("AWS::SNS::Subscription") {
				sub := s.resources[id].Properties
				if sub["Protocol"] == "email" && ref(sub["TopicArn"]) == topics[0] {
					emails = append(emails, sub["Endpoint"].(string))
				}
			}
			if !slices.Equal(emails, tt.wantEmail) {
				t.Errorf("e-mail subscriptions %v, want %v", emails, tt.wantEmail)
			}
		})
	}
}

// TestAlarmTopicAcceptsCloudWatch asserts the statements that let CloudWatch deliver: the topic
// policy's and the key policy's, each for this account's alarms only.
func TestAlarmTopicAcceptsCloudWatch(t *testing.T) {
	full, _ := stacks(t)
	topic := full.ofType("AWS::SNS::Topic")[0]
	key := getAtt(full.resources[topic].Properties["KmsMasterKeyId"], "Arn")
	var alarmARNs []string
	for _, id := range full.ofType("AWS::CloudWatch::Alarm") {
		alarmARNs = append(alarmARNs, "arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:"+nagFlatten(full.resources[id].Properties["AlarmName"]))
	}
	var policyDoc interface{}
	for _, id := range full.ofType("AWS::SNS::TopicPolicy") {
		if p := full.resources[id].Properties; ref(list(p["Topics"])[0]) == topic {
			policyDoc = p["PolicyDocument"]
		}
	}
	tests := []struct {
		name     string
		doc      interface{}
		actions  []string
		resource string
	}{
		{name: "topic policy", doc: policyDoc, actions: []string{"sns:Publish"}, resource: "<" + topic + ">"},
		{name: "key policy", doc: full.resources[key].Properties["KeyPolicy"], actions: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, resource: "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found []map[string]interface{}
			for _, raw := range list(path(tt.doc, "Statement")) {
				st := raw.(map[string]interface{})
				if path(st, "Principal", "Service") == "cloudwatch.amazonaws.com" {
					found = append(found, st)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d statements for cloudwatch.amazonaws.com, want 1: %s", len(found), mustJSON(tt.doc))
			}
			st := found[0]
			if st["Effect"] != "Allow" || !slices.Equal(strs(st["Action"]), tt.actions) || nagFlatten(st["Resource"]) != tt.resource {
				t.Errorf("statement %s, want Allow %v on %s", mustJSON(st), tt.actions, tt.resource)
			}
			if got := nagFlatten(path(st, "Condition", "StringEquals", "aws:SourceAccount")); got != "<AWS::AccountId>" {
				t.Errorf("aws:SourceAccount %q, want this account", got)
			}
			var arns []string
			for _, a := range list(path(st, "Condition", "ArnLike", "aws:SourceArn")) {
				arns = append(arns, nagFlatten(a))
			}
			if !slices.Equal(sortedSet(arns), sortedSet(alarmARNs)) {
				t.Errorf("aws:SourceArn %v, want the stack's alarms %v", arns, alarmARNs)
			}
		})
	}
}

func TestProjectMembershipsOnlyWithContext(t *testing.T) {
	full, bare := stacks(t)
	if got := bare.ofType("AWS::DataZone::ProjectMembership"); len(got) != 0 {
		t.Errorf("without context: memberships %v, want none", got)
	}
	dzRole := functionRole(t, full, workflow.TaskPreflight)
	var projects []string
	for _, id := range full.ofType("AWS::DataZone::ProjectMembership") {
		m := full.resources[id].Properties
		if m["DomainIdentifier"] != testDomain || m["Designation"] != "PROJECT_CONTRIBUTOR" {
			t.Errorf("membership %s: %v, want a contributor in %s", id, m, testDomain)
		}
		if got := getAtt(path(m, "Member", "UserIdentifier"), "Arn"); got != dzRole {
			t.Errorf("membership %s member %v, want the DataZone role %s", id, path(m, "Member"), dzRole)
		}
		projects = append(projects, m["ProjectIdentifier"].(string))
	}
	// testConsumer2 is in existingMembershipProjectIds: its membership was made by hand.
	if want := []string{testProducer, testConsumer}; !slices.Equal(sortedSet(projects), sortedSet(want)) {
		t.Errorf("memberships in %v, want %v", projects, want)
	}
}

func TestDataLakeAdminsCustomResource(t *testing.T) {
	full, bare := stacks(t)
	for name, s := range map[string]*synthesis{"full context": full, "no context": bare} {
		t.Run(name, func(t *testing.T) {
			ids := s.ofType(lfadmins.ResourceType)
			if len(ids) != 1 {
				t.Fatalf("%s resources %v, want one", lfadmins.ResourceType, ids)
			}
			cr := s.resources[ids[0]].Properties
			if got := getAtt(cr["ServiceToken"], "Arn"); got != s.functionOf(t, awsapi.TaskDataLakeAdmins) {
				t.Errorf("service token %v, want the DataLakeAdmins function", cr["ServiceToken"])
			}
			admins := list(cr[lfadmins.AdminsProperty])
			lfRole := functionRole(t, s, workflow.TaskLakeFormation)
			if len(admins) != 1 || getAtt(admins[0], "Arn") != lfRole {
				t.Errorf("admins %v, want only the Lake Formation role %s", admins, lfRole)
			}
			readOnly := list(cr[lfadmins.ReadOnlyAdminsProperty])
			dzRole := functionRole(t, s, workflow.TaskPreflight)
			if len(readOnly) != 1 || getAtt(readOnly[0], "Arn") != dzRole {
				t.Errorf("read-only admins %v, want only the DataZone role %s", readOnly, dzRole)
			}
			if len(s.ofType("AWS::LakeFormation::DataLakeSettings")) != 0 {
				t.Errorf("the stack replaces the data lake settings wholesale")
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	full, bare := stacks(t)
	want := []string{"AlarmTopicArn", "DataZoneRoleArn", "GlueRoleArn", "LakeFormationRoleArn",
		"StartExecutionCommand", "StateMachineArn", "StateMachineConsoleUrl"}
	for name, tt := range map[string]struct {
		syn  *synthesis
		want []string
	}{
		"full context": {full, sortedSet(append(slices.Clone(want), "ScheduleArn"))},
		"no context":   {bare, want},
	} {
		t.Run(name, func(t *testing.T) {
			var got []string
			for k := range tt.syn.outputs {
				got = append(got, k)
			}
			if !slices.Equal(sortedSet(got), tt.want) {
				t.Errorf("outputs %v, want %v", sortedSet(got), tt.want)
			}
			cmd := nagFlatten(path(tt.syn.outputs["StartExecutionCommand"], "Value"))
			sm := tt.syn.ofType("AWS::StepFunctions::StateMachine")[0]
			if want := "aws stepfunctions start-execution --state-machine-arn <" + sm + "> --input file://examples/real-account.json"; cmd != want {
				t.Errorf("start command %q, want %q", cmd, want)
			}
		})
	}
}

func mustJSON(v interface{}) []byte {
	b, _ := json.Marshal(v)
	return b
}
