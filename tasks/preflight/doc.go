// Package preflight holds the first task of the onboarding workflow. Preflight validates the
// execution input and reads (never changes) the account: the DataZone domain, the producer and
// consumer environments and their provisioned resources, the DefaultDataLake blueprint's
// manage-access role, project membership, the Glue crawler, database and tables, and Lake
// Formation administration. It reports every problem it finds at once, each with its fix, in a
// *workflow.PreflightError; otherwise it returns the Work whose Plan every later task follows.
package preflight
