// Package workflow is the contract between statemachine.asl.json and the Go task workers: the
// execution input and its validation, the work document every task reads and returns, the
// execution output, the polling policy of every wait loop, client-token derivation and the named
// errors that the state machine's Retry and Catch match. It imports no AWS SDK.
package workflow
