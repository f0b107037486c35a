package tasktest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lakeformation"
	lftypes "github.com/aws/aws-sdk-go-v2/service/lakeformation/types"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

// TestNamesMatchTheDefaultWorld checks the names against the plan Preflight makes in the default
// world, so that a change to the world file shows here first.
func TestNamesMatchTheDefaultWorld(t *testing.T) {
	e := Start(t, "", nil, sandbox.Options{})
	in := Input()
	in.Consumers = []workflow.Consumer{{ProjectID: Consumer.ProjectID, EnvironmentID: Consumer.EnvironmentID}}
	p := Preflight(t, e, in).Plan
	tests := []struct {
		name      string
		got, want any
	}{
		{name: "account", got: p.AccountID, want: AccountID},
		{name: "domain", got: p.DomainID, want: DomainID},
		{name: "database", got: p.GlueDatabase, want: Database},
		{name: "crawler", got: p.CrawlerName, want: CrawlerName},
		{name: "crawler role", got: p.CrawlerRoleARN, want: CrawlerRole},
		{name: "manage-access role", got: p.ManageAccessRoleARN, want: ManageAccessRole},
		{name: "S3 location", got: p.S3Location, want: S3Location},
		{name: "location ARN", got: p.LocationARN, want: LocationARN},
		{name: "location ARN of the S3 location", got: workflow.LocationARN("aws", S3Location), want: LocationARN},
		{name: "data source name", got: p.DataSourceName, want: DataSourceName},
		{name: "producer", got: p.Producer, want: Producer},
		{name: "consumer", got: p.Consumers, want: []workflow.Target{Consumer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !equal(tt.got, tt.want) {
				t.Errorf("plan has %+v, tasktest says %+v", tt.got, tt.want)
			}
		})
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]workflow.Target); ok {
		return slices.Equal(as, b.([]workflow.Target))
	}
	return a == b
}

func TestOps(t *testing.T) {
	e := Start(t, "default", nil, sandbox.Options{})
	before := len(e.SB.Journal())
	Grant(t, e.C.LakeFormation, ManageAccessRole, OnDatabase(), []lftypes.Permission{lftypes.PermissionDescribe}, nil)
	Register(t, e.C.LakeFormation, LocationARN)
	_, err := e.C.LakeFormation.RegisterResource(context.Background(), &lakeformation.RegisterResourceInput{
		ResourceArn: aws.String(LocationARN), UseServiceLinkedRole: aws.Bool(true),
	})
	if err == nil {
		t.Fatal("registering twice succeeded, want AlreadyExistsException")
	}
	tests := []struct {
		name string
		from int
		want []string
	}{
		{name: "every call, a failed one with its code", from: before,
			want: []string{"GrantPermissions", "RegisterResource", "RegisterResource!AlreadyExistsException"}},
		{name: "from a later entry", from: before + 2, want: []string{"RegisterResource!AlreadyExistsException"}},
		{name: "nothing after the last entry", from: before + 3, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ops(e.SB, tt.from); !slices.Equal(got, tt.want) {
				t.Errorf("Ops = %v, want %v", got, tt.want)
			}
			WantOps(t, e.SB, tt.from, tt.want...)
			if r := run(t, func(tb testing.TB) { WantOps(tb, e.SB, tt.from, "CreateDataSource") }); !r.failed || r.fatal {
				t.Errorf("WantOps with other calls: failed %v fatal %v, want a failure that goes on", r.failed, r.fatal)
			}
		})
	}
}

func TestDrive(t *testing.T) {
	failed := errors.New("failed")
	tests := []struct {
		name      string
		results   []workflow.Poll // what each call returns
		err       error           // returned by the last call
		wantCalls int
		wantTime  time.Duration // virtual time that passed
	}{
		{name: "done at once", results: []workflow.Poll{{Done: true}}, wantCalls: 1},
		{name: "waits as asked until done", results: []workflow.Poll{{WaitSeconds: 5}, {WaitSeconds: 10}, {Done: true}},
			wantCalls: 3, wantTime: 15 * time.Second},
		{name: "stops at an error", results: []workflow.Poll{{WaitSeconds: 5}, {}}, err: failed, wantCalls: 2, wantTime: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Start(t, "default", nil, sandbox.Options{})
			t0 := e.SB.Now()
			calls := 0
			h := func(_ context.Context, w workflow.Work) (workflow.Work, error) {
				w.Poll = tt.results[calls]
				calls++
				if calls == len(tt.results) {
					return w, tt.err
				}
				return w, nil
			}
			w, n, err := Drive(t, e.SB, h, workflow.Work{}, len(tt.results))
			if n != tt.wantCalls || calls != tt.wantCalls || !errors.Is(err, tt.err) {
				t.Errorf("Drive = %d calls (%d made), %v; want %d, %v", n, calls, err, tt.wantCalls, tt.err)
			}
			if w.Poll != tt.results[len(tt.results)-1] {
				t.Errorf("last poll %+v, want the last call's %+v", w.Poll, tt.results[len(tt.results)-1])
			}
			if d := e.SB.Now().Sub(t0); d != tt.wantTime {
				t.Errorf("%v passed, want %v", d, tt.wantTime)
			}
		})
	}
}

func TestStageEnded(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	w := workflow.Work{Timings: []workflow.StageTiming{
		{Stage: "crawl", StartedAt: t0, EndedAt: t0.Add(time.Minute)},
		{Stage: "tables", StartedAt: t0.Add(time.Minute)},
	}}
	tests := []struct {
		name, stage string
		want        bool
	}{
		{name: "ended", stage: "crawl", want: true},
		{name: "begun, not ended", stage: "tables", want: false},
		{name: "not begun", stage: "publish", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StageEnded(w, tt.stage); got != tt.want {
				t.Errorf("StageEnded(%q) = %v, want %v", tt.stage, got, tt.want)
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of failing the test; Fatalf ends the
// goroutine, as the testing package's does.
type recorder struct {
	testing.TB
	failed, fatal bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) {
	r.failed, r.fatal = true, true
	runtime.Goexit()
}

// run calls f with a recorder in a goroutine of its own and returns the recorder.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestWantErrorName(t *testing.T) {
	throttled := &workflow.TransientError{Op: "get crawler acme-sales-orders", Err: errors.New("ThrottlingException: slow down")}
	tests := []struct {
		name      string
		err       error
		want      string
		texts     []string
		wantFail  bool
		wantFatal bool
	}{
		{name: "the named error with every text", err: throttled, want: "TransientError", texts: []string{"get crawler acme-sales-orders", "slow down"}},
		{name: "no error", err: nil, want: "TransientError", wantFail: true, wantFatal: true},
		{name: "another named error", err: throttled, want: "TerminalError", wantFail: true, wantFatal: true},
		{name: "a wrapped named error is another error", err: fmt.Errorf("wrapped: %w", throttled), want: "TransientError", wantFail: true, wantFatal: true},
		{name: "a missing text", err: throttled, want: "TransientError", texts: []string{"slow down", "AccessDenied"}, wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, func(tb testing.TB) { WantErrorName(tb, tt.err, tt.want, tt.texts...) })
			if r.failed != tt.wantFail || r.fatal != tt.wantFatal {
				t.Errorf("failed %v fatal %v, want %v %v", r.failed, r.fatal, tt.wantFail, tt.wantFatal)
			}
			r = run(t, func(tb testing.TB) { WantError(tb, tt.err, &workflow.TransientError{}, tt.texts...) })
			if wantFail := tt.wantFail && tt.want == "TransientError"; r.failed != wantFail {
				t.Errorf("WantError failed %v, want %v", r.failed, wantFail)
			}
		})
	}
}

func TestIdempotent(t *testing.T) {
	tests := []struct {
		name      string
		h         func(e Env) Handler
		wantFail  bool
		wantFatal bool
	}{
		{name: "a handler that changes nothing", h: func(e Env) Handler {
			return func(_ context.Context, w workflow.Work) (workflow.Work, error) { return w, nil }
		}},
		{name: "a handler that makes a mutating call", wantFail: true, h: func(e Env) Handler {
			return func(ctx context.Context, w workflow.Work) (workflow.Work, error) {
				_, err := e.C.LakeFormation.RegisterResource(ctx, &lakeformation.RegisterResourceInput{
					ResourceArn: aws.String(LocationARN), UseServiceLinkedRole: aws.Bool(true),
				})
				return w, err
			}
		}},
		{name: "a handler that fails", wantFail: true, wantFatal: true, h: func(e Env) Handler {
			return func(_ context.Context, w workflow.Work) (workflow.Work, error) { return w, errors.New("failed") }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Start(t, "default", nil, sandbox.Options{})
			r := run(t, func(tb testing.TB) { Idempotent(tb, e.SB, tt.h(e), workflow.Work{}) })
			if r.failed != tt.wantFail || r.fatal != tt.wantFatal {
				t.Errorf("failed %v fatal %v, want %v %v", r.failed, r.fatal, tt.wantFail, tt.wantFatal)
			}
		})
	}
}
