package infra

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

const alarmPeriodMinutes = 5

// alarm creates an alarm on failed and timed-out executions that publishes to an SNS topic
// (encrypted with its own key, TLS only), and subscribes alarmEmail when it is set.
func (b *stackBuilder) alarm(sm awsstepfunctions.StateMachine) awssns.Topic {
	key := awskms.NewKey(b.stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("dzonboard: encrypts the alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	// CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key; it needs
	// this grant on a customer managed one.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)
	topic := awssns.NewTopic(b.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("dzonboard alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	if email := b.cfg.AlarmEmail; email != "" {
		if !strings.Contains(email, "@") {
			addError(b.stack, "infra: context "+CtxAlarmEmail+" "+email+" is not an e-mail address")
		} else {
			topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
		}
	}
	period := awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))
	sum := &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}
	failures := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("FILL(failed, 0) + FILL(timedOut, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"failed":   sm.MetricFailed(sum),
			"timedOut": sm.MetricTimedOut(sum),
		},
		Label:  jsii.String("failed or timed-out executions"),
		Period: period,
	})
	alarm := awscloudwatch.NewAlarm(b.stack, jsii.String("ExecutionsFailedAlarm"), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String("dzonboard: an onboarding execution failed or timed out. Open the execution in the Step Functions console; its Fail state's Error and Cause say what to fix."),
		Metric:             failures,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	return topic
}
