// Package stacktest gives tests the onboarding stack's CloudFormation template as `make synth`
// writes it: infra.NewOnboardingStack with cdk.json's context and a placeholder task binary,
// synthesized once per test binary. It also rewrites a template the way a test needs it: without
// one IAM action, or with the grants that can never take effect (an action without resource type
// granted on an ARN) moved to Resource "*", as the stack must write them.
//
// It imports the CDK (jsii starts a Node.js process), so only tests that run the deployed stack
// should use it; their TestMain calls Close after the tests.
package stacktest
