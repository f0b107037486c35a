package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dzonboard/dzonboard/workflow"
)

// syncQueries gives w.Queries (a copy) one entry per query of the plan, keeping the outcome of
// those already started.
func syncQueries(w *workflow.Work) {
	qs := w.Plan.Verify.Queries
	if len(qs) == 0 {
		w.Queries = nil
		return
	}
	out := make([]workflow.Query, len(qs))
	for k, sql := range qs {
		out[k] = workflow.Query{SQL: sql}
		if k < len(w.Queries) && w.Queries[k].SQL == sql {
			out[k] = w.Queries[k]
		}
	}
	w.Queries = out
}

// verified reports whether both checks of an access have their results.
func verified(a workflow.Access) bool { return a.RowCount != nil && a.Columns != nil }

func queryDone(q workflow.Query) bool { return q.Rows != nil }

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

// still summarises what is not done, for a *workflow.WaitTimeoutError.
func still(waiting []string) string {
	const show = 5
	s := strings.Join(waiting[:min(show, len(waiting))], "; ")
	if len(waiting) > show {
		s += fmt.Sprintf("; and %d more", len(waiting)-show)
	}
	return fmt.Sprintf("%d check(s) not finished: %s", len(waiting), s)
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
