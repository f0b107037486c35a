package infra

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	dzonboard "github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestEveryTaskHasItsFunction(t *testing.T) {
	full, _ := stacks(t)
	limits, err := stateTimeouts(dzonboard.StateMachineASL)
	if err != nil {
		t.Fatal(err)
	}
	tasks := append(slices.Clone(workflow.Tasks), awsapi.TaskDataLakeAdmins)
	if got := len(full.ofType("AWS::Lambda::Function")); got != len(tasks) {
		t.Errorf("%d functions, want one per task (%d): CDK added a helper function?", got, len(tasks))
	}
	assets := map[string]bool{}
	for _, task := range tasks {
		t.Run(task, func(t *testing.T) {
			fn := full.resources[full.functionOf(t, task)].Properties
			checks := []struct {
				what      string
				got, want interface{}
			}{
				{"runtime", fn["Runtime"], "provided.al2023"},
				{"architectures", fn["Architectures"], []interface{}{"arm64"}},
				{"handler", fn["Handler"], "bootstrap"},
				{"tracing", path(fn, "TracingConfig", "Mode"), "Active"},
				{"log format", path(fn, "LoggingConfig", "LogFormat"), "JSON"},
			}
			for _, c := range checks {
				if !equalJSON(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
			key, _ := path(fn, "Code", "S3Key").(string)
			if !strings.HasSuffix(key, ".zip") {
				t.Errorf("code %v is not an asset", fn["Code"])
			}
			assets[key] = true
			logGroup := full.resources[ref(path(fn, "LoggingConfig", "LogGroup"))]
			if logGroup.Type != "AWS::Logs::LogGroup" || logGroup.Properties["RetentionInDays"] != float64(90) {
				t.Errorf("log group %+v, want one of this stack with 90 days retention", logGroup)
			}
			timeout, _ := fn["Timeout"].(float64)
			if limit, ok := limits[task]; ok && (timeout <= 0 || int(timeout) >= limit) {
				t.Errorf("timeout %v s, want less than its state's TimeoutSeconds %d", timeout, limit)
			}
			if task == awsapi.TaskDataLakeAdmins && timeout != dataLakeAdminsTimeout {
				t.Errorf("timeout %v s, want %d", timeout, dataLakeAdminsTimeout)
			}
			env, _ := path(fn, "Environment", "Variables").(map[string]interface{})
			wantEnv := 2
			if task == awsapi.TaskDataLakeAdmins {
				wantEnv = 1 // only TASK: it runs at deploy time, outside the workflow
			} else if bucket := full.resources[ref(env[workflow.EnvStateBucket])]; bucket.Type != "AWS::S3::Bucket" {
				t.Errorf("%s = %v, want the Ref of the state bucket", workflow.EnvStateBucket, env[workflow.EnvStateBucket])
			}
			if task == workflow.TaskPreflight {
				wantEnv = 3
				lfRole := functionRole(t, full, workflow.TaskLakeFormation)
				if got := getAtt(env[workflow.EnvLakeFormationRoleARN], "Arn"); got != lfRole {
					t.Errorf("%s = %v, want the ARN of %s", workflow.EnvLakeFormationRoleARN, env[workflow.EnvLakeFormationRoleARN], lfRole)
				}
			}
			if len(env) != wantEnv {
				t.Errorf("environment %v, want %d variables", env, wantEnv)
			}
		})
	}
	if len(assets) != 1 {
		t.Errorf("functions use %d code assets, want the one bootstrap asset", len(assets))
	}
}

func TestLambdaTimeoutStaysWithinTheState(t *testing.T) {
	tests := []struct {
		name  string
		state int
		want  float64
	}{
		{name: "a 5 minute state", state: 300, want: 270},
		{name: "a 10 minute state", state: 600, want: 570},
		{name: "a short state keeps 30 s", state: 40, want: 30},
		{name: "Lambda's maximum", state: 3600, want: 900},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lambdaTimeout(tt.state); got != tt.want {
				t.Errorf("lambdaTimeout(%d) = %v, want %v", tt.state, got, tt.want)
			}
		})
	}
}

func TestStateTimeoutsReadNestedStates(t *testing.T) {
	asl := []byte(`{"StartAt": "A", "States": {
		"A": {"Type": "Task", "Resource": "${PreflightFunctionArn}", "TimeoutSeconds": 120},
		"P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {
			"B": {"Type": "Task", "Resource": "${ReportFunctionArn}"}}}]},
		"M": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {
			"C": {"Type": "Task", "Resource": "${PreflightFunctionArn}", "TimeoutSeconds": 60},
			"D": {"Type": "Task", "Resource": "arn:aws:states:::glue:startCrawler"}}}}}}`)
	got, err := stateTimeouts(asl)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{workflow.TaskPreflight: 60, workflow.TaskReport: defaultStateLimit}
	if !equalJSON(got, want) {
		t.Errorf("stateTimeouts = %v, want %v", got, want)
	}
}

// The state bucket is private, encrypted, TLS-only and self-cleaning.
func TestStateBucket(t *testing.T) {
	full, _ := stacks(t)
	ids := full.ofType("AWS::S3::Bucket")
	if len(ids) != 1 {
		t.Fatalf("buckets %v, want the state bucket only", ids)
	}
	b := full.resources[ids[0]]
	checks := []struct {
		name string
		got  interface{}
		want interface{}
	}{
		{"encryption", path(b.Properties, "BucketEncryption", "ServerSideEncryptionConfiguration"),
			[]interface{}{map[string]interface{}{"ServerSideEncryptionByDefault": map[string]interface{}{"SSEAlgorithm": "AES256"}}}},
		{"public access", b.Properties["PublicAccessBlockConfiguration"], map[string]interface{}{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}},
		{"expiry", path(b.Properties, "LifecycleConfiguration", "Rules"), []interface{}{map[string]interface{}{
			"Id": "expire-workflow-documents", "Status": "Enabled", "ExpirationInDays": float64(stateExpiryDays),
			"AbortIncompleteMultipartUpload": map[string]interface{}{"DaysAfterInitiation": float64(1)}}}},
		{"retained", b.DeletionPolicy, "Retain"},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	// The bucket policy denies any request without TLS 1.2 or later.
	var denies []string
	for _, id := range full.ofType("AWS::S3::BucketPolicy") {
		p := full.resources[id].Properties
		if ref(p["Bucket"]) != ids[0] {
			continue
		}
		sts, _ := path(p, "PolicyDocument", "Statement").([]interface{})
		for _, s := range sts {
			st := s.(map[string]interface{})
			if st["Effect"] == "Deny" {
				b, _ := json.Marshal(st["Condition"])
				denies = append(denies, string(b))
			}
		}
	}
	if !slices.ContainsFunc(denies, func(c string) bool { return strings.Contains(c, `"aws:SecureTransport":"false"`) }) ||
		!slices.ContainsFunc(denies, func(c string) bool { return strings.Contains(c, `"s3:TlsVersion":1.2`) }) {
		t.Errorf("bucket policy denies %v, want requests without TLS and below TLS 1.2 denied", denies)
	}
}
