// Package stacktest gives tests the onboarding stack's CloudFormation template as `make synth`
// writes it: infra.NewOnboardingStack with cdk.json's context and a placeholder task binary,
// synthesized once per test binary, and the template without one IAM action, to prove that the
// action is needed.
//
// It imports the CDK (jsii starts a Node.js process), so only tests that run the deployed stack
// should use it; their TestMain calls Close after the tests.
package stacktest
