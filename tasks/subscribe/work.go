package subscribe

import (
	"fmt"

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

// label names a target's environment for people.
func label(tg workflow.Target) string {
	if tg.EnvironmentName != "" {
		return fmt.Sprintf("environment %s (%s)", tg.EnvironmentName, tg.EnvironmentID)
	}
	return "environment " + tg.EnvironmentID
}
