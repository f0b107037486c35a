package iamref

import "testing"

func TestResourceTypes(t *testing.T) {
	tests := []struct {
		action    string
		wantTypes int
		known     bool
	}{
		{"glue:GetTable", 4, true},
		{"GLUE:gettable", 4, true},
		{"datazone:GetDomain", 1, true},
		{"datazone:GetEnvironment", 0, true},
		{"lakeformation:GrantPermissions", 0, true},
		{"datazone:NoSuchAction", 0, false},
		{"nosuchservice:Get", 0, false},
		{"nocolon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			rts, known := ResourceTypes(tt.action)
			if known != tt.known || len(rts) != tt.wantTypes {
				t.Errorf("ResourceTypes(%q) = %v, %v; want %d types, known %v", tt.action, rts, known, tt.wantTypes, tt.known)
			}
		})
	}
}

func TestCanApply(t *testing.T) {
	tests := []struct {
		name, action, resource string
		want                   bool
	}{
		{"star always", "datazone:GetEnvironment", "*", true},
		{"no resource type: a domain ARN is dead", "datazone:GetEnvironment", "arn:aws:datazone:us-east-1:123456789012:domain/*", false},
		{"domain action on a domain ARN", "datazone:GetDomain", "arn:aws:datazone:us-east-1:123456789012:domain/dzd_abc", true},
		{"lake formation takes only *", "lakeformation:GrantPermissions", "arn:aws:s3:::bucket", false},
		{"glue table with wildcard", "glue:GetTable", "arn:aws:glue:us-east-1:123456789012:table/acme_sales/*", true},
		{"glue root catalog", "glue:GetTable", "arn:aws:glue:us-east-1:123456789012:catalog", true},
		{"glue crawler ARN on a table action", "glue:GetTable", "arn:aws:glue:us-east-1:123456789012:crawler/x", false},
		{"crawler", "glue:StartCrawler", "arn:aws:glue:us-east-1:123456789012:crawler/acme", true},
		{"other partition", "glue:StartCrawler", "arn:aws-cn:glue:cn-north-1:123456789012:crawler/acme", true},
		{"wrong service", "glue:StartCrawler", "arn:aws:athena:us-east-1:123456789012:workgroup/x", false},
		{"iam role", "iam:PutRolePolicy", "arn:aws:iam::123456789012:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess", true},
		{"unknown action", "glue:NoSuchThing", "*", true},
		{"unknown action with ARN", "glue:NoSuchThing", "arn:aws:glue:us-east-1:1:crawler/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanApply(tt.action, tt.resource); got != tt.want {
				t.Errorf("CanApply(%q, %q) = %v, want %v", tt.action, tt.resource, got, tt.want)
			}
		})
	}
}
