package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/workflow"
)

// stage is the timing name of the crawl stage.
const stage = "crawl"

// Start is the StartCrawl task: it starts the crawler, or adopts the crawl already running.
type Start struct {
	glue awsapi.CrawlerAPI
	now  func() time.Time
}

// NewStart returns the StartCrawl task.
func NewStart(g awsapi.CrawlerAPI, now func() time.Time) *Start {
	return &Start{glue: g, now: now}
}

// Handle starts the crawler of w.Plan when it is READY and records the start time; when a crawl
// is already running (RUNNING, or StartCrawler says so) it adopts that crawl, taking its start
// time from ListCrawls. A STOPPING crawler is a *workflow.TransientError: the state machine
// retries until it is READY. The returned Work begins the crawl wait loop.
func (s *Start) Handle(ctx context.Context, w workflow.Work) (workflow.Work, error) {
	name := w.Plan.CrawlerName
	out, err := s.glue.GetCrawler(ctx, &glue.GetCrawlerInput{Name: aws.String(name)})
	if err != nil {
		return w, awsapi.Classify("get crawler "+name, err)
	}
	state := crawlerState(out.Crawler)

	var crawl workflow.CrawlState
	switch state {
	case gluetypes.CrawlerStateReady:
		t0 := s.now()
		_, err := s.glue.StartCrawler(ctx, &glue.StartCrawlerInput{Name: aws.String(name)})
		var running *gluetypes.CrawlerRunningException
		switch {
		case err == nil:
			crawl = workflow.CrawlState{StartedAt: t0}
			slog.InfoContext(ctx, "crawler started", "crawler", name, "startedAt", t0)
		case errors.As(err, &running):
			// Started by someone else (or by an earlier attempt of this task) between our read
			// and our start: wait for that crawl.
			crawl, err = s.adopt(ctx, name, t0)
			if err != nil {
				return w, err
			}
		default:
			return w, awsapi.Classify("start crawler "+name, err)
		}
	case gluetypes.CrawlerStateRunning:
		crawl, err = s.adopt(ctx, name, s.now())
		if err != nil {
			return w, err
		}
	default: // STOPPING, or a state this client does not know: wait for READY
		return w, &workflow.TransientError{
			Op:  "start crawler " + name,
			Err: fmt.Errorf("the crawler is %s; it can be started once it is READY again", state),
		}
	}

	now := s.now()
	w.Crawl = &crawl
	w.Poll = workflow.CrawlPolicy.Begin(now)
	w.BeginStage(stage, now)
	return w, nil
}

// adopt records the running crawl: its start time from ListCrawls (the newest RUNNING entry), or
// fallback when Glue does not list it yet (a crawl that has not begun running starts later).
func (s *Start) adopt(ctx context.Context, name string, fallback time.Time) (workflow.CrawlState, error) {
	crawls, err := listCrawls(ctx, s.glue, name)
	if err != nil {
		return workflow.CrawlState{}, awsapi.Classify("list crawls of crawler "+name, err)
	}
	started := fallback
	if c := newest(crawls, gluetypes.CrawlerHistoryStateRunning); c != nil && c.StartTime != nil {
		started = *c.StartTime
	}
	slog.InfoContext(ctx, "crawler already running: adopting its crawl", "crawler", name, "startedAt", started)
	return workflow.CrawlState{StartedAt: started, Adopted: true}, nil
}

// crawlerState is the crawler's State ("" when Glue returned no crawler).
func crawlerState(c *gluetypes.Crawler) gluetypes.CrawlerState {
	if c == nil {
		return ""
	}
	return c.State
}
