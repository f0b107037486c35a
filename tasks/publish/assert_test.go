package publish_test

import (
	"strings"
	"testing"

	"github.com/dzonboard/dzonboard/workflow"
)

func stageEnded(w workflow.Work, stage string) bool {
	for _, s := range w.Timings {
		if s.Stage == stage {
			return !s.EndedAt.IsZero()
		}
	}
	return false
}

// assertError checks that err is, unwrapped, the named error of want's type (the Step Functions
// error name) and that its message holds every text.
func assertError(t *testing.T, err, want error, texts []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", workflow.ErrorName(want))
	}
	if got := workflow.ErrorName(err); got != workflow.ErrorName(want) {
		t.Fatalf("error %s (%v), want %s", got, err, workflow.ErrorName(want))
	}
	for _, s := range texts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}
