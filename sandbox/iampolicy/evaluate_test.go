package iampolicy

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return p
}

// The example of "The difference between explicit and implicit denies" (IAM User Guide): read-only
// IAM Get*/List* allowed, anything with the Report suffix explicitly denied, the rest implicitly
// denied.
const interplayExample = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}
  ]
}`

// The CDK stack's Lake Formation role statements (infra/scopes.go), as synthesized for account
// 123456789012 in us-east-1.
const lakeFormationRole = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "GlueCatalog", "Effect": "Allow", "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"],
     "Resource": ["arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/*",
                  "arn:aws:glue:us-east-1:123456789012:table/*/*"]},
    {"Sid": "NoResourceLevelPermissions", "Effect": "Allow", "Action": ["lakeformation:GrantPermissions", "lakeformation:RegisterResource"], "Resource": "*"},
    {"Sid": "CreateLakeFormationServiceLinkedRole", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
     "Resource": "arn:aws:iam::123456789012:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess",
     "Condition": {"StringEquals": {"iam:AWSServiceName": "lakeformation.amazonaws.com"}}},
    {"Sid": "DataZoneDomain", "Effect": "Allow", "Action": ["datazone:GetDomain", "datazone:GetEnvironment"],
     "Resource": "arn:aws:datazone:us-east-1:123456789012:domain/*"}
  ]
}`

const slr = "arn:aws:iam::123456789012:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"

func TestEvaluate(t *testing.T) {
	lfService := map[string][]string{"iam:AWSServiceName": {"lakeformation.amazonaws.com"}}
	tests := []struct {
		name     string
		policies []string
		req      Request
		want     Decision
	}{
		{name: "no policy: implicit deny", req: Request{Action: "glue:GetTable", Resource: "*"}, want: ImplicitDeny},
		{name: "Get* allows iam:GetUser", policies: []string{interplayExample},
			req: Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/Bob"}, want: Allowed},
		{name: "an explicit deny beats the Get* allow", policies: []string{interplayExample},
			req: Request{Action: "iam:GetOrganizationsAccessReport", Resource: "*"}, want: ExplicitDeny},
		{name: "no statement for iam:CreatePolicy: implicit deny", policies: []string{interplayExample},
			req: Request{Action: "iam:CreatePolicy", Resource: "*"}, want: ImplicitDeny},
		{name: "the deny wins across policies too",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
				`{"Statement":{"Effect":"Deny","Action":"datazone:CreateSubscriptionRequest","Resource":"*"}}`},
			req: Request{Action: "datazone:CreateSubscriptionRequest", Resource: "*"}, want: ExplicitDeny},
		{name: "action names ignore case", policies: []string{`{"Statement":{"Effect":"Allow","Action":"GLUE:gettable","Resource":"*"}}`},
			req: Request{Action: "glue:GetTable", Resource: "*"}, want: Allowed},
		{name: "? stands for one character", policies: []string{`{"Statement":{"Effect":"Allow","Action":"glue:GetTable?","Resource":"*"}}`},
			req: Request{Action: "glue:GetTables", Resource: "*"}, want: Allowed},
		{name: "? stands for exactly one character", policies: []string{`{"Statement":{"Effect":"Allow","Action":"glue:GetTable?","Resource":"*"}}`},
			req: Request{Action: "glue:GetTable", Resource: "*"}, want: ImplicitDeny},
		{name: "NotAction allows everything else", policies: []string{`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			req: Request{Action: "glue:GetTable", Resource: "*"}, want: Allowed},
		{name: "NotAction does not allow what it names", policies: []string{`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			req: Request{Action: "iam:CreateUser", Resource: "*"}, want: ImplicitDeny},
		{name: "table ARN with wildcards", policies: []string{lakeFormationRole},
			req: Request{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/acme_sales/orders"}, want: Allowed},
		{name: "catalog ARN", policies: []string{lakeFormationRole},
			req: Request{Action: "glue:GetTables", Resource: "arn:aws:glue:us-east-1:123456789012:catalog"}, want: Allowed},
		{name: "another account's table", policies: []string{lakeFormationRole},
			req: Request{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:999999999999:table/acme_sales/orders"}, want: ImplicitDeny},
		{name: "an action with no resource type is requested on *: a domain ARN grants nothing", policies: []string{lakeFormationRole},
			req: Request{Action: "datazone:GetEnvironment", Resource: "*"}, want: ImplicitDeny},
		{name: "an action with a resource type matches the domain ARN", policies: []string{lakeFormationRole},
			req: Request{Action: "datazone:GetDomain", Resource: "arn:aws:datazone:us-east-1:123456789012:domain/dzd_5xk2q8m1v3c9tb"}, want: Allowed},
		{name: "the stack's service-linked role condition holds", policies: []string{lakeFormationRole},
			req: Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: Allowed},
		{name: "another service's linked role is not allowed", policies: []string{lakeFormationRole},
			req: Request{Action: "iam:CreateServiceLinkedRole", Resource: slr,
				Context: map[string][]string{"iam:AWSServiceName": {"glue.amazonaws.com"}}}, want: ImplicitDeny},
		{name: "a condition key missing from the request fails StringEquals", policies: []string{lakeFormationRole},
			req: Request{Action: "iam:CreateServiceLinkedRole", Resource: slr}, want: ImplicitDeny},
		{name: "condition key names ignore case", policies: []string{lakeFormationRole},
			req: Request{Action: "iam:CreateServiceLinkedRole", Resource: slr,
				Context: map[string][]string{"IAM:awsservicename": {"lakeformation.amazonaws.com"}}}, want: Allowed},
		{name: "IfExists holds when the key is missing",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"iam:AWSServiceName":"x"}}}}`},
			req:      Request{Action: "glue:GetTable", Resource: "*"}, want: Allowed},
		{name: "IfExists still tests a present key",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"iam:AWSServiceName":"x"}}}}`},
			req:      Request{Action: "glue:GetTable", Resource: "*", Context: lfService}, want: ImplicitDeny},
		{name: "a negated operator holds when the key is missing",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"iam:AWSServiceName":"x"}}}}`},
			req:      Request{Action: "glue:GetTable", Resource: "*"}, want: Allowed},
		{name: "StringNotEquals with several values: none may match",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"iam:AWSServiceName":["glue.amazonaws.com","lakeformation.amazonaws.com"]}}}}`},
			req:      Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: ImplicitDeny},
		{name: "StringEquals with several values: one must match",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":["glue.amazonaws.com","lakeformation.amazonaws.com"]}}}}`},
			req:      Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: Allowed},
		{name: "StringLike with a wildcard",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"iam:AWSServiceName":"lake*.amazonaws.com"}}}}`},
			req:      Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: Allowed},
		{name: "StringEquals is case sensitive",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"LakeFormation.amazonaws.com"}}}}`},
			req:      Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: ImplicitDeny},
		{name: "StringEqualsIgnoreCase is not",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"iam:AWSServiceName":"LakeFormation.amazonaws.com"}}}}`},
			req:      Request{Action: "iam:CreateServiceLinkedRole", Resource: slr, Context: lfService}, want: Allowed},
		{name: "two keys of one operator must both hold",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"lakeformation.amazonaws.com","aws:RequestedRegion":"eu-west-1"}}}}`},
			req: Request{Action: "iam:CreateServiceLinkedRole", Resource: slr,
				Context: map[string][]string{"iam:AWSServiceName": {"lakeformation.amazonaws.com"}, "aws:RequestedRegion": {"us-east-1"}}}, want: ImplicitDeny},
		{name: "ArnLike compares each ARN part with wildcards",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Dzonboard-*"}}}}`},
			req: Request{Action: "glue:GetTable", Resource: "*",
				Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole9AF11138"}}}, want: Allowed},
		{name: "ArnEquals behaves as ArnLike",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Other*"}}}}`},
			req: Request{Action: "glue:GetTable", Resource: "*",
				Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Dzonboard-DataZoneRole9AF11138"}}}, want: ImplicitDeny},
		{name: "ArnLike does not let a wildcard cross an ARN part",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123*"}}}}`},
			req: Request{Action: "glue:GetTable", Resource: "*",
				Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"}}}, want: ImplicitDeny},
		{name: "Bool ignores case",
			policies: []string{`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`,
				`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
			req:  Request{Action: "glue:GetTable", Resource: "*", Context: map[string][]string{"aws:SecureTransport": {"FALSE"}}},
			want: ExplicitDeny},
		{name: "Bool false does not match true",
			policies: []string{`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`,
				`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
			req:  Request{Action: "glue:GetTable", Resource: "*", Context: map[string][]string{"aws:SecureTransport": {"true"}}},
			want: Allowed},
		{name: "Null true holds for a missing key",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TagKeys":"true"}}}}`},
			req:      Request{Action: "glue:GetTable", Resource: "*"}, want: Allowed},
		{name: "ForAllValues holds when every value is listed",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}}`},
			req:      Request{Action: "glue:TagResource", Resource: "*", Context: map[string][]string{"aws:TagKeys": {"env"}}}, want: Allowed},
		{name: "ForAllValues fails on an unlisted value",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}}`},
			req:      Request{Action: "glue:TagResource", Resource: "*", Context: map[string][]string{"aws:TagKeys": {"env", "cost"}}}, want: ImplicitDeny},
		{name: "ForAnyValue needs one listed value",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}}}`},
			req:      Request{Action: "glue:TagResource", Resource: "*", Context: map[string][]string{"aws:TagKeys": {"env", "team"}}}, want: Allowed},
		{name: "NotResource excludes what it names",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"glue:*","NotResource":"arn:aws:glue:us-east-1:123456789012:table/secret/*"}}`},
			req:      Request{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/secret/t"}, want: ImplicitDeny},
		{name: "NotResource allows the rest",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"glue:*","NotResource":"arn:aws:glue:us-east-1:123456789012:table/secret/*"}}`},
			req:      Request{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/sales/t"}, want: Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps []*Policy
			for _, d := range tt.policies {
				ps = append(ps, mustParse(t, d))
			}
			if got := Evaluate(ps, tt.req); got != tt.want {
				t.Errorf("Evaluate(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}

// The wildcard rules of "IAM JSON policy elements: Resource": wildcards stay inside an ARN
// segment unless a * ends the segment, * also stands for slashes, and matching is case sensitive.
func TestMatchResource(t *testing.T) {
	tests := []struct {
		name, pattern, resource string
		want                    bool
	}{
		{"star alone", "*", "arn:aws:glue:us-east-1:123456789012:catalog", true},
		{"star alone matches star", "*", "*", true},
		{"an ARN never matches the * of an action without resource type", "arn:aws:datazone:us-east-1:123456789012:domain/*", "*", false},
		{"* spans slashes", "arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/1/test/object.jpg", true},
		{"user path", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/Bob", true},
		{"names are case sensitive", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"* ending a segment crosses colons", "arn:aws:glue:*", "arn:aws:glue:us-east-1:123456789012:table/db/t", true},
		{"a * inside a segment does not cross a colon", "arn:aws:glue:us-*-1:123456789012:catalog", "arn:aws:glue:us-east:x-1:123456789012:catalog", false},
		{"a * inside a segment", "arn:aws:glue:us-*-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:catalog", true},
		{"? is one character", "arn:aws:glue:us-east-?:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:catalog", true},
		{"? is not a colon", "arn:aws:glue:us-east-1?123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:catalog", false},
		{"a table pattern does not match the catalog", "arn:aws:glue:us-east-1:123456789012:table/*/*", "arn:aws:glue:us-east-1:123456789012:catalog", false},
		{"regexp characters are literal", "arn:aws:glue:us-east-1:123456789012:table/a.b/*", "arn:aws:glue:us-east-1:123456789012:table/aXb/t", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchResource(tt.pattern, tt.resource); got != tt.want {
				t.Errorf("MatchResource(%q, %q) = %v, want %v", tt.pattern, tt.resource, got, tt.want)
			}
		})
	}
}

// A document IAM would refuse, or one this package cannot read fully, is an error.
func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"principal in an identity policy", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, "Principal"},
		{"effect", `{"Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}`, "neither Allow nor Deny"},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Action and NotAction"},
		{"both resource kinds", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}}`, "Resource and NotResource"},
		{"no resource", `{"Statement":{"Effect":"Allow","Action":"*"}}`, "Resource and NotResource"},
		{"operator the sandbox cannot evaluate", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}}`, "NumericLessThan"},
		{"unknown operator", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOf":{"k":"v"}}}}`, "StringSortOf"},
		{"Null with IfExists", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}}`, "Null"},
		{"unknown member", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}}`, "Actions"},
		{"unknown version", `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "Version"},
		{"no statement", `{"Version":"2012-10-17"}`, "no Statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse = %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

// Parse keeps every element of a statement, in the forms a document may write it.
func TestParseReadsBothForms(t *testing.T) {
	p := mustParse(t, lakeFormationRole)
	if len(p.Statements) != 4 || p.Version != "2012-10-17" {
		t.Fatalf("statements %d, version %q", len(p.Statements), p.Version)
	}
	s := p.Statements[2]
	if s.Sid != "CreateLakeFormationServiceLinkedRole" || len(s.Actions) != 1 || len(s.Resources) != 1 ||
		len(s.Conditions) != 1 || s.Conditions[0].Operator != "StringEquals" || s.Conditions[0].Key != "iam:AWSServiceName" ||
		s.Conditions[0].Values[0] != "lakeformation.amazonaws.com" {
		t.Errorf("statement 2 = %+v", s)
	}
	one := mustParse(t, `{"Statement":{"Effect":"Deny","NotAction":["a:b","c:*"],"NotResource":"*"}}`)
	if len(one.Statements) != 1 || len(one.Statements[0].NotActions) != 2 || one.Statements[0].NotResources[0] != "*" {
		t.Errorf("single statement = %+v", one)
	}
}
