package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// skew is how much earlier than our recorded start a crawl may report its start and still count.
const skew = time.Second

// Check is the CheckCrawl task: one poll of the crawl wait loop.
type Check struct {
	glue awsapi.CrawlerAPI
	now  func() time.Time
}

// NewCheck returns the CheckCrawl task.
func NewCheck(g awsapi.CrawlerAPI, now func() time.Time) *Check {
	return &Check{glue: g, now: now}
}

// Handle reads the crawler once. The crawl is done only when the crawler is READY and its
// LastCrawl began no earlier than w.Crawl.StartedAt (less one second): a READY crawler whose
// LastCrawl is older is still reporting the previous crawl. A done crawl that SUCCEEDED ends the
// loop (Poll.Done) with its status and summary; FAILED or CANCELLED is a
// *workflow.CrawlFailedError. Not done, it returns the next poll of workflow.CrawlPolicy, or the
// policy's *workflow.WaitTimeoutError once waiting longer would pass its timeout.
func (c *Check) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	name := w.Plan.CrawlerName
	if w.Crawl == nil {
		return w, &workflow.ServiceError{Op: "check crawler " + name, Err: fmt.Errorf("no crawl was started: StartCrawl must run before CheckCrawl")}
	}
	out, err := c.glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
	if err != nil {
		return w, awsapi.Classify("get crawler "+name, err)
	}
	now := c.now()
	state := crawlerState(out.Crawler)
	var last *gluetypes.LastCrawlInfo
	if out.Crawler != nil {
		last = out.Crawler.LastCrawl
	}
	if state != gluetypes.CrawlerStateReady || !counts(last, w.Crawl.StartedAt) {
		still := fmt.Sprintf("crawler %s is %s", name, state)
		if state == gluetypes.CrawlerStateReady {
			still += " but has not begun our crawl yet"
		}
		poll, err := workflow.CrawlPolicy.Next(w.Poll, now, still)
		if err != nil {
			return w, err
		}
		w.Poll = poll
		slog.InfoContext(ctx, "crawl not finished", "crawler", name, "state", string(state), "waitSeconds", poll.WaitSeconds)
		return w, nil
	}

	switch last.Status {
	case gluetypes.LastCrawlStatusSucceeded:
	case gluetypes.LastCrawlStatusFailed, gluetypes.LastCrawlStatusCancelled:
		return w, &workflow.CrawlFailedError{Crawler: name, Status: string(last.Status), Message: aws.ToString(last.ErrorMessage)}
	default:
		return w, &workflow.CrawlFailedError{Crawler: name, Status: string(last.Status), Message: "Glue reported a crawl status this workflow does not know."}
	}

	crawl := *w.Crawl
	crawl.Status = string(last.Status)
	crawl.Summary = c.summary(ctx, name, crawl.StartedAt)
	w.Crawl = &crawl
	w.Poll = workflow.CrawlPolicy.Done(w.Poll)
	w.EndStage(stage, now)
	slog.InfoContext(ctx, "crawl finished", "crawler", name, "status", crawl.Status, "summary", crawl.Summary)
	return w, nil
}

// counts reports whether last is a crawl that began at or after started (less skew).
func counts(last *gluetypes.LastCrawlInfo, started time.Time) bool {
	return last != nil && last.StartTime != nil && !last.StartTime.Before(started.Add(-skew))
}

// summary is the Summary of the newest crawl that counts, or "" when Glue gives none. It is only
// informative, so a failure to list crawls is logged, not returned.
func (c *Check) summary(ctx context.Context, name string, started time.Time) string {
	crawls, err := listCrawls(ctx, c.glue, name)
	if err != nil {
		slog.WarnContext(ctx, "cannot read the crawl summary", "crawler", name, "error", err.Error())
		return ""
	}
	h := newest(crawls, "")
	if h == nil || h.StartTime == nil || h.StartTime.Before(started.Add(-skew)) {
		return ""
	}
	return strings.TrimSpace(aws.ToString(h.Summary))
}
