// Package publish holds the PublishAssets task worker: it publishes every onboarded table's asset
// whose current revision has no listing yet, and waits until every listing is ACTIVE.
//
// It is a wait-loop task: each invocation handles every table that is not done yet and returns
// the Work with Poll.Done set, or the next wait of workflow.ListingPolicy. A table whose listing is
// already ACTIVE at the asset's revision costs only reads, so a repeated onboarding publishes
// nothing; each publish carries a client token derived from the execution, the asset and its
// revision, so a retried invocation publishes nothing twice.
package publish
