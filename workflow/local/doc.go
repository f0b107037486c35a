// Package local runs the onboarding state machine (statemachine.asl.json) on this machine: the
// npm engine aws-local-stepfunctions interprets the ASL, and every Task state is answered by the
// real Go task handler through the same byte-level JSON contract as AWS Lambda
// (lambda.Handler.Invoke). A handler's error becomes the state's error exactly as Step Functions
// reports a Lambda error (Error = the Go type name, Cause = the Lambda error JSON), so Retry,
// Catch and the Fail state behave as in AWS.
//
// Time is virtual: every Wait state is cut to zero and its duration passed to Options.Advance
// (the sandbox's clock) before the next state runs; retry intervals are cut to zero.
//
// Each [Run] starts one `node` child process with an embedded driver script and talks to it in
// JSON lines over stdin and stdout; nothing listens on the network. Node 20 or later and the npm
// packages of the project's package.json (`npm ci`) are required.
package local
