// Package waitloop keeps the books of a task that runs as a wait loop (task, Wait state, task, ...
// until the Choice state reads poll.done): on the loop's first invocation in an execution it records
// the stage's start and the policy's first poll in the Work, and at the end of each invocation the
// poll that tells the state machine how long to wait, or that the loop is done.
package waitloop
