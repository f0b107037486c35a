package crawl

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/internal/waitloop"
	"github.com/dzonboard/dzonboard/workflow"
)

// The statuses of the crawl, as this task reports them: the crawler's state while our crawl is not
// over (READY only until the crawl starts), then the crawl's LastCrawl status.
const notBegun = "READY (our crawl has not begun)"

var statuses = waitloop.Statuses{
	Pending: []string{notBegun, string(gluetypes.CrawlerStateRunning), string(gluetypes.CrawlerStateStopping)},
	Target:  []string{string(gluetypes.LastCrawlStatusSucceeded)},
	Failed:  []string{string(gluetypes.LastCrawlStatusFailed), string(gluetypes.LastCrawlStatusCancelled)},
}

// Task is the Crawl task.
type Task struct {
	glue  awsapi.CrawlerAPI
	clock waitloop.Clock
}

// New returns the Crawl task.
func New(g awsapi.CrawlerAPI, clock waitloop.Clock) *Task {
	return &Task{glue: g, clock: clock}
}

// Handle starts the crawler of w.Plan on the first look (adopting a crawl already running) and
// looks until that crawl is over: SUCCEEDED ends the loop with the crawl's status and summary,
// FAILED or CANCELLED is a *workflow.CrawlFailedError. A STOPPING crawler is waited for, then
// started.
func (t *Task) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	name := w.Plan.CrawlerName
	if w.Crawl != nil {
		c := *w.Crawl
		w.Crawl = &c
	}
	var failure *workflow.CrawlFailedError
	err := waitloop.Run(ctx, t.clock, &w, waitloop.Stage{
		Name:     workflow.TaskCrawl,
		Statuses: statuses,
		Items:    func() int { return 1 },
		Noun:     "crawl",
		Step: func(ctx context.Context, _ int) (waitloop.Step, error) {
			status, f, err := t.look(ctx, &w)
			failure = f
			return waitloop.Step{Status: status, What: "crawler " + name}, err
		},
		Fail: func([]workflow.Problem) error { return failure },
	})
	return w, err
}

// look reads the crawler once: it starts our crawl when there is none yet and the crawler is
// READY, and otherwise says where our crawl is. A finished crawl records its status and summary.
func (t *Task) look(ctx context.Context, w *workflow.Work) (string, *workflow.CrawlFailedError, error) {
	name := w.Plan.CrawlerName
	out, err := t.glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
	if err != nil {
		return "", nil, awsapi.Classify("get crawler "+name, err)
	}
	cr := out.Crawler
	if cr == nil {
		cr = &gluetypes.Crawler{}
	}
	if w.Crawl == nil {
		return t.start(ctx, w, cr)
	}
	last := cr.LastCrawl
	if cr.State != gluetypes.CrawlerStateReady || !after(last, w.Crawl.Previous) {
		if cr.State == gluetypes.CrawlerStateReady {
			return notBegun, nil, nil
		}
		return string(cr.State), nil, nil
	}
	c := w.Crawl
	c.Status = string(last.Status)
	if last.Status != gluetypes.LastCrawlStatusSucceeded {
		msg := aws.ToString(last.ErrorMessage)
		if _, known := statuses.Of(c.Status); !known {
			msg = "Glue reported a crawl status this workflow does not know. " + msg
		}
		return string(gluetypes.LastCrawlStatusFailed), &workflow.CrawlFailedError{Crawler: name, Status: c.Status, Message: msg}, nil
	}
	c.Summary = t.summary(ctx, name, aws.ToTime(last.StartTime))
	slog.InfoContext(ctx, "crawl finished", "crawler", name, "status", c.Status, "summary", c.Summary)
	return c.Status, nil, nil
}

// after reports whether last is a crawl that began after previous (any crawl, when previous is
// zero: the crawler had never finished one).
func after(last *gluetypes.LastCrawlInfo, previous time.Time) bool {
	return last != nil && last.StartTime != nil && last.StartTime.After(previous)
}
