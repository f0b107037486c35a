// Package pace spaces calls to an AWS operation with a low rate limit (DataZone's
// AcceptSubscriptionRequest allows 3 calls a second), so that a task handling a thousand tables in
// one invocation stays under it instead of being throttled. The sleep is injected: the Lambda
// passes a context-aware real sleep, tests and the local runner one that returns at once.
package pace
