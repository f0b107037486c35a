package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	dzonboard "github.com/dzonboard/dzonboard"
	"github.com/dzonboard/dzonboard/internal/asl"
	"github.com/dzonboard/dzonboard/workflow"
)

// stateMachine creates the Standard state machine from the embedded ASL, with each task's
// function ARN substituted, logging ALL to its own log group and X-Ray tracing. Its execution
// timeout is the ASL's own TimeoutSeconds. Its role may invoke only the task functions.
func (b *stackBuilder) stateMachine() awsstepfunctions.StateMachine {
	fns := b.functions
	subs := map[string]*string{}
	byPlaceholder := map[string]string{}
	for _, t := range workflow.Tasks {
		byPlaceholder[workflow.Placeholder(t)] = t
	}
	for _, name := range asl.Placeholders(dzonboard.StateMachineASL) {
		task, ok := byPlaceholder[name]
		if !ok {
			addError(b.stack, fmt.Sprintf("infra: statemachine.asl.json uses ${%s}, which is no task's placeholder (workflow.Tasks)", name))
			continue
		}
		if fn, ok := fns[task]; ok {
			subs[name] = fn.FunctionArn()
		}
	}
	var invoke []*string
	for _, t := range workflow.Tasks {
		if _, used := subs[workflow.Placeholder(t)]; !used {
			addWarning(b.stack, "unusedTask", fmt.Sprintf("task %s has no state in statemachine.asl.json; its function is never invoked", t))
			continue
		}
		invoke = append(invoke, fns[t].FunctionArn())
	}

	logs := awslogs.NewLogGroup(b.stack, jsii.String("StateMachineLogs"), &awslogs.LogGroupProps{
		// The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's
		// CloudWatch Logs resource policy with every log group.
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *b.stack.StackName() + "-onboarding"),
		Retention:     b.props.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(b.stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		Comment:                 jsii.String("dzonboard: onboard an existing S3 data set into Amazon DataZone"),
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(string(dzonboard.StateMachineASL))),
		DefinitionSubstitutions: &subs,
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
		TracingEnabled: jsii.Bool(true),
	})
	if len(invoke) > 0 {
		sm.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("InvokeTaskFunctions"),
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: &invoke,
		}))
	}
	return sm
}
