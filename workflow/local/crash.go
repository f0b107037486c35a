package local

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Crash makes the first invocation of the Task state State die right after its After-th AWS call
// (HTTP request) returns, so that its side effects happen but its answer is lost: the invocation
// fails the way a Lambda function that crashed, ran out of memory or timed out fails in Step
// Functions, with the error Lambda.Unknown ("Unhandled errors in Lambda are reported as
// Lambda.Unknown in the error output. These include out-of-memory errors and function timeouts":
// Step Functions developer guide, "Handle transient Lambda service exceptions"). The state
// machine's Retry then runs the task again. The task's AWS clients must send their requests
// through CrashClient.
type Crash struct {
	State string
	After int
}

// crashes hands out the crash plan of a run to the one invocation it is for.
type crashes struct {
	crash *Crash
	done  bool
}

func newCrashes(c *Crash) *crashes { return &crashes{crash: c} }

// next returns the plan for the next invocation of state, or nil.
func (c *crashes) next(state string) *crashPlan {
	if c.crash == nil || c.done || c.crash.State != state || c.crash.After < 1 {
		return nil
	}
	c.done = true
	return &crashPlan{after: c.crash.After}
}

// crashPlan counts the AWS calls of one invocation and notes when it crashed it.
type crashPlan struct {
	after, calls int
	crashed      bool
}

type crashKey struct{}

// crashSignal is the panic that unwinds a crashed invocation.
type crashSignal struct{}

// CrashClient wraps the HTTP client of the tasks' AWS configuration so that Options.Crash can end
// an invocation right after one of its calls returns. Requests of invocations no crash is planned
// for pass through unchanged.
func CrashClient(base aws.HTTPClient) aws.HTTPClient { return crashClient{base} }

type crashClient struct{ base aws.HTTPClient }

// Do sends the request and, when it is the planned call of a crashing invocation, ends the
// invocation after the answer came back (and was discarded).
func (c crashClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.base.Do(req)
	p, ok := req.Context().Value(crashKey{}).(*crashPlan)
	if !ok || p.crashed {
		return resp, err
	}
	if p.calls++; p.calls >= p.after {
		p.crashed = true
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		panic(crashSignal{})
	}
	return resp, err
}

// withCrash returns ctx carrying plan, when there is one.
func withCrash(ctx context.Context, plan *crashPlan) context.Context {
	if plan == nil {
		return ctx
	}
	return context.WithValue(ctx, crashKey{}, plan)
}

// crashed is what a crashed invocation answers: Lambda.Unknown, with the Lambda error payload of
// a runtime that exited (the cause's wording is UNCONFIRMED: Lambda's own for an exited runtime).
func crashed(requestID string) taskOutcome {
	cause, _ := json.Marshal(map[string]string{
		"errorType":    "Runtime.ExitError",
		"errorMessage": fmt.Sprintf("RequestId: %s Error: Runtime exited with error: signal: killed", requestID),
	})
	return taskOutcome{Error: "Lambda.Unknown", Cause: string(cause)}
}
