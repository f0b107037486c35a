// Package verify is the VerifyQueries task: it proves with Athena that every subscribed table can
// be queried from each environment's subscription database by the environment's own role, that
// it holds enough rows and that its columns are the Glue table's, and it runs the input's own
// queries in the producer environment.
//
// The queries run with the environment's credentials from DataZone GetEnvironmentCredentials.
// Those credentials live only in local variables of one invocation: they never reach the Work,
// an error or a log line. It is a wait-loop task: each invocation starts at most 20 queries,
// reads the outcome of those already started, and returns whether everything has finished.
//
// Lake Formation grants and the service-linked role's policy reach Athena up to a minute after a
// subscription grant completes, and until then queries are denied as if the grant were missing.
// So checks that fail only with a Lake Formation or S3 access denial are started again on a later
// invocation, 30 s or more later, 3 attempts in all (Access.QueryAttempts counts them), before
// they count as failed; the user queries wait for those checks. Any other failure counts at once.
package verify
