// Package progress shows how an execution of the onboarding workflow advances, one line per
// state event, for both `dzonboard run-local` (simulated time from the sandbox's clock) and
// `dzonboard follow` (the execution history of a real Step Functions execution).
//
// The local runner and the history follower turn what they see into [Event] values; a
// [Renderer] writes them. On a terminal the renderer redraws the line of the state in progress;
// otherwise it writes one plain line per event, so the output can be logged and tested:
//
//	+00:01:35  Check crawl  succeeded  crawl SUCCEEDED
//
// [Summarize], [FailureDetail] and [CauseMessage] build the Detail of an event the same way for
// both sources.
package progress
