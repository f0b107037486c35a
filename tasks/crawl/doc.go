// Package crawl holds the crawl stage of the onboarding workflow: StartCrawl starts the existing
// Glue crawler (or adopts the crawl already running) and CheckCrawl, called from the state
// machine's Wait -> Check -> Choice loop, reports when a crawl that began at or after that start
// has finished.
//
// The point of the stage is the stale-LastCrawl rule (aws-reference.md §1): right after
// StartCrawler the crawler can still report READY with the previous crawl, so a crawl only counts
// when the crawler is READY and LastCrawl.StartTime is no earlier than the recorded start (less one
// second of clock skew).
package crawl
