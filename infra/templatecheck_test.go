package infra

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/infra/templatecheck"
)

// TestTemplateChecks runs every template check (the ones `make check-template` prints) on the
// stacks with and without context.
func TestTemplateChecks(t *testing.T) {
	full, bare := stacks(t)
	for name, s := range map[string]*synthesis{"full context": full, "no context": bare} {
		t.Run(name, func(t *testing.T) {
			tmpl, err := templatecheck.Parse(s.json)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range templatecheck.Run(tmpl) {
				for _, p := range r.Problems {
					t.Errorf("%s: %s", r.Check, p)
				}
				if len(r.Problems) == 0 {
					t.Logf("ok %s: %s", r.Check, r.Verified)
				}
			}
		})
	}
}

// TestTemplateChecksCatchBreakage breaks the full stack's template the way a change could and
// expects the check that guards against it to fail with the problem named.
func TestTemplateChecksCatchBreakage(t *testing.T) {
	full, _ := stacks(t)
	tests := []struct {
		name    string
		check   string
		breakIt func(t *testing.T, doc map[string]interface{})
		want    string
	}{
		{
			name:  "the topic policy has only the TLS statement (EnforceSSL alone)",
			check: "alarm topic policy",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				keepStatements(t, doc, "AWS::SNS::TopicPolicy", "PolicyDocument", func(st map[string]interface{}) bool { return st["Effect"] == "Deny" })
			},
			want: "does not allow cloudwatch.amazonaws.com to sns:Publish",
		},
		{
			name:  "the topic policy names another alarm",
			check: "alarm topic policy",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, st := range statementsOf(t, doc, "AWS::SNS::TopicPolicy", "PolicyDocument") {
					if cond, ok := st["Condition"].(map[string]interface{}); ok && cond["ArnLike"] != nil {
						cond["ArnLike"] = map[string]interface{}{"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:someone-else"}
					}
				}
			},
			want: "does not match alarm",
		},
		{
			name:  "the key policy lets CloudWatch use the key for any account",
			check: "alarm topic key",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, st := range statementsOf(t, doc, "AWS::KMS::Key", "KeyPolicy") {
					delete(st, "Condition")
				}
			},
			want: "no aws:SourceAccount condition",
		},
		{
			name:  "the key policy has no statement for CloudWatch",
			check: "alarm topic key",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				keepStatements(t, doc, "AWS::KMS::Key", "KeyPolicy", func(st map[string]interface{}) bool { return !strings.Contains(string(mustJSON(st)), "cloudwatch") })
			},
			want: "does not allow cloudwatch.amazonaws.com kms:Decrypt",
		},
		{
			name:  "a DataZone action without resource type scoped to the domain",
			check: "dead grants",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, st := range statementsOf(t, doc, "AWS::IAM::Policy", "PolicyDocument") {
					if strings.Contains(string(mustJSON(st["Action"])), "datazone:CreateDataSource") {
						st["Resource"] = map[string]interface{}{"Fn::Sub": "arn:${AWS::Partition}:datazone:${AWS::Region}:${AWS::AccountId}:domain/" + testDomain}
					}
				}
			},
			want: "datazone:CreateDataSource can never apply to arn:aws:datazone:us-east-1:123456789012:domain/" + testDomain,
		},
		{
			name:  "a Glue action on an ARN of the wrong service",
			check: "dead grants",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, st := range statementsOf(t, doc, "AWS::IAM::Policy", "PolicyDocument") {
					if strings.Contains(string(mustJSON(st["Action"])), "glue:StartCrawler") {
						st["Resource"] = map[string]interface{}{"Fn::Sub": "arn:${AWS::Partition}:s3:::bucket/*"}
					}
				}
			},
			want: "glue:StartCrawler can never apply to arn:aws:s3:::bucket/*",
		},
		{
			name:  "an ARN with a hard-coded partition",
			check: "partition",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, st := range statementsOf(t, doc, "AWS::IAM::Policy", "PolicyDocument") {
					if strings.Contains(string(mustJSON(st["Action"])), "glue:StartCrawler") {
						st["Resource"] = "arn:aws:glue:us-east-1:123456789012:crawler/" + testCrawler
					}
				}
			},
			want: "hard-codes a partition",
		},
		{
			name:  "an unencrypted dead-letter queue",
			check: "schedule dead-letter queue",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, r := range resourcesOf(doc, "AWS::SQS::Queue") {
					delete(r, "SqsManagedSseEnabled")
					delete(r, "KmsMasterKeyId")
				}
			},
			want: "is not encrypted",
		},
		{
			name:  "a schedule without a dead-letter queue",
			check: "schedule dead-letter queue",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, r := range resourcesOf(doc, "AWS::Scheduler::Schedule") {
					delete(r["Target"].(map[string]interface{}), "DeadLetterConfig")
				}
			},
			want: "has no dead-letter queue",
		},
		{
			name:  "no alarm on the dead-letter queue",
			check: "schedule alarms",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for id, r := range doc["Resources"].(map[string]interface{}) {
					if strings.Contains(string(mustJSON(r)), "ApproximateNumberOfMessagesVisible") {
						delete(doc["Resources"].(map[string]interface{}), id)
					}
				}
			},
			want: "no alarm watches the visible messages",
		},
		{
			name:  "the DataZone role is not a read-only administrator",
			check: "data lake administrators",
			breakIt: func(t *testing.T, doc map[string]interface{}) {
				for _, r := range resourcesOf(doc, "Custom::DataLakeAdmins") {
					delete(r, "ReadOnlyAdmins")
				}
			},
			want: "ReadOnlyAdmins is [], want only the DataZone role",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]interface{}
			if err := json.Unmarshal(full.json, &doc); err != nil {
				t.Fatal(err)
			}
			tt.breakIt(t, doc)
			tmpl, err := templatecheck.Parse(mustJSON(doc))
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, r := range templatecheck.Run(tmpl) {
				if r.Check == tt.check {
					problems = r.Problems
				}
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("check %q found %q, want a problem saying %q", tt.check, problems, tt.want)
			}
		})
	}
}

// resourcesOf returns the Properties of the resources of a type in a template document.
func resourcesOf(doc map[string]interface{}, typ string) []map[string]interface{} {
	var out []map[string]interface{}
	for _, raw := range doc["Resources"].(map[string]interface{}) {
		r := raw.(map[string]interface{})
		if r["Type"] == typ {
			out = append(out, r["Properties"].(map[string]interface{}))
		}
	}
	return out
}

// statementsOf returns the statements of the policy documents in prop of the resources of a type.
func statementsOf(t *testing.T, doc map[string]interface{}, typ, prop string) []map[string]interface{} {
	t.Helper()
	var out []map[string]interface{}
	for _, r := range resourcesOf(doc, typ) {
		for _, st := range list(path(r[prop], "Statement")) {
			out = append(out, st.(map[string]interface{}))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s statements in %s", prop, typ)
	}
	return out
}

// keepStatements keeps the statements of the policy documents for which keep is true.
func keepStatements(t *testing.T, doc map[string]interface{}, typ, prop string, keep func(map[string]interface{}) bool) {
	t.Helper()
	for _, r := range resourcesOf(doc, typ) {
		pd := r[prop].(map[string]interface{})
		var kept []interface{}
		for _, st := range list(pd["Statement"]) {
			if keep(st.(map[string]interface{})) {
				kept = append(kept, st)
			}
		}
		pd["Statement"] = kept
	}
}
