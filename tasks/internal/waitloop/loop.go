package waitloop

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/tasks/internal/deadline"
	"github.com/dzonboard/dzonboard/workflow"
)

// Loop is one task's wait loop: the stage it records in Work.Timings and the policy it waits by.
type Loop struct {
	Stage  string
	Policy workflow.PollPolicy
}

// Begin begins the loop on its first invocation in an execution, the one whose Work has no start
// of Stage yet: it records the stage's start and the policy's first poll at now. It reports whether
// it did; a Lambda retry of that first invocation (the same Work) begins the loop again.
func (l Loop) Begin(w *workflow.Work, now time.Time) (first bool) {
	for _, s := range w.Timings {
		if s.Stage == l.Stage {
			return false
		}
	}
	w.BeginStage(l.Stage, now)
	w.Poll = l.Policy.Begin(now)
	return true
}

// Done ends the loop and the stage at now.
func (l Loop) Done(w *workflow.Work, now time.Time) {
	w.Poll = l.Policy.Done(w.Poll)
	w.EndStage(l.Stage, now)
}

// Wait sets w.Poll for an invocation that is not done, in a loop whose first invocation waits the
// policy's first wait: when the loop began in this invocation (first, as Begin reported) the
// policy's first poll at now, else its next poll. Once waiting longer would pass the policy's
// timeout it returns the policy's *workflow.WaitTimeoutError, which says still.
func (l Loop) Wait(w *workflow.Work, first bool, now time.Time, still string) error {
	if first {
		w.Poll = l.Policy.Begin(now)
		return nil
	}
	var err error
	w.Poll, err = l.Policy.Next(w.Poll, now, still)
	return err
}

// Settle ends an invocation that found no problem, in a loop that counts every invocation that is
// not done, its first included, as one more attempt. With nothing waiting it ends the loop (Done).
// Otherwise w.Poll becomes the policy's next poll, with a wait of deadline.WaitSeconds when the
// invocation stopped early near its deadline (hurried); once waiting longer would pass the
// policy's timeout it returns the policy's *workflow.WaitTimeoutError instead, leaving w.Poll as it
// was. The error counts waiting as what ("check(s) not finished") and lists the first few.
func (l Loop) Settle(w *workflow.Work, now time.Time, waiting []string, what string, hurried bool) error {
	return l.SettleAtLeast(w, now, waiting, what, hurried, 0)
}

// SettleAtLeast is Settle for an invocation that must not be followed sooner than atLeast, e.g.
// one that put off a retry: when something is waiting, the wait is at least atLeast (rounded up
// to whole seconds), even when hurried, and the timeout counts that longer wait.
func (l Loop) SettleAtLeast(w *workflow.Work, now time.Time, waiting []string, what string, hurried bool, atLeast time.Duration) error {
	if len(waiting) == 0 {
		l.Done(w, now)
		return nil
	}
	s := still(what, waiting)
	next, err := l.Policy.Next(w.Poll, now, s)
	if err != nil {
		return err
	}
	if hurried {
		next.WaitSeconds = deadline.WaitSeconds
	}
	if floor := int(math.Ceil(atLeast.Seconds())); next.WaitSeconds < floor {
		if waited := now.Sub(next.Since); waited+atLeast > l.Policy.Timeout {
			return &workflow.WaitTimeoutError{Stage: l.Policy.Stage, Waited: waited, Still: s}
		}
		next.WaitSeconds = floor
	}
	w.Poll = next
	return nil
}

// shown is how many waiting items a *workflow.WaitTimeoutError lists.
const shown = 5

// still says what a loop still waits for: how many items, as what, then the first few.
func still(what string, waiting []string) string {
	s := strings.Join(waiting[:min(shown, len(waiting))], "; ")
	if len(waiting) > shown {
		s += fmt.Sprintf("; and %d more", len(waiting)-shown)
	}
	return fmt.Sprintf("%d %s: %s", len(waiting), what, s)
}
