package workflow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

func TestPollPolicyGrowsCapsAndTimesOut(t *testing.T) {
	p := workflow.PollPolicy{Initial: 10 * time.Second, Max: 40 * time.Second, Factor: 2, Timeout: 2 * time.Minute}
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	poll := p.Begin(t0)
	if poll.WaitSeconds != 10 || poll.Done || poll.Attempt != 0 {
		t.Fatalf("Begin = %+v", poll)
	}
	now := t0
	var waits []int
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		poll, err = p.Next("Thing", poll, now, "still busy")
		if err == nil {
			waits = append(waits, poll.WaitSeconds)
			now = now.Add(time.Duration(poll.WaitSeconds) * time.Second)
		}
	}
	if got := fmt.Sprint(waits); got != "[10 20 40 40]" {
		t.Errorf("waits = %s, want [10 20 40 40]", got)
	}
	var te *workflow.WaitTimeoutError
	if !errors.As(err, &te) || te.Stage != "Thing" || !strings.Contains(err.Error(), "still busy") {
		t.Fatalf("err = %v, want a WaitTimeoutError naming the stage and what is not done", err)
	}
	if d := p.Done(poll); !d.Done || d.WaitSeconds != 0 || !d.Since.Equal(t0) {
		t.Errorf("Done = %+v", d)
	}
}

// Every waiting stage has a policy whose in-task looks fit in its window and whose waits grow.
func TestPolicies(t *testing.T) {
	for stage, p := range workflow.Policies {
		if !slices.Contains(workflow.Tasks, stage) {
			t.Errorf("policy of %q, which is no stage", stage)
		}
		if p.Every <= 0 || p.Every > p.Within || p.Initial <= 0 || p.Max < p.Initial || p.Factor < 1 || p.Timeout < p.Max {
			t.Errorf("%s: policy %+v is not sound", stage, p)
		}
	}
}

func TestClientTokenIsStablePerExecutionAndStep(t *testing.T) {
	a := workflow.ClientToken("exec-1", "SubscribeProjects", "proj", "listing")
	tests := []struct {
		name string
		tok  string
		same bool
	}{
		{"same inputs", workflow.ClientToken("exec-1", "SubscribeProjects", "proj", "listing"), true},
		{"other execution", workflow.ClientToken("exec-2", "SubscribeProjects", "proj", "listing"), false},
		{"other step", workflow.ClientToken("exec-1", "PublishAssets", "proj", "listing"), false},
		{"keys do not run together", workflow.ClientToken("exec-1", "SubscribeProjects", "projl", "isting"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.tok == a) != tt.same {
				t.Errorf("token %s vs %s: same = %v, want %v", tt.tok, a, tt.tok == a, tt.same)
			}
			if len(tt.tok) != 40 {
				t.Errorf("len = %d, want 40 (Athena needs 32-128)", len(tt.tok))
			}
		})
	}
}

func TestMatchTable(t *testing.T) {
	tests := []struct {
		filters []string
		name    string
		want    bool
	}{
		{[]string{"*"}, "orders", true},
		{[]string{"orders*"}, "orders_2025", true},
		{[]string{"orders*"}, "customers", false},
		{[]string{"ORDERS"}, "orders", true},
		{[]string{"a?c"}, "abc", false}, // ? is literal in DataZone expressions
		{[]string{"cust*", "ord*"}, "orders", true},
	}
	for _, tt := range tests {
		if got := workflow.MatchTable(tt.filters, tt.name); got != tt.want {
			t.Errorf("MatchTable(%q, %q) = %v, want %v", tt.filters, tt.name, got, tt.want)
		}
	}
}

func TestErrorNamesAreUniqueTypeNames(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range workflow.Errors {
		name := workflow.ErrorName(e)
		if !strings.HasSuffix(name, "Error") || seen[name] {
			t.Errorf("error name %q: want a unique name ending in Error", name)
		}
		seen[name] = true
	}
	if got := workflow.ErrorName(fmt.Errorf("wrapped: %w", &workflow.TransientError{})); got == "TransientError" {
		t.Errorf("a wrapped error must not carry the inner name (Step Functions sees the outermost type)")
	}
}

func TestStageTimings(t *testing.T) {
	var w workflow.Work
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	w.BeginStage("crawl", t0)
	w.BeginStage("crawl", t0.Add(time.Minute)) // a retried task keeps the first start
	w.EndStage("crawl", t0.Add(2*time.Minute))
	if len(w.Timings) != 1 || !w.Timings[0].StartedAt.Equal(t0) || w.Timings[0].EndedAt.Sub(t0) != 2*time.Minute {
		t.Fatalf("timings = %+v", w.Timings)
	}
}
