package waitloop

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/internal/clock"
	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/tasks/internal/problems"
	"github.com/dzonboard/dzonboard/workflow"
)

// Outcome is what a status means for the wait.
type Outcome int

// The outcomes of a status.
const (
	Pending Outcome = iota // not there yet: look again
	Target                 // done
	Failed                 // will not get there by itself
)

// Statuses is a stage's status table, in the shape of Terraform's StateChangeConf: which of the
// service's statuses mean "still going", which "done" and which "failed". A status in none of them
// is pending, and logged as unconfirmed (AWS has a status this code does not know).
type Statuses struct {
	Pending, Target, Failed []string
}

// Of returns the outcome of status and whether the table knows it.
func (s Statuses) Of(status string) (Outcome, bool) {
	switch {
	case slices.Contains(s.Target, status):
		return Target, true
	case slices.Contains(s.Failed, status):
		return Failed, true
	case slices.Contains(s.Pending, status):
		return Pending, true
	}
	return Pending, false
}

// Step is what a stage reports for one item after moving it as far as it goes now.
type Step struct {
	// Status is the item's status, one of the stage's Statuses.
	Status string
	// What names the item for people ("orders for environment sales_env"); the skeleton adds the
	// status when it lists what it still waits for.
	What string
	// Problem says what failed and how to fix it, for a Failed status.
	Problem *workflow.Problem
	// NotBefore, when set, is the earliest time the item may be looked at again (a check to run
	// again later); the loop waits at least until then.
	NotBefore time.Time
}

// Stage is one waiting stage.
type Stage struct {
	// Name is the stage's name (workflow.Tasks): its timing, its policy (workflow.Policies) and
	// the stage a timeout names.
	Name     string
	Statuses Statuses
	// Begin runs once at the start of every invocation, before the first look (find or start
	// what the stage waits for, ...). Optional.
	Begin func(ctx context.Context) error
	// Items is how many items the stage waits for now (read after Begin).
	Items func() int
	// Look runs before every look at the items: reads the items share (a listing of every
	// subscription of a project, ...), so that a look costs a few calls, not a few per item.
	// Optional.
	Look func(ctx context.Context) error
	// Step moves item i as far as it goes now. It answers an item done by an earlier invocation
	// from the work document, without calling AWS.
	Step func(ctx context.Context, i int) (Step, error)
	// Noun says what the items are, for the "still waiting" text ("subscription(s)").
	Noun string
	// Fail turns the problems of failed items into the stage's named error.
	Fail func(problems []workflow.Problem) error
	// Drop, when set, settles each failed item on its own instead: the onboarding goes on without
	// its table (Report fails the execution with the stage's named error once the rest is done).
	Drop func(i int, p workflow.Problem)
}

// Clock is the time the loop reads and sleeps in: the task's (virtual in the local runner).
type Clock = clock.Clock

// Run runs one invocation of st's wait loop on w. It begins the stage on the loop's first
// invocation in an execution (its timing and first poll), calls Begin, then looks at every item
// not settled yet, again every Every (the stage's policy) for at most Within, while the
// invocation's budget allows. It returns with w.Poll done once every item reached a target
// status (or was dropped), with the next wait otherwise, the stage's named error when an item
// failed and the stage drops none, or the policy's *workflow.WaitTimeoutError once waiting longer
// without an item settling would pass its timeout.
func Run(ctx context.Context, c Clock, w *workflow.Work, st Stage) error {
	policy, ok := workflow.Policies[st.Name]
	if !ok {
		return fmt.Errorf("wait loop %s: no polling policy (workflow.Policies)", st.Name)
	}
	start := c.Now()
	budget := deadline.Start(ctx, c.Now)
	if begin(w, st.Name, start) {
		w.Poll = policy.Begin(start)
	}
	if st.Begin != nil {
		if err := st.Begin(ctx); err != nil {
			return err
		}
	}
	n := st.Items()
	settled := make([]bool, n)    // reached a target status, or dropped
	later := make([]time.Time, n) // items not to look at before then
	last := make([]string, n)     // what the last look at each item found, for people
	var waiting []string
	// looks bounds the looks of one invocation even when Sleep lets no time pass.
	maxLooks := int(policy.Within/policy.Every) + 1
	for looks := 1; ; looks++ {
		var failed []int
		var probs []workflow.Problem
		waiting = waiting[:0]
		hurried := false
		if st.Look != nil && !budget.Near() {
			if err := st.Look(ctx); err != nil {
				return err
			}
		}
		for i := range n {
			if settled[i] {
				continue
			}
			if c.Now().Before(later[i]) {
				waiting = append(waiting, last[i])
				continue
			}
			if budget.Near() {
				hurried = true
				waiting = append(waiting, fmt.Sprintf("item %d of %d (not looked at yet)", i+1, n))
				continue
			}
			s, err := st.Step(ctx, i)
			if err != nil {
				return err
			}
			outcome, known := st.Statuses.Of(s.Status)
			if !known {
				slog.InfoContext(ctx, "status this workflow does not know; waiting", "stage", st.Name, "item", s.What, "unconfirmed", s.Status)
			}
			switch outcome {
			case Target:
				settled[i] = true
			case Failed:
				p := workflow.Problem{Field: s.What, Problem: s.Status}
				if s.Problem != nil {
					p = *s.Problem
				}
				failed, probs = append(failed, i), append(probs, p)
			default:
				last[i] = fmt.Sprintf("%s: %s", s.What, orUnknown(s.Status))
				later[i] = s.NotBefore
				waiting = append(waiting, last[i])
			}
		}
		if len(failed) > 0 {
			if st.Drop == nil {
				return st.Fail(problems.Compact(ctx, probs))
			}
			for k, i := range failed {
				st.Drop(i, probs[k])
				settled[i] = true
			}
		}
		if len(waiting) == 0 {
			w.Poll = policy.Done(w.Poll)
			w.EndStage(st.Name, c.Now())
			return nil
		}
		now := c.Now()
		if w.Poll.Remaining == 0 || len(waiting) < w.Poll.Remaining {
			// Fewer items wait than at the last look of any invocation: progress.
			w.Poll.Progressed, w.Poll.Remaining = now, len(waiting)
		}
		notBefore := soonest(later, settled, now)
		pause := max(policy.Every, notBefore.Sub(now))
		if hurried || looks >= maxLooks || now.Sub(start)+pause > policy.Within || pause > budget.Left() || w.Poll.Idle(now)+pause > policy.Timeout {
			return next(w, st, policy, now, waiting, hurried, notBefore)
		}
		if err := c.Sleep(ctx, pause); err != nil {
			return fmt.Errorf("wait loop %s: %w", st.Name, err)
		}
	}
}

// soonest is the earliest time an unsettled item may be looked at again: now when one may be
// looked at now.
func soonest(later []time.Time, settled []bool, now time.Time) time.Time {
	var t time.Time
	for i, l := range later {
		if settled[i] {
			continue
		}
		if !l.After(now) {
			return now
		}
		if t.IsZero() || l.Before(t) {
			t = l
		}
	}
	if t.IsZero() {
		return now
	}
	return t
}

// begin records the stage's start on the loop's first invocation in an execution, the one whose
// Work has no timing of the stage yet; it reports whether this was it.
func begin(w *workflow.Work, stage string, now time.Time) bool {
	for _, s := range w.Timings {
		if s.Stage == stage {
			return false
		}
	}
	w.BeginStage(stage, now)
	return true
}

// next sets the poll of an invocation that returns with items still waiting: the policy's next
// wait, 1 s when it stopped early near its deadline, never sooner than notBefore.
func next(w *workflow.Work, st Stage, policy workflow.PollPolicy, now time.Time, waiting []string, hurried bool, notBefore time.Time) error {
	s := still(st.Noun, waiting)
	poll, err := policy.Next(st.Name, w.Poll, now, s)
	if err != nil {
		return err
	}
	if hurried {
		poll.WaitSeconds = deadline.WaitSeconds
	}
	if floor := int((notBefore.Sub(now) + time.Second - 1) / time.Second); poll.WaitSeconds < floor {
		if waited := poll.Idle(now); waited+time.Duration(floor)*time.Second > policy.Timeout {
			return &workflow.WaitTimeoutError{Stage: st.Name, Waited: waited, Still: s}
		}
		poll.WaitSeconds = floor
	}
	// A Step Functions execution timeout cannot be caught: stop with a named error before it.
	if started := w.Plan.StartedAt; !started.IsZero() &&
		now.Add(time.Duration(poll.WaitSeconds)*time.Second).After(started.Add(workflow.ExecutionTimeout-workflow.ExecutionReserve)) {
		return &workflow.WaitTimeoutError{Stage: st.Name, Waited: poll.Idle(now), Still: s, ExecutionLimit: true}
	}
	w.Poll = poll
	return nil
}

// shown is how many waiting items a *workflow.WaitTimeoutError lists.
const shown = 5

// still says what a loop still waits for: how many items, as what, then the first few.
func still(noun string, waiting []string) string {
	s := strings.Join(waiting[:min(shown, len(waiting))], "; ")
	if len(waiting) > shown {
		s += fmt.Sprintf("; and %d more", len(waiting)-shown)
	}
	return fmt.Sprintf("%d %s not done: %s", len(waiting), noun, s)
}

func orUnknown(s string) string {
	if s == "" {
		return "not started"
	}
	return s
}
