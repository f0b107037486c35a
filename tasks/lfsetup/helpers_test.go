package lfsetup_test

import (
	"testing"

	"github.com/dzonboard/dzonboard/internal/testkit/tasktest"
	"github.com/dzonboard/dzonboard/sandbox"
	"github.com/dzonboard/dzonboard/workflow"
)

// preflightWork is the Work Preflight returns for the default input (makeManaged as given) in a
// default-world sandbox of its own: the plan is data, so a test may use it with another sandbox
// (one where Preflight would fail, for instance).
func preflightWork(t *testing.T, makeManaged bool) workflow.Work {
	t.Helper()
	in := tasktest.Input()
	in.MakeManaged = makeManaged
	return tasktest.Preflight(t, tasktest.Start(t, "default", nil, sandbox.Options{}), in)
}
