package progress_test

import (
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/internal/progress"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name          string
		input, output string
		want          string
	}{
		{
			name:   "the plan of preflight; a task outside a wait loop is not \"not done\"",
			input:  `{"execution":"x","input":{}}`,
			output: `{"plan":{"crawlerName":"c","glueDatabase":"db","s3Location":"s3://b/p/"},"poll":{"done":false,"attempt":0,"waitSeconds":0}}`,
			want:   "crawler c, database db, location s3://b/p/",
		},
		{
			name:   "lake formation set up",
			input:  `{"plan":{}}`,
			output: `{"plan":{},"lakeFormation":{"registration":"registered","granted":["a","b","c"]}}`,
			want:   "location registered; 3 grants",
		},
		{
			name:   "crawl started, loop not done",
			input:  `{"plan":{}}`,
			output: `{"plan":{},"crawl":{"startedAt":"2026-01-05T09:00:00Z"},"poll":{"done":false,"waitSeconds":30}}`,
			want:   "crawl started; not done yet",
		},
		{
			name:   "crawl adopted",
			output: `{"crawl":{"adopted":true,"status":"RUNNING"}}`,
			want:   "adopted the running crawl",
		},
		{
			name:   "crawl finished",
			input:  `{"crawl":{"status":"RUNNING"}}`,
			output: `{"crawl":{"status":"SUCCEEDED","summary":"1 table created"},"poll":{"done":true}}`,
			want:   "crawl SUCCEEDED; 1 table created",
		},
		{
			name:   "nothing changed while polling",
			input:  `{"crawl":{"status":"RUNNING"},"poll":{"done":false,"waitSeconds":30}}`,
			output: `{"crawl":{"status":"RUNNING"},"poll":{"done":false,"attempt":2,"waitSeconds":45}}`,
			want:   "not done yet",
		},
		{
			name:   "tables found",
			input:  `{}`,
			output: `{"tableSet":{"count":4,"first":["a","b","c"]}}`,
			want:   "4 tables (a, b, c, ...)",
		},
		{
			name:   "data source created and its run started",
			input:  `{"tableSet":{"count":1,"first":["orders"]}}`,
			output: `{"tableSet":{"count":1,"first":["orders"]},"dataSource":{"id":"ds1","created":true,"status":"READY","runId":"r1","runOrigin":"started","runStatus":"RUNNING"}}`,
			want:   "data source ds1 created; data source READY; run r1 started; run RUNNING",
		},
		{
			name:   "run ended with assets",
			input:  `{"tableSet":{"count":1},"dataSource":{"id":"ds1","status":"READY","runId":"r1","runStatus":"RUNNING"}}`,
			output: `{"tableSet":{"count":1,"assets":1},"dataSource":{"id":"ds1","status":"READY","runId":"r1","runStatus":"SUCCESS"}}`,
			want:   "run SUCCESS; 1/1 assets",
		},
		{
			name:   "listings active",
			input:  `{"tableSet":{"count":1,"assets":1}}`,
			output: `{"tableSet":{"count":1,"assets":1,"active":1},"poll":{"done":true}}`,
			want:   "1/1 listings ACTIVE",
		},
		{
			name:   "subscriptions and counts",
			input:  `{"tableSet":{"count":1,"access":1}}`,
			output: `{"tableSet":{"count":1,"access":1,"granted":1,"verified":1,"rows":1000}}`,
			want:   "1/1 subscriptions GRANTED; 1/1 tables counted, 1000 rows",
		},
		{
			name:   "tables made managed and left out",
			input:  `{"tableSet":{"count":1000}}`,
			output: `{"tableSet":{"count":1000,"madeManaged":1000,"failed":2}}`,
			want:   "1000/1000 made Lake Formation-managed; 2 tables left out",
		},
		{
			name:   "the execution output counts every table, not the ones it spells out",
			input:  `{"plan":{}}`,
			output: `{"status":"SUCCEEDED","tableCount":1000,"tables":[{"glueTable":"orders"}],"timings":{}}`,
			want:   "SUCCEEDED, 1000 tables",
		},
		{
			name:   "the execution output",
			input:  `{"plan":{}}`,
			output: `{"status":"SUCCEEDED","tables":[{"glueTable":"orders"}],"consumers":[{},{}],"timings":{}}`,
			want:   "SUCCEEDED, 1 table; 2 consumers",
		},
		{
			name:   "an input of another shape (the execution input) compares as empty",
			input:  `{"domainId":"d","tables":["orders*"]}`,
			output: `{"plan":{"crawlerName":"c","glueDatabase":"db","s3Location":"s3://b/"},"tables":[]}`,
			want:   "crawler c, database db, location s3://b/",
		},
		{name: "not JSON", input: `x`, output: `x`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progress.Summarize([]byte(tt.input), []byte(tt.output)); got != tt.want {
				t.Errorf("Summarize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFailureDetail(t *testing.T) {
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name, errName, cause, want string
	}{
		{"lambda cause", "TransientError", `{"errorMessage":"glue get crawler: throttled\nmore","errorType":"TransientError"}`, "TransientError: glue get crawler: throttled"},
		{"plain cause", "States.Runtime", "bad path", "States.Runtime: bad path"},
		{"no cause", "PreflightError", "", "PreflightError"},
		{"no name", "", "boom", "boom"},
		{"long message is clipped", "E", string(long), "E: " + string(long[:154]) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progress.FailureDetail(tt.errName, tt.cause); got != tt.want {
				t.Errorf("FailureDetail = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSmallDetails(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"retry", progress.RetryDetail(2, "TransientError"), "attempt 2 after TransientError"},
		{"retry without error", progress.RetryDetail(3, ""), "attempt 3"},
		{"wait", progress.WaitDetail(90 * time.Second), "1m30s"},
		{"cause message of JSON without errorMessage", progress.CauseMessage(`{"a":1}`), `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
