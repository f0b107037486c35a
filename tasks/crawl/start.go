package crawl

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// start starts our crawl when the crawler is READY, or adopts the one it is RUNNING; a STOPPING
// crawler is waited for. It records the start of the crawler's LastCrawl from this same read, so
// that only a crawl that began after it counts.
func (t *Task) start(ctx context.Context, w *workflow.Work, cr *gluetypes.Crawler) (string, *workflow.CrawlFailedError, error) {
	name := w.Plan.CrawlerName
	var previous time.Time
	if cr.LastCrawl != nil {
		previous = aws.ToTime(cr.LastCrawl.StartTime)
	}
	switch cr.State {
	case gluetypes.CrawlerStateReady:
		now := t.clock.Now()
		_, err := t.glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(name)})
		var running *gluetypes.CrawlerRunningException
		switch {
		case err == nil:
			w.Crawl = &workflow.CrawlState{Previous: previous, StartedAt: now}
			slog.InfoContext(ctx, "crawler started", "crawler", name, "previousCrawl", previous)
			return notBegun, nil, nil
		case errors.As(err, &running):
			// Started by someone else, or by an earlier attempt of this task whose answer was
			// lost, between our read and our start: wait for that crawl.
			return t.adopt(ctx, w, previous)
		default:
			return "", nil, awsapi.Classify("start crawler "+name, err)
		}
	case gluetypes.CrawlerStateRunning:
		return t.adopt(ctx, w, previous)
	}
	slog.InfoContext(ctx, "crawler busy; will start it once it is READY", "crawler", name, "state", string(cr.State))
	return string(cr.State), nil, nil
}

// adopt waits for the crawl the crawler is running (or about to run): the newest RUNNING crawl
// that ListCrawls lists gives its start, which is only informative; the crawl counts once the
// crawler's LastCrawl began after previous.
func (t *Task) adopt(ctx context.Context, w *workflow.Work, previous time.Time) (string, *workflow.CrawlFailedError, error) {
	name := w.Plan.CrawlerName
	out, err := t.glue.ListCrawls(ctx, &glue.ListCrawlsInput{
		CrawlerName: aws.String(name),
		Filters: []gluetypes.CrawlsFilter{{
			FieldName: gluetypes.FieldNameState, FilterOperator: gluetypes.FilterOperatorEq,
			FieldValue: aws.String(string(gluetypes.CrawlerHistoryStateRunning)),
		}},
	})
	if err != nil {
		return "", nil, awsapi.Classify("list the running crawls of crawler "+name, err)
	}
	c := &workflow.CrawlState{Previous: previous, Adopted: true}
	for _, h := range out.Crawls {
		if h.State == gluetypes.CrawlerHistoryStateRunning && aws.ToTime(h.StartTime).After(c.StartedAt) {
			c.StartedAt = aws.ToTime(h.StartTime)
		}
	}
	w.Crawl = c
	slog.InfoContext(ctx, "crawler already running: adopting its crawl", "crawler", name, "startedAt", c.StartedAt, "previousCrawl", previous)
	return string(gluetypes.CrawlerStateRunning), nil, nil
}

// summary is the Summary of the crawl that began at started, from the first page of ListCrawls,
// in a few words (describeSummary), or "" when Glue gives none. It is only informative, so a
// failure to list is logged.
func (t *Task) summary(ctx context.Context, name string, started time.Time) string {
	out, err := t.glue.ListCrawls(ctx, &glue.ListCrawlsInput{CrawlerName: aws.String(name)})
	if err != nil {
		slog.WarnContext(ctx, "cannot read the crawl summary", "crawler", name, "error", err.Error())
		return ""
	}
	for _, h := range out.Crawls {
		if aws.ToTime(h.StartTime).Equal(started) {
			return describeSummary(strings.TrimSpace(aws.ToString(h.Summary)))
		}
	}
	return ""
}
