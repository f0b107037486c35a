package crawl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/crawl"
	"github.com/dzonboard/dzonboard/workflow"
)

func TestMain(m *testing.M) { tasktest.Main(m) }

// env is one test's sandbox, clients and the Work Preflight made.
type env struct {
	tasktest.Env
	w workflow.Work
}

// start starts a sandbox with the named world (the crawler of the registered world has every
// grant it needs, so its crawls succeed) and runs Preflight for the default input.
func start(t *testing.T, world string, faults []sandbox.FaultRule) env {
	t.Helper()
	e := tasktest.Start(t, world, nil, sandbox.Options{Faults: faults})
	return env{Env: e, w: tasktest.Preflight(t, e, tasktest.Input())}
}

func (e env) task(g awsapi.CrawlerAPI) *crawl.Task { return crawl.New(g, tasktest.Clock(e.SB)) }

// startCrawler starts the crawler as someone else would.
func (e env) startCrawler(t *testing.T) {
	t.Helper()
	if _, err := e.C.Glue.StartCrawler(context.Background(), &glue.StartCrawlerInput{Name: aws.String(tasktest.CrawlerName)}); err != nil {
		t.Fatalf("start crawler: %v", err)
	}
}

// starts counts the StartCrawler calls that succeeded in the journal from index from on.
func (e env) starts(from int) int {
	n := 0
	for _, j := range e.SB.Journal()[from:] {
		if j.Op == "StartCrawler" && j.Error == "" {
			n++
		}
	}
	return n
}

// The crawl of the registered world takes 5 s to start and 75 s to run: 80 s in all.
const crawlTime = 80 * time.Second

func TestCrawl(t *testing.T) {
	cases := []struct {
		name        string
		world       string
		faults      []sandbox.FaultRule
		before      func(t *testing.T, e env) // before the first invocation
		wantStarts  int                       // StartCrawler calls the task makes that succeed
		wantAdopted bool
		wantCalls   int           // invocations until done
		wantTime    time.Duration // the stage's time, from the first invocation to done
		wantErr     error         // a named error type
		check       func(t *testing.T, w workflow.Work)
	}{
		{
			name: "started, and noticed within seconds of its end", world: "registered",
			wantStarts: 1, wantCalls: 2, wantTime: crawlTime,
			check: func(t *testing.T, w workflow.Work) {
				if w.Crawl.Status != "SUCCEEDED" || w.Crawl.Summary != "tables: 1 added" || !w.Crawl.Previous.IsZero() {
					t.Errorf("crawl = %+v, want SUCCEEDED with the summary \"tables: 1 added\", no previous crawl", w.Crawl)
				}
			},
		},
		{
			name: "a stale LastCrawl does not count", world: "registered",
			before: func(t *testing.T, e env) {
				e.startCrawler(t)
				e.SB.Advance(2 * time.Minute) // a previous crawl, SUCCEEDED, READY again
			},
			wantStarts: 1, wantCalls: 2, wantTime: crawlTime,
			check: func(t *testing.T, w workflow.Work) {
				if w.Crawl.Previous.IsZero() {
					t.Errorf("crawl = %+v, want the previous crawl's start recorded", w.Crawl)
				}
			},
		},
		{
			name: "a running crawl is adopted", world: "registered",
			before: func(t *testing.T, e env) {
				e.startCrawler(t)
				e.SB.Advance(20 * time.Second) // RUNNING since +5 s, 60 s to go
			},
			wantAdopted: true, wantCalls: 1, wantTime: 60 * time.Second,
			check: func(t *testing.T, w workflow.Work) {
				if w.Crawl.StartedAt.IsZero() {
					t.Errorf("crawl = %+v, want the running crawl's start from ListCrawls", w.Crawl)
				}
			},
		},
		{
			name: "a crawl not running yet (StartCrawler says running) is adopted", world: "registered",
			before:      func(t *testing.T, e env) { e.startCrawler(t) },
			wantAdopted: true, wantCalls: 2, wantTime: crawlTime,
		},
		{
			name: "the crawler fails: CrawlFailedError", world: "crawler-fails",
			wantStarts: 1, wantErr: &workflow.CrawlFailedError{},
		},
		{
			name: "a Lake Formation-enforced database without grants: CrawlFailedError", world: "default",
			wantStarts: 1, wantErr: &workflow.CrawlFailedError{},
		},
		{
			name: "a throttled StartCrawler is transient", world: "registered",
			faults:  []sandbox.FaultRule{{Service: "glue", Op: "StartCrawler", Kind: "throttle", Rate: 1}},
			wantErr: &workflow.TransientError{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, tc.world, tc.faults)
			if tc.before != nil {
				tc.before(t, e)
			}
			t0 := e.SB.Now()
			before := len(e.SB.Journal())
			w, calls, err := tasktest.Drive(t, e.SB, e.task(e.C.Glue).Handle, e.w, 20)
			if n := e.starts(before); n != tc.wantStarts {
				t.Errorf("the task started %d crawls, want %d", n, tc.wantStarts)
			}
			if tc.wantErr != nil {
				tasktest.WantError(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Crawl.Adopted != tc.wantAdopted || calls != tc.wantCalls {
				t.Errorf("crawl %+v after %d invocations; want adopted %v after %d", w.Crawl, calls, tc.wantAdopted, tc.wantCalls)
			}
			tm := w.Timings[len(w.Timings)-1]
			if tm.Stage != workflow.TaskCrawl || !tm.StartedAt.Equal(t0) || tm.EndedAt.Sub(tm.StartedAt) != tc.wantTime {
				t.Errorf("timing %+v, want the Crawl stage from %v over %v", tm, t0, tc.wantTime)
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

func TestCrawlFailure(t *testing.T) {
	e := start(t, "crawler-fails", nil)
	_, _, err := tasktest.Drive(t, e.SB, e.task(e.C.Glue).Handle, e.w, 5)
	var failed *workflow.CrawlFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("error = %v, want *workflow.CrawlFailedError", err)
	}
	if failed.Crawler != tasktest.CrawlerName || failed.Status != "FAILED" || failed.Message == "" {
		t.Errorf("error = %+v, want the crawler, FAILED and Glue's message", failed)
	}
}

func TestCrawlTimeout(t *testing.T) {
	e := start(t, "registered", nil)
	w, err := e.task(e.C.Glue).Handle(context.Background(), e.w)
	if err != nil || w.Poll.Done {
		t.Fatalf("first invocation: %+v %v", w.Poll, err)
	}
	e.SB.Advance(time.Minute) // the crawl has ended, but the loop has seen no progress for long
	w.Poll.Since = w.Poll.Since.Add(-3 * time.Hour)
	w.Poll.Progressed = w.Poll.Since
	stuck := stuckAPI{e.C.Glue}
	_, err = e.task(stuck).Handle(context.Background(), w)
	var timeout *workflow.WaitTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("error = %v, want *workflow.WaitTimeoutError", err)
	}
	if timeout.Stage != workflow.TaskCrawl || !strings.Contains(timeout.Still, "crawler "+tasktest.CrawlerName+": RUNNING") {
		t.Errorf("timeout = %+v, want the Crawl stage and what is not done", timeout)
	}
}

// A retried first invocation (the first one's answer lost after it started the crawler) adopts
// the crawl the first one started instead of starting another.
func TestCrawlRetried(t *testing.T) {
	e := start(t, "registered", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 31*time.Second) // stops after its first look
	defer cancel()
	if _, err := e.task(e.C.Glue).Handle(ctx, e.w); err != nil {
		t.Fatal(err)
	}
	e.SB.Advance(20 * time.Second)
	before := len(e.SB.Journal())
	again, _, err := tasktest.Drive(t, e.SB, e.task(e.C.Glue).Handle, e.w, 5)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.starts(before); n != 0 {
		t.Errorf("the retry started %d crawls, want 0 (the crawler is RUNNING)", n)
	}
	if !again.Crawl.Adopted || again.Crawl.Status != "SUCCEEDED" || !tasktest.StageEnded(again, workflow.TaskCrawl) {
		t.Errorf("retry crawl = %+v, timings %+v; want adopted and done", again.Crawl, again.Timings)
	}
}

func TestCrawlMissingCrawler(t *testing.T) {
	e := start(t, "registered", nil)
	e.w.Plan.CrawlerName = "gone"
	_, err := e.task(e.C.Glue).Handle(context.Background(), e.w)
	var se *workflow.ServiceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "get crawler gone") {
		t.Fatalf("error = %v, want *workflow.ServiceError naming the crawler", err)
	}
}

func TestCrawlNearDeadline(t *testing.T) {
	e := start(t, "registered", nil)
	tasktest.NearDeadline(t, e.SB, e.task(e.C.Glue).Handle, e.w)
}

// stoppingAPI is the real client whose crawler reports STOPPING for the first reads, a state the
// sandbox's crawler never takes (nothing stops it).
type stoppingAPI struct {
	awsapi.CrawlerAPI
	reads *int
}

func (s stoppingAPI) GetCrawler(ctx context.Context, in *glue.GetCrawlerInput, opts ...func(*glue.Options)) (*glue.GetCrawlerOutput, error) {
	out, err := s.CrawlerAPI.GetCrawler(ctx, in, opts...)
	if *s.reads++; err == nil && *s.reads <= 3 {
		out.Crawler.State = gluetypes.CrawlerStateStopping
	}
	return out, err
}

// A STOPPING crawler is waited for, then started.
func TestCrawlStopping(t *testing.T) {
	e := start(t, "registered", nil)
	before := len(e.SB.Journal())
	reads := 0
	w, _, err := tasktest.Drive(t, e.SB, e.task(stoppingAPI{e.C.Glue, &reads}).Handle, e.w, 5)
	if err != nil || w.Crawl.Status != "SUCCEEDED" {
		t.Fatalf("crawl %+v, %v; want SUCCEEDED", w.Crawl, err)
	}
	if n := e.starts(before); n != 1 || reads < 4 {
		t.Errorf("%d starts after %d reads, want 1 start after the 3 STOPPING reads", n, reads)
	}
}

// stuckAPI is the real client whose crawler never finishes.
type stuckAPI struct{ awsapi.CrawlerAPI }

func (s stuckAPI) GetCrawler(ctx context.Context, in *glue.GetCrawlerInput, opts ...func(*glue.Options)) (*glue.GetCrawlerOutput, error) {
	out, err := s.CrawlerAPI.GetCrawler(ctx, in, opts...)
	if err == nil {
		out.Crawler.State = gluetypes.CrawlerStateRunning
	}
	return out, err
}
