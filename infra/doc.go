// Package infra is the dzonboard CDK app: one Lambda function per workflow task (all from the one
// bootstrap binary that `make lambda` builds), the three least-privilege roles they run as, the
// state machine built from the embedded statemachine.asl.json, the deploy-time DataZone project
// memberships and Lake Formation administrator setup, an optional schedule with its dead-letter
// queue, and alarms that publish to an encrypted topic CloudWatch is allowed to use.
//
// Nothing in the IAM policies is written by hand: each role is allowed exactly the actions that
// tasks/awsapi says its tasks call (awsapi.Actions), each on the narrowest resource IAM can match
// for the action (scopes.go, internal/iamref), and the tests check both directions.
// infra/templatecheck holds the checks of the synthesized template (no dead grant, alarm
// delivery, partition, schedule failures). No permissions boundary is created, changed or
// removed anywhere.
//
// Deploy-time configuration comes from CDK context (cdk.json or `-c key=value`); see config.go
// and the deploy section of the README. cdk-nag's AwsSolutions checks run on every synth
// (CheckAwsSolutions); each suppression names the findings it applies to and why.
package infra
