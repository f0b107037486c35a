// Package infra is the dzonboard CDK app: one Lambda function per workflow task (all from the one
// bootstrap binary that `make lambda` builds), the three least-privilege roles they run as, the
// state machine built from the embedded statemachine.asl.json, the deploy-time DataZone project
// memberships and Lake Formation administrator setup, an optional schedule, and an alarm.
//
// Nothing in the IAM policies is written by hand: each role is allowed exactly the actions that
// tasks/awsapi says its tasks call (awsapi.Actions), each on the narrowest resource the service
// supports (scopes.go), and the tests check both directions. No permissions boundary is created,
// changed or removed anywhere.
//
// Deploy-time configuration comes from CDK context (cdk.json or `-c key=value`); see config.go
// and the deploy section of the README. cdk-nag's AwsSolutions checks run on every synth
// (CheckAwsSolutions); each suppression names the findings it applies to and why.
package infra
