package progress_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/progress"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestRendererPlain(t *testing.T) {
	tests := []struct {
		name   string
		events []progress.Event
		done   []string // status, error, cause; nil: no Done
		want   string
	}{
		{
			name: "one line per event, times relative to the start",
			events: []progress.Event{
				{Time: at(0), State: "Preflight", Type: progress.Entered},
				{Time: at(2 * time.Second), State: "Preflight", Type: progress.Succeeded},
				{Time: at(65 * time.Second), State: "Wait for crawl", Type: progress.Waiting, Detail: "30s"},
				{Time: at(95 * time.Second), State: "Check crawl", Type: progress.Succeeded, Detail: "crawler READY"},
				{Time: at(26*time.Hour + 3*time.Minute + 4*time.Second), State: "Report", Type: progress.Succeeded},
			},
			want: "+00:00:00  Preflight  entered\n" +
				"+00:00:02  Preflight  succeeded\n" +
				"+00:01:05  Wait for crawl  waiting  30s\n" +
				"+00:01:35  Check crawl  succeeded  crawler READY\n" +
				"+26:03:04  Report  succeeded\n",
		},
		{
			name: "events before the start show as +00:00:00, fractions are cut",
			events: []progress.Event{
				{Time: t0.Add(-time.Minute), State: "A", Type: progress.Entered},
				{Time: at(1999 * time.Millisecond), State: "A", Type: progress.Retry, Detail: "attempt 2 after TransientError"},
			},
			want: "+00:00:00  A  entered\n+00:00:01  A  retry  attempt 2 after TransientError\n",
		},
		{
			name:   "success ends with the status at the last event's time",
			events: []progress.Event{{Time: at(42*time.Minute + 10*time.Second), State: "Onboarded", Type: progress.Succeeded}},
			done:   []string{"SUCCEEDED", "", ""},
			want:   "+00:42:10  Onboarded  succeeded\n+00:42:10  SUCCEEDED\n",
		},
		{
			name:   "failure prints the error and the Lambda cause's message, indented",
			events: []progress.Event{{Time: at(3 * time.Second), State: "Onboarding failed", Type: progress.Failed, Detail: "PreflightError"}},
			done: []string{"FAILED", "PreflightError",
				`{"errorMessage":"the account is not ready for onboarding (2 problems):\n- a Fix: b\n- c","errorType":"PreflightError"}`},
			want: "+00:00:03  Onboarding failed  failed  PreflightError\n" +
				"+00:00:03  FAILED  PreflightError\n" +
				"  the account is not ready for onboarding (2 problems):\n  - a Fix: b\n  - c\n",
		},
		{
			name: "a cause that is not JSON is printed as it is",
			done: []string{"FAILED", "States.Timeout", "The execution timed out."},
			want: "+00:00:00  FAILED  States.Timeout\n  The execution timed out.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			r := progress.NewRenderer(&b, false, t0)
			for _, e := range tt.events {
				r.Event(e)
			}
			if tt.done != nil {
				r.Done(tt.done[0], tt.done[1], tt.done[2])
			}
			if got := b.String(); got != tt.want {
				t.Errorf("output:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestRendererTTY(t *testing.T) {
	var b strings.Builder
	r := progress.NewRenderer(&b, true, t0)
	r.Event(progress.Event{Time: at(0), State: "Check crawl", Type: progress.Entered})
	r.Event(progress.Event{Time: at(time.Second), State: "Check crawl", Type: progress.Succeeded, Detail: "crawl SUCCEEDED"})
	r.Event(progress.Event{Time: at(2 * time.Second), State: "Wait for run", Type: progress.Waiting, Detail: "15s"})
	r.Done("FAILED", "CrawlFailedError", "boom")

	want := "\r\x1b[K\x1b[2m+00:00:00\x1b[0m  \x1b[1mCheck crawl\x1b[0m  \x1b[36mentered\x1b[0m" +
		"\r\x1b[K\x1b[2m+00:00:01\x1b[0m  \x1b[1mCheck crawl\x1b[0m  \x1b[32msucceeded\x1b[0m  crawl SUCCEEDED\n" +
		"\r\x1b[K\x1b[2m+00:00:02\x1b[0m  \x1b[1mWait for run\x1b[0m  \x1b[36mwaiting\x1b[0m  15s" +
		"\r\x1b[K\x1b[2m+00:00:02\x1b[0m  \x1b[1m\x1b[31mFAILED\x1b[0m  CrawlFailedError\n  boom\n"
	if got := b.String(); got != want {
		t.Errorf("output:\n%q\nwant:\n%q", got, want)
	}
}
