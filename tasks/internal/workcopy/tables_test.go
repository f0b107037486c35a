package workcopy

import (
	"reflect"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

func TestTables(t *testing.T) {
	rows := int64(10)
	orig := func() []workflow.Table {
		return []workflow.Table{{
			Name: "orders", AssetID: "asset-1",
			Access: []workflow.Access{{EnvironmentID: "env-1", Status: "GRANTED", QueryIDs: []string{"q1"}, Columns: []string{"id"}, RowCount: &rows}},
		}}
	}
	tests := []struct {
		name   string
		change func(ts []workflow.Table)
	}{
		{name: "a table field", change: func(ts []workflow.Table) { ts[0].AssetID = "asset-2" }},
		{name: "an access field", change: func(ts []workflow.Table) { ts[0].Access[0].Status = "" }},
		{name: "an appended access", change: func(ts []workflow.Table) {
			ts[0].Access = append(ts[0].Access[:1], workflow.Access{EnvironmentID: "env-2"})
		}},
		{name: "a query ID", change: func(ts []workflow.Table) { ts[0].Access[0].QueryIDs[0] = "q2" }},
		{name: "a column", change: func(ts []workflow.Table) { ts[0].Access[0].Columns[0] = "other" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := orig()
			out := Tables(in)
			if !reflect.DeepEqual(out, in) {
				t.Fatalf("copy %+v, want %+v", out, in)
			}
			tt.change(out)
			if !reflect.DeepEqual(in, orig()) {
				t.Errorf("changing the copy changed the original: %+v", in)
			}
		})
	}
	if got := Tables(nil); got != nil {
		t.Errorf("Tables(nil) = %#v, want nil", got)
	}
}
