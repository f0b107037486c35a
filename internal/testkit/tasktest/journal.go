package tasktest

import (
	"context"
	"slices"
	"testing"

	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

// Ops lists the mutating calls the sandbox journalled after its first from entries, in order, as
// the operation's name, or Op!ErrorCode for a call that failed ("CreateDataSource!ThrottlingException").
func Ops(sb *sandbox.Sandbox, from int) []string {
	var out []string
	for _, e := range sb.Journal()[from:] {
		op := e.Op
		if e.Error != "" {
			op += "!" + e.Error
		}
		out = append(out, op)
	}
	return out
}

// WantOps checks that the mutating calls journalled after the first from entries are want, in
// order and as Ops spells them; no want means no mutating call at all.
func WantOps(t testing.TB, sb *sandbox.Sandbox, from int, want ...string) {
	t.Helper()
	if got := Ops(sb, from); !slices.Equal(got, want) {
		t.Errorf("mutating calls %v, want %v", got, want)
	}
}

// Idempotent calls h with w, as a second execution (or a retry) would, and checks that it succeeds
// without a mutating call: it finds what the first made and changes nothing. It returns h's Work.
func Idempotent(t testing.TB, sb *sandbox.Sandbox, h Handler, w workflow.Work) workflow.Work {
	t.Helper()
	before := len(sb.Journal())
	got, err := h(context.Background(), w)
	if err != nil {
		t.Fatalf("second execution: %v", err)
	}
	WantOps(t, sb, before)
	return got
}
