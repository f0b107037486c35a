// Command dzonboard runs and inspects the dzonboard onboarding workflow.
//
//	dzonboard run-local --input FILE [--world FILE] [--faults SPEC] [--seed N] [--json]
//	dzonboard validate --input FILE
//	dzonboard graph
//	dzonboard sandbox serve [--addr 127.0.0.1:0] [--world FILE] [--faults SPEC] [--seed N] [--speed N]
//	dzonboard start --state-machine-arn ARN --input FILE [--name NAME] [--follow]
//	dzonboard follow --execution-arn ARN [--exit-status]
//
// run-local runs statemachine.asl.json with the real task handlers against the local sandbox
// (no AWS account); start and follow use a deployed state machine in AWS. Results go to stdout
// and progress to stderr, one line per state event (redrawn in place on a terminal).
//
// Exit status: 0 success, 1 failure (a failed execution, an invalid input), 2 bad usage.
package main
