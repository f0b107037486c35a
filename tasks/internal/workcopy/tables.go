package workcopy

import (
	"slices"

	"github.com/dzonboard/dzonboard/workflow"
)

// Tables copies the tables deeply enough that updating a table, one of its accesses, or an
// access's query IDs or columns leaves ts as it was. Nil stays nil.
func Tables(ts []workflow.Table) []workflow.Table {
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
