package verify

import "github.com/dzonboard/dzonboard/workflow"

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
