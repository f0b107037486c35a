package problems

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

func TestCompact(t *testing.T) {
	problems := func(n int) []workflow.Problem {
		var ps []workflow.Problem
		for i := range n {
			ps = append(ps, workflow.Problem{Field: fmt.Sprintf("db.t%04d", i), Problem: "SKIPPED_NO_ACCESS.", Fix: "grant."})
		}
		return ps
	}
	tests := []struct {
		name     string
		in       int
		wantLen  int
		wantLast string
	}{
		{name: "a few problems are all spelled out", in: 3, wantLen: 3, wantLast: "db.t0002"},
		{name: "exactly the limit is spelled out", in: Max, wantLen: Max, wantLast: "db.t0019"},
		{name: "one over the limit names both tables left out", in: Max + 1, wantLen: Max,
			wantLast: "2 more tables have problems (db.t0019, db.t0020)."},
		{name: "a thousand end in one summary", in: 1000, wantLen: Max, wantLast: "981 more tables have problems (db.t0019, db.t0020"},
		{name: "the summary names ten tables, then ...", in: 1000, wantLen: Max, wantLast: "db.t0028, ...)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := problems(tt.in)
			got := Compact(context.Background(), in)
			if len(got) != tt.wantLen {
				t.Fatalf("%d problems, want %d", len(got), tt.wantLen)
			}
			if last := got[len(got)-1].String(); !strings.Contains(last, tt.wantLast) {
				t.Errorf("last problem %q, want it to hold %q", last, tt.wantLast)
			}
			for i := range min(len(got), Max-1) {
				if got[i] != in[i] {
					t.Errorf("problem %d = %+v, want the input's %+v", i, got[i], in[i])
				}
			}
			if i := Max - 1; i < len(in) && in[i].Field != fmt.Sprintf("db.t%04d", i) {
				t.Errorf("Compact changed its input: %+v", in[i])
			}
			// Both errors that carry a compacted list stay short enough for a Cause.
			for _, err := range []error{
				&workflow.TableImportError{RunID: "r", Problems: got},
				&workflow.PublishFailedError{Problems: got},
			} {
				if n := len(err.Error()); n > 4096 {
					t.Errorf("%s is %d bytes, want it short", workflow.ErrorName(err), n)
				}
			}
		})
	}
}
