package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunReportsEveryCheck runs the command on a cdk.out holding a template whose alarm topic
// lets nobody publish and a NagReport with one finding: every check prints a line, the broken
// ones FAIL, and the run fails.
func TestRunReportsEveryCheck(t *testing.T) {
	dir := t.TempDir()
	template := `{"Resources": {
		"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
		"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "Dzonboard-executions-failed", "AlarmActions": [{"Ref": "Topic"}]}},
		"Policy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {"Statement": [
			{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}
	}}`
	report := "Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n" +
		`"AwsSolutions-SNS3","Dzonboard/Topic/Resource","Non-Compliant","N/A","Error","TLS"` + "\n"
	for name, body := range map[string]string{"Dzonboard.template.json": template, "AwsSolutions--Dzonboard-NagReport.csv": report} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	failed, err := run(&out, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if !failed {
		t.Errorf("run did not fail:\n%s", out.String())
	}
	for _, want := range []string{
		"FAIL  alarm topic policy: the policy of topic Topic does not allow cloudwatch.amazonaws.com to sns:Publish",
		"ok    alarm topic key: Topic is not encrypted",
		"ok    partition: no ARN hard-codes a partition",
		"FAIL  data lake administrators: 0 Custom::DataLakeAdmins resources, want 1",
		"FAIL  cdk-nag: AwsSolutions-SNS3 (Non-Compliant) at Dzonboard/Topic/Resource",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunNeedsATemplate(t *testing.T) {
	_, err := run(&bytes.Buffer{}, []string{t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "run make synth first") {
		t.Errorf("error %v, want one that says to synth first", err)
	}
}
