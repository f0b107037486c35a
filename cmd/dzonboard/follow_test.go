package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const (
	testStateMachine = "arn:aws:states:us-east-1:111122223333:stateMachine:dzonboard"
	testExecution    = "arn:aws:states:us-east-1:111122223333:execution:dzonboard:run-1"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// fakeSFN is a Step Functions execution whose history grows with each DescribeExecution call:
// after the i-th call, visible[i] events of history are there (the last entry repeats).
type fakeSFN struct {
	history   []types.HistoryEvent
	visible   []int
	statuses  []types.ExecutionStatus
	final     sfn.DescribeExecutionOutput // Error, Cause, Output of the ended execution
	pageSize  int
	describes int
	pages     int
	started   []*sfn.StartExecutionInput
	startErr  error
}

var _ sfnAPI = (*fakeSFN)(nil)

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.started = append(f.started, in)
	if f.startErr != nil {
		return nil, f.startErr
	}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(testExecution), StartDate: aws.Time(t0)}, nil
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	if aws.ToString(in.ExecutionArn) != testExecution {
		return nil, errors.New("ExecutionDoesNotExist")
	}
	i := min(f.describes, len(f.statuses)-1)
	f.describes++
	out := &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, StartDate: aws.Time(t0), Status: f.statuses[i]}
	if out.Status != types.ExecutionStatusRunning {
		out.Error, out.Cause, out.Output = f.final.Error, f.final.Cause, f.final.Output
	}
	return out, nil
}

func (f *fakeSFN) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	f.pages++
	if !aws.ToBool(in.IncludeExecutionData) {
		return nil, errors.New("want IncludeExecutionData")
	}
	n := f.visible[min(f.describes, len(f.visible))-1]
	from := 0
	if in.NextToken != nil {
		from, _ = strconv.Atoi(*in.NextToken)
	}
	to := min(from+f.pageSize, n)
	out := &sfn.GetExecutionHistoryOutput{Events: f.history[from:to]}
	if to < n {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}

// events numbers history events and stamps them with t0 plus their offset.
func events(evs ...timedEvent) []types.HistoryEvent {
	out := make([]types.HistoryEvent, len(evs))
	for i, e := range evs {
		e.ev.Id = int64(i + 1)
		e.ev.Timestamp = aws.Time(t0.Add(e.at))
		out[i] = e.ev
	}
	return out
}

type timedEvent struct {
	at time.Duration
	ev types.HistoryEvent
}

func enteredEv(at time.Duration, typ types.HistoryEventType, name, input string) timedEvent {
	return timedEvent{at, types.HistoryEvent{Type: typ, StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String(name), Input: aws.String(input)}}}
}

func exitedEv(at time.Duration, typ types.HistoryEventType, name, output string) timedEvent {
	return timedEvent{at, types.HistoryEvent{Type: typ, StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String(name), Output: aws.String(output)}}}
}

func plainEv(at time.Duration, typ types.HistoryEventType) timedEvent {
	return timedEvent{at, types.HistoryEvent{Type: typ}}
}

func lambdaFailedEv(at time.Duration, errName, message string) timedEvent {
	cause := `{"errorMessage":"` + message + `","errorType":"` + errName + `"}`
	return timedEvent{at, types.HistoryEvent{Type: types.HistoryEventTypeLambdaFunctionFailed,
		LambdaFunctionFailedEventDetails: &types.LambdaFunctionFailedEventDetails{Error: aws.String(errName), Cause: aws.String(cause)}}}
}

// failingRun is an execution that retries a throttled Crawl, waits, and fails in the next
// Crawl invocation: the Catch leads to the Fail state.
func failingRun() *fakeSFN {
	s := time.Second
	h := events(
		plainEv(0, types.HistoryEventTypeExecutionStarted),
		enteredEv(0, types.HistoryEventTypeTaskStateEntered, "Preflight", `{"domainId":"dzd_x"}`),
		plainEv(0, types.HistoryEventTypeLambdaFunctionScheduled),
		plainEv(1*s, types.HistoryEventTypeLambdaFunctionSucceeded),
		exitedEv(2*s, types.HistoryEventTypeTaskStateExited, "Preflight", `{"plan":{"crawlerName":"acme","glueDatabase":"acme_sales","s3Location":"s3://acme/orders/"},"poll":{"done":false}}`),
		enteredEv(2*s, types.HistoryEventTypeTaskStateEntered, "Crawl", `{"plan":{}}`),
		plainEv(2*s, types.HistoryEventTypeLambdaFunctionScheduled),
		lambdaFailedEv(3*s, "TransientError", "glue start crawler: throttled"),
		plainEv(8*s, types.HistoryEventTypeLambdaFunctionScheduled),
		plainEv(9*s, types.HistoryEventTypeLambdaFunctionSucceeded),
		exitedEv(9*s, types.HistoryEventTypeTaskStateExited, "Crawl", `{"plan":{},"crawl":{"startedAt":"2026-01-05T09:00:08Z"},"poll":{"done":false,"waitSeconds":30}}`),
		enteredEv(9*s, types.HistoryEventTypeWaitStateEntered, "Crawl wait", `{"plan":{},"poll":{"done":false,"waitSeconds":30}}`),
		exitedEv(39*s, types.HistoryEventTypeWaitStateExited, "Crawl wait", `{}`),
		enteredEv(39*s, types.HistoryEventTypeTaskStateEntered, "Crawl", `{"plan":{}}`),
		plainEv(39*s, types.HistoryEventTypeLambdaFunctionScheduled),
		lambdaFailedEv(40*s, "CrawlFailedError", "crawler acme ended FAILED: no access"),
		exitedEv(40*s, types.HistoryEventTypeTaskStateExited, "Crawl", `{"error":{}}`),
		enteredEv(40*s, types.HistoryEventTypeFailStateEntered, "Onboarding failed", `{"error":{}}`),
		timedEvent{40 * s, types.HistoryEvent{Type: types.HistoryEventTypeExecutionFailed,
			ExecutionFailedEventDetails: &types.ExecutionFailedEventDetails{Error: aws.String("CrawlFailedError")}}},
	)
	return &fakeSFN{
		history:  h,
		visible:  []int{10, 10, len(h)},
		statuses: []types.ExecutionStatus{types.ExecutionStatusRunning, types.ExecutionStatusRunning, types.ExecutionStatusFailed},
		final: sfn.DescribeExecutionOutput{
			Error: aws.String("CrawlFailedError"),
			Cause: aws.String(`{"errorMessage":"crawler acme ended FAILED: no access\nFix: grant it","errorType":"CrawlFailedError"}`),
		},
		pageSize: 4,
	}
}

const failingRunProgress = "" +
	"+00:00:00  Preflight  entered\n" +
	"+00:00:02  Preflight  succeeded  crawler acme, database acme_sales, location s3://acme/orders/\n" +
	"+00:00:02  Crawl  entered\n" +
	"+00:00:03  Crawl  failed  TransientError: glue start crawler: throttled\n" +
	"+00:00:08  Crawl  retry  attempt 2 after TransientError\n" +
	"+00:00:09  Crawl  succeeded  crawl started; not done yet\n" +
	"+00:00:09  Crawl wait  waiting  30s\n" +
	"+00:00:39  Crawl  entered\n" +
	"+00:00:40  Crawl  failed  CrawlFailedError: crawler acme ended FAILED: no access\n" +
	"+00:00:40  Onboarding failed  failed  CrawlFailedError\n" +
	"+00:00:40  FAILED  CrawlFailedError\n" +
	"  crawler acme ended FAILED: no access\n" +
	"  Fix: grant it\n"

// succeedingRun is an execution that is already over: one poll, output printed.
func succeedingRun() *fakeSFN {
	h := events(
		plainEv(0, types.HistoryEventTypeExecutionStarted),
		enteredEv(0, types.HistoryEventTypeTaskStateEntered, "Report", `{"plan":{}}`),
		plainEv(0, types.HistoryEventTypeLambdaFunctionScheduled),
		exitedEv(90*time.Minute, types.HistoryEventTypeTaskStateExited, "Report", `{"status":"SUCCEEDED","tables":[{}],"timings":{}}`),
		enteredEv(90*time.Minute, types.HistoryEventTypeSucceedStateEntered, "Onboarded", `{}`),
		exitedEv(90*time.Minute, types.HistoryEventTypeSucceedStateExited, "Onboarded", `{}`),
		plainEv(90*time.Minute, types.HistoryEventTypeExecutionSucceeded),
	)
	return &fakeSFN{
		history:  h,
		visible:  []int{len(h)},
		statuses: []types.ExecutionStatus{types.ExecutionStatusSucceeded},
		final:    sfn.DescribeExecutionOutput{Output: aws.String(`{"status":"SUCCEEDED","tables":[]}`)},
		pageSize: 100,
	}
}

// fakeApp is an app whose Step Functions client is f and whose sleeps are counted, not slept.
func fakeApp(f *fakeSFN, sleeps *[]time.Duration) *app {
	a := newApp(nil, nil, nil)
	a.newSFN = func(context.Context) (sfnAPI, error) { return f, nil }
	a.sleep = func(_ context.Context, d time.Duration) error {
		*sleeps = append(*sleeps, d)
		return nil
	}
	a.isTTY = func(io.Writer) bool { return false }
	return a
}

func TestFollow(t *testing.T) {
	tests := []struct {
		name       string
		fake       func() *fakeSFN
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		wantSleeps int
	}{
		{
			name:       "a failing execution, polled until it ends",
			fake:       failingRun,
			args:       []string{"follow", "--execution-arn", testExecution},
			wantCode:   exitOK,
			wantStderr: failingRunProgress,
			wantSleeps: 2,
		},
		{
			name:       "--exit-status turns a failed execution into exit 1",
			fake:       failingRun,
			args:       []string{"follow", "--execution-arn", testExecution, "--exit-status"},
			wantCode:   exitFailed,
			wantStderr: failingRunProgress,
			wantSleeps: 2,
		},
		{
			name:       "an execution that succeeded prints its output",
			fake:       succeedingRun,
			args:       []string{"follow", "--execution-arn", testExecution, "--exit-status"},
			wantCode:   exitOK,
			wantStdout: "{\n  \"status\": \"SUCCEEDED\",\n  \"tables\": []\n}\n",
			wantStderr: "+00:00:00  Report  entered\n+01:30:00  Report  succeeded  SUCCEEDED, 1 table\n+01:30:00  Onboarded  succeeded\n+01:30:00  SUCCEEDED\n",
		},
		{
			name:       "an unknown execution",
			fake:       succeedingRun,
			args:       []string{"follow", "--execution-arn", "arn:aws:states:us-east-1:111122223333:execution:dzonboard:nope"},
			wantCode:   exitFailed,
			wantStderr: "dzonboard follow: describe execution arn:aws:states:us-east-1:111122223333:execution:dzonboard:nope: ExecutionDoesNotExist\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fake()
			var sleeps []time.Duration
			r := runApp(t, fakeApp(f, &sleeps), "", tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d", r.code, tt.wantCode)
			}
			if r.stderr != tt.wantStderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, tt.wantStderr)
			}
			if r.stdout != tt.wantStdout {
				t.Errorf("stdout:\n%q\nwant:\n%q", r.stdout, tt.wantStdout)
			}
			if len(sleeps) != tt.wantSleeps {
				t.Errorf("slept %d times, want %d", len(sleeps), tt.wantSleeps)
			}
			for _, d := range sleeps {
				if d != 5*time.Second {
					t.Errorf("slept %s, want the poll interval 5s", d)
				}
			}
		})
	}
}

func TestStart(t *testing.T) {
	tests := []struct {
		name       string
		fake       func() *fakeSFN
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
		wantName   string
		wantStart  bool
	}{
		{
			name:       "prints the execution ARN",
			fake:       succeedingRun,
			args:       []string{"--state-machine-arn", testStateMachine, "--input", "-", "--name", "run-1"},
			stdin:      `{"domainId":"dzd_x"}`,
			wantCode:   exitOK,
			wantStdout: testExecution + "\n",
			wantName:   "run-1",
			wantStart:  true,
		},
		{
			name:       "--follow follows and exits 1 when the execution fails",
			fake:       failingRun,
			args:       []string{"--state-machine-arn", testStateMachine, "--input", "-", "--follow"},
			stdin:      `{}`,
			wantCode:   exitFailed,
			wantStdout: testExecution + "\n",
			wantStderr: failingRunProgress,
			wantStart:  true,
		},
		{
			name:       "input that is not JSON is bad usage",
			fake:       succeedingRun,
			args:       []string{"--state-machine-arn", testStateMachine, "--input", "-"},
			stdin:      `{`,
			wantCode:   exitUsage,
			wantStderr: "dzonboard start: input - is not JSON\n",
		},
		{
			name: "an API error",
			fake: func() *fakeSFN {
				f := succeedingRun()
				f.startErr = errors.New("StateMachineDoesNotExist")
				return f
			},
			args:       []string{"--state-machine-arn", testStateMachine, "--input", "-"},
			stdin:      `{}`,
			wantCode:   exitFailed,
			wantStderr: "dzonboard start: start execution of " + testStateMachine + ": StateMachineDoesNotExist\n",
			wantStart:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fake()
			var sleeps []time.Duration
			r := runApp(t, fakeApp(f, &sleeps), tt.stdin, append([]string{"start"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %s)", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantStdout)
			}
			if r.stderr != tt.wantStderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, tt.wantStderr)
			}
			if !tt.wantStart {
				if len(f.started) != 0 {
					t.Errorf("StartExecution called %d times, want none", len(f.started))
				}
				return
			}
			if len(f.started) != 1 {
				t.Fatalf("StartExecution called %d times, want 1", len(f.started))
			}
			in := f.started[0]
			if aws.ToString(in.StateMachineArn) != testStateMachine || aws.ToString(in.Input) != tt.stdin || aws.ToString(in.Name) != tt.wantName {
				t.Errorf("StartExecution(%s, %s, name %q), want (%s, %s, name %q)",
					aws.ToString(in.StateMachineArn), aws.ToString(in.Input), aws.ToString(in.Name), testStateMachine, tt.stdin, tt.wantName)
			}
		})
	}
}

func TestHistoryPaging(t *testing.T) {
	f := failingRun()
	var sleeps []time.Duration
	r := runApp(t, fakeApp(f, &sleeps), "", "follow", "--execution-arn", testExecution)
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	// Three polls of a growing history in pages of 4: 3 + 3 + 5 pages.
	if f.pages != 11 {
		t.Errorf("%d history pages read, want 11", f.pages)
	}
	if strings.Count(r.stderr, "Preflight  entered") != 1 {
		t.Errorf("an event was rendered twice:\n%s", r.stderr)
	}
}

// fakeS3 answers GetObject from objects, by "bucket/key".
type fakeS3 map[string]string

func (f fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	body, ok := f[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body))}, nil
}

// follow --report copies the full report named by the output (or, when Report failed the
// execution, by its cause) to the file.
func TestFollowReport(t *testing.T) {
	const full = `{"status":"SUCCEEDED","tableCount":12,"tables":["every one"]}`
	objects := fakeS3{"state/reports/e1.json": full}
	withOutput := func(out, cause string) func() *fakeSFN {
		return func() *fakeSFN {
			f := succeedingRun()
			f.final = sfn.DescribeExecutionOutput{Output: aws.String(out), Cause: aws.String(cause)}
			return f
		}
	}
	tests := []struct {
		name       string
		fake       func() *fakeSFN
		wantCode   int
		wantStderr string
		wantFile   string
	}{
		{name: "from the output's reportUri", fake: withOutput(`{"status":"SUCCEEDED","reportUri":"s3://state/reports/e1.json"}`, ""),
			wantCode: exitOK, wantFile: full},
		{name: "from a failed execution's cause", fake: withOutput("", `{"errorMessage":"... the full report is s3://state/reports/e1.json.","errorType":"VerificationFailedError"}`),
			wantCode: exitOK, wantFile: full},
		{name: "an execution that ended before Report", fake: failingRun,
			wantCode: exitFailed, wantStderr: "dzonboard follow: --report: the execution has no report: it ended before its Report state\n"},
		{name: "a report that expired", fake: withOutput(`{"reportUri":"s3://state/reports/gone.json"}`, ""),
			wantCode: exitFailed, wantStderr: "dzonboard follow: --report: read s3://state/reports/gone.json: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "report.json")
			var sleeps []time.Duration
			a := fakeApp(tt.fake(), &sleeps)
			a.newS3 = func(context.Context) (reportAPI, error) { return objects, nil }
			r := runApp(t, a, "", "follow", "--execution-arn", testExecution, "--report", file)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q, want it to hold %q", r.stderr, tt.wantStderr)
			}
			got, err := os.ReadFile(file)
			if tt.wantFile == "" {
				if err == nil {
					t.Errorf("wrote %s, want no file", got)
				}
				return
			}
			if string(got) != tt.wantFile {
				t.Errorf("file %q (%v), want %q", got, err, tt.wantFile)
			}
		})
	}
}
