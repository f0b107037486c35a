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

// cloudWatchService is the service principal CloudWatch alarms act as when they publish.
const cloudWatchService = "cloudwatch.amazonaws.com"

// alarmSink is the encrypted topic every alarm of the stack publishes to, and the alarms.
type alarmSink struct {
	key    awskms.Key
	topic  awssns.Topic
	alarms []*string // ARNs of the alarms that publish to the topic
}

// alarmTopic creates the alarm topic (encrypted with its own key, TLS only) and subscribes
// alarmEmail when it is set. Alarms are added with addAlarm; allowAlarms then lets exactly them
// publish.
func (b *stackBuilder) alarmTopic() *alarmSink {
	key := awskms.NewKey(b.stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("dzonboard: encrypts the alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
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
	return &alarmSink{key: key, topic: topic}
}

// addAlarm creates an alarm named "<stack name>-<suffix>" that publishes to the topic. The name
// is fixed so that the topic and key policies can name the alarm's ARN (aws:SourceArn) without
// referring to the alarm itself: the key policy cannot (key <- topic <- alarm would be a cycle).
func (b *stackBuilder) addAlarm(sink *alarmSink, id, suffix string, props *awscloudwatch.AlarmProps) awscloudwatch.Alarm {
	name := *b.stack.StackName() + "-" + suffix
	props.AlarmName = jsii.String(name)
	alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(id), props)
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(sink.topic))
	sink.alarms = append(sink.alarms, b.stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("cloudwatch"),
		Resource:     jsii.String("alarm"),
		ResourceName: jsii.String(name),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	}))
	return alarm
}

// allowAlarms lets CloudWatch publish the stack's alarms to the topic and use its key, each on
// behalf of this account's alarms only (the confused-deputy conditions aws:SourceAccount and
// aws:SourceArn).
//
// Topic: a topic policy replaces SNS's default one, and EnforceSSL makes a policy with only its
// deny-without-TLS statement, so nothing would allow CloudWatch to publish and every alarm
// notification would be refused: "Resource: arn:aws:cloudwatch:...:alarm:NAME is not authorized
// to perform: SNS:Publish" (AWS re:Post knowledge center, "cloudwatch-receive-sns-for-alarm-
// trigger", whose fix is this statement: Principal cloudwatch.amazonaws.com, sns:Publish, and
// ArnLike aws:SourceArn on the alarm ARNs).
//
// Key: CloudWatch must be allowed kms:Decrypt and kms:GenerateDataKey* on a customer managed key
// to publish to a topic encrypted with it; the AWS managed aws/sns key cannot be used (Amazon
// SNS developer guide, "Key management", "Enable compatibility between event sources from AWS
// services and encrypted topics"). UNCONFIRMED: that guide shows the statement without
// conditions; AWS's Modern Data Architecture Accelerator puts aws:SourceAccount and aws:SourceArn
// on it (grantCloudWatchAlarmsTopicAccess, whose documentation says both keys are present in
// CloudWatch's KMS requests, unlike EventBridge's), and so does this stack.
func (b *stackBuilder) allowAlarms(sink *alarmSink) {
	if len(sink.alarms) == 0 {
		return
	}
	conditions := &map[string]interface{}{
		"StringEquals": map[string]interface{}{"aws:SourceAccount": b.stack.Account()},
		"ArnLike":      map[string]interface{}{"aws:SourceArn": sink.alarms},
	}
	cloudWatch := &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(cloudWatchService), nil)}
	sink.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: cloudWatch,
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*sink.topic.TopicArn()),
		Conditions: conditions,
	}))
	sink.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsUseKey"),
		Principals: cloudWatch,
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: conditions,
	}), nil)
}

// whenAny is an alarm that goes off when metric reaches 1 in one period, and treats missing data
// (nothing happened) as fine.
func whenAny(description string, metric awscloudwatch.IMetric) *awscloudwatch.AlarmProps {
	return &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}
}

// executionsAlarm alarms on failed and timed-out executions.
func (b *stackBuilder) executionsAlarm(sink *alarmSink, sm awsstepfunctions.StateMachine) {
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
	b.addAlarm(sink, "ExecutionsFailedAlarm", "executions-failed", whenAny(
		"dzonboard: an onboarding execution failed or timed out. Open the execution in the Step Functions console; its Fail state's Error and Cause say what to fix.",
		failures))
}
