package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/dzonboard/dzonboard/workflow"
)

// Retry policy of the schedule's StartExecution call (not of the execution itself).
const (
	scheduleRetries     = 3
	scheduleMaxEventAge = 3600 // seconds
	// deadLetterRetentionDays is how long a failed start waits in the dead-letter queue to be
	// read: SQS's maximum, 14 days.
	deadLetterRetentionDays = 14
)

// schedule creates an EventBridge Scheduler schedule that starts the state machine with the
// input of scheduleInputFile, when the schedule context is set, with its dead-letter queue and
// alarms (scheduleAlarms). It returns nil otherwise.
func (b *stackBuilder) schedule(sm awsstepfunctions.StateMachine, sink *alarmSink) awsscheduler.CfnSchedule {
	c := b.cfg
	if c.Schedule == "" {
		if c.ScheduleInputFile != "" {
			addWarning(b.stack, "noSchedule", "context "+CtxScheduleInputFile+" is set but "+CtxSchedule+" is not: no schedule is created")
		}
		return nil
	}
	if !strings.HasPrefix(c.Schedule, "rate(") && !strings.HasPrefix(c.Schedule, "cron(") && !strings.HasPrefix(c.Schedule, "at(") {
		addError(b.stack, fmt.Sprintf("infra: context %s %q is not an EventBridge Scheduler expression: use rate(1 day), cron(0 6 * * ? *) or at(2026-01-31T06:00:00)", CtxSchedule, c.Schedule))
		return nil
	}
	if c.ScheduleInputFile == "" {
		addError(b.stack, "infra: context "+CtxSchedule+" needs "+CtxScheduleInputFile+": the execution input JSON the schedule starts executions with (e.g. examples/real-account.json)")
		return nil
	}
	input, err := scheduleInput(c)
	if err != nil {
		addError(b.stack, "infra: "+err.Error())
		return nil
	}
	role := awsiam.NewRole(b.stack, jsii.String("ScheduleRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]interface{}{
				"StringEquals": map[string]interface{}{"aws:SourceAccount": b.stack.Account()},
			},
		}),
		Description: jsii.String("dzonboard: lets EventBridge Scheduler start the onboarding state machine."),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("StartOnboarding"),
		Actions:   jsii.Strings("states:StartExecution"),
		Resources: jsii.Strings(*sm.StateMachineArn()),
	}))
	// A start that Step Functions rejects (the role, a quota, a deleted state machine) makes no
	// execution, so the executions alarm never sees it. After its retries, Scheduler delivers it
	// to this standard SQS queue, with the target's answer, using the schedule's role: the role
	// needs sqs:SendMessage on the queue (EventBridge Scheduler user guide, "Configuring a
	// schedule's dead-letter queue"; a FIFO queue is not supported). SQS-managed encryption needs
	// no KMS permission from the sender.
	dlq := awssqs.NewQueue(b.stack, jsii.String("ScheduleDeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(deadLetterRetentionDays)),
		RemovalPolicy:   awscdk.RemovalPolicy_DESTROY,
	})
	suppressDeadLetterQueueRule(dlq, "the EventBridge Scheduler schedule")
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DeadLetter"),
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*dlq.QueueArn()),
	}))
	// The schedule has its own group so that the Scheduler metrics (dimension ScheduleGroup) are
	// this schedule's alone.
	group := awsscheduler.NewScheduleGroup(b.stack, jsii.String("ScheduleGroup"), &awsscheduler.ScheduleGroupProps{
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	b.scheduleAlarms(sink, dlq, group)
	schedule := awsscheduler.NewCfnSchedule(b.stack, jsii.String("Schedule"), &awsscheduler.CfnScheduleProps{
		Description:                jsii.String("dzonboard: re-runs the onboarding with " + c.ScheduleInputFile),
		GroupName:                  group.ScheduleGroupName(),
		ScheduleExpression:         jsii.String(c.Schedule),
		ScheduleExpressionTimezone: jsii.String(c.ScheduleTimezone),
		State:                      jsii.String("ENABLED"),
		FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn:     sm.StateMachineArn(),
			RoleArn: role.RoleArn(),
			Input:   jsii.String(input),
			RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
				MaximumRetryAttempts:     jsii.Number(scheduleRetries),
				MaximumEventAgeInSeconds: jsii.Number(scheduleMaxEventAge),
			},
			DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: dlq.QueueArn()},
		},
	})
	// The group's name is generated at synth time, so the schedule refers to it as a plain string:
	// without this dependency CloudFormation could create the schedule before its group.
	schedule.Node().AddDependency(group)
	return schedule
}

// scheduleAlarms alarms, to the alarm topic, when a scheduled start failed after its retries:
// on the dead-letter queue's visible messages (it stays in alarm until someone reads or purges
// them), and on the Scheduler metrics of starts that could not even be delivered to the queue
// (InvocationsFailedToBeSentToDeadLetterCount) or were dropped (InvocationDroppedCount)
// (EventBridge Scheduler user guide, "Monitoring EventBridge Scheduler with Amazon CloudWatch";
// CDK's ScheduleGroup metric methods). UNCONFIRMED: whether InvocationDroppedCount also counts
// starts that did reach the queue; if it does, such a failure alarms twice.
func (b *stackBuilder) scheduleAlarms(sink *alarmSink, dlq awssqs.Queue, group awsscheduler.ScheduleGroup) {
	period := awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))
	b.addAlarm(sink, "ScheduleDeadLetterAlarm", "schedule-dead-letters", whenAny(
		"dzonboard: the schedule could not start an onboarding execution after its retries. "+
			"Read the message in the ScheduleDeadLetterQueue (its error says why: the schedule role, a Step Functions quota, the input), fix it, then purge the queue.",
		dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Maximum")})))
	sum := &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}
	lost := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("FILL(notDelivered, 0) + FILL(dropped, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"notDelivered": group.MetricFailedToBeSentToDLQ(nil, sum),
			"dropped":      group.MetricDropped(sum),
		},
		Label:  jsii.String("scheduled starts lost"),
		Period: period,
	})
	b.addAlarm(sink, "ScheduleLostAlarm", "schedule-lost", whenAny(
		"dzonboard: the schedule could not start an onboarding execution and could not deliver the failure to its dead-letter queue either. "+
			"Check the schedule role (states:StartExecution on the state machine, sqs:SendMessage on the queue) and the schedule in the EventBridge Scheduler console.",
		lost))
}

// scheduleInput reads the schedule's execution input, validates it as the workflow will, and
// checks that the stack's roles may act on what it names; it returns the compacted JSON.
func scheduleInput(c Config) (string, error) {
	data, err := os.ReadFile(c.ScheduleInputFile)
	if err != nil {
		return "", fmt.Errorf("read %s %s: %w", CtxScheduleInputFile, c.ScheduleInputFile, err)
	}
	in, err := workflow.ParseInput(data)
	if err != nil {
		return "", fmt.Errorf("%s %s is not a valid execution input: %w", CtxScheduleInputFile, c.ScheduleInputFile, err)
	}
	var problems []string
	if c.DomainID != "" && in.DomainID != c.DomainID {
		problems = append(problems, fmt.Sprintf("domainId %q is not the stack's %s %q", in.DomainID, CtxDomainID, c.DomainID))
	}
	if projects := c.projectIDs(); len(projects) > 0 {
		if !slices.Contains(projects, in.ProjectID) {
			problems = append(problems, fmt.Sprintf("projectId %q is not one of the projects the DataZone role is a member of (%s)", in.ProjectID, strings.Join(projects, ", ")))
		}
		for _, con := range in.Consumers {
			if !slices.Contains(projects, con.ProjectID) {
				problems = append(problems, fmt.Sprintf("consumer projectId %q is not one of the projects the DataZone role is a member of (%s)", con.ProjectID, strings.Join(projects, ", ")))
			}
		}
	}
	if !slices.Contains(c.CrawlerNames, "*") && !slices.Contains(c.CrawlerNames, in.CrawlerName) {
		problems = append(problems, fmt.Sprintf("crawlerName %q is not in the stack's %s (%s)", in.CrawlerName, CtxCrawlerNames, strings.Join(c.CrawlerNames, ", ")))
	}
	if in.GlueDatabase != "" && len(c.GlueDatabases) > 0 && !slices.Contains(c.GlueDatabases, in.GlueDatabase) {
		problems = append(problems, fmt.Sprintf("glueDatabase %q is not in the stack's %s (%s)", in.GlueDatabase, CtxGlueDatabases, strings.Join(c.GlueDatabases, ", ")))
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s %s names what the stack's roles may not act on: %s", CtxScheduleInputFile, c.ScheduleInputFile, strings.Join(problems, "; "))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return "", fmt.Errorf("compact %s: %w", c.ScheduleInputFile, err)
	}
	return compact.String(), nil
}
