package infra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// CheckAwsSolutions applies cdk-nag's AwsSolutions rules to scope (the app): each finding that
// is not suppressed becomes a synth error.
func CheckAwsSolutions(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// wildcardRule is cdk-nag's rule against "*" in IAM actions and resources.
const wildcardRule = "AwsSolutions-IAM5"

// suppressFindings suppresses the wildcard findings that cannot be avoided, each by the exact
// finding (AppliesTo) and with the reason it cannot be narrower.
func (b *stackBuilder) suppressFindings(sm awsstepfunctions.StateMachine) {
	for _, g := range roleGroups {
		role, ok := b.roles[g.id]
		if !ok {
			continue
		}
		var suppressions []*cdknag.NagPackSuppression
		for _, s := range b.wildcards(g) {
			suppressions = append(suppressions, &cdknag.NagPackSuppression{
				Id:        jsii.String(wildcardRule),
				Reason:    jsii.String(s.reason),
				AppliesTo: &[]interface{}{s.finding},
			})
		}
		cdknag.NagSuppressions_AddResourceSuppressions(role, &suppressions, jsii.Bool(true))
	}
	cdknag.NagSuppressions_AddResourceSuppressions(sm.Role(), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String(wildcardRule),
		Reason:    jsii.String("CDK adds these for logging level ALL and tracing: the CloudWatch Logs log-delivery actions (CreateLogDelivery, PutResourcePolicy, ...) and X-Ray's PutTraceSegments/PutTelemetryRecords/GetSampling* have no resource-level permissions. Lambda invocation is limited to the task functions."),
		AppliesTo: &[]interface{}{"Resource::*"},
	}}, jsii.Bool(true))
}

// suppressDeadLetterQueueRule suppresses cdk-nag's rule that a queue have a dead-letter queue of
// its own (AwsSolutions-SQS3) for a queue that is itself a dead-letter queue, which the rule
// cannot see when the sender is not an SQS queue (here EventBridge Scheduler).
func suppressDeadLetterQueueRule(queue constructs.IConstruct, sender string) {
	cdknag.NagSuppressions_AddResourceSuppressions(queue, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is the dead-letter queue of " + sender + "; a dead-letter queue has no dead-letter queue of its own, and an alarm on its visible messages reports what arrives."),
	}}, jsii.Bool(true))
}

type wildcard struct {
	finding string // as cdk-nag reports it: "Resource::<flattened ARN>"
	reason  string
}

// wildcards lists the role's resources that contain "*": those of its scopes (scopes.go), and
// the "*" of X-Ray that active tracing adds to every function's role.
func (b *stackBuilder) wildcards(g roleGroup) []wildcard {
	var out []wildcard
	add := func(finding, reason string) {
		for _, w := range out {
			if w.finding == finding {
				return
			}
		}
		out = append(out, wildcard{finding, reason})
	}
	hasService := false
	for _, s := range scopesOf(g.actions()) {
		if s == serviceScope {
			hasService = true
			continue
		}
		for _, arn := range *b.resources.arns(s, g.tasks) {
			if flat := nagFlatten(b.stack.Resolve(arn)); strings.Contains(flat, "*") {
				add("Resource::"+flat, b.resources.wildcardReason(s))
			}
		}
	}
	reason := "X-Ray's PutTraceSegments/PutTelemetryRecords (added by CDK for active tracing) have no resource-level permissions."
	if hasService {
		reason = b.resources.wildcardReason(serviceScope)
	}
	add("Resource::*", reason)
	return out
}

// scopesOf returns the scopes of actions, sorted; actions without one are left out (the role's
// statements report them as a synth error).
func scopesOf(actions []string) []scope {
	var out []scope
	for _, a := range actions {
		if s, err := scopeOf(a); err == nil && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// nagFlatten renders a resolved CloudFormation value the way cdk-nag names it in findings
// (cdk-nag's flattenCfnReference): Fn::Join joined, Ref as <Name>, Fn::GetAtt as <Name.Attr>.
func nagFlatten(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.NewReplacer("${", "<", "}", ">").Replace(x)
	case *string:
		return nagFlatten(*x)
	case map[string]interface{}:
		if j, ok := x["Fn::Join"].([]interface{}); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			items, _ := j[1].([]interface{})
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = nagFlatten(it)
			}
			return strings.Join(parts, sep)
		}
		if sub, ok := x["Fn::Sub"]; ok {
			return nagFlatten(sub)
		}
		if ga, ok := x["Fn::GetAtt"].([]interface{}); ok && len(ga) == 2 {
			return fmt.Sprintf("<%s.%s>", nagFlatten(ga[0]), nagFlatten(ga[1]))
		}
		if iv, ok := x["Fn::ImportValue"]; ok {
			return nagFlatten(iv)
		}
		if ref, ok := x["Ref"]; ok {
			return "<" + nagFlatten(ref) + ">"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
