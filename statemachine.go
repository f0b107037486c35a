// Package dzonboard holds what the whole project shares from its root: the state machine
// definition, embedded so that the CDK stack, the local runner and the tests use the same bytes.
package dzonboard

import _ "embed"

// StateMachineASL is statemachine.asl.json: the onboarding workflow in Amazon States Language.
// Task resources are ${<Task>FunctionArn} placeholders (see workflow.Placeholder).
//
//go:embed statemachine.asl.json
var StateMachineASL []byte
