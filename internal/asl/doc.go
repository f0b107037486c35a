// Package asl is the one reader of statemachine.asl.json: its states in file order, each Task
// state's resource placeholder (the task that answers it), Task timeouts, and the duration of a
// Wait state for a given state input, read as Step Functions reads it. The CDK stack, the local
// runner and the CLI all read the definition through it.
package asl
