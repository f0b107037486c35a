package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

// exampleInput is the execution input template of the repository (README, deploying).
const exampleInput = "examples/real-account.json"

// outputs are what a user needs after deploying: where to start and watch executions, and the
// role ARNs to check in DataZone and Lake Formation.
func (b *stackBuilder) outputs(sm awsstepfunctions.StateMachine, topic awssns.Topic, schedule awsscheduler.CfnSchedule) {
	arn := *sm.StateMachineArn()
	region := *b.stack.Region()
	output(b, "StateMachineArn", arn, "The onboarding state machine.")
	output(b, "StateMachineConsoleUrl",
		"https://"+region+".console.aws.amazon.com/states/home?region="+region+"#/statemachines/view/"+arn,
		"Start and follow executions here (Start execution, paste the input JSON).")
	output(b, "StartExecutionCommand",
		"aws stepfunctions start-execution --state-machine-arn "+arn+" --input file://"+exampleInput,
		"Start an execution from the CLI with your copy of "+exampleInput+".")
	for _, r := range []struct {
		id  roleID
		doc string
	}{
		{glueRole, "Runs the Glue crawler."},
		{lakeFormationRole, "Registers the S3 location and grants in Lake Formation; a data lake administrator."},
		{dataZoneRole, "Acts in DataZone and reads the catalog; a PROJECT_CONTRIBUTOR of the producer and consumer projects and a Lake Formation read-only administrator."},
	} {
		if role, ok := b.roles[r.id]; ok {
			output(b, string(r.id)+"Arn", *role.RoleArn(), r.doc)
		}
	}
	output(b, "AlarmTopicArn", *topic.TopicArn(), "Failed or timed-out executions are published here; subscribe to it.")
	if schedule != nil {
		output(b, "ScheduleArn", *schedule.AttrArn(), "The EventBridge Scheduler schedule that re-runs the onboarding.")
	}
}

func output(b *stackBuilder, id, value, description string) {
	awscdk.NewCfnOutput(b.stack, jsii.String(id), &awscdk.CfnOutputProps{
		Value:       jsii.String(value),
		Description: jsii.String(description),
	})
}
