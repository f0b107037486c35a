package publish

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
		{name: "exactly the limit is spelled out", in: maxProblems, wantLen: maxProblems, wantLast: "db.t0019"},
		{name: "a thousand end in one summary", in: 1000, wantLen: maxProblems, wantLast: "981 more tables have problems (db.t0019, db.t0020"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := problems(tt.in)
			got := compact(context.Background(), in)
			if len(got) != tt.wantLen {
				t.Fatalf("%d problems, want %d", len(got), tt.wantLen)
			}
			if last := got[len(got)-1].String(); !strings.Contains(last, tt.wantLast) {
				t.Errorf("last problem %q, want it to hold %q", last, tt.wantLast)
			}
			if i := maxProblems - 1; i < len(in) && in[i].Field != fmt.Sprintf("db.t%04d", i) {
				t.Errorf("compact changed its input: %+v", in[i])
			}
			if n := len((&workflow.PublishFailedError{Problems: got}).Error()); n > 4096 {
				t.Errorf("error is %d bytes, want it short", n)
			}
		})
	}
}
