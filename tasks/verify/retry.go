package verify

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// Lake Formation grants and the service-linked role's policy reach Athena seconds to a minute
// after a subscription grant completes: until then the environment's queries are denied as if
// the grant were missing. The checks of an access that fail only that way run again, at most
// maxAttempts times in all, at least retryWait apart.
const (
	maxAttempts = 3
	retryWait   = 30 * time.Second
)

// propagating reports whether the query failed with an access denial that a grant not yet in
// effect also gives: Athena's permission error classes (Lake Formation's or S3's), or, when Athena
// gave no class, the words of such a denial.
func (r *result) propagating() bool {
	if r.category != 0 {
		return r.category == categoryUser && (r.errType == typePermission || r.errType == typeS3Permission)
	}
	return propagating(r.failed)
}

// propagating reports whether a query failure reason is an access denial that a grant not yet in
// effect also gives: Lake Formation's, or S3's (on an s3: resource or path).
func propagating(reason string) bool {
	r := strings.ToLower(reason)
	if strings.Contains(r, "insufficient lake formation permission") {
		return true
	}
	for _, denied := range []string{"accessdenied", "access denied", "not authorized", "permission denied"} {
		if strings.Contains(r, denied) {
			return strings.Contains(r, "s3:")
		}
	}
	return false
}

// attemptKey is the client token key of an attempt, so that a retried invocation sends the same
// token and the next attempt a new one.
func attemptKey(n int) string { return "attempt " + strconv.Itoa(n) }

// retry takes checks of a that failed only as a grant not yet in effect would make them fail
// (failed): before the last attempt it records the attempt and forgets the checks, so that they
// start again retryWait later (notBefore), and returns no problem; after it, it returns failed,
// saying how often and for how long they were tried.
func (tk *tick) retry(ctx context.Context, where string, a *workflow.Access, failed []workflow.Problem) (problems []workflow.Problem, notBefore time.Time) {
	a.QueryAttempts++
	if a.QueryAttempts < maxAttempts {
		slog.InfoContext(ctx, "access denied, maybe not propagated yet: checking again later",
			"access", where, "attempt", a.QueryAttempts, "reason", failed[0].Problem)
		a.QueryIDs, a.RowCount, a.Columns = nil, nil, nil
		return nil, tk.now().Add(retryWait)
	}
	over := fmt.Sprintf(" It was tried %d times over %d seconds.",
		a.QueryAttempts, int(tk.now().Sub(tk.since()).Round(time.Second).Seconds()))
	for i := range failed {
		failed[i].Problem += over
	}
	return failed, time.Time{}
}

// since is when the Verify stage began, the time attempts are counted from.
func (tk *tick) since() time.Time {
	for _, s := range tk.w.Timings {
		if s.Stage == workflow.TaskVerify {
			return s.StartedAt
		}
	}
	return tk.now()
}

// producerLagging reports whether a check of the producer's access to some table is being tried
// again: the user queries, which read those tables in the producer environment, wait for it.
func (tk *tick) producerLagging() bool {
	for _, tb := range tk.w.Tables {
		if tb.Onboarding() && len(tb.Access) > 0 && tb.Access[0].Status == granted && tb.Access[0].QueryAttempts > 0 && !verified(tb.Access[0]) {
			return true
		}
	}
	return false
}

// producerAttempts is the most attempts any check of the producer's access took: a user query
// started again after them gets a new client token.
func (tk *tick) producerAttempts() int {
	n := 0
	for _, tb := range tk.w.Tables {
		if len(tb.Access) > 0 {
			n = max(n, tb.Access[0].QueryAttempts)
		}
	}
	return n
}
