package problems

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dzonboard/dzonboard/workflow"
)

// Max is how many problems an error spells out: Step Functions keeps 32 KiB of a Cause, so with a
// thousand tables the rest are logged and summed up in one last problem.
const Max = 20

// named is how many tables the summing-up problem names before "...".
const named = 10

// Compact logs every problem and returns at most Max of them, the last one naming the tables left
// out. A list of Max or fewer is returned as it is, and not logged. ps is not changed.
func Compact(ctx context.Context, ps []workflow.Problem) []workflow.Problem {
	if len(ps) <= Max {
		return ps
	}
	for _, p := range ps {
		slog.InfoContext(ctx, "table problem", "table", p.Field, "problem", p.Problem, "fix", p.Fix)
	}
	rest := ps[Max-1:]
	names := make([]string, 0, named)
	for _, p := range rest[:min(named, len(rest))] {
		names = append(names, p.Field)
	}
	if len(rest) > len(names) {
		names = append(names, "...")
	}
	return append(ps[:Max-1:Max-1], workflow.Problem{
		Problem: fmt.Sprintf("%d more tables have problems (%s).", len(rest), strings.Join(names, ", ")),
		Fix:     "the task's log lists each with its fix; tables with the same status as one above need the same fix.",
	})
}
