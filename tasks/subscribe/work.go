package subscribe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// ensureAccess gives the table one Access per target, in the order of Plan.Targets().
func ensureAccess(tb *workflow.Table, targets []workflow.Target) {
	for len(tb.Access) < len(targets) {
		tb.Access = append(tb.Access, workflow.Access{})
	}
	for j, tg := range targets {
		if tb.Access[j].EnvironmentID != tg.EnvironmentID {
			tb.Access[j] = workflow.Access{EnvironmentID: tg.EnvironmentID}
		}
	}
}

func hasStage(w workflow.Work, name string) bool {
	for _, s := range w.Timings {
		if s.Stage == name {
			return true
		}
	}
	return false
}

// nearDeadline reports whether the invocation has less than deadlineMargin left.
func nearDeadline(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < deadlineMargin
}

// label names a target's environment for people.
func label(tg workflow.Target) string {
	if tg.EnvironmentName != "" {
		return fmt.Sprintf("environment %s (%s)", tg.EnvironmentName, tg.EnvironmentID)
	}
	return "environment " + tg.EnvironmentID
}

func orUnknown(status string) string {
	if status == "" {
		return "not subscribed yet"
	}
	return status
}

// still summarises what is not done, for a *workflow.WaitTimeoutError.
func still(waiting []string) string {
	const show = 5
	s := strings.Join(waiting[:min(show, len(waiting))], "; ")
	if len(waiting) > show {
		s += fmt.Sprintf("; and %d more", len(waiting)-show)
	}
	return fmt.Sprintf("%d subscription(s) not granted yet: %s", len(waiting), s)
}

// cloneTables copies the tables deeply enough that updating them leaves the caller's Work as it
// was: Handle returns its result, it does not change its argument.
func cloneTables(ts []workflow.Table) []workflow.Table {
	out := slices.Clone(ts)
	for i := range out {
		out[i].Access = slices.Clone(out[i].Access)
		for j := range out[i].Access {
			a := &out[i].Access[j]
			a.QueryIDs, a.Columns = slices.Clone(a.QueryIDs), slices.Clone(a.Columns)
		}
	}
	return out
}
