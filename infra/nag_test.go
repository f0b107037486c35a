package infra

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

func TestCdkNagHasNoUnsuppressedFindings(t *testing.T) {
	full, bare := stacks(t)
	for name, s := range map[string]*synthesis{"full context": full, "no context": bare} {
		t.Run(name, func(t *testing.T) {
			for _, level := range []struct {
				name  string
				found *[]*cxapi.SynthesisMessage
			}{
				{"error", s.annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))},
				{"warning", s.annotations.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))},
			} {
				for _, f := range *level.found {
					t.Errorf("cdk-nag %s at %s: %v", level.name, *f.Id, f.Entry.Data)
				}
			}
			for _, e := range *s.annotations.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
				t.Errorf("synth error at %s: %v", *e.Id, e.Entry.Data)
			}
		})
	}
}

// TestSuppressionsAreScoped checks every cdk-nag suppression of a rule with granular findings
// (the IAM rules) names the findings it applies to, and every suppression gives a reason.
func TestSuppressionsAreScoped(t *testing.T) {
	full, bare := stacks(t)
	for name, s := range map[string]*synthesis{"full context": full, "no context": bare} {
		t.Run(name, func(t *testing.T) {
			n := 0
			for id, r := range s.resources {
				for _, raw := range list(path(r.Metadata, "cdk_nag", "rules_to_suppress")) {
					n++
					reason, _ := path(raw, "reason").(string)
					granular := strings.HasPrefix(fmt.Sprint(path(raw, "id")), "AwsSolutions-IAM")
					if granular && len(list(path(raw, "applies_to"))) == 0 {
						t.Errorf("%s: suppression of %v applies to every finding, want AppliesTo", id, path(raw, "id"))
					}
					if len(reason) < 60 || !strings.Contains(reason, " ") {
						t.Errorf("%s: suppression of %v has reason %q, want one a reviewer can check", id, path(raw, "id"), reason)
					}
				}
			}
			if n == 0 {
				t.Errorf("no suppressions found: the test reads the wrong metadata")
			}
		})
	}
}

func TestNagFlattenMatchesCdkNag(t *testing.T) {
	tests := []struct {
		name string
		in   interface{}
		want string
	}{
		{name: "string", in: "*", want: "*"},
		{name: "join with refs", in: map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{"arn:", map[string]interface{}{"Ref": "AWS::Partition"}, ":glue:x"}}}, want: "arn:<AWS::Partition>:glue:x"},
		{name: "get-att", in: map[string]interface{}{"Fn::GetAtt": []interface{}{"Role1", "Arn"}}, want: "<Role1.Arn>"},
		{name: "sub", in: map[string]interface{}{"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}, want: "arn:<AWS::Partition>:s3:::b/*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nagFlatten(tt.in); got != tt.want {
				t.Errorf("nagFlatten = %q, want %q", got, tt.want)
			}
		})
	}
}
