// Package e2e holds the whole-workflow tests: the real statemachine.asl.json on
// aws-local-stepfunctions, answered by the real task handlers, against the sandbox. It has no
// non-test code.
package e2e
