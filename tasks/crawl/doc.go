// Package crawl is the Crawl task of the onboarding workflow: on the first look of its wait loop
// it starts the existing Glue crawler (or adopts the crawl already running), then waits until that
// crawl has finished.
//
// The point of the stage is the stale-LastCrawl rule (aws-reference.md §1): right after
// StartCrawler the crawler can still report READY with the previous crawl. So the task records
// the start of the crawler's LastCrawl before it starts one, and the crawl is over only when the
// crawler is READY with a LastCrawl that began after that: the crawler's own times are compared
// with each other, never with this workflow's clock.
package crawl
