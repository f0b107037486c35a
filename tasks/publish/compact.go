package publish

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dzonboard/dzonboard/workflow"
)

// maxProblems is how many problems an error spells out: Step Functions keeps 32 KiB of a Cause, so
// with a thousand tables the rest are logged and summed up in one last problem.
const maxProblems = 20

// compact logs every problem and returns at most maxProblems of them, the last one naming the
// tables left out.
func compact(ctx context.Context, ps []workflow.Problem) []workflow.Problem {
	if len(ps) <= maxProblems {
		return ps
	}
	for _, p := range ps {
		slog.InfoContext(ctx, "table problem", "table", p.Field, "problem", p.Problem, "fix", p.Fix)
	}
	rest := ps[maxProblems-1:]
	names := make([]string, 0, 10)
	for _, p := range rest[:min(10, len(rest))] {
		names = append(names, p.Field)
	}
	if len(rest) > len(names) {
		names = append(names, "...")
	}
	return append(ps[:maxProblems-1:maxProblems-1], workflow.Problem{
		Problem: fmt.Sprintf("%d more tables have problems (%s).", len(rest), strings.Join(names, ", ")),
		Fix:     "the task's log lists each with its fix; tables with the same status as one above need the same fix.",
	})
}
