package infra

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
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
	role := getAtt(path(sch, "Target", "RoleArn"), "Arn")
	sts := full.statementsOf(t, role)
	if got := actionsOf(sts); !slices.Equal(got, []string{"states:StartExecution"}) {
		t.Errorf("schedule role allows %v, want only states:StartExecution", got)
	}
	for _, st := range sts {
		for _, r := range st.Resources {
			if ref(r) != sm {
				t.Errorf("schedule role may start %v, want only the state machine", r)
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
		name      string
		syn       *synthesis
		wantEmail []string
	}{
		{name: "with alarmEmail", syn: full, wantEmail: []string{testEmail}},
		{name: "without alarmEmail", syn: bare},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.syn
			alarms := s.ofType("AWS::CloudWatch::Alarm")
			topics := s.ofType("AWS::SNS::Topic")
			if len(alarms) != 1 || len(topics) != 1 {
				t.Fatalf("alarms %v, topics %v, want one of each", alarms, topics)
			}
			alarm := s.resources[alarms[0]].Properties
			if got := list(alarm["AlarmActions"]); len(got) != 1 || ref(got[0]) != topics[0] {
				t.Errorf("alarm actions %v, want the topic %s", got, topics[0])
			}
			var metrics []string
			for _, m := range list(alarm["Metrics"]) {
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
