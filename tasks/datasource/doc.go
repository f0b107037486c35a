// Package datasource holds the two task workers of the data source stage: [Ensure]
// (EnsureDataSource) finds or creates the project's Glue data source and waits until it is READY,
// and [Run] (RunDataSource) starts, adopts or reuses a data source run, waits for it to end and
// turns every onboarded table's run activity into its asset ID, or into a named error that says
// how to fix it.
//
// Both are wait-loop tasks: each invocation does what it can now and returns the Work with
// Poll.Done set, or the next wait from the stage's workflow.PollPolicy. Re-invoking either with the
// same Work is harmless: lookups come first, and creates and starts carry deterministic client
// tokens derived from the execution name.
package datasource
