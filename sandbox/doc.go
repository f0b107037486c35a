// Package sandbox is a local, stateful emulation of the slice of an AWS account that dzonboard
// touches: Glue, Lake Formation, DataZone, Athena (real SQL over local CSV files, via DuckDB), S3
// (the world's data buckets read-only from their folders, and an in-memory bucket for the
// workflow's documents) and STS GetCallerIdentity.
//
// It speaks the real AWS wire protocols on one loopback endpoint (awsJson1_1 for Glue and Athena,
// restJson1 for Lake Formation and DataZone, awsQuery for STS, restXml for S3 through gofakes3,
// addressed by path), so the real aws-sdk-go-v2 clients run against it unchanged. Time is a virtual clock the caller controls ([Sandbox.Advance]);
// asynchronous work (crawls, data source runs, listings, grants, queries) completes as the clock
// moves. Faults (throttling, 5xx, latency, lost answers of applied calls, not-found reads right
// after a create) can be injected per operation, deterministically under a seed ([ParseFaults]),
// and every call is recorded in a journal with what it named and how it ended
// ([Sandbox.Journal] for the mutating calls, [Sandbox.WriteJournal] for JSON lines of all).
//
// The starting account is described by a [World], usually read from a JSON world file with
// [LoadWorld].
package sandbox
