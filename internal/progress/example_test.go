package progress_test

import (
	"os"
	"time"

	"github.com/dzonboard/dzonboard/internal/progress"
)

// A renderer that is not on a terminal writes one plain line per event, with times relative to
// the start of the execution, and ends with the status and the readable cause of a failure.
func ExampleRenderer() {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	r := progress.NewRenderer(os.Stdout, false, start)
	r.Event(progress.Event{Time: start, State: "Start crawl", Type: progress.Entered})
	r.Event(progress.Event{Time: start.Add(time.Second), State: "Start crawl", Type: progress.Succeeded, Detail: "crawl started"})
	r.Event(progress.Event{Time: start.Add(time.Second), State: "Wait for crawl", Type: progress.Waiting, Detail: progress.WaitDetail(30 * time.Second)})
	r.Event(progress.Event{Time: start.Add(95 * time.Second), State: "Check crawl", Type: progress.Failed,
		Detail: progress.FailureDetail("CrawlFailedError", `{"errorMessage":"crawler acme ended FAILED","errorType":"CrawlFailedError"}`)})
	r.Done("FAILED", "CrawlFailedError", `{"errorMessage":"crawler acme ended FAILED","errorType":"CrawlFailedError"}`)
	// Output:
	// +00:00:00  Start crawl  entered
	// +00:00:01  Start crawl  succeeded  crawl started
	// +00:00:01  Wait for crawl  waiting  30s
	// +00:01:35  Check crawl  failed  CrawlFailedError: crawler acme ended FAILED
	// +00:01:35  FAILED  CrawlFailedError
	//   crawler acme ended FAILED
}
