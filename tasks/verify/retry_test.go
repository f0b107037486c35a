package verify_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

// TestHandleRetry runs Verify in worlds where the subscription grant's Lake Formation permissions
// reach Athena some time after the grant completes (Durations.GrantPropagation): the checks
// denied meanwhile are tried again, at least 30 s apart, 3 attempts in all.
func TestHandleRetry(t *testing.T) {
	tests := []struct {
		name   string
		lag    time.Duration
		change func(w *workflow.Work)
		// twice invokes every tick a second time with the same Work, as a Lambda retry does.
		twice        bool
		wantAttempts int // the producer access's QueryAttempts at the end
		wantStarts   int // queries started (distinct query IDs)
		wantErr      string
		wantText     []string
	}{
		{
			name: "denied until the grant takes effect, then verified", lag: 40 * time.Second,
			// attempts 1 and 2 (30 s later): count, sample, user query, all denied; attempt 3: count
			// and sample pass, then the user query runs again
			wantAttempts: 2, wantStarts: 8,
		},
		{
			name: "a retried invocation starts no query twice", lag: 40 * time.Second, twice: true,
			wantAttempts: 2, wantStarts: 8,
		},
		{
			name: "still denied after 3 attempts", lag: time.Hour,
			wantStarts: 3*2 + 2, wantAttempts: 3, // the user query runs once more when the table is left out
			wantErr:  "VerificationFailedError",
			wantText: []string{"Insufficient Lake Formation permission(s) on orders", "It was tried 3 times over", "the subscription grant is missing or was revoked"},
		},
		{
			name: "a failing user query is recorded at once; the checks go on", lag: 40 * time.Second,
			change:       func(w *workflow.Work) { w.Plan.Verify.Queries = []string{"SELECT * FORM orders"} },
			wantAttempts: 2, wantStarts: 7,
			wantErr:  "VerificationFailedError",
			wantText: []string{"verify.queries[0]: query ", "ended FAILED"},
		},
		{
			name: "too few rows fail at once once the grant is in effect", lag: 40 * time.Second,
			change:       func(w *workflow.Work) { w.Plan.Verify.MinRows, w.Plan.Verify.Queries = 1001, nil },
			wantAttempts: 2, wantStarts: 6,
			wantErr:  "VerificationFailedError",
			wantText: []string{"sales_env_sub_db.orders has 1000 rows; at least 1001 were expected"},
		},
		{
			name: "no lag: no retry", change: func(w *workflow.Work) { w.Plan.Verify.MinRows = 1001 },
			wantStarts: 3,
			wantErr:    "VerificationFailedError",
			wantText:   []string{"has 1000 rows; at least 1001 were expected"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(w *sandbox.World) {
				w.Durations.GrantPropagation = sandbox.Duration{Duration: tc.lag}
			}, sandbox.Options{}, false)
			w := h.w
			w.Plan.Verify = workflow.VerifySpec{MinRows: 1000, SampleRows: 5, Queries: []string{userQuery}}
			if tc.change != nil {
				tc.change(&w)
			}
			mark := len(h.SB.Journal())

			got, err := h.drive(t, w, tc.twice)

			if n := len(startedQueries(h.SB, mark)); n != tc.wantStarts {
				t.Errorf("started %d queries, want %d", n, tc.wantStarts)
			}
			checkAttemptsApart(t, h, mark)
			if n := got.Tables[0].Access[0].QueryAttempts; n != tc.wantAttempts {
				t.Errorf("queryAttempts = %d, want %d", n, tc.wantAttempts)
			}
			if tc.wantErr != "" {
				tasktest.WantErrorName(t, err, tc.wantErr, tc.wantText...)
				if m := triedOver.FindStringSubmatch(err.Error()); m != nil {
					if secs, _ := strconv.Atoi(m[1]); secs < 2*30 {
						t.Errorf("tried 3 times over %d seconds, want at least 2 waits of 30 s", secs)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			checkVerified(t, got)
		})
	}
}

var triedOver = regexp.MustCompile(`tried 3 times over (\d+) seconds`)

// drive runs Verify's wait loop like tasktest.Drive. With twice, every invocation is first made
// with a deadline that stops it after one look (a Lambda that timed out), then again with the same
// Work, as Step Functions retries it. After an invocation that put checks off for another attempt,
// the wait must be 30 s or more. A table or query the stage left out gives the execution's error.
func (h *harness) drive(t *testing.T, w workflow.Work, twice bool) (workflow.Work, error) {
	t.Helper()
	for calls := 1; calls <= 40; calls++ {
		if twice {
			ctx, cancel := context.WithTimeout(context.Background(), 31*time.Second)
			_, _ = h.task.Handle(ctx, w)
			cancel()
		}
		got, err := h.task.Handle(context.Background(), w)
		if err == nil && got.Poll.Done {
			err = tasktest.Failure(got)
		}
		if err != nil || got.Poll.Done {
			return got, err
		}
		h.SB.Advance(time.Duration(got.Poll.WaitSeconds) * time.Second)
		w = got
	}
	t.Fatalf("wait loop not done after 40 calls: %+v", w.Poll)
	return w, nil
}

// checkAttemptsApart checks that the row count queries of the producer's access (one per attempt)
// started at least 30 s apart.
func checkAttemptsApart(t *testing.T, h *harness, mark int) {
	t.Helper()
	var starts []time.Time
	seen := map[string]bool{}
	admin := h.C.AthenaAs(aws.Credentials{AccessKeyID: "AKIDADMIN", SecretAccessKey: "secret"})
	for _, e := range h.SB.Journal()[mark:] {
		id := e.Keys["QueryExecutionId"]
		if e.Op != "StartQueryExecution" || e.Error != "" || seen[id] {
			continue
		}
		seen[id] = true
		q, err := admin.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatalf("get query %s: %v", id, err)
		}
		if strings.HasPrefix(aws.ToString(q.QueryExecution.Query), "SELECT COUNT(*) FROM") {
			starts = append(starts, e.Time)
		}
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < 30*time.Second {
			t.Errorf("attempt %d started %s after attempt %d, want 30 s or more", i+1, gap, i)
		}
	}
}

// attempts sums the QueryAttempts of every access.
func attempts(w workflow.Work) int {
	n := 0
	for _, tb := range w.Tables {
		for _, a := range tb.Access {
			n += a.QueryAttempts
		}
	}
	return n
}

// startedQueries returns the distinct IDs of the queries started after the first n journal
// entries (a repeated client token returns an ID already started).
func startedQueries(sb *sandbox.Sandbox, n int) map[string]bool {
	ids := map[string]bool{}
	for _, e := range sb.Journal()[n:] {
		if e.Op == "StartQueryExecution" && e.Error == "" {
			ids[e.Keys["QueryExecutionId"]] = true
		}
	}
	return ids
}
