// Package workcopy copies the parts of a workflow.Work that a task updates in place, so that Handle
// returns its result without changing the Work it was given (which the caller, or a Lambda retry,
// may still use).
package workcopy
