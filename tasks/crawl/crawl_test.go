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

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/awsapi"
	"github.com/dzonboard/dzonboard/tasks/crawl"
	"github.com/dzonboard/dzonboard/tasks/internal/tasktest"
	"github.com/dzonboard/dzonboard/workflow"
)

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

// startCrawler starts the crawler as someone else would.
func (e env) startCrawler(t *testing.T) {
	t.Helper()
	if _, err := e.C.Glue.StartCrawler(context.Background(), &glue.StartCrawlerInput{Name: aws.String(tasktest.CrawlerName)}); err != nil {
		t.Fatalf("start crawler: %v", err)
	}
}

// startCalls counts the StartCrawler calls in the journal from index from on.
func (e env) startCalls(from int) int {
	n := 0
	for _, j := range e.SB.Journal()[from:] {
		if j.Op == "StartCrawler" {
			n++
		}
	}
	return n
}

// step is one thing a crawl test does after StartCrawl.
type step struct {
	advance  time.Duration
	wantDone bool
	wantWait int   // Poll.WaitSeconds when not done
	wantErr  error // a named error type
}

func TestCrawl(t *testing.T) {
	cases := []struct {
		name        string
		world       string
		faults      []sandbox.FaultRule
		before      func(t *testing.T, e env) // before StartCrawl
		wantStarts  int                       // StartCrawler calls StartCrawl makes that succeed
		wantAdopted bool
		wantStart   func(e env, t0 time.Time) time.Time // the recorded StartedAt, from the time StartCrawl ran
		wantErr     error                               // from StartCrawl
		steps       []step
		check       func(t *testing.T, w workflow.Work)
	}{
		{
			name:  "started, then done after the crawl",
			world: "registered", wantStarts: 1,
			wantStart: func(e env, t0 time.Time) time.Time { return t0 },
			steps: []step{
				{advance: 30 * time.Second, wantWait: 45},
				{advance: 45 * time.Second, wantWait: 68},
				{advance: 68 * time.Second, wantDone: true},
			},
			check: func(t *testing.T, w workflow.Work) {
				if w.Crawl.Status != "SUCCEEDED" || !strings.Contains(w.Crawl.Summary, "orders") {
					t.Errorf("crawl = %+v, want SUCCEEDED with a summary naming the orders table", w.Crawl)
				}
				if tm := w.Timings[len(w.Timings)-1]; tm.Stage != "crawl" || tm.EndedAt.Sub(tm.StartedAt) != 143*time.Second {
					t.Errorf("timings = %+v, want the crawl stage over 143s", w.Timings)
				}
			},
		},
		{
			name:  "stale LastCrawl right after the start is not done",
			world: "registered",
			before: func(t *testing.T, e env) {
				e.startCrawler(t)
				e.SB.Advance(2 * time.Minute) // a previous crawl, SUCCEEDED
			},
			wantStarts: 1,
			wantStart:  func(e env, t0 time.Time) time.Time { return t0 },
			steps: []step{
				{wantWait: 45}, // READY, LastCrawl SUCCEEDED, but it began before our start
				{advance: 10 * time.Second, wantWait: 68},
				{advance: 2 * time.Minute, wantDone: true},
			},
		},
		{
			name:  "running crawl adopted with its start time",
			world: "registered",
			before: func(t *testing.T, e env) {
				e.startCrawler(t)
				e.SB.Advance(20 * time.Second) // RUNNING since +5s
			},
			wantAdopted: true,
			wantStart:   func(e env, t0 time.Time) time.Time { return t0.Add(-15 * time.Second) },
			steps:       []step{{advance: 30 * time.Second, wantWait: 45}, {advance: 45 * time.Second, wantDone: true}},
		},
		{
			name:        "crawl starting (READY, StartCrawler says running) adopted",
			world:       "registered",
			before:      func(t *testing.T, e env) { e.startCrawler(t) },
			wantAdopted: true,
			wantStart:   func(e env, t0 time.Time) time.Time { return t0 },
			steps:       []step{{advance: 90 * time.Second, wantDone: true}},
		},
		{
			name:       "crawler fails: CrawlFailedError",
			world:      "crawler-fails",
			wantStarts: 1,
			wantStart:  func(e env, t0 time.Time) time.Time { return t0 },
			steps:      []step{{advance: 90 * time.Second, wantErr: &workflow.CrawlFailedError{}}},
		},
		{
			name:       "Lake Formation-enforced database without grants: CrawlFailedError",
			world:      "default",
			wantStarts: 1,
			wantStart:  func(e env, t0 time.Time) time.Time { return t0 },
			steps:      []step{{advance: 90 * time.Second, wantErr: &workflow.CrawlFailedError{}}},
		},
		{
			name:    "throttled StartCrawler: transient",
			world:   "registered",
			faults:  []sandbox.FaultRule{{Service: "glue", Op: "StartCrawler", Kind: "throttle", Rate: 1}},
			wantErr: &workflow.TransientError{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := start(t, tc.world, tc.faults)
			if tc.before != nil {
				tc.before(t, e)
			}
			t0 := e.SB.Now()
			before := len(e.SB.Journal())
			w, err := crawl.NewStart(e.C.Glue, e.SB.Now).Handle(ctx, e.w)
			if tc.wantErr != nil {
				tasktest.WantError(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("StartCrawl: %v", err)
			}
			started := 0
			for _, j := range e.SB.Journal()[before:] {
				if j.Op == "StartCrawler" && j.Error == "" {
					started++
				}
			}
			if started != tc.wantStarts {
				t.Errorf("StartCrawl started %d crawls, want %d", started, tc.wantStarts)
			}
			if want := tc.wantStart(e, t0); !w.Crawl.StartedAt.Equal(want) || w.Crawl.Adopted != tc.wantAdopted {
				t.Errorf("crawl = %+v, want StartedAt %v, adopted %v", w.Crawl, want, tc.wantAdopted)
			}
			if w.Poll != (workflow.Poll{WaitSeconds: 30, Since: t0}) {
				t.Errorf("poll = %+v, want the crawl policy's first wait from %v", w.Poll, t0)
			}

			check := crawl.NewCheck(e.C.Glue, e.SB.Now)
			for i, s := range tc.steps {
				e.SB.Advance(s.advance)
				w, err = check.Handle(ctx, w)
				switch {
				case s.wantErr != nil:
					if err == nil || workflow.ErrorName(err) != workflow.ErrorName(s.wantErr) {
						t.Fatalf("step %d: error = %v, want a %s", i, err, workflow.ErrorName(s.wantErr))
					}
					continue
				case err != nil:
					t.Fatalf("step %d: CheckCrawl: %v", i, err)
				}
				if w.Poll.Done != s.wantDone || (!s.wantDone && w.Poll.WaitSeconds != s.wantWait) {
					t.Errorf("step %d: poll = %+v, want done %v wait %d", i, w.Poll, s.wantDone, s.wantWait)
				}
			}
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

func TestCheckCrawlFailure(t *testing.T) {
	e := start(t, "crawler-fails", nil)
	ctx := context.Background()
	w, err := crawl.NewStart(e.C.Glue, e.SB.Now).Handle(ctx, e.w)
	if err != nil {
		t.Fatal(err)
	}
	e.SB.Advance(90 * time.Second)
	_, err = crawl.NewCheck(e.C.Glue, e.SB.Now).Handle(ctx, w)
	var failed *workflow.CrawlFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("error = %v, want *workflow.CrawlFailedError", err)
	}
	if failed.Crawler != tasktest.CrawlerName || failed.Status != "FAILED" || failed.Message == "" {
		t.Errorf("error = %+v, want the crawler, FAILED and Glue's message", failed)
	}
}

func TestCheckCrawlTimeout(t *testing.T) {
	e := start(t, "registered", nil)
	ctx := context.Background()
	w, err := crawl.NewStart(e.C.Glue, e.SB.Now).Handle(ctx, e.w)
	if err != nil {
		t.Fatal(err)
	}
	w.Poll.Since = w.Poll.Since.Add(-3 * time.Hour) // waiting since long ago: the policy's timeout is 3h
	_, err = crawl.NewCheck(e.C.Glue, e.SB.Now).Handle(ctx, w)
	var timeout *workflow.WaitTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("error = %v, want *workflow.WaitTimeoutError", err)
	}
	if timeout.Stage != workflow.CrawlPolicy.Stage || !strings.Contains(timeout.Still, "crawler "+tasktest.CrawlerName+" is READY") {
		t.Errorf("timeout = %+v, want the crawl stage and what is not done", timeout)
	}
}

// TestStartCrawlRetried: a retried StartCrawl (the first attempt's output lost) adopts the crawl
// the first attempt started, with that crawl's start time, instead of starting another.
func TestStartCrawlRetried(t *testing.T) {
	e := start(t, "registered", nil)
	ctx := context.Background()
	start := crawl.NewStart(e.C.Glue, e.SB.Now)
	first, err := start.Handle(ctx, e.w)
	if err != nil {
		t.Fatal(err)
	}
	e.SB.Advance(20 * time.Second)
	before := len(e.SB.Journal())
	again, err := start.Handle(ctx, e.w)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.startCalls(before); n != 0 {
		t.Errorf("retry called StartCrawler %d times, want 0 (the crawler is RUNNING)", n)
	}
	if !again.Crawl.Adopted || !again.Crawl.StartedAt.Equal(first.Crawl.StartedAt.Add(5*time.Second)) {
		t.Errorf("retry crawl = %+v, want adopted with the running crawl's start %v", again.Crawl, first.Crawl.StartedAt.Add(5*time.Second))
	}
	e.SB.Advance(2 * time.Minute)
	done, err := crawl.NewCheck(e.C.Glue, e.SB.Now).Handle(ctx, again)
	if err != nil || !done.Poll.Done {
		t.Errorf("check after the crawl = %+v, %v; want done", done.Poll, err)
	}
	if !tasktest.StageEnded(done, "crawl") {
		t.Errorf("timings = %+v, want the crawl stage ended", done.Timings)
	}
}

func TestCheckCrawlNotStarted(t *testing.T) {
	e := start(t, "registered", nil)
	_, err := crawl.NewCheck(e.C.Glue, e.SB.Now).Handle(context.Background(), e.w)
	var se *workflow.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want *workflow.ServiceError", err)
	}
}

func TestStartCrawlMissingCrawler(t *testing.T) {
	e := start(t, "registered", nil)
	e.w.Plan.CrawlerName = "gone"
	_, err := crawl.NewStart(e.C.Glue, e.SB.Now).Handle(context.Background(), e.w)
	var se *workflow.ServiceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "get crawler gone") {
		t.Fatalf("error = %v, want *workflow.ServiceError naming the crawler", err)
	}
}

// stoppingAPI is the real client whose crawler reports STOPPING, a state the sandbox's crawler
// never takes (nothing stops it).
type stoppingAPI struct{ awsapi.CrawlerAPI }

func (s stoppingAPI) GetCrawler(ctx context.Context, in *glue.GetCrawlerInput, opts ...func(*glue.Options)) (*glue.GetCrawlerOutput, error) {
	out, err := s.CrawlerAPI.GetCrawler(ctx, in, opts...)
	if err == nil {
		out.Crawler.State = gluetypes.CrawlerStateStopping
	}
	return out, err
}

func TestStartCrawlStopping(t *testing.T) {
	e := start(t, "registered", nil)
	before := len(e.SB.Journal())
	_, err := crawl.NewStart(stoppingAPI{e.C.Glue}, e.SB.Now).Handle(context.Background(), e.w)
	var transient *workflow.TransientError
	if !errors.As(err, &transient) || !strings.Contains(err.Error(), "STOPPING") {
		t.Fatalf("error = %v, want *workflow.TransientError saying the crawler is STOPPING", err)
	}
	if n := e.startCalls(before); n != 0 {
		t.Errorf("StartCrawler called %d times, want 0", n)
	}
}
