package cfntemplate

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

var testEnv = Env{StackName: "Demo", Account: "123456789012", Region: "us-east-1"}

func readTemplate(t *testing.T) *Template {
	t.Helper()
	b, err := os.ReadFile("testdata/stack.template.json")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// statements returns the Resource of each statement of a policy document.
func resources(t *testing.T, doc []byte) []any {
	t.Helper()
	var p struct{ Statement []map[string]any }
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	var out []any
	for _, s := range p.Statement {
		out = append(out, s["Resource"])
	}
	return out
}

func TestStackRoles(t *testing.T) {
	st, err := readTemplate(t).Stack(testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Env.Partition != "aws" {
		t.Errorf("partition %q, want aws from us-east-1", st.Env.Partition)
	}
	if len(st.Roles) != 2 {
		t.Fatalf("roles = %+v", st.Roles)
	}
	named, worker := st.Roles[0], st.Roles[1]
	if named.Name != "custom-name" || named.ARN != "arn:aws:iam::123456789012:role/service-role/custom-name" {
		t.Errorf("a RoleName and Path are kept: %s %s", named.Name, named.ARN)
	}
	if len(named.Policies) != 1 || named.Policies[0].Source != "NamedRolePolicy" {
		t.Errorf("AWS::IAM::RolePolicy attaches by RoleName: %+v", named.Policies)
	}
	if worker.Name != "Demo-WorkerRoleA1B2C3D4" || worker.ARN != "arn:aws:iam::123456789012:role/Demo-WorkerRoleA1B2C3D4" {
		t.Errorf("an unnamed role is <StackName>-<LogicalId>: %s %s", worker.Name, worker.ARN)
	}
	var sources []string
	for _, p := range worker.Policies {
		sources = append(sources, p.Source)
	}
	wantSources := []string{"WorkerRoleA1B2C3D4.Policies.inline", "WorkerRoleDefaultPolicyB5C6D7E8", "SharedPolicy9F8E7D6C"}
	if !reflect.DeepEqual(sources, wantSources) {
		t.Fatalf("policy sources %v, want %v", sources, wantSources)
	}
	tests := []struct {
		name string
		doc  []byte
		want []any
	}{
		{"Fn::Sub with pseudo parameters and a parameter, and Fn::If", worker.Policies[0].Document, []any{
			"arn:aws:glue:us-east-1:123456789012:table/prod/*", "arn:aws:glue:us-east-1:123456789012:database/prod"}},
		{"Fn::GetAtt of a log group, Fn::Join with Fn::Select and Fn::Split", worker.Policies[1].Document, []any{
			"arn:aws:logs:us-east-1:123456789012:log-group:Demo-WorkerLogs11223344:*",
			"arn:aws:datazone:us-east-1:123456789012:domain/dzd_abc"}},
		{"a template managed policy attached through ManagedPolicyArns", worker.Policies[2].Document, []any{"*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resources(t, tt.doc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("resources %v, want %v", got, tt.want)
			}
		})
	}
	if want := []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}; !reflect.DeepEqual(worker.ManagedPolicyARNs, want) {
		t.Errorf("managed policies not in the template: %v, want %v", worker.ManagedPolicyARNs, want)
	}
}

func TestStackFunctionsMembershipsAndCustomResources(t *testing.T) {
	st, err := readTemplate(t).Stack(testEnv)
	if err != nil {
		t.Fatal(err)
	}
	worker := "arn:aws:iam::123456789012:role/Demo-WorkerRoleA1B2C3D4"
	wantFns := []Function{
		{LogicalID: "AdminsFunction99AABBCC", Name: "Demo-AdminsFunction99AABBCC",
			ARN:     "arn:aws:lambda:us-east-1:123456789012:function:Demo-AdminsFunction99AABBCC",
			RoleARN: "arn:aws:iam::123456789012:role/service-role/custom-name", Environment: map[string]string{"TASK": "DataLakeAdmins"}},
		{LogicalID: "WorkerFunction55667788", Name: "Demo-WorkerFunction55667788",
			ARN:     "arn:aws:lambda:us-east-1:123456789012:function:Demo-WorkerFunction55667788",
			RoleARN: worker, Environment: map[string]string{"TASK": "Preflight",
				"OTHER_ROLE_ARN": "arn:aws:iam::123456789012:role/service-role/custom-name", "RETRIES": "3"}},
	}
	if !reflect.DeepEqual(st.Functions, wantFns) {
		t.Errorf("functions (the one whose Condition is false left out):\n got %+v\nwant %+v", st.Functions, wantFns)
	}
	wantM := []ProjectMembership{{LogicalID: "Membershipp1", DomainIdentifier: "dzd_abc", ProjectIdentifier: "p1",
		Designation: "PROJECT_CONTRIBUTOR", UserIdentifier: worker}}
	if !reflect.DeepEqual(st.ProjectMemberships, wantM) {
		t.Errorf("memberships %+v, want %+v", st.ProjectMemberships, wantM)
	}
	wantC := []CustomResource{{LogicalID: "DataLakeAdmins", Type: "Custom::DataLakeAdmins", Properties: map[string]any{
		"ServiceToken":   "arn:aws:lambda:us-east-1:123456789012:function:Demo-AdminsFunction99AABBCC",
		"ServiceTimeout": "300",
		"Admins":         []any{worker},
		"ReadOnlyAdmins": []any{},
		"Note":           "custom-name in Demo, literally ${Region}",
	}}}
	if !reflect.DeepEqual(st.CustomResources, wantC) {
		t.Errorf("custom resources (properties passed through resolved):\n got %+v\nwant %+v", st.CustomResources, wantC)
	}
}

// In another partition the partition flows into every ARN, a false Fn::If branch with
// AWS::NoValue removes the property, and a resource that is now created must resolve.
func TestStackOtherPartition(t *testing.T) {
	tmpl := readTemplate(t)
	_, err := tmpl.Stack(Env{StackName: "Demo", Account: "123456789012", Region: "cn-north-1"})
	if err == nil || !strings.Contains(err.Error(), "attribute NoSuchAttribute of WorkerRoleA1B2C3D4 (AWS::IAM::Role) is not supported") ||
		!strings.Contains(err.Error(), "Resources.OnlyInChina") {
		t.Fatalf("Stack in cn-north-1 = %v, want the unsupported attribute of the resource created only there", err)
	}
	delete(tmpl.Resources, "OnlyInChina")
	st, err := tmpl.Stack(Env{StackName: "Demo", Account: "123456789012", Region: "cn-north-1"})
	if err != nil {
		t.Fatal(err)
	}
	w := st.Roles[1]
	if w.ARN != "arn:aws-cn:iam::123456789012:role/Demo-WorkerRoleA1B2C3D4" {
		t.Errorf("ARN %s", w.ARN)
	}
	var p struct{ Statement []map[string]any }
	if err := json.Unmarshal(w.Policies[0].Document, &p); err != nil {
		t.Fatal(err)
	}
	if _, has := p.Statement[1]["Resource"]; has || p.Statement[0]["Resource"] != "arn:aws-cn:glue:cn-north-1:123456789012:table/prod/*" {
		t.Errorf("statements %v", p.Statement)
	}
}

func TestResolveErrors(t *testing.T) {
	tmpl := readTemplate(t)
	tests := []struct {
		name    string
		value   string
		want    any
		wantErr string
	}{
		{name: "Ref to a resource is its physical name", value: `{"Ref": "WorkerLogs11223344"}`, want: "Demo-WorkerLogs11223344"},
		{name: "Ref to a managed policy is its ARN", value: `{"Ref": "SharedPolicy9F8E7D6C"}`, want: "arn:aws:iam::123456789012:policy/Demo-SharedPolicy9F8E7D6C"},
		{name: "GetAtt in dotted form", value: `{"Fn::GetAtt": "WorkerFunction55667788.Arn"}`, want: "arn:aws:lambda:us-east-1:123456789012:function:Demo-WorkerFunction55667788"},
		{name: "URL suffix", value: `{"Fn::Sub": "lambda.${AWS::URLSuffix}"}`, want: "lambda.amazonaws.com"},
		{name: "Fn::Select of a number index", value: `{"Fn::Select": ["0", ["a", "b"]]}`, want: "a"},
		{name: "unknown function", value: `{"Fn::ImportValue": "Shared-Arn"}`, wantErr: "Fn::ImportValue is not supported"},
		{name: "SSM parameter", value: `{"Ref": "BootstrapVersion"}`, wantErr: "read from SSM Parameter Store"},
		{name: "unknown name", value: `{"Ref": "Nope"}`, wantErr: "no parameter or resource Nope"},
		{name: "unknown resource in GetAtt", value: `{"Fn::GetAtt": ["Nope", "Arn"]}`, wantErr: "no resource Nope"},
		{name: "unknown attribute", value: `{"Fn::GetAtt": ["CDKMetadata", "Arn"]}`, wantErr: "attribute Arn of CDKMetadata (AWS::CDK::Metadata) is not supported"},
		{name: "index out of range", value: `{"Fn::Select": [5, ["a"]]}`, wantErr: "index 5 out of a list of 1"},
		{name: "Sub of an unknown name", value: `{"Fn::Sub": "x-${Nope}"}`, wantErr: "no parameter or resource Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.value), &v); err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.Resolve(testEnv, v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve = %v, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseRefusesNonTemplates(t *testing.T) {
	for _, doc := range []string{`[]`, `{"Resources": {}}`, `not json`} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("Parse(%s) succeeded", doc)
		}
	}
}
