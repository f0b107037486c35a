// Package verify is the VerifyQueries task: it proves with Athena that every subscribed table can
// be queried from each environment's subscription database by the environment's own role, that
// it holds enough rows and that its columns are the Glue table's, and it runs the input's own
// queries in the producer environment.
//
// The queries run with the environment's credentials from DataZone GetEnvironmentCredentials.
// Those credentials live only in local variables of one invocation: they never reach the Work,
// an error or a log line. It is a wait-loop task: each invocation starts at most 20 queries,
// reads the outcome of those already started, and returns whether everything has finished.
package verify
