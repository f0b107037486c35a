package stacktest

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// A template in the shapes CDK synthesizes; the synthesized stack itself is exercised by the
// whole-workflow tests.
const sample = `{"Resources": {
  "RoleDefaultPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
    {"Sid": "DataZoneDomain", "Effect": "Allow",
     "Action": ["datazone:GetDomain", "datazone:GetEnvironment", "datazone:CreateSubscriptionRequest"],
     "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":datazone:us-east-1:1:domain/*"]]}},
    {"Effect": "Allow", "Action": "lakeformation:GetDataLakeSettings", "Resource": "*"},
    {"Effect": "Allow", "Action": "datazone:CreateSubscriptionRequest", "Resource": "arn:aws:datazone:us-east-1:1:domain/x"}
  ]}}},
  "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement":
    {"Effect": "Allow", "Action": "glue:GetTable", "Resource": "arn:aws:glue:us-east-1:1:table/*/*"}}}]}}
}}`

func statements(t *testing.T, tmpl []byte) []map[string]any {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Properties struct {
				PolicyDocument struct{ Statement []map[string]any }
			}
		}
	}
	if err := json.Unmarshal(tmpl, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources["RoleDefaultPolicy"].Properties.PolicyDocument.Statement
}

func TestWithoutAction(t *testing.T) {
	out, err := WithoutAction([]byte(sample), "datazone:CreateSubscriptionRequest")
	if err != nil {
		t.Fatal(err)
	}
	sts := statements(t, out)
	if len(sts) != 2 {
		t.Fatalf("the statement granting only the action is dropped: %v", sts)
	}
	for _, st := range sts {
		if slices.Contains(strs(st["Action"]), "datazone:CreateSubscriptionRequest") {
			t.Errorf("action left in %v", st)
		}
	}
	if !reflect.DeepEqual(sts[0]["Action"], []any{"datazone:GetDomain", "datazone:GetEnvironment"}) {
		t.Errorf("the other actions stay: %v", sts[0]["Action"])
	}
}
