// Package registry wires every task worker to its AWS clients: the Lambda entry point and the
// local runner both take their handlers from Build, so the same code answers each Task state in
// AWS and on the sandbox.
package registry
