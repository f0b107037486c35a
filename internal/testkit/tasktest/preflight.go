package tasktest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dzonboard/dzonboard/tasks/preflight"
	"github.com/dzonboard/dzonboard/workflow"
)

// Preflight runs the Preflight task for in in e's sandbox, as execution exec-1 acting as e.C, and
// returns its Work: the start of PrepareLakeFormation. Its plan is data, so a test may hand it to
// a task running in another sandbox (one where Preflight would fail, for instance).
func Preflight(t testing.TB, e Env, in workflow.Input) workflow.Work {
	t.Helper()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	task := preflight.New(preflight.Deps{STS: e.C.STS, DataZone: e.C.DataZone, Glue: e.C.Glue, LakeFormation: e.C.LakeFormation, Now: e.SB.Now})
	w, err := task.Handle(context.Background(), workflow.PreflightRequest{Execution: "exec-1", Input: raw})
	if err != nil {
		t.Fatalf("setup: preflight: %v", err)
	}
	return w
}
