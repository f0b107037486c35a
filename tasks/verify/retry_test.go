package verify_test

import (
	"context"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/tasks/internal/tasktest"
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
			// attempt 1: count, sample, user query; attempt 2: count, sample; then the user query again
			wantAttempts: 1, wantStarts: 6,
		},
		{
			name: "a retried invocation starts no query twice", lag: 40 * time.Second, twice: true,
			wantAttempts: 1, wantStarts: 6,
		},
		{
			name: "still denied after 3 attempts", lag: time.Hour,
			wantStarts: 3*2 + 1, wantAttempts: 3,
			wantErr:  "VerificationFailedError",
			wantText: []string{"Insufficient Lake Formation permission(s) on orders", "It was tried 3 times over", "the subscription grant is missing or was revoked"},
		},
		{
			name: "a failing user query fails at once while the checks wait", lag: 40 * time.Second,
			change:       func(w *workflow.Work) { w.Plan.Verify.Queries = []string{"SELECT * FORM orders"} },
			wantAttempts: 1, wantStarts: 3,
			wantErr:  "VerificationFailedError",
			wantText: []string{"verify.queries[0]: query ", "ended FAILED"},
		},
		{
			name: "too few rows fail at once once the grant is in effect", lag: 40 * time.Second,
			change:       func(w *workflow.Work) { w.Plan.Verify.MinRows, w.Plan.Verify.Queries = 1001, nil },
			wantAttempts: 1, wantStarts: 4,
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

// drive runs Verify's wait loop like tasktest.Drive. With twice, it invokes every tick again with
// the same Work and requires the same outcome. After a tick that put checks off for another
// attempt, the wait must be 30 s or more.
func (h *harness) drive(t *testing.T, w workflow.Work, twice bool) (workflow.Work, error) {
	t.Helper()
	for calls := 1; calls <= 40; calls++ {
		got, err := h.task.Handle(context.Background(), w)
		if twice {
			again, err2 := h.task.Handle(context.Background(), w)
			if !reflect.DeepEqual(got, again) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
				t.Fatalf("call %d again gave another outcome:\n%+v %v\n%+v %v", calls, got, err, again, err2)
			}
		}
		if err != nil || got.Poll.Done {
			return got, err
		}
		if attempts(got) > attempts(w) && got.Poll.WaitSeconds < 30 {
			t.Errorf("call %d put checks off for another attempt and waits %d s, want 30 s or more", calls, got.Poll.WaitSeconds)
		}
		h.SB.Advance(time.Duration(got.Poll.WaitSeconds) * time.Second)
		w = got
	}
	t.Fatalf("wait loop not done after 40 calls: %+v", w.Poll)
	return w, nil
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
